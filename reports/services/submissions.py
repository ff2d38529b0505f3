"""Partners report stock and sell-out: upload (preview, then confirm), form, API; history and templates.

A report is idempotent per partner, kind and day: saving the same lines again changes nothing,
different lines make a new revision that becomes current while the earlier one stays as history.
An upload is all or nothing: a file with any problem can be looked at, not saved, so a stock
snapshot never goes in with rows missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Literal
from uuid import UUID, uuid4

import msgspec

from channel import tabular
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.partners import visible_place
from channel.transactions import hold_lock, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from reports import ingestion, repository, rollups, schemas
from reports.ingestion import ReportLine
from reports.reporting import ReportKind, ReportSource

PENDING_MINUTES = 60
SAMPLE_LINES = 20
# A partner in the furthest time zone ahead may report a day that has not begun in UTC.
_AHEAD_OF_UTC = timedelta(hours=14)


Progress = Callable[[str, int, int], None]  # (step, done, total)


class UploadLimits(msgspec.Struct, frozen=True):
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000


def reporting_today(clock: Clock) -> date:
    """The latest calendar day anywhere: a date after it is in the future for every partner."""
    return (clock.now() + _AHEAD_OF_UTC).date()


def _require_reporter(actor: Actor) -> None:
    """Distributors and stores report their own stock; the manufacturer's is its ledger."""
    if actor.organisation_kind is OrgKind.MANUFACTURER:
        raise PermissionDeniedError("reports_are_for_partners")
    if not (actor.can(Permission.PLACE_ORDERS) or actor.can(Permission.FULFIL_ORDERS)):
        raise PermissionDeniedError()


def _require_viewer(actor: Actor) -> None:
    if not actor.can(Permission.VIEW_ORDERS):
        raise PermissionDeniedError()


# --- upload: preview, then confirm ----------------------------------------------------------------


async def preview_upload(
    actor: Actor,
    kind: ReportKind,
    content: bytes,
    filename: str,
    clock: Clock,
    limits: UploadLimits | None = None,
) -> schemas.UploadPreview:
    """Read and check every row of a file; keep the result for confirmation; save nothing yet."""
    _require_reporter(actor)
    limits = limits or UploadLimits()
    table = tabular.read_table(
        content, filename, max_bytes=limits.max_bytes, max_rows=limits.max_rows, formulas_as_text=True
    )
    missing = ingestion.missing_columns(table.columns)
    if missing:
        raise InvalidInputError.single("file", "upload_missing_columns", columns=", ".join(missing))
    if not table.rows:
        raise InvalidInputError.single("file", "upload_no_rows")
    catalogue = await repository.catalogue_statuses()
    parsed = ingestion.parse_rows(
        ((row.number, row.values) for row in table.rows), kind, catalogue, reporting_today(clock)
    )
    return await _keep_pending(actor, kind, filename, parsed, clock)


async def _keep_pending(
    actor: Actor, kind: ReportKind, filename: str, parsed: ingestion.Parsed, clock: Clock
) -> schemas.UploadPreview:
    now = clock.now()
    upload_id = uuid4()
    expires = now + timedelta(minutes=PENDING_MINUTES)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:255]
    async with write_transaction():
        await repository.delete_expired_pending(now)
        await repository.insert_pending(
            {
                "id": upload_id,
                "organisation_id": actor.organisation_id,
                "kind": kind.value,
                "file_name": name,
                "row_count": parsed.rows,
                "line_count": len(parsed.lines),
                "problem_count": len(parsed.problems),
                "created_by": actor.label,
                "created_at": now,
                "expires_at": expires,
            },
            parsed.lines,
            parsed.problems,
        )
        existing = await repository.current_reports(actor.organisation_id, kind, parsed.days())
    return schemas.UploadPreview(
        id=upload_id,
        kind=kind,
        file_name=name,
        rows=parsed.rows,
        line_count=len(parsed.lines),
        days=parsed.days(),
        total_quantity=sum(line.quantity for line in parsed.lines),
        problems=parsed.problems,
        expires_at=expires,
        sample=parsed.lines[:SAMPLE_LINES],
        replaces=sorted(existing),
    )


async def confirm_upload(
    actor: Actor, upload_id: UUID, clock: Clock, progress: Progress | None = None
) -> schemas.SavedReports:
    """Save a previewed upload: one report per day; only a file without problems is saved."""
    _require_reporter(actor)
    async with write_transaction():
        row = await repository.find_pending(upload_id, actor.organisation_id, clock.now())
        if row is None:
            raise NotFoundError("upload_not_found")
        if row["problem_count"]:
            raise ConflictError("upload_has_problems", problems=str(row["problem_count"]))
        if not await repository.delete_pending(upload_id):
            raise NotFoundError("upload_not_found")  # confirmed meanwhile by another request
        return await _save(
            actor,
            ReportKind(row["kind"]),
            ReportSource.UPLOAD,
            row["file_name"],
            repository.pending_lines(row),
            clock,
            progress,
        )


