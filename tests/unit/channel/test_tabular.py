"""Spreadsheet uploads: bounded, row-numbered, and safe to open again in Excel."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from channel import tabular
from core.errors import InvalidInputError


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _code(content: bytes, filename: str = "x.csv") -> str:
    with pytest.raises(InvalidInputError) as refused:
        tabular.read_table(content, filename)
    return refused.value.problems[0].code


def test_rows_keep_the_numbers_the_spreadsheet_shows_and_skip_blank_lines() -> None:
    table = tabular.read_table(b"SKU;Qty\nA-1;2\n;\nB-2;5\n", "order.csv")

    assert table.columns == ("sku", "qty")
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"sku": "A-1", "qty": "2"}),
        (4, {"sku": "B-2", "qty": "5"}),
    ]


def test_xlsx_numbers_come_back_as_a_person_typed_them() -> None:
    table = tabular.read_table(_xlsx([["sku", "qty", "price"], ["A-1", 12, 0.1]]), "order.xlsx")

    assert table.rows[0].values == {"sku": "A-1", "qty": "12", "price": "0.1"}


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(InvalidInputError) as refused:
        tabular.read_table(b"name\nx\n", "x.csv", required=("sku", "quantity"))
    assert refused.value.problems[0].params == {"columns": "sku, quantity"}


def test_oversized_empty_and_foreign_files_are_refused() -> None:
    assert _code(b"x" * (tabular.MAX_UPLOAD_BYTES + 1)) == "upload_too_large"
    assert _code(b"") == "upload_empty"
    assert _code(b"%PDF-1.7", "scan.pdf") == "upload_unsupported_type"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (tabular.MAX_XLSX_UNCOMPRESSED_BYTES + 1))

    assert _code(buffer.getvalue(), "bomb.xlsx") == "upload_too_large"


def test_too_many_rows_are_refused() -> None:
    content = b"sku\n" + b"A\n" * (tabular.MAX_ROWS + 1)

    assert _code(content) == "upload_too_many_rows"


def test_exported_cells_that_look_like_formulas_stay_text() -> None:
    exported = tabular.write_xlsx(["name"], [['=HYPERLINK("http://evil")'], ["+1"], ["plain"]])
    sheet = load_workbook(io.BytesIO(exported)).active
    assert sheet is not None

    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        '\'=HYPERLINK("http://evil")',
        "'+1",
        "plain",
    ]
    assert tabular.write_csv(["name"], [["-2+3"]]).decode("utf-8-sig") == "name\r\n'-2+3\r\n"


def _names(content: bytes) -> list[str]:
    return [row.values["name"] for row in tabular.read_table(content, "names.csv").rows]


WESTERN = ["Müller GmbH", "Größe 60 cm", "Crème brûlée", "Élan", "Ação", "Señor Peña", "Preis 5 € „gut“"]
CHINESE = ["燃气灶", "厨房", "灶", "朱镕基电器", "嵌入式 不锈钢 A型"]


@pytest.mark.parametrize("name", WESTERN)
def test_a_western_csv_from_excel_is_read_as_windows_1252(name: str) -> None:
    assert _names(f"sku,name\nA-1,{name}\n".encode("cp1252")) == [name]


@pytest.mark.parametrize("name", CHINESE)
def test_a_chinese_csv_from_excel_is_read_as_gb18030(name: str) -> None:
    for encoding in ("gbk", "gb18030"):
        assert _names(f"sku,name\nA-1,{name}\n".encode(encoding)) == [name], encoding


def test_utf_8_and_utf_16_are_read_as_before() -> None:
    text = "sku,name\nA-1,Müller GmbH\nA-2,燃气灶\n"
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"):
        content = text.encode(encoding)
        if encoding == "utf-16-le":
            content = b"\xff\xfe" + content
        elif encoding == "utf-16-be":
            content = b"\xfe\xff" + content
        assert _names(content) == ["Müller GmbH", "燃气灶"], encoding


def test_a_file_in_neither_western_nor_chinese_encoding_is_refused_asking_for_utf_8() -> None:
    # accented capitals in runs and no word around them: neither Western words nor Chinese text
    assert _code("sku,name\nA-1,ÄÖÜÄÖÜ ÀÉÎÕÛ\n".encode("cp1252")) == "upload_bad_encoding"
