"""Partners report stock and sell-out: preview, confirm, revisions, visibility, the form and the API's path."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from reports import repository, rollups, schemas
from reports.reporting import ReportKind, ReportSource
from reports.services import submissions
from reports.tables import PartnerReport, PartnerReportLine, PendingUpload, ReportedStock
from tests.builders import World
from tests.integration.reports.report_world import with_catalogue

TODAY = date(2026, 11, 23)


@pytest.fixture
async def channel(world: World, clock: FixedClock) -> World:
    return await with_catalogue(world, clock)


def _csv(*rows: str, header: str = "sku,date,quantity") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def _upload(
    world: World,
    actor: str,
    content: bytes,
    clock: FixedClock,
    kind: ReportKind = ReportKind.STOCK,
    name: str = "stock.csv",
) -> schemas.SavedReports:
    preview = await submissions.preview_upload(world.actors[actor], kind, content, name, clock)
    assert preview.problems == [], preview.problems
    return await submissions.confirm_upload(world.actors[actor], preview.id, clock)


async def test_a_clean_stock_file_is_previewed_then_saved_as_one_report(
    channel: World, clock: FixedClock
) -> None:
    store = channel.actors["s1_manager"]

    preview = await submissions.preview_upload(
        store, ReportKind.STOCK, _csv("HOB-1,2026-11-22,5", "oven-2,2026-11-22,0"), "stock.csv", clock
    )

    assert (preview.rows, preview.line_count, preview.total_quantity, preview.days) == (
        2,
        2,
        5,
        [date(2026, 11, 22)],
    )
    assert preview.can_confirm
    assert await PartnerReport.count() == 0  # nothing saved before the confirmation

    saved = await submissions.confirm_upload(store, preview.id, clock)

    assert [(r.report_date, r.revision, r.line_count, r.total_quantity) for r in saved.reports] == [
        (date(2026, 11, 22), 1, 2, 5)
    ]
    assert await PendingUpload.count() == 0
    lines = await PartnerReportLine.select(PartnerReportLine.sku, PartnerReportLine.quantity).order_by(
        PartnerReportLine.sku
    )
    assert lines == [{"sku": "HOB-1", "quantity": 5}, {"sku": "OVEN-2", "quantity": 0}]
    reported = await ReportedStock.select(ReportedStock.sku, ReportedStock.quantity).order_by(
        ReportedStock.sku
    )
    assert reported == [{"sku": "HOB-1", "quantity": 5}, {"sku": "OVEN-2", "quantity": 0}]


async def test_every_bad_row_is_named_and_such_a_file_cannot_be_confirmed(
    channel: World, clock: FixedClock
) -> None:
    store = channel.actors["s1_manager"]
    content = _csv(
        "HOB-1,2026-11-22,5",
        "NOPE-1,2026-11-22,1",  # unknown
        "DRAFT-9,2026-11-22,1",  # not released
        "OVEN-2,2026-11-22,-3",  # negative
        "HOOD-3,2026-11-22,2.5",  # not whole
        "HOOD-3,22/11/2026,2",  # bad date
        "HOOD-3,2027-01-01,2",  # future
        "HOB-1,2026-11-22,7",  # duplicate of row 2
        "OLD-8,2026-11-22,4",  # discontinued: still in stock, accepted
    )

    preview = await submissions.preview_upload(store, ReportKind.STOCK, content, "stock.csv", clock)

    assert [(p.row, p.column, p.code) for p in preview.problems] == [
        (3, "sku", "unknown_sku"),
        (4, "sku", "unknown_sku"),
        (5, "quantity", "negative_quantity"),
        (6, "quantity", "not_whole_number"),
        (7, "date", "bad_date"),
        (8, "date", "future_date"),
        (9, "sku", "duplicate_report_row"),
    ]
    assert not preview.can_confirm
    with pytest.raises(ConflictError) as refused:
        await submissions.confirm_upload(store, preview.id, clock)
    assert refused.value.code == "upload_has_problems"
    assert await PartnerReport.count() == 0


async def test_the_same_day_again_makes_a_new_revision_and_keeps_the_old_one(
    channel: World, clock: FixedClock
) -> None:
    first = await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-22,5"), clock)
    clock.advance(hours=1)

    again = await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-22,5"), clock)
    assert again.reports == [] and again.unchanged == [date(2026, 11, 22)]  # the same figures: nothing new

    second = await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-22,4", "HOOD-3,2026-11-22,1"), clock)

    report = await submissions.get_report(channel.actors["s1_manager"], second.reports[0].id)
    assert [(r.revision, r.current) for r in report.revisions] == [(2, True), (1, False)]
    assert report.revisions[1].id == first.reports[0].id
    assert report.revisions[1].superseded_at == clock.now()
    assert [(line.sku, line.quantity) for line in report.lines] == [("HOB-1", 4), ("HOOD-3", 1)]
    old = await submissions.get_report(channel.actors["s1_manager"], first.reports[0].id)
    assert [(line.sku, line.quantity) for line in old.lines] == [("HOB-1", 5)]
    current, _ = await submissions.list_reports(channel.actors["s1_manager"], schemas.ReportFilter())
    assert [(r.revision, r.total_quantity) for r in current] == [(2, 5)]
    everything, _ = await submissions.list_reports(
        channel.actors["s1_manager"], schemas.ReportFilter(include_history=True)
    )
    assert sorted(r.revision for r in everything) == [1, 2]
    reported = await ReportedStock.select(ReportedStock.sku, ReportedStock.quantity).order_by(
        ReportedStock.sku
    )
    assert reported == [{"sku": "HOB-1", "quantity": 4}, {"sku": "HOOD-3", "quantity": 1}]


async def test_a_sell_out_file_of_many_days_makes_one_report_per_day(
    channel: World, clock: FixedClock
) -> None:
    content = _csv(
        "HOB-1,2026-11-20,2,199.00",
        "HOB-1,2026-11-21,1,",
        "OVEN-2,2026-11-21,3,1200.5",
        "OVEN-2,2026-11-22,1,400",
        header="sku,date,quantity,amount",
    )

    saved = await _upload(channel, "d1a_admin", content, clock, ReportKind.SELL_OUT, "sales.csv")

    assert [(r.report_date, r.line_count, r.total_quantity) for r in saved.reports] == [
        (date(2026, 11, 20), 1, 2),
        (date(2026, 11, 21), 2, 4),
        (date(2026, 11, 22), 1, 1),
    ]
    report = await submissions.get_report(channel.actors["d1a_admin"], saved.reports[1].id)
    assert [(line.sku, line.quantity, str(line.amount)) for line in report.lines] == [
        ("HOB-1", 1, "None"),
        ("OVEN-2", 3, "1200.50"),
    ]
    # the upload's days are in the KPI rollups at once, daily and per category (all in KITCHEN)
    d1a = channel.org_id("D1A")
    daily = await repository.all_rollups()
    assert [daily[(d1a, date(2026, 11, day), "sell_out_units")] for day in (20, 21, 22)] == [200, 400, 100]
    categories = await repository.all_category_rollups()
    assert categories[(d1a, date(2026, 11, 1), "KITCHEN/", "sell_out_units")] == 700
    assert categories[(d1a, date(2026, 11, 1), "KITCHEN/", "sell_out_amount")] == 179950
    await rollups.rebuild(clock, until=date(2026, 12, 31))  # the same as folding everything again
    rebuilt = await repository.all_rollups()
    assert {k: v for k, v in daily.items() if k[0] == d1a} == {
        k: v for k, v in rebuilt.items() if k[0] == d1a and k[2].startswith("sell_out")
    }
    assert categories == await repository.all_category_rollups()


async def test_an_older_stock_day_does_not_replace_the_latest_reported_stock(
    channel: World, clock: FixedClock
) -> None:
    await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-22,5"), clock)

    await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-15,9"), clock)

    reported = await ReportedStock.select(
        ReportedStock.sku, ReportedStock.quantity, ReportedStock.report_date
    )
    assert reported == [{"sku": "HOB-1", "quantity": 5, "report_date": date(2026, 11, 22)}]


async def test_reports_are_seen_upstream_and_never_by_siblings(channel: World, clock: FixedClock) -> None:
    saved = await _upload(channel, "s1_manager", _csv("HOB-1,2026-11-22,5"), clock)
    report_id = saved.reports[0].id

    for viewer in ("s1_clerk", "d1a_admin", "d1_admin", "m_admin", "m_cm"):
        found = await submissions.get_report(channel.actors[viewer], report_id)
        assert found.report.organisation_code == "S1", viewer
    for outsider in ("s2_manager", "d2_admin"):
        with pytest.raises(NotFoundError):
            await submissions.get_report(channel.actors[outsider], report_id)
        listed, _ = await submissions.list_reports(channel.actors[outsider], schemas.ReportFilter())
        assert listed == [], outsider


async def test_a_pending_upload_is_confirmed_only_by_its_own_partner_and_only_once(
    channel: World, clock: FixedClock
) -> None:
    preview = await submissions.preview_upload(
        channel.actors["s1_manager"], ReportKind.STOCK, _csv("HOB-1,2026-11-22,5"), "s.csv", clock
    )

    with pytest.raises(NotFoundError):
        await submissions.confirm_upload(channel.actors["s2_manager"], preview.id, clock)
    await submissions.confirm_upload(channel.actors["s1_clerk"], preview.id, clock)
    with pytest.raises(NotFoundError):
        await submissions.confirm_upload(channel.actors["s1_manager"], preview.id, clock)
    assert await PartnerReport.count() == 1


async def test_a_pending_upload_expires(channel: World, clock: FixedClock) -> None:
    preview = await submissions.preview_upload(
        channel.actors["s1_manager"], ReportKind.STOCK, _csv("HOB-1,2026-11-22,5"), "s.csv", clock
    )
    clock.advance(minutes=submissions.PENDING_MINUTES + 1)

    with pytest.raises(NotFoundError):
        await submissions.confirm_upload(channel.actors["s1_manager"], preview.id, clock)
    assert await PartnerReport.count() == 0


async def test_the_manufacturer_and_roles_without_stock_duties_cannot_report(
    channel: World, clock: FixedClock
) -> None:
    submission = schemas.ReportSubmission(
        kind=ReportKind.STOCK, report_date=TODAY, lines=[schemas.LineIn(sku="HOB-1", quantity=1)]
    )
    with pytest.raises(PermissionDeniedError):
        await submissions.submit_report(channel.actors["m_admin"], submission, ReportSource.API, clock)
    with pytest.raises(PermissionDeniedError):
        await submissions.preview_upload(
            channel.actors["m_cm"], ReportKind.STOCK, _csv("HOB-1,2026-11-22,1"), "s.csv", clock
        )


async def test_form_and_api_lines_are_checked_like_a_file(channel: World, clock: FixedClock) -> None:
    store = channel.actors["s1_clerk"]
    bad = schemas.ReportSubmission(
        kind=ReportKind.STOCK,
        report_date=TODAY - timedelta(days=1),
        lines=[schemas.LineIn(sku="HOB-1", quantity=2), schemas.LineIn(sku="NOPE", quantity="x")],
    )
    with pytest.raises(InvalidInputError) as refused:
        await submissions.submit_report(store, bad, ReportSource.FORM, clock)
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("lines[1].sku", "unknown_sku"),
        ("lines[1].quantity", "not_whole_number"),
    ]
    assert await PartnerReport.count() == 0

    good = schemas.ReportSubmission(
        kind=ReportKind.STOCK,
        report_date=TODAY - timedelta(days=1),
        lines=[schemas.LineIn(sku="hob-1", quantity=2), schemas.LineIn(sku="OVEN-2", quantity="3")],
    )
    saved = await submissions.submit_report(store, good, ReportSource.FORM, clock)

    assert [(r.source, r.line_count, r.total_quantity) for r in saved.reports] == [(ReportSource.FORM, 2, 5)]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "upload_empty"),
        (b"sku,date,quantity\n", "header-only.csv", "upload_no_rows"),
        (b"sku,quantity\nHOB-1,3\n", "no-date.csv", "upload_missing_columns"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "upload_unreadable"),
        (
            "sku,date,quantity\nHOB-1,2026-11-22,1\n".encode("utf-16-le"),
            "utf16-no-bom.csv",
            "upload_bad_encoding",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "upload_unsupported_type"),
        (b"sku,date,quantity\n", "report.pdf", "upload_unsupported_type"),
    ],
    ids=["empty", "header-only", "missing-column", "broken-zip", "utf16-without-bom", "legacy-xls", "pdf"],
)
async def test_unusable_files_are_refused_with_a_reason_and_nothing_kept(
    channel: World, clock: FixedClock, content: bytes, name: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await submissions.preview_upload(channel.actors["s1_manager"], ReportKind.STOCK, content, name, clock)

    assert refused.value.problems[0].code == code
    assert await PendingUpload.count() == 0


async def test_files_over_the_limits_are_refused(channel: World, clock: FixedClock) -> None:
    limits = submissions.UploadLimits(max_bytes=200, max_rows=3)
    rows = [f"HOB-1,2026-11-{d:02d},1" for d in range(1, 6)]

    with pytest.raises(InvalidInputError) as too_many:
        await submissions.preview_upload(
            channel.actors["s1_manager"], ReportKind.STOCK, _csv(*rows), "s.csv", clock, limits
        )
    with pytest.raises(InvalidInputError) as too_big:
        await submissions.preview_upload(
            channel.actors["s1_manager"], ReportKind.STOCK, _csv(*rows * 10), "s.csv", clock, limits
        )

    assert too_many.value.problems[0].code == "upload_too_many_rows"
    assert too_big.value.problems[0].code == "upload_too_large"


async def test_other_encodings_are_read(channel: World, clock: FixedClock) -> None:
    text = "商品编码,日期,数量\nHOB-1,2026-11-22,5\n"
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        preview = await submissions.preview_upload(
            channel.actors["s1_manager"], ReportKind.STOCK, text.encode(encoding), "库存.csv", clock
        )
        assert (preview.line_count, preview.problems) == (1, []), encoding


async def test_two_reports_of_one_day_at_once_both_land_as_revisions(
    channel: World, clock: FixedClock
) -> None:
    def stock(units: int) -> schemas.ReportSubmission:
        return schemas.ReportSubmission(
            kind=ReportKind.STOCK, report_date=TODAY, lines=[schemas.LineIn(sku="HOB-1", quantity=units)]
        )

    await asyncio.gather(
        submissions.submit_report(channel.actors["s1_manager"], stock(3), ReportSource.API, clock),
        submissions.submit_report(channel.actors["s1_clerk"], stock(4), ReportSource.API, clock),
    )

    rows = await PartnerReport.select(PartnerReport.revision, PartnerReport.current).order_by(
        PartnerReport.revision
    )
    assert [(r["revision"], bool(r["current"])) for r in rows] == [(1, False), (2, True)]
