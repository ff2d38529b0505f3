"""Partner KPIs, scorecards and the channel overview, read from the rollups.

Who sees what follows the channel rule: the manufacturer (or a channel manager, for the partners
assigned) sees every partner; a distributor itself and its subtree; a store itself. A partner out of
sight answers ``NotFoundError``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from channel.roles import OrgKind, Permission
from channel.transactions import read_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from reports import kpis, repository, schemas
from reports.kpis import Kpi, Period, PeriodKind, TargetMeasure, Totals
from reports.measures import CATEGORY_MEASURES, Measure

ZERO = Decimal(0)
LOW_DAYS = Decimal(14)
OVER_DAYS = Decimal(90)
TOP = 10
ORDERS_SHOWN = 20


def require_viewer(actor: Actor) -> None:
    if not actor.can(Permission.VIEW_NETWORK):
        raise PermissionDeniedError()


def partner_ref(row: dict[str, Any]) -> schemas.PartnerRef:
    return schemas.PartnerRef(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        depth=row["depth"],
        level=row["level"],
        region=row["region"],
        currency=row["currency"],
    )


def resolve_period(kind: PeriodKind, label: str | None, clock: Clock) -> Period:
    if not label:
        return kpis.period_of(kind, clock.now().date())
    try:
        return kpis.parse_period(kind, label)
    except ValueError:
        raise InvalidInputError.single("period_label", "invalid_period") from None


PRODUCT_MEASURES = frozenset(x.value for x in CATEGORY_MEASURES)


async def category_path(code: str | None) -> str | None:
    """The path of the category a filter names (None: no filter); an unknown code is refused."""
    if not code:
        return None
    path = await repository.find_category_path(code)
    if path is None:
        raise InvalidInputError.single("category", "unknown_category")
    return path


def _of_category(
    whole: dict[tuple[UUID, str], Decimal], category: dict[tuple[UUID, str], Decimal]
) -> dict[tuple[UUID, str], Decimal]:
    """The sums under a category filter: the category's product-based measures, the rest whole."""
    kept = {key: value for key, value in whole.items() if key[1] not in PRODUCT_MEASURES}
    return kept | category


def _totals(sums: dict[tuple[UUID, str], Decimal], org: UUID, stock: dict[UUID, Decimal]) -> Totals:
    return Totals({measure: value for (o, measure), value in sums.items() if o == org}, stock.get(org))


def _by_org(sums: dict[tuple[UUID, str], Decimal]) -> dict[UUID, dict[str, Decimal]]:
    grouped: dict[UUID, dict[str, Decimal]] = defaultdict(dict)
    for (org, measure), value in sums.items():
        grouped[org][measure] = value
    return grouped


async def _targets(org_ids: Sequence[UUID], period: Period) -> dict[UUID, dict[TargetMeasure, Decimal]]:
    found: dict[UUID, dict[TargetMeasure, Decimal]] = defaultdict(dict)
    for row in await repository.targets_of(org_ids, period.kind.value, period.start):
        found[row["organisation_id"]][TargetMeasure(row["measure"])] = Decimal(row["value"])
    return found


async def weights_by_level() -> dict[str, dict[Kpi, int]]:
    stored: dict[str, dict[Kpi, int]] = defaultdict(dict)
    for (level, kpi), weight in (await repository.weights()).items():
        if kpi in Kpi.__members__.values():
            stored[level][Kpi(kpi)] = weight
    return stored


def _weights_for(level: str | None, stored: dict[str, dict[Kpi, int]]) -> dict[Kpi, int]:
    return stored.get(level or "") or kpis.DEFAULT_WEIGHTS


def target_values(targets: dict[TargetMeasure, Decimal], totals: Totals) -> list[schemas.TargetValue]:
    values = []
    for measure in TargetMeasure:
        if measure in targets:
            actual = totals[kpis.TARGET_ACTUAL[measure]]
            target = targets[measure]
            achievement = (actual * 100 / target).quantize(kpis.TENTH) if target else None
            values.append(schemas.TargetValue(measure, target, actual, achievement))
    return values


