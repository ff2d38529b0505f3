"""Stock and sell-out reports and the channel inventory over JSON (a partner's system with its token)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter

from channel.schemas import Page
from portal.dependencies import CurrentActor, CurrentClock, CurrentSettings
from portal.downloads import SpreadsheetOperation, spreadsheet
from portal.settings import Settings
from reports import schemas
from reports.inventory import StockHealth
from reports.reporting import ReportKind, ReportSource
from reports.services import inventory, submissions


def upload_limits(settings: Settings) -> submissions.UploadLimits:
    return submissions.UploadLimits(
        max_bytes=settings.report_upload_max_bytes, max_rows=settings.report_upload_max_rows
    )


class ReportsController(Controller):
    path = "/reports"
    tags = ["Reports"]

    @get("/", operation_id="ListReports", summary="Stock and sell-out reports in my scope, newest day first")
    async def list_reports(
        self,
        actor: CurrentActor,
        kind: FromQuery[ReportKind | None] = None,
        organisation_id: FromQuery[UUID | None] = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        include_history: FromQuery[bool] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> Page[schemas.ReportSummary]:
        found, next_cursor = await submissions.list_reports(
            actor,
            schemas.ReportFilter(
                kind=kind,
                organisation_id=organisation_id,
                date_from=date_from,
                date_to=date_to,
                include_history=include_history,
                cursor=cursor,
                limit=limit,
            ),
        )
        return Page(items=found, next_cursor=next_cursor)

    @post(
        "/",
        operation_id="SubmitReport",
        summary="Report stock or sell-out lines (one report per day; the same lines again change nothing)",
    )
    async def submit_report(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ReportSubmission]
    ) -> schemas.SavedReports:
        return await submissions.submit_report(actor, data, ReportSource.API, clock)

    @get(
        "/template",
        operation_id="ReportTemplate",
        operation_class=SpreadsheetOperation,
        summary="An empty report file with its columns",
    )
    async def template(
        self,
        actor: CurrentActor,
        kind: FromQuery[ReportKind] = ReportKind.STOCK,
        format: FromQuery[Literal["csv", "xlsx"]] = "xlsx",
        locale: Annotated[str, QueryParameter(max_length=16)] = "",
    ) -> Response[bytes]:
        content = submissions.report_template(kind, locale or actor.locale, format)
        return spreadsheet(content, format, f"{kind.value}-report")

    @post(
        "/uploads",
        operation_id="PreviewReportUpload",
        summary="Check a CSV or XLSX report row by row; nothing is saved until it is confirmed",
    )
    async def preview_upload(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        settings: CurrentSettings,
        data: MultipartBody[UploadFile],
        kind: FromQuery[ReportKind] = ReportKind.STOCK,
    ) -> schemas.UploadPreview:
        content = await data.read()
        return await submissions.preview_upload(
            actor, kind, content, data.filename or "", clock, upload_limits(settings)
        )

    @get("/uploads/{upload_id:uuid}", operation_id="GetReportUpload", summary="A previewed upload")
    async def get_upload(
        self, actor: CurrentActor, clock: CurrentClock, upload_id: FromPath[UUID]
    ) -> schemas.UploadPreview:
        return await submissions.get_preview(actor, upload_id, clock)

    @post(
        "/uploads/{upload_id:uuid}/confirmation",
        operation_id="ConfirmReportUpload",
        summary="Save a previewed upload without problems: one report per day",
        status_code=200,
    )
    async def confirm_upload(
        self, actor: CurrentActor, clock: CurrentClock, upload_id: FromPath[UUID]
    ) -> schemas.SavedReports:
        return await submissions.confirm_upload(actor, upload_id, clock)

    @delete(
        "/uploads/{upload_id:uuid}", operation_id="DiscardReportUpload", summary="Drop a previewed upload"
    )
    async def discard_upload(
        self, actor: CurrentActor, clock: CurrentClock, upload_id: FromPath[UUID]
    ) -> None:
        await submissions.discard_upload(actor, upload_id, clock)

    @get("/{report_id:uuid}", operation_id="GetReport", summary="A report, its lines and its revisions")
    async def get_report(self, actor: CurrentActor, report_id: FromPath[UUID]) -> schemas.Report:
        return await submissions.get_report(actor, report_id)


def inventory_filter(
    region: Annotated[str | None, QueryParameter(max_length=32)] = None,
    depth: Annotated[int | None, QueryParameter(ge=0, le=10)] = None,
    category: Annotated[str | None, QueryParameter(max_length=32)] = None,
    organisation_id: FromQuery[UUID | None] = None,
    sku: Annotated[str | None, QueryParameter(max_length=64)] = None,
    health: FromQuery[StockHealth | None] = None,
) -> schemas.InventoryFilter:
    """The inventory's filters from the query string (pages and API alike)."""
    return schemas.InventoryFilter(
        region=region or None,
        depth=depth,
        category=category or None,
        organisation_id=organisation_id,
        sku=sku or None,
        health=health,
    )


INVENTORY_FILTER = {"filters": Provide(inventory_filter, sync_to_thread=False)}
InventoryFilters = NamedDependency[schemas.InventoryFilter]
EXPORT_LIMIT = 5000


class InventoryController(Controller):
    path = "/inventory"
    tags = ["Inventory"]
    dependencies = INVENTORY_FILTER

    @get(
        "/",
        operation_id="ChannelInventory",
        summary="Stock at every tier I see: ledger, reported, days of supply",
    )
    async def channel_inventory(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        filters: InventoryFilters,
        limit: Annotated[int, QueryParameter(ge=1, le=EXPORT_LIMIT)] = 500,
    ) -> schemas.Inventory:
        return await inventory.channel_inventory(actor, msgspec.structs.replace(filters, limit=limit), clock)

    @get(
        "/export",
        operation_id="ExportInventory",
        operation_class=SpreadsheetOperation,
        summary="The channel inventory as CSV or XLSX",
    )
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

    @get(
        "/settings",
        operation_id="GetInventorySettings",
        summary="The reporting schedule and stock thresholds",
    )
    async def get_settings(self, actor: CurrentActor) -> schemas.ReportSettings:
        return await inventory.report_settings(actor)

    @put("/settings/schedule", operation_id="SetReportSchedule", summary="When partners owe a stock report")
    async def set_schedule(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.Schedule]
    ) -> schemas.Schedule:
        return await inventory.set_schedule(actor, data, clock)

    @put(
        "/settings/thresholds",
        operation_id="SetStockThreshold",
        summary='Low-stock and overstock days of supply for a product (sku "*": every product)',
    )
    async def set_threshold(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.Threshold]
    ) -> schemas.Threshold:
        return await inventory.set_threshold(actor, data, clock)

    @delete(
        "/settings/thresholds/{sku:str}", operation_id="DeleteStockThreshold", summary="Remove a threshold"
    )
    async def delete_threshold(self, actor: CurrentActor, clock: CurrentClock, sku: FromPath[str]) -> None:
        await inventory.delete_threshold(actor, sku[:64], clock)
