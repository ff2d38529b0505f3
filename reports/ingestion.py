"""Reading a partner's stock or sell-out rows: every cell checked, every problem with its row.

Pure: the caller passes the rows (from a spreadsheet, a form or the API), the catalogue's SKUs with
their status, and today's date; what comes back is the lines that can be saved and the problems,
each a reason code with the row number the partner sees in their own file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import msgspec

from reports.reporting import ReportKind

# Column names a file may use, in the languages templates are offered in; the first is canonical.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "商品编码", "产品编码", "artikelnummer"),
    "date": ("date", "日期", "datum", "report_date"),
    "quantity": ("quantity", "qty", "数量", "menge"),
    "amount": ("amount", "金额", "betrag"),
}
# The header row of the downloadable template, per language.
TEMPLATE_HEADERS: dict[str, tuple[str, str, str, str]] = {
    "en": ("sku", "date", "quantity", "amount"),
    "zh_Hans": ("商品编码", "日期", "数量", "金额"),
    "de": ("artikelnummer", "datum", "menge", "betrag"),
}
REQUIRED_COLUMNS = ("sku", "date", "quantity")
MAX_QUANTITY = 1_000_000_000
MAX_AMOUNT = Decimal("1000000000000")
# How far back a report may go: older figures belong in a correction by the manufacturer.
MAX_AGE_DAYS = 730
_DATE_SEPARATORS = ("-", "/", ".")


class ReportLine(msgspec.Struct, frozen=True):
    """One product on one day: units on hand at the end of it, or units sold that day."""

    sku: str
    report_date: date
    quantity: int
    amount: Decimal | None = None


class RowProblem(msgspec.Struct, frozen=True):
    """Why one row (as numbered in the partner's file; the header is row 1) was refused."""

    row: int
    column: str
    code: str
    params: dict[str, str] = {}


class Parsed(msgspec.Struct, frozen=True):
    lines: list[ReportLine]
    problems: list[RowProblem]
    rows: int  # rows read, good and bad

    @property
    def is_clean(self) -> bool:
        return not self.problems and bool(self.lines)

    def days(self) -> list[date]:
        return sorted({line.report_date for line in self.lines})


def canonical_columns(columns: Iterable[str]) -> dict[str, str]:
    """The file's column name for each canonical one it has (``{"sku": "商品编码", ...}``)."""
    found: dict[str, str] = {}
    present = list(columns)
    for canonical, aliases in COLUMN_ALIASES.items():
        for name in present:
            if name in aliases:
                found.setdefault(canonical, name)
    return found


def missing_columns(columns: Iterable[str]) -> list[str]:
    found = canonical_columns(columns)
    return [c for c in REQUIRED_COLUMNS if c not in found]


def parse_date(text: str) -> date | None:
    """2026-11-23, 2026/11/23, 2026.11.23 or 20261123 (Excel dates arrive as ISO already)."""
    value = text.strip()
    if "T" in value:
        value = value.split("T", 1)[0]
    elif " " in value:
        value = value.split(" ", 1)[0]
    try:
        if len(value) == 8 and value.isdigit():
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        for separator in _DATE_SEPARATORS:
            parts = value.split(separator)
            if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return None


def _quantity(text: str) -> tuple[int | None, str, dict[str, str]]:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return None, "required", {}
    if value.endswith(".0"):
        value = value[:-2]
    if not (value.isdigit() or (value[:1] == "-" and value[1:].isdigit())):
        return None, "not_whole_number", {"value": text[:40]}
    number = int(value)
    if number < 0:
        return None, "negative_quantity", {"value": text[:40]}
    if number > MAX_QUANTITY:
        return None, "above_maximum", {"maximum": str(MAX_QUANTITY)}
    return number, "", {}


def _amount(text: str) -> tuple[Decimal | None, str, dict[str, str]]:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return None, "", {}
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None, "not_a_number", {"value": text[:40]}
    if not amount.is_finite():
        return None, "not_a_number", {"value": text[:40]}
    if amount < 0:
        return None, "negative_amount", {"value": text[:40]}
    if amount >= MAX_AMOUNT:
        return None, "above_maximum", {"maximum": str(MAX_AMOUNT)}
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return None, "too_many_decimals", {"places": "2"}
    return amount.quantize(Decimal("0.01")), "", {}


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    kind: ReportKind,
    catalogue: Mapping[str, str],
    today: date,
    *,
    default_date: date | None = None,
) -> Parsed:
    """Check every row of a report; ``catalogue`` maps each SKU to its status (active, draft, ...).

    Rows carry the file's own column names; aliases are resolved here. A formula cell ("=...") is
    refused, never trusted. A row's problems are all reported, not just its first.
    """
    lines: list[ReportLine] = []
    problems: list[RowProblem] = []
    first_row: dict[tuple[str, date], int] = {}
    oldest = today - timedelta(days=MAX_AGE_DAYS)
    count = 0
    names: dict[str, str] | None = None
    for number, values in rows:
        count += 1
        if names is None:
            names = canonical_columns(values.keys())
        cells = {canonical: values.get(column, "") for canonical, column in names.items()}
        found: list[RowProblem] = []
        for column, text in cells.items():
            if text.startswith("="):
                found.append(RowProblem(number, column, "formula_cell"))
        if found:
            problems.extend(found)
            continue
        sku = cells.get("sku", "").strip().upper()
        if not sku:
            found.append(RowProblem(number, "sku", "required"))
        else:
            status = catalogue.get(sku)
            if status is None or status == "draft":
                found.append(RowProblem(number, "sku", "unknown_sku", {"sku": sku[:64]}))
        raw_date = cells.get("date", "").strip()
        day: date | None = default_date
        if raw_date:
            day = parse_date(raw_date)
            if day is None:
                found.append(RowProblem(number, "date", "bad_date", {"value": raw_date[:40]}))
            elif day > today:
                found.append(RowProblem(number, "date", "future_date", {"date": day.isoformat()}))
            elif day < oldest:
                found.append(RowProblem(number, "date", "date_too_old", {"days": str(MAX_AGE_DAYS)}))
        elif day is None:
            found.append(RowProblem(number, "date", "required"))
        quantity, code, params = _quantity(cells.get("quantity", ""))
        if code:
            found.append(RowProblem(number, "quantity", code, params))
        amount: Decimal | None = None
        if kind is ReportKind.SELL_OUT:
            amount, code, params = _amount(cells.get("amount", ""))
            if code:
                found.append(RowProblem(number, "amount", code, params))
        if found:
            problems.extend(found)
            continue
        assert day is not None and quantity is not None
        key = (sku, day)
        if key in first_row:
            problems.append(
                RowProblem(number, "sku", "duplicate_report_row", {"row": str(first_row[key]), "sku": sku})
            )
            continue
        first_row[key] = number
        lines.append(ReportLine(sku=sku, report_date=day, quantity=quantity, amount=amount))
    return Parsed(lines=lines, problems=problems, rows=count)


def by_day(lines: Iterable[ReportLine]) -> dict[date, list[ReportLine]]:
    """A file of many days makes one report per day."""
    days: dict[date, list[ReportLine]] = {}
    for line in lines:
        days.setdefault(line.report_date, []).append(line)
    return dict(sorted(days.items()))


def same_lines(a: Iterable[ReportLine], b: Iterable[ReportLine]) -> bool:
    """Whether two reports of one day say the same (order does not matter)."""

    def key(line: ReportLine) -> tuple[str, int, Decimal | None]:
        return (line.sku, line.quantity, line.amount)

    return sorted(map(key, a), key=str) == sorted(map(key, b), key=str)
