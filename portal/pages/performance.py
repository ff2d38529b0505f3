"""Dashboards: the channel overview, partner scorecards with trend charts, targets and weights."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from channel.roles import OrgKind, Permission
from channel.tabular import write_csv, write_xlsx
from channel.visibility import Actor
from core.errors import InvalidInputError
from portal import charts, kpi_texts
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.downloads import SpreadsheetFormat, spreadsheet
from portal.i18n import gettext
from portal.pages.rendering import back_to, page
from portal.security.guards import requires_permission
from reports import kpis, schemas
from reports.kpis import Kpi, PeriodKind, TargetMeasure
from reports.services import scorecards, targets
from reports.services.scorecards import overview_table

Label = Annotated[str | None, QueryParameter(max_length=10)]
Code = Annotated[str | None, QueryParameter(max_length=32)]
HUNDRED = Decimal(100)


def _tier_text(key: str) -> str:
    if key == "store":
        return gettext("Stores")
    return gettext("Tier-{n} distributors").format(n=key.partition(":")[2])


def _trend_charts(trend: list[schemas.TrendPoint], with_score: bool) -> dict[str, Any]:
    labels = [p.month[2:] for p in trend]
    drawn = {
        "purchases": charts.bars(
            gettext("Purchases by month, with the target"),
            labels,
            [[p.purchases for p in trend]],
            [p.target for p in trend] if any(p.target for p in trend) else [],
        ),
        "sell_out": charts.bars(
            gettext("Sell-out units by month"), labels, [[p.sell_out_units for p in trend]]
        ),
    }
    if with_score:
        drawn["score"] = charts.lines(gettext("Score by month"), labels, [p.score for p in trend], HUNDRED)
    return drawn


async def _filters_context(actor: Actor) -> dict[str, Any]:
    choices = await scorecards.filter_choices(actor)
    return {
        "levels": choices.levels,
        "regions": choices.regions,
        "categories": choices.categories,
        "period_kinds": [(k.value, gettext(kpi_texts.PERIOD_LABELS[k.value])) for k in PeriodKind],
    }


class PerformancePages(Controller):
    path = "/performance"
    guards = [requires_permission(Permission.VIEW_NETWORK)]

    @get("/", name="performance")
    async def dashboard(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        period: FromQuery[PeriodKind] = PeriodKind.QUARTER,
        period_label: Label = None,
        region: Code = None,
        level: Code = None,
        category: Code = None,
    ) -> Template:
        if actor.organisation_kind is OrgKind.STORE:
            return await self._scorecard_page(
                actor, portal, clock, actor.organisation_id, period, period_label, category
            )
        found = await scorecards.overview(
            actor,
            schemas.OverviewFilter(
                period=period, period_label=period_label, region=region, level=level, category=category
            ),
            clock,
        )
        own = None
        if actor.organisation_kind is OrgKind.DISTRIBUTOR:
            own = await scorecards.scorecard(actor, actor.organisation_id, period, found.period_label, clock)
        funnel = found.funnel
        return page(
            "shared/performance/overview.html.jinja",
            actor=actor,
            portal=portal,
            found=found,
            own=own,
            filters={
                "period": period.value,
                "period_label": found.period_label,
                "region": region,
                "level": level,
                "category": found.category,
            },
            kpi_label=kpi_texts.kpi_label,
            tier_chart=charts.hbars(
                gettext("Purchases by tier"),
                [_tier_text(s.key) for s in found.by_tier],
                [s.purchases for s in found.by_tier],
            ),
            region_chart=charts.hbars(
                gettext("Purchases by region"),
                [s.key or gettext("No region") for s in found.by_region],
                [s.purchases for s in found.by_region],
            ),
            funnel_chart=charts.hbars(
                gettext("Deal and lead funnel"),
                [
                    gettext("Registrations submitted"),
                    gettext("Registrations approved"),
                    gettext("Registrations won"),
                    gettext("Leads offered"),
                    gettext("Accepted in time"),
                    gettext("Followed up in time"),
                ],
                [
                    funnel.registrations_submitted,
                    funnel.registrations_approved,
                    funnel.registrations_won,
                    funnel.leads_offered,
                    funnel.leads_accepted_in_time,
                    funnel.leads_followed_in_time,
                ],
            ),
            trend_charts=_trend_charts(found.trend, with_score=False),
            **await _filters_context(actor),
        )

    @get("/export")
    async def export(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        file_format: Annotated[SpreadsheetFormat, QueryParameter(name="format")] = "csv",
        period: FromQuery[PeriodKind] = PeriodKind.QUARTER,
        period_label: Label = None,
        region: Code = None,
        level: Code = None,
        category: Code = None,
    ) -> Response[bytes]:
        found = await scorecards.overview(
            actor,
            schemas.OverviewFilter(
                period=period, period_label=period_label, region=region, level=level, category=category
            ),
            clock,
        )
        columns, rows = overview_table(found)
        cells: list[list[Any]] = [[str(c) if isinstance(c, Decimal) else c for c in row] for row in rows]
        content = (
            write_xlsx(columns, cells, title=found.period_label)
            if file_format == "xlsx"
            else write_csv(columns, cells)
        )
        name = f"partners-{found.period_label}" + (f"-{found.category}" if found.category else "")
        return spreadsheet(content, file_format, name)

    @get("/partners/{partner_id:uuid}", name="partner_scorecard")
    async def scorecard(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        period: FromQuery[PeriodKind] = PeriodKind.QUARTER,
        period_label: Label = None,
        category: Code = None,
    ) -> Template:
        return await self._scorecard_page(actor, portal, clock, partner_id, period, period_label, category)

    async def _scorecard_page(
        self,
        actor: Any,
        portal: Any,
        clock: Any,
        partner_id: UUID,
        period: PeriodKind,
        label: str | None,
        category: str | None = None,
    ) -> Template:
        card = await scorecards.scorecard(actor, partner_id, period, label, clock, category)
        return page(
            "shared/performance/scorecard.html.jinja",
            actor=actor,
            portal=portal,
            card=card,
            filters={"period": period.value, "period_label": card.period_label, "category": card.category},
            trend_charts=_trend_charts(card.trend, with_score=True),
            kpi_label=kpi_texts.kpi_label,
            kpi_definitions=kpi_texts.KPI_DEFINITIONS,
            target_labels=kpi_texts.TARGET_LABELS,
            reason_text=kpi_texts.reason_text,
            direction_text=kpi_texts.direction_text,
            **await _filters_context(actor),
        )

    @get("/targets", name="report_targets")
    async def target_sheet(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        period: FromQuery[PeriodKind] = PeriodKind.MONTH,
        period_label: Label = None,
    ) -> Template:
        sheet = await targets.target_sheet(actor, period, period_label, clock)
        return page(
            "shared/performance/targets.html.jinja",
            actor=actor,
            portal=portal,
            sheet=sheet,
            measures=list(TargetMeasure),
            target_labels=kpi_texts.TARGET_LABELS,
            filters={"period": period.value, "period_label": sheet.period_label},
            **await _filters_context(actor),
        )

    @post("/targets", guards=[requires_permission(Permission.MANAGE_PARTNERS)])
    async def save_targets(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        form = await request.form()
        period = (
            PeriodKind(form.get("period", "month"))
            if form.get("period") in set(PeriodKind)
            else PeriodKind.MONTH
        )
        label = str(form.get("period_label", ""))[:10]
        items = []
        for key, raw in form.items():
            if not key.startswith("t:"):
                continue
            _, org, measure = key.split(":", 2)
            text = str(raw).strip().replace(",", "")
            try:
                value = Decimal(text) if text else None
                if value is not None and (not value.is_finite() or value < 0):
                    raise InvalidOperation
                items.append(
                    schemas.TargetSet(
                        organisation_id=UUID(org),
                        period=period,
                        period_label=label,
                        measure=TargetMeasure(measure),
                        value=value,
                    )
                )
            except (InvalidOperation, ValueError):
                raise InvalidInputError.single(key, "invalid_number") from None
        result = await targets.set_targets(actor, schemas.TargetBatch(items), clock)
        flash(
            request,
            gettext("Targets saved: %(saved)s set, %(removed)s removed.")
            % {"saved": result.saved, "removed": result.removed},
            category="success",
        )
        return back_to(portal.url(f"/performance/targets?period={period.value}&period_label={label}"))


class WeightPages(Controller):
    path = "/performance/weights"
    guards = [requires_permission(Permission.CONFIGURE_CHANNEL)]

    @get("/", name="scorecard_weights")
    async def weights(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page(
            "manufacturer/performance/weights.html.jinja",
            actor=actor,
            portal=portal,
            levels=await targets.list_weights(actor),
            scored=list(kpis.SCORED),
            kpi_label=kpi_texts.kpi_label,
            kpi_definitions=kpi_texts.KPI_DEFINITIONS,
            promote_at=kpis.PROMOTE_AT,
            demote_below=kpis.DEMOTE_BELOW,
        )

    @post("/")
    async def save_weights(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        form = await request.form()
        level = str(form.get("level", ""))[:32]
        weights: dict[Kpi, int] = {}
        for kpi in kpis.SCORED:
            raw = str(form.get(f"w:{kpi.value}", "")).strip()
            if raw:
                if not raw.isdigit() or int(raw) > 100:
                    raise InvalidInputError.single(f"w:{kpi.value}", "invalid_weight")
                weights[kpi] = int(raw)
        await targets.set_weights(actor, schemas.WeightsUpdate(weights, level), clock)
        flash(request, gettext("Saved."), category="success")
        return back_to(portal.url("/performance/weights"))