async def discard_upload(actor: Actor, upload_id: UUID, clock: Clock) -> None:
    _require_reporter(actor)
    async with write_transaction():
        if await repository.find_pending(upload_id, actor.organisation_id, clock.now()) is None:
            raise NotFoundError("upload_not_found")
        await repository.delete_pending(upload_id)


async def get_preview(actor: Actor, upload_id: UUID, clock: Clock) -> schemas.UploadPreview:
    _require_reporter(actor)
    async with read_transaction():
        row = await repository.find_pending(upload_id, actor.organisation_id, clock.now())
        if row is None:
            raise NotFoundError("upload_not_found")
        lines = repository.pending_lines(row)
        days = sorted({line.report_date for line in lines})
        existing = await repository.current_reports(actor.organisation_id, ReportKind(row["kind"]), days)
    return schemas.UploadPreview(
        id=row["id"],
        kind=ReportKind(row["kind"]),
        file_name=row["file_name"],
        rows=row["row_count"],
        line_count=row["line_count"],
        days=days,
        total_quantity=sum(line.quantity for line in lines),
        problems=repository.pending_problems(row),
        expires_at=row["expires_at"],
        sample=lines[:SAMPLE_LINES],
        replaces=sorted(existing),
    )


# --- form and API ---------------------------------------------------------------------------------


async def submit_report(
    actor: Actor, submission: schemas.ReportSubmission, source: ReportSource, clock: Clock
) -> schemas.SavedReports:
    """Lines typed into the form or sent by a partner's system, checked exactly like a file's rows."""
    _require_reporter(actor)
    rows = [
        (
            index + 1,
            {
                "sku": line.sku,
                "date": line.date,
                "quantity": str(line.quantity),
                "amount": ""
                if line.amount is None
                else repr(line.amount)
                if isinstance(line.amount, float)
                else str(line.amount),
            },
        )
        for index, line in enumerate(submission.lines)
    ]
    catalogue = await repository.catalogue_statuses()
    parsed = ingestion.parse_rows(
        rows, submission.kind, catalogue, reporting_today(clock), default_date=submission.report_date
    )
    if parsed.problems:
        raise InvalidInputError(
            [
                FieldProblem(field=f"lines[{p.row - 1}].{p.column}", code=p.code, params=p.params)
                for p in parsed.problems
            ]
        )
    async with write_transaction():
        return await _save(actor, submission.kind, source, "", parsed.lines, clock)


async def import_file(
    actor: Actor,
    kind: ReportKind,
    content: bytes,
    filename: str,
    clock: Clock,
    limits: UploadLimits,
    progress: Progress | None = None,
) -> tuple[schemas.UploadPreview, schemas.SavedReports | None]:
    """Check and, when the file is clean, save at once (the command line's large imports);
    ``progress(step, done, total)`` hears how far it got."""
    preview = await preview_upload(actor, kind, content, filename, clock, limits)
    if progress:
        progress("checked", preview.rows, preview.rows)
    if not preview.can_confirm:
        await discard_upload(actor, preview.id, clock)
        return preview, None
    return preview, await confirm_upload(actor, preview.id, clock, progress)


# --- saving ---------------------------------------------------------------------------------------


