"""Reading stock and sell-out rows: every cell checked, hostile spreadsheets refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from channel import tabular
from core.errors import InvalidInputError
from reports import ingestion
from reports.ingestion import ReportLine, parse_rows
from reports.reporting import ReportKind, due_date, period_start
from tests.integration.reports.report_world import xlsx_of

TODAY = date(2026, 11, 23)
CATALOGUE = {"HOB-1": "active", "OVEN-2": "active", "OLD-8": "discontinued", "DRAFT-9": "draft"}


def _rows(
    *cells: tuple[str, ...], header: tuple[str, ...] = ("sku", "date", "quantity", "amount")
) -> list[tuple[int, dict[str, str]]]:
    return [(i + 2, dict(zip(header, row, strict=False))) for i, row in enumerate(cells)]


def test_good_rows_become_lines_with_normalised_skus_and_money() -> None:
    parsed = parse_rows(
        _rows(("hob-1 ", "2026/11/22", "3", "12.5"), ("OVEN-2", "20261121", "0", "")),
        ReportKind.SELL_OUT,
        CATALOGUE,
        TODAY,
    )

    assert parsed.problems == []
    assert parsed.lines == [
        ReportLine("HOB-1", date(2026, 11, 22), 3, Decimal("12.50")),
        ReportLine("OVEN-2", date(2026, 11, 21), 0, None),
    ]


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (("", "2026-11-22", "1", ""), "sku", "required"),
        (("NOPE", "2026-11-22", "1", ""), "sku", "unknown_sku"),
        (("DRAFT-9", "2026-11-22", "1", ""), "sku", "unknown_sku"),
        (("HOB-1", "tomorrow", "1", ""), "date", "bad_date"),
        (("HOB-1", "2026-02-30", "1", ""), "date", "bad_date"),
        (("HOB-1", "2026-11-24", "1", ""), "date", "future_date"),
        (("HOB-1", "2020-01-01", "1", ""), "date", "date_too_old"),
        (("HOB-1", "", "1", ""), "date", "required"),
        (("HOB-1", "2026-11-22", "-1", ""), "quantity", "negative_quantity"),
        (("HOB-1", "2026-11-22", "1.5", ""), "quantity", "not_whole_number"),
        (("HOB-1", "2026-11-22", "", ""), "quantity", "required"),
        (("HOB-1", "2026-11-22", "99999999999", ""), "quantity", "above_maximum"),
        (("HOB-1", "2026-11-22", "1", "NaN"), "amount", "not_a_number"),
        (("HOB-1", "2026-11-22", "1", "-5"), "amount", "negative_amount"),
        (("HOB-1", "2026-11-22", "1", "1.005"), "amount", "too_many_decimals"),
        (("HOB-1", "2026-11-22", "=1+1", ""), "quantity", "formula_cell"),
    ],
)
def test_each_bad_cell_is_reported_with_its_row(row: tuple[str, ...], column: str, code: str) -> None:
    parsed = parse_rows(_rows(row), ReportKind.SELL_OUT, CATALOGUE, TODAY)

    assert [(p.row, p.column, p.code) for p in parsed.problems] == [(2, column, code)]
    assert parsed.lines == []


def test_a_product_twice_on_one_day_points_at_the_first_row() -> None:
    parsed = parse_rows(
        _rows(("HOB-1", "2026-11-22", "1"), ("HOB-1", "2026-11-21", "1"), ("hob-1", "2026-11-22", "2")),
        ReportKind.STOCK,
        CATALOGUE,
        TODAY,
    )

    assert [(p.row, p.code, p.params["row"]) for p in parsed.problems] == [(4, "duplicate_report_row", "2")]
    assert len(parsed.lines) == 2


def test_chinese_column_names_are_understood() -> None:
    parsed = parse_rows(
        _rows(("HOB-1", "2026-11-22", "4"), header=("商品编码", "日期", "数量")),
        ReportKind.STOCK,
        CATALOGUE,
        TODAY,
    )

    assert parsed.lines == [ReportLine("HOB-1", date(2026, 11, 22), 4)]
    assert ingestion.missing_columns(["商品编码", "数量"]) == ["date"]


def test_lines_group_into_one_report_per_day() -> None:
    lines = [
        ReportLine("A", date(2026, 11, 2), 1),
        ReportLine("B", date(2026, 11, 1), 1),
        ReportLine("C", date(2026, 11, 2), 1),
    ]

    assert {day: [line.sku for line in group] for day, group in ingestion.by_day(lines).items()} == {
        date(2026, 11, 1): ["B"],
        date(2026, 11, 2): ["A", "C"],
    }


def test_an_xlsx_formula_is_a_problem_not_its_cached_value() -> None:
    content = xlsx_of([["sku", "date", "quantity"], ["HOB-1", date(2026, 11, 22), "=2+3"]])

    table = tabular.read_table(content, "stock.xlsx", formulas_as_text=True)
    parsed = parse_rows(((r.number, r.values) for r in table.rows), ReportKind.STOCK, CATALOGUE, TODAY)

    assert [(p.row, p.column, p.code) for p in parsed.problems] == [(2, "quantity", "formula_cell")]


def test_xlsx_dates_and_whole_numbers_read_as_a_person_typed_them() -> None:
    content = xlsx_of([["sku", "date", "quantity"], ["HOB-1", date(2026, 11, 22), 7.0]])

    table = tabular.read_table(content, "stock.xlsx", formulas_as_text=True)
    parsed = parse_rows(((r.number, r.values) for r in table.rows), ReportKind.STOCK, CATALOGUE, TODAY)

    assert parsed.lines == [ReportLine("HOB-1", date(2026, 11, 22), 7)]


def _with_sheet(xml: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx_of([["sku", "date", "quantity"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = xml.encode()
            target.writestr(item, data)
    return out.getvalue()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_entity_attacks_are_refused_as_unreadable(xml: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        tabular.read_table(_with_sheet(xml), "evil.xlsx", formulas_as_text=True)

    assert refused.value.problems[0].code == "upload_unreadable"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (80 * 1024 * 1024))

    with pytest.raises(InvalidInputError) as refused:
        tabular.read_table(out.getvalue(), "bomb.xlsx", formulas_as_text=True)

    assert refused.value.problems[0].code == "upload_too_large"


@pytest.mark.parametrize(
    ("frequency", "due_day", "today", "due", "start"),
    [
        ("weekly", 1, date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 17)),  # a Monday
        ("weekly", 5, date(2026, 11, 23), date(2026, 11, 20), date(2026, 11, 14)),
        ("monthly", 5, date(2026, 11, 23), date(2026, 11, 5), date(2026, 10, 6)),
        ("monthly", 25, date(2026, 11, 23), date(2026, 10, 25), date(2026, 9, 26)),
    ],
)
def test_the_last_due_day_and_the_period_it_closes(
    frequency: str, due_day: int, today: date, due: date, start: date
) -> None:
    assert due_date(frequency, due_day, today) == due
    assert period_start(frequency, due) == start


def test_no_schedule_no_due_day() -> None:
    assert due_date("off", 1, TODAY) is None
