"""Stock and sell-out reports (upload, preview, confirm, form, history) and the channel inventory pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import OrgKind, Permission
from channel.services import reference
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from portal.api.reports import EXPORT_LIMIT, INVENTORY_FILTER, InventoryFilters, upload_limits
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal, CurrentSettings
from portal.downloads import spreadsheet
from portal.errors import field_problems
from portal.forms import refusal_errors, refusal_text
from portal.i18n import current_locale, gettext
from portal.messages import message
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from pricing.services import catalogue
from reports import schemas
from reports.inventory import StockHealth
from reports.reporting import ReportKind, ReportSource
from reports.services import inventory, submissions

FORM_LINES = 10


def _is_reporter(actor: Actor) -> bool:
    return actor.organisation_kind is not OrgKind.MANUFACTURER and (
        actor.can(Permission.PLACE_ORDERS) or actor.can(Permission.FULFIL_ORDERS)
    )


def _kind(value: object) -> ReportKind:
    try:
        return ReportKind(str(value))
    except ValueError:
        return ReportKind.STOCK


async def _report_list(
    actor: Actor,
    portal: Portal,
    filters: schemas.ReportFilter,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    found, next_cursor = await submissions.list_reports(actor, filters)
    return page(
        "shared/reports/list.html.jinja",
        actor=actor,
        portal=portal,
        reports=found,
        next_cursor=next_cursor,
        filters=filters,
        reporter=_is_reporter(actor),
        errors=errors or {},
        status=status,
    )


class ReportPages(Controller):
    path = "/reports"
    guards = [requires_permission(Permission.VIEW_ORDERS)]

    @get("/", name="reports")
    async def list_reports(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        kind: FromQuery[ReportKind | None] = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        history: FromQuery[bool] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        filters = schemas.ReportFilter(
            kind=kind, date_from=date_from, date_to=date_to, include_history=history, cursor=cursor, limit=100
        )
        return await _report_list(actor, portal, filters)

    @get("/template")
    async def template(
        self,
        actor: CurrentActor,
        kind: FromQuery[ReportKind] = ReportKind.STOCK,
        format: FromQuery[Literal["csv", "xlsx"]] = "xlsx",
    ) -> Response[bytes]:
        content = submissions.report_template(kind, current_locale(), format)
        return spreadsheet(content, format, f"{kind.value}-report")

    @post("/uploads")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        settings: CurrentSettings,
    ) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")
        kind = _kind(form.get("kind"))
        if not isinstance(upload, UploadFile):
            return await self._upload_refused(actor, portal, {"file": message("required")})
        try:
            preview = await submissions.preview_upload(
                actor, kind, await upload.read(), upload.filename or "", clock, upload_limits(settings)
            )
        except InvalidInputError as refused:
            return await self._upload_refused(actor, portal, refusal_errors(refused))
        return back_to(portal.url(f"/reports/uploads/{preview.id}"))

    async def _upload_refused(self, actor: Actor, portal: Portal, errors: dict[str, str]) -> Template:
        return await _report_list(actor, portal, schemas.ReportFilter(limit=100), errors, 422)

    @get("/uploads/{upload_id:uuid}")
    async def preview(
        self, actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock, upload_id: FromPath[UUID]
    ) -> Template:
        preview = await submissions.get_preview(actor, upload_id, clock)
        return page(
            "shared/reports/preview.html.jinja",
            actor=actor,
            portal=portal,
            preview=preview,
            status=200 if preview.can_confirm else 422,
        )

    @post("/uploads/{upload_id:uuid}/confirm")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        upload_id: FromPath[UUID],
    ) -> Redirect:
        try:
            saved = await submissions.confirm_upload(actor, upload_id, clock)
        except ConflictError as refused:
            flash(request, message(refused.code, refused.params), category="error")
            return back_to(portal.url("/reports"))
        flash(request, _saved_text(saved), category="success")
        return back_to(portal.url("/reports"))

    @post("/uploads/{upload_id:uuid}/discard")
    async def discard(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        upload_id: FromPath[UUID],
    ) -> Redirect:
        await submissions.discard_upload(actor, upload_id, clock)
        flash(request, gettext("The upload was discarded; nothing was saved."), category="success")
        return back_to(portal.url("/reports"))

    @get("/new")
    async def new_report(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        kind: FromQuery[ReportKind] = ReportKind.STOCK,
    ) -> Template:
        if not _is_reporter(actor):
            raise PermissionDeniedError()
        return page(
            "shared/reports/form.html.jinja",
            actor=actor,
            portal=portal,
            kind=kind,
            values={"report_date": clock.now().date().isoformat()},
            lines=[{} for _ in range(FORM_LINES)],
            errors={},
        )

    @post("/")
    async def submit(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        kind = _kind(form.get("kind"))
        entered: list[dict[str, str]] = []
        raw_count = str(form.get("line_count", ""))
        count = min(int(raw_count), 200) if raw_count.isdigit() else FORM_LINES
        for index in range(count):
            fields = ("sku", "quantity", "amount")
            entered.append({field: str(form.get(f"{field}_{index}", "")).strip()[:64] for field in fields})
        lines = [line for line in entered if line["sku"] or line["quantity"]]
        values = {"report_date": str(form.get("report_date", "")).strip()[:20]}
        errors: dict[str, str] = {}
        try:
            submission = msgspec.convert(
                {
                    "kind": kind.value,
                    "report_date": values["report_date"] or None,
                    "lines": [
                        {"sku": line["sku"], "quantity": line["quantity"], "amount": line["amount"] or None}
                        for line in lines
                    ],
                },
                schemas.ReportSubmission,
                strict=False,
            )
            saved = await submissions.submit_report(actor, submission, ReportSource.FORM, clock)
        except msgspec.ValidationError as refused:
            errors = {"__all__": refusal_text(refused) if lines else message("no_lines_entered")}
        except InvalidInputError as refused:
            positions = {id(line): i for i, line in enumerate(entered)}
            for problem in field_problems(refused):
                head, _, column = problem.field.partition(".")
                if head.startswith("lines["):
                    index = int(head[6:-1])
                    errors[f"{column}_{positions[id(lines[index])]}"] = problem.message
                else:
                    errors[problem.field] = problem.message
        else:
            flash(request, _saved_text(saved), category="success")
            return back_to(portal.url("/reports"))
        return page(
            "shared/reports/form.html.jinja",
            actor=actor,
            portal=portal,
            kind=kind,
            values=values,
            lines=entered,
            errors=errors,
            status=422,
        )

    @get("/{report_id:uuid}")
    async def detail(self, actor: CurrentActor, portal: CurrentPortal, report_id: FromPath[UUID]) -> Template:
        found = await submissions.get_report(actor, report_id)
        names = {
            p.sku: p.names for p in await catalogue.products_named(actor, [line.sku for line in found.lines])
        }
        return page("shared/reports/detail.html.jinja", actor=actor, portal=portal, found=found, names=names)


def _saved_text(saved: schemas.SavedReports) -> str:
    if not saved.reports:
        return gettext("Nothing changed: the same figures were already reported.")
    return gettext("Reports saved: {reports} ({lines} lines).").format(
        reports=len(saved.reports), lines=saved.line_count
    )


class InventoryPages(Controller):
    path = "/inventory"
    guards = [requires_permission(Permission.VIEW_ORDERS)]
    dependencies = INVENTORY_FILTER

    @get("/", name="inventory")
    async def channel_inventory(
        self,
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        filters: InventoryFilters,
    ) -> Template:
        found = await inventory.channel_inventory(actor, filters, clock)
        return page(
            "shared/inventory/list.html.jinja",
            actor=actor,
            portal=portal,
            found=found,
            filters=filters,
            regions=await reference.list_regions(actor),
            categories=await catalogue.list_categories(actor),
            healths=list(StockHealth),
        )

    @get("/export")
    async def export(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        filters: InventoryFilters,
        format: FromQuery[Literal["csv", "xlsx"]] = "xlsx",
    ) -> Response[bytes]:
        filters = msgspec.structs.replace(filters, limit=EXPORT_LIMIT)
        return spreadsheet(
            await inventory.export_inventory(actor, filters, clock, format), format, "inventory"
        )


class InventorySettingsPages(Controller):
    """The manufacturer's reporting schedule and stock thresholds."""

    path = "/inventory/settings"
    guards = [requires_permission(Permission.CONFIGURE_CHANNEL)]

    async def _page(
        self, actor: Actor, portal: Portal, errors: dict[str, str] | None = None, status: int = 200
    ) -> Template:
        return page(
            "shared/inventory/settings.html.jinja",
            actor=actor,
            portal=portal,
            settings=await inventory.report_settings(actor),
            errors=errors or {},
            status=status,
        )

    @get("/", name="inventory_settings")
    async def show(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._page(actor, portal)

    @post("/schedule")
    async def save_schedule(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        try:
            schedule = msgspec.convert(
                {"frequency": str(form.get("frequency", "off")), "due_day": str(form.get("due_day", "1"))},
                schemas.Schedule,
                strict=False,
            )
        except msgspec.ValidationError as refused:
            return await self._page(actor, portal, {"due_day": refusal_text(refused)}, 422)
        await inventory.set_schedule(actor, schedule, clock)
        flash(request, gettext("The reporting schedule was saved."), category="success")
        return back_to(portal.url("/inventory/settings"))

    @post("/thresholds")
    async def save_threshold(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        data = {
            "sku": str(form.get("sku", "")).strip()[:64],
            "low_days": str(form.get("low_days", "")).strip() or None,
            "high_days": str(form.get("high_days", "")).strip() or None,
        }
        try:
            threshold = msgspec.convert(data, schemas.Threshold, strict=False)
            await inventory.set_threshold(actor, threshold, clock)
        except msgspec.ValidationError as refused:
            return await self._page(actor, portal, {"threshold": refusal_text(refused)}, 422)
        except InvalidInputError as refused:
            return await self._page(actor, portal, {"threshold": refusal_text(refused)}, 422)
        flash(request, gettext("The threshold was saved."), category="success")
        return back_to(portal.url("/inventory/settings"))

    @post("/thresholds/delete")
    async def delete_threshold(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        form = await request.form()
        try:
            await inventory.delete_threshold(actor, str(form.get("sku", ""))[:64], clock)
        except NotFoundError as refused:
            flash(request, message(refused.code), category="error")
        else:
            flash(request, gettext("The threshold was removed."), category="success")
        return back_to(portal.url("/inventory/settings"))