async def _save(
    actor: Actor,
    kind: ReportKind,
    source: ReportSource,
    file_name: str,
    lines: Sequence[ReportLine],
    clock: Clock,
    progress: Progress | None = None,
) -> schemas.SavedReports:
    """One report per day; a day whose lines are unchanged keeps its current report."""
    now = clock.now()
    org_id = actor.organisation_id
    days = ingestion.by_day(lines)
    saved: list[schemas.ReportSummary] = []
    saved_days: list[date] = []
    unchanged: list[date] = []
    async with write_transaction():
        # Two uploads of one partner and kind at once take turns: revisions stay 1, 2, 3...
        await hold_lock(f"reports:{org_id}:{kind.value}")
        current = await repository.current_reports(org_id, kind, list(days))
        before_lines = await repository.lines_of_reports([r["id"] for r in current.values()])
        saved_lines = 0
        for day, day_lines in days.items():
            saved_lines += len(day_lines)
            if progress:
                progress("saved", saved_lines, len(lines))
            before = current.get(day)
            if before is not None and ingestion.same_lines(before_lines[before["id"]], day_lines):
                unchanged.append(day)
                continue
            if before is not None:
                await repository.supersede(before["id"], now)
            report_id = uuid4()
            revision = before["revision"] + 1 if before else 1
            values = {
                "id": report_id,
                "organisation_id": org_id,
                "organisation_path": actor.organisation_path,
                "kind": kind.value,
                "report_date": day,
                "revision": revision,
                "current": True,
                "source": source.value,
                "file_name": file_name,
                "line_count": len(day_lines),
                "total_quantity": sum(line.quantity for line in day_lines),
                "submitted_by": actor.label,
                "submitted_at": now,
                "superseded_at": None,
            }
            await repository.insert_report(values)
            await repository.insert_lines(report_id, org_id, kind, day_lines)
            await _after_report_saved(actor, values, day_lines, before, clock)
            saved_days.append(day)
            saved.append(
                schemas.ReportSummary(
                    id=report_id,
                    organisation_id=org_id,
                    organisation_code="",
                    organisation_name=actor.organisation_name,
                    kind=kind,
                    report_date=day,
                    revision=revision,
                    current=True,
                    source=source,
                    file_name=file_name,
                    line_count=len(day_lines),
                    total_quantity=sum(line.quantity for line in day_lines),
                    submitted_by=actor.label,
                    submitted_at=now,
                )
            )
        # the KPI rollups of every saved day at once: a month's category rows are read once, not daily
        await rollups.reports_saved(org_id, kind, saved_days)
    return schemas.SavedReports(reports=saved, unchanged=unchanged)


async def _after_report_saved(
    actor: Actor,
    report: dict[str, object],
    lines: Sequence[ReportLine],
    replaced: dict[str, object] | None,
    clock: Clock,
) -> None:
    """What follows a saved report, in its transaction: the latest reported stock and the audit
    entry (``_save`` brings the KPI rollups of every saved day up to date once the days are saved).
    """
    kind = ReportKind(str(report["kind"]))
    day = report["report_date"]
    assert isinstance(day, date)
    org_id = actor.organisation_id
    if kind is ReportKind.STOCK:
        latest = await repository.latest_stock_date(org_id)
        if latest is None or day >= latest:
            report_id = report["id"]
            assert isinstance(report_id, UUID)
            await repository.replace_reported_stock(org_id, report_id, day, lines)
    await record_change(
        actor,
        clock,
        action="report.replaced" if replaced else "report.submitted",
        object_type="report",
        object_id=str(report["id"]),
        object_label=f"{kind.value} {day.isoformat()} r{report['revision']}",
        organisation_id=org_id,
        organisation_path=actor.organisation_path,
        before={"revision": replaced["revision"], "lines": replaced["line_count"]} if replaced else None,
        after={
            "revision": report["revision"],
            "lines": report["line_count"],
            "units": report["total_quantity"],
            "source": report["source"],
        },
    )


# --- history --------------------------------------------------------------------------------------


async def list_reports(
    actor: Actor, filters: schemas.ReportFilter
) -> tuple[list[schemas.ReportSummary], str | None]:
    """Reports of the actor's organisation and the partners it sees, newest day first."""
    _require_viewer(actor)
    async with read_transaction():
        under = (
            (await visible_place(actor, filters.organisation_id)).path if filters.organisation_id else None
        )
        rows, cursor = await repository.list_reports(actor.scope, filters, under)
        return await repository.summaries(rows), cursor


async def get_report(actor: Actor, report_id: UUID) -> schemas.Report:
    """A report, its lines, and every revision of that partner's report of the same kind and day."""
    _require_viewer(actor)
    async with read_transaction():
        row = await repository.find_report(report_id)
        if row is None or not actor.sees(row["organisation_path"]):
            raise NotFoundError("report_not_found")
        lines = await repository.report_lines(report_id)
        revisions = await repository.summaries(
            await repository.revisions(row["organisation_id"], row["kind"], row["report_date"])
        )
        summary = next(r for r in revisions if r.id == report_id)
    return schemas.Report(report=summary, lines=lines, revisions=revisions)


def report_template(kind: ReportKind, locale: str, file_format: Literal["csv", "xlsx"]) -> bytes:
    """An empty report with its column names in the reader's language (any of them is accepted back)."""
    headers = ingestion.TEMPLATE_HEADERS.get(locale) or ingestion.TEMPLATE_HEADERS.get(
        locale.split("_")[0], ingestion.TEMPLATE_HEADERS["en"]
    )
    columns = headers if kind is ReportKind.SELL_OUT else headers[:3]
    if file_format == "xlsx":
        return tabular.write_xlsx(columns, [], title=kind.value)
    return tabular.write_csv(columns, [])
