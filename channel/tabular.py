"""Reading and writing the spreadsheets partners exchange: CSV and XLSX, bounded and row-numbered.

Uploads are hostile until proven otherwise: the size is capped before parsing, an XLSX file's
uncompressed size is checked before openpyxl opens it (a zip bomb is refused, not unpacked), the
number of rows is capped, and every row keeps the number a person sees in their spreadsheet so
errors can point at it. CSV files exported by Chinese Excel are often GB18030, by Western Excel
Windows-1252, not UTF-8: all three are read, and a file plausibly none of them is refused. Formula-like cells are neutralised on export so a file opened in Excel cannot run anything.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.errors import InvalidInputError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(
    content: bytes,
    filename: str,
    required: Sequence[str] = (),
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_rows: int = MAX_ROWS,
    formulas_as_text: bool = False,
) -> Table:
    """Rows of a CSV or XLSX upload, keyed by the (lower-cased, trimmed) header names.

    With ``formulas_as_text`` an XLSX formula cell reads as its formula ("=A1*2"), never as the
    value Excel last computed, so the caller can refuse it instead of trusting a cached number.
    """
    if len(content) > max_bytes:
        raise InvalidInputError.single("file", "upload_too_large", limit=_megabytes(max_bytes))
    if not content:
        raise InvalidInputError.single("file", "upload_empty")
    lowered = filename.lower()
    if lowered.endswith((".xls", ".xlsm", ".xltm", ".xlam", ".xlsb", ".ods")) or content[:8] == _OLE_MAGIC:
        # legacy Excel, macro-enabled and encrypted workbooks (the latter are OLE containers too)
        raise InvalidInputError.single("file", "upload_unsupported_type")
    if lowered.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        header, records = _read_xlsx(content, max_bytes, max_rows, formulas_as_text)
    elif lowered.endswith((".csv", ".txt")) or not filename:
        header, records = _read_csv(content)
    else:
        raise InvalidInputError.single("file", "upload_unsupported_type")
    columns = tuple(_column_name(name) for name in header)
    if not any(columns):
        raise InvalidInputError.single("file", "upload_no_header")
    missing = [name for name in required if name not in columns]
    if missing:
        raise InvalidInputError.single("file", "upload_missing_columns", columns=", ".join(missing))
    rows: list[Row] = []
    for number, record in records:
        if not any(cell.strip() for cell in record):
            continue  # blank lines between blocks are common in hand-made sheets
        if len(rows) >= max_rows:
            raise InvalidInputError.single("file", "upload_too_many_rows", limit=max_rows)
        values = {
            column: (record[i].strip() if i < len(record) else "")
            for i, column in enumerate(columns)
            if column
        }
        rows.append(Row(number=number, values=values))
    return Table(columns=tuple(c for c in columns if c), rows=tuple(rows))


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _megabytes(size: int) -> int:
    return max(1, size // (1024 * 1024))


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM; other text as Excel saves it: GB18030 (a
    superset of GBK/GB2312) from Chinese Windows, Windows-1252 (Latin-1 and more) from Western
    Windows, whichever the bytes plausibly are. A file that is plausibly neither is refused."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InvalidInputError.single("file", "upload_bad_encoding") from error
    if b"\x00" in content:
        # UTF-16 without a BOM, or a binary file renamed to .csv: neither decodes to anything useful
        raise InvalidInputError.single("file", "upload_bad_encoding")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Both legacy encodings decode most byte strings without error, so decoding is no evidence:
    # GB18030 read a Western "Müller" as "M黮ler". Look at where the non-ASCII bytes stand instead.
    if _looks_western(content):
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            pass
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InvalidInputError.single("file", "upload_bad_encoding") from error
    if not _looks_chinese(text):
        raise InvalidInputError.single("file", "upload_bad_encoding")
    return text


_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
_NON_ASCII_CHARS = re.compile(r"[^\x00-\x7f]")


def _looks_western(content: bytes) -> bool:
    """Western text has its accented letters one at a time ("Müller", "Crème") or a few inside a
    word ("Größe", "Ação"). Chinese text in GB18030 has every common character as two non-ASCII bytes,
    and its words stand between commas or spaces, not inside Latin words."""
    runs = list(_NON_ASCII_RUN.finditer(content))
    if not runs or any(len(run.group()) > 3 for run in runs):
        return False
    inside_words = 0
    for run in runs:
        before = content[run.start() - 1 : run.start()]
        after = content[run.end() : run.end() + 1]
        if len(run.group()) == 1 or (before.isalpha() and after.isalpha()):
            inside_words += 1
    return inside_words * 2 >= len(runs)


def _looks_chinese(text: str) -> bool:
    """Most characters of real Chinese text are among GB2312's common ones; Western bytes misread as
    GB18030 become rare GBK characters (an accented letter and the ASCII letter after it)."""
    wide = Counter(_NON_ASCII_CHARS.findall(text))
    common = sum(count for char, count in wide.items() if _in_gb2312(char))
    return common * 2 >= sum(wide.values())


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _read_csv(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = list(reader)
    except csv.Error as error:
        raise InvalidInputError.single("file", "upload_unreadable", detail=str(error)) from error
    if not records:
        raise InvalidInputError.single("file", "upload_empty")
    if len(records[0]) > MAX_COLUMNS:
        raise InvalidInputError.single("file", "upload_too_many_columns", limit=MAX_COLUMNS)
    return records[0], [(index + 2, record) for index, record in enumerate(records[1:])]


def _read_xlsx(
    content: bytes,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_rows: int = MAX_ROWS,
    formulas_as_text: bool = False,
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook  # imported here: only uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            unpacked = sum(info.file_size for info in entries)
            encrypted = any(info.flag_bits & 0x1 for info in entries)
            with_macros = any(info.filename.lower().endswith("vbaproject.bin") for info in entries)
    except zipfile.BadZipFile as error:
        raise InvalidInputError.single("file", "upload_unreadable", detail="not an XLSX file") from error
    if encrypted or with_macros:  # with_macros: an .xlsm renamed to .xlsx
        raise InvalidInputError.single("file", "upload_unsupported_type")
    if len(entries) > 10_000 or unpacked > max(MAX_XLSX_UNCOMPRESSED_BYTES, max_bytes * 12):
        raise InvalidInputError.single("file", "upload_too_large", limit=_megabytes(max_bytes))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=not formulas_as_text)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InvalidInputError.single("file", "upload_unreadable", detail="not an XLSX file") from error
    try:
        sheet = workbook.worksheets[0]
        header: list[str] = []
        records: list[tuple[int, list[str]]] = []
        # Rows are padded to the width asked for: the sheet's own width when it states one, so a
        # four-column report is not read as sixty columns of nothing.
        stated = getattr(sheet, "max_column", None)
        width = min(MAX_COLUMNS, stated) if isinstance(stated, int) and stated > 0 else MAX_COLUMNS
        for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
            values = [_cell_text(cell) for cell in cells]
            if number == 1:
                header = values
                continue
            records.append((number, values))
            if (
                len(records) > max_rows + 1000
            ):  # blank rows are skipped later; stop reading long before memory runs out
                raise InvalidInputError.single("file", "upload_too_many_rows", limit=max_rows)
    except InvalidInputError:
        raise
    except Exception as error:  # a damaged sheet, or an XML bomb refused by defusedxml
        raise InvalidInputError.single("file", "upload_unreadable", detail="not an XLSX file") from error
    finally:
        workbook.close()
    if not header:
        raise InvalidInputError.single("file", "upload_empty")
    return header, records


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        # Excel stores 12.5 as a float; go through repr so 0.1 stays "0.1", and drop ".0" of whole numbers.
        text = repr(cell)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


# --- writing -------------------------------------------------------------------------------------

Cell = str | int | Decimal | date | None


def _safe(value: Cell) -> Cell:
    # A cell starting with = + - @ would be a formula in Excel; a leading apostrophe keeps it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