async def _visible_partner(actor: Actor, org_id: UUID) -> dict[str, Any]:
    for row in await repository.partners_in(actor.scope):
        if row["id"] == org_id:
            return row
    raise NotFoundError()


async def _score_of(
    org: UUID, period: Period, level: str | None, stored: dict[str, dict[Kpi, int]], path: str | None = None
) -> tuple[list[kpis.KpiValue], kpis.Score, dict[TargetMeasure, Decimal], Totals]:
    """One partner's KPIs (under a category filter, the product-based ones of the category), its
    score, targets and totals (the score and targets are always the partner's whole)."""
    last = kpis.same_period_last_year(period)
    spans = [(period.start, period.end), (last.start, last.end)]
    sums, last_sums = await repository.spans_sums([org], spans)
    stock = await repository.last_stock([org], period.start, period.end)
    targets = (await _targets([org], period)).get(org, {})
    totals = _totals(sums, org, stock)
    values = kpis.compute(totals, _totals(last_sums, org, {}), targets, period)
    score = kpis.score(values, _weights_for(level, stored))
    if path is not None:
        of, last_of = await repository.spans_sums([org], spans, path)
        stock_of = await repository.category_last_stock([org], period.start, period.end, path)
        filtered = kpis.compute(
            _totals(_of_category(sums, of), org, stock_of),
            _totals(_of_category(last_sums, last_of), org, {}),
            targets,
            period,
        )
        values = kpis.of_category(values, filtered)
    return values, score, targets, totals


async def scorecard(
    actor: Actor,
    org_id: UUID,
    kind: PeriodKind,
    label: str | None,
    clock: Clock,
    category: str | None = None,
) -> schemas.Scorecard:
    """One partner's KPIs for a period, its score, the suggested level and a 12-month trend;
    with a category (code), the product-based KPIs and the trend are that category's."""
    require_viewer(actor)
    period = resolve_period(kind, label, clock)
    async with read_transaction():
        await repository.prefer_custom_plans()
        row = await _visible_partner(actor, org_id)
        path = await category_path(category)
        stored = await weights_by_level()
        values, current, targets, totals = await _score_of(org_id, period, row["level"], stored, path)
        _, previous, _, _ = await _score_of(org_id, kpis.shifted(period, -1), row["level"], stored)
        levels = [lv["code"] for lv in reversed(await repository.partner_levels())]  # lowest first
        suggestion = kpis.suggest(current, previous, row["level"], levels)
        trend = await _trend(
            [org_id],
            kpis.period_of(PeriodKind.MONTH, min(period.end, clock.now().date())),
            row["level"],
            stored,
            path,
        )
        orders = [
            schemas.OrderRef(o["id"], o["number"], o["status"], o["total"], o["currency"], o["created_at"])
            for o in await repository.recent_orders(org_id, period.start, period.end, ORDERS_SHOWN)
        ]
        downstream = []
        if row["kind"] != OrgKind.STORE.value:
            children = [r for r in await repository.partners_in(actor.scope) if r["supplier"] == org_id]
            downstream = await _partner_rows(children, period, stored, path=path)
    return schemas.Scorecard(
        partner=partner_ref(row),
        period=period.kind,
        period_label=period.label,
        kpis=values,
        targets=target_values(targets, totals),
        score=current.score,
        previous_score=previous.score,
        parts=current.parts,
        suggestion=schemas.Suggestion(suggestion.direction, suggestion.level, suggestion.reasons),
        trend=trend,
        downstream=downstream,
        orders=orders,
        category=category.upper() if path and category else None,
        category_kpis=list(kpis.CATEGORY_KPIS) if path else [],
    )


TREND_MEASURES = (Measure.PURCHASES_AMOUNT.value, Measure.SELL_OUT_UNITS.value)


