"""What partners report: the kinds of report and where each came from (pure, no persistence)."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    """Stock on hand at the end of a day, or units sold to end customers on a day."""

    STOCK = "stock"
    SELL_OUT = "sell_out"


class ReportSource(StrEnum):
    """How a report reached the portal."""

    UPLOAD = "upload"
    FORM = "form"
    API = "api"
