"""Commission statement pages: the partners with commissions in a period (a partner: itself and its
downstream), one partner's statement deal by deal, and the same statement as PDF or CSV. The owner's
plans and deals are in ``portal.pages.commission_plans``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from channel.roles import OrgKind, Permission
from channel.tabular import write_csv
from incentives.services import commissions
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal, CurrentRenderer
from portal.documents.commission_statement import CSV_COLUMNS, KIND_LABELS, statement_pdf, statement_rows
from portal.downloads import spreadsheet
from portal.i18n import current_locale
from portal.pages.rendering import page
from portal.security.guards import requires_permission


def _period(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """The asked period, this month by default (the end is not included)."""
    first = start or today.replace(day=1)
    return first, end or (first.replace(day=28) + timedelta(days=4)).replace(day=1)


class CommissionPages(Controller):
    path = "/incentives/commissions"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    @get("/")
    async def statements(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        """Every partner the reader sees with commissions in the period, and the reader's own."""
        first, last = _period(clock.now().date(), start, end)
        return page(
            "shared/incentives/commissions.html.jinja",
            actor=actor,
            portal=portal,
            summaries=await commissions.list_statements(actor, first, last),
            start=first,
            end=last,
            may_manage=actor.can(Permission.MANAGE_PROMOTIONS)
            and actor.organisation_kind is not OrgKind.STORE,
        )

    @get("/{partner_id:uuid}")
    async def statement(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        """A partner's statement: each deal's order, rates by category and share, then its entries."""
        first, last = _period(clock.now().date(), start, end)
        return page(
            "shared/incentives/commission_statement.html.jinja",
            actor=actor,
            portal=portal,
            statement=await commissions.statement(actor, partner_id, first, last),
            kind_labels=KIND_LABELS,
        )

    @get("/{partner_id:uuid}/download")
    async def download(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        renderer: CurrentRenderer,
        partner_id: FromPath[UUID],
        format: FromQuery[Literal["pdf", "csv"]] = "csv",
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Response[bytes]:
        """The statement as a PDF in the reader's language, or as CSV with formulas neutralised."""
        first, last = _period(clock.now().date(), start, end)
        found = await commissions.statement(actor, partner_id, first, last)
        name = f"commissions-{first.isoformat()}"
        if format == "csv":
            return spreadsheet(write_csv(CSV_COLUMNS, statement_rows(found)), "csv", name)
        return Response(
            await statement_pdf(found, current_locale(), renderer),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