async def _trend(
    org_ids: Sequence[UUID] | None,
    last_month: Period,
    level: str | None,
    stored: dict[str, dict[Kpi, int]] | None,
    path: str | None = None,
) -> list[schemas.TrendPoint]:
    """Twelve months up to ``last_month``: purchases, sell-out, the purchases target and (for one
    partner) the month's score. With a category (``path``), purchases and sell-out are the
    category's and there is no target line (targets are for all products); the score is whole."""
    first = kpis.shifted(last_month, -11)
    scored = stored is not None and org_ids is not None and len(org_ids) == 1
    # Only a partner's score needs every measure of two years; the channel's chart needs two.
    sums: dict[tuple[str, str], Decimal] = {}
    if scored or path is None:  # under a category, the channel's chart needs only the category's
        sums = await repository.monthly_sums(
            org_ids,
            kpis.shifted(first, -12).start if scored else first.start,
            last_month.end,
            None if scored else TREND_MEASURES,
        )
    shown = sums
    if path is not None:
        shown = await repository.category_monthly_sums(
            org_ids, first.start, last_month.end, path, TREND_MEASURES
        )
    by_month: dict[date, dict[UUID, dict[TargetMeasure, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in await repository.monthly_targets(org_ids, first.start, last_month.start):
        by_month[row["period_start"]][row["organisation_id"]][TargetMeasure(row["measure"])] = Decimal(
            row["value"]
        )
    points = []
    for step in range(12):
        month = kpis.shifted(first, step)
        key = month.label
        monthly = {measure: value for (mo, measure), value in sums.items() if mo == key}
        drawn = {measure: value for (mo, measure), value in shown.items() if mo == key}
        purchases = drawn.get(Measure.PURCHASES_AMOUNT.value, ZERO)
        target_rows = by_month.get(month.start, {})
        target = sum((t.get(TargetMeasure.PURCHASES, ZERO) for t in target_rows.values()), ZERO) or None
        score = None
        if scored:
            assert stored is not None and org_ids is not None
            ago = kpis.same_period_last_year(month).label
            last = {measure: value for (mo, measure), value in sums.items() if mo == ago}
            values = kpis.compute(Totals(monthly), Totals(last), target_rows.get(org_ids[0], {}), month)
            score = kpis.score(values, _weights_for(level, stored)).score
        points.append(
            schemas.TrendPoint(
                key,
                purchases,
                drawn.get(Measure.SELL_OUT_UNITS.value, ZERO),
                None if path is not None else target,
                score,
            )
        )
    return points


async def _stock(ids: Sequence[UUID] | None, start: date, end: date) -> dict[UUID, Decimal]:
    return await repository.last_stock(ids, start, end) if ids is None or ids else {}


class _Read(msgspec.Struct):
    rows: list[schemas.PartnerRow]
    sums: dict[UUID, dict[str, Decimal]]
    last_sums: dict[UUID, dict[str, Decimal]]
    stock: dict[UUID, Decimal]


async def _partner_rows(
    rows: list[dict[str, Any]],
    period: Period,
    stored: dict[str, dict[Kpi, int]],
    whole: bool = False,
    path: str | None = None,
) -> list[schemas.PartnerRow]:
    return (await _read_partners(rows, period, stored, whole, path)).rows


async def _read_partners(
    rows: list[dict[str, Any]],
    period: Period,
    stored: dict[str, dict[Kpi, int]],
    whole: bool = False,
    path: str | None = None,
) -> _Read:
    """Each partner's row of the period, and the sums it was made from (``whole``: every partner
    in the channel, read without listing them). With a category (``path``) the product-based
    sums and the stock are the category's; achievement and score stay the partner's whole."""
    ids = [r["id"] for r in rows]
    if not ids:
        return _Read([], {}, {}, {})
    wanted = None if whole else ids
    last = kpis.same_period_last_year(period)
    kept = set(ids)
    spans = [(period.start, period.end), (last.start, last.end)]
    period_sums, last_period_sums = await repository.spans_sums(wanted, spans)
    targets = await _targets_in(ids, period, whole)
    of: dict[UUID, dict[str, Decimal]] | None = None
    if path is None:
        stock_sums = await _stock(wanted, period.start, period.end)
    else:
        # the whole stock only feeds days of supply, which is the category's here (and not scored)
        stock_sums = {}
        of_period, of_last = await repository.spans_sums(wanted, spans, path)
        of = _by_org(_of_category(period_sums, of_period))
        last_of = _by_org(_of_category(last_period_sums, of_last))
        stock_of = await repository.category_last_stock(wanted, period.start, period.end, path)
    sums = {k: v for k, v in _by_org(period_sums).items() if k in kept}
    last_sums = {k: v for k, v in _by_org(last_period_sums).items() if k in kept}
    stock = {k: v for k, v in stock_sums.items() if k in kept}
    result = []
    for row in rows:
        org = row["id"]
        aims = targets.get(org, {})
        values = kpis.compute(
            Totals(sums.get(org, {}), stock.get(org)), Totals(last_sums.get(org, {})), aims, period
        )
        score = kpis.score(values, _weights_for(row["level"], stored)).score
        shown = Totals(sums.get(org, {}))
        by_kpi = {v.kpi: v.value for v in values}
        growth = by_kpi[Kpi.PURCHASES_GROWTH]
        if of is not None:
            shown = Totals(of.get(org, {}))
            previous = last_of.get(org, {}).get(Measure.PURCHASES_AMOUNT.value, ZERO)
            growth = kpis.growth(shown[Measure.PURCHASES_AMOUNT], previous)
        result.append(
            schemas.PartnerRow(
                partner=partner_ref(row),
                purchases=shown[Measure.PURCHASES_AMOUNT],
                sales=shown[Measure.SALES_AMOUNT],
                sell_out_units=shown[Measure.SELL_OUT_UNITS],
                achievement=by_kpi[Kpi.PURCHASES_ACHIEVEMENT],
                growth=growth,
                score=score,
            )
        )
    if of is not None:
        sums = {k: v for k, v in of.items() if k in kept}
        last_sums = {k: v for k, v in last_of.items() if k in kept}
        stock = {k: v for k, v in stock_of.items() if k in kept}
    return _Read(result, sums, last_sums, stock)


async def _targets_in(
    ids: Sequence[UUID], period: Period, whole: bool
) -> dict[UUID, dict[TargetMeasure, Decimal]]:
    """The targets of these partners; for the whole channel read by period alone, not by 2,000 ids."""
    if not whole:
        return await _targets(ids, period)
    found: dict[UUID, dict[TargetMeasure, Decimal]] = defaultdict(dict)
    for row in await repository.targets_of(None, period.kind.value, period.start):
        found[row["organisation_id"]][TargetMeasure(row["measure"])] = Decimal(row["value"])
    return found


def _tier(row: dict[str, Any]) -> str:
    return "store" if row["kind"] == OrgKind.STORE.value else f"distributor:{row['depth']}"


async def overview(actor: Actor, filters: schemas.OverviewFilter, clock: Clock) -> schemas.Overview:
    """The channel at a glance for the partners in the actor's view (the actor itself left out)."""
    require_viewer(actor)
    period = resolve_period(filters.period, filters.period_label, clock)
    async with read_transaction():
        await repository.prefer_custom_plans()
        path = await category_path(filters.category)
        everyone = await repository.partners_in(actor.scope)
        own = next((r for r in everyone if r["id"] == actor.organisation_id), None)
        rows = [
            r
            for r in everyone
            if r["kind"] != OrgKind.MANUFACTURER.value
            and r["id"] != actor.organisation_id
            and (not filters.region or r["region"] == filters.region)
            and (not filters.level or r["level"] == filters.level)
        ]
        stored = await weights_by_level()
        # The whole channel: read every partner's rollups at once instead of listing 2,000 ids.
        whole = actor.scope.everything and not filters.region and not filters.level
        read = await _read_partners(rows, period, stored, whole, path)
        partners, sums, stock = read.rows, read.sums, read.stock
        trend = (
            await _trend(
                None if whole else [r["id"] for r in rows],
                kpis.period_of(PeriodKind.MONTH, min(period.end, clock.now().date())),
                None,
                None,
                path,
            )
            if rows
            else []
        )
    by_tier: dict[str, list[schemas.PartnerRow]] = defaultdict(list)
    by_region: dict[str, list[schemas.PartnerRow]] = defaultdict(list)
    for row, partner in zip(rows, partners, strict=True):
        by_tier[_tier(row)].append(partner)
        by_region[row["region"] or ""].append(partner)
    ranked = sorted(partners, key=lambda p: (p.purchases, p.partner.code))

    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for partner_sums in sums.values():
        for measure, value in partner_sums.items():
            totals[measure] += value

    def total(measure: Measure) -> Decimal:
        return totals.get(measure.value, ZERO)

    return schemas.Overview(
        period=period.kind,
        period_label=period.label,
        currency=own["currency"] if own else (rows[0]["currency"] if rows else "EUR"),
        purchases=sum((p.purchases for p in partners), ZERO),
        purchases_last_year=sum(
            (s.get(Measure.PURCHASES_AMOUNT.value, ZERO) for s in read.last_sums.values()), ZERO
        ),
        by_tier=[_slice(key, items) for key, items in sorted(by_tier.items())],
        by_region=[_slice(key, items) for key, items in sorted(by_region.items())],
        top=list(reversed(ranked[-TOP:])),
        bottom=[p for p in ranked if p.partner.kind != OrgKind.MANUFACTURER.value][:TOP],
        partners=sorted(partners, key=lambda p: p.partner.code),
        inventory=_inventory(sums, stock, period),
        funnel=schemas.Funnel(
            registrations_submitted=total(Measure.REGISTRATIONS_SUBMITTED),
            registrations_approved=total(Measure.REGISTRATIONS_APPROVED),
            registrations_won=total(Measure.REGISTRATIONS_WON),
            leads_offered=total(Measure.LEADS_OFFERED),
            leads_accepted_in_time=total(Measure.LEADS_ACCEPTED_IN_TIME),
            leads_followed_in_time=total(Measure.LEADS_FOLLOWED_IN_TIME),
            quotes_sent=total(Measure.QUOTES_SENT),
            quotes_converted=total(Measure.QUOTES_CONVERTED),
        ),
        trend=trend,
        category=filters.category.upper() if path and filters.category else None,
        category_kpis=list(kpis.CATEGORY_KPIS) if path else [],
    )


def _slice(key: str, items: list[schemas.PartnerRow]) -> schemas.Slice:
    return schemas.Slice(key, sum((p.purchases for p in items), ZERO), len(items))


def _inventory(
    sums: dict[UUID, dict[str, Decimal]], stock: dict[UUID, Decimal], period: Period
) -> schemas.InventoryHealth:
    low = healthy = over = idle = 0
    for org, units in stock.items():
        sold = sums.get(org, {}).get(Measure.SELL_OUT_UNITS.value, ZERO)
        if not sold:
            idle += 1
            continue
        days = units * period.days / sold
        if days < LOW_DAYS:
            low += 1
        elif days > OVER_DAYS:
            over += 1
        else:
            healthy += 1
    return schemas.InventoryHealth(
        reporting=len(stock),
        units=sum(stock.values(), ZERO),
        sell_out_units=sum((s.get(Measure.SELL_OUT_UNITS.value, ZERO) for s in sums.values()), ZERO),
        low=low,
        healthy=healthy,
        over=over,
        no_sell_out=idle,
    )


def overview_table(found: schemas.Overview) -> tuple[list[str], list[list[object]]]:
    """The overview's partner table as columns and rows, for CSV and XLSX."""
    columns = ["code", "name", "kind", "level", "region", "purchases", "sales", "sell_out_units"]
    columns += ["achievement_percent", "growth_percent", "score"]
    if found.category:  # purchases, sales, sell-out and growth are the category's; the rest whole
        columns.append("category")
    rows: list[list[object]] = [
        [
            p.partner.code,
            p.partner.name,
            p.partner.kind,
            p.partner.level or "",
            p.partner.region or "",
            p.purchases,
            p.sales,
            p.sell_out_units,
            p.achievement,
            p.growth,
            p.score,
            *([found.category] if found.category else []),
        ]
        for p in found.partners
    ]
    return columns, rows


async def filter_choices(actor: Actor) -> schemas.FilterChoices:
    require_viewer(actor)
    async with read_transaction():
        levels = [(r["code"], r["name"]) for r in await repository.partner_levels()]
        regions = [(r["code"], r["name"]) for r in await repository.regions()]
        categories = [
            schemas.CategoryChoice(r["code"], r["path"], r["path"].count("/") - 1, r["names"] or {})
            for r in await repository.categories()
        ]
    return schemas.FilterChoices(levels, regions, categories)
