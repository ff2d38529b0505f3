"""What partners report: the kinds of report and where each came from (pure, no persistence)."""

from __future__ import annotations

from datetime import date, timedelta
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


def due_date(frequency: str, due_day: int, today: date) -> date | None:
    """The most recent day on or before ``today`` a stock report fell due (``None`` when off)."""
    if frequency == "weekly":
        return today - timedelta(days=(today.isoweekday() - due_day) % 7)
    if frequency == "monthly":
        if today.day >= due_day:
            return today.replace(day=due_day)
        previous = today.replace(day=1) - timedelta(days=1)
        return previous.replace(day=due_day)
    return None


def period_start(frequency: str, due: date) -> date:
    """The first day a report counts for the period ending on ``due``: within a week, or a month."""
    if frequency == "weekly":
        return due - timedelta(days=6)
    previous = due.replace(day=1) - timedelta(days=1)
    return previous.replace(day=min(due.day, 28)) + timedelta(days=1)
