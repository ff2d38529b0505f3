"""An activity entry's values as its reader reads them: amounts in their number format, kinds in words."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channel.schemas import AuditEntry
from incentives.fund import EntryKind
from portal import i18n
from portal.messages import ACTION_LABELS, activity_details, activity_label, audit_value


@pytest.fixture
def in_german() -> Iterator[None]:
    i18n.use_locale("de")
    yield
    i18n.use_locale(i18n.DEFAULT_LOCALE)


def test_amounts_follow_the_readers_number_format_with_their_recorded_decimals() -> None:
    assert audit_value("48000", "amount") == "48,000"
    assert audit_value("150000.00", "amount") == "150,000.00"
    assert audit_value(3, "quantity") == "3"


def test_amounts_per_currency_read_as_money_in_each_currency() -> None:
    assert audit_value({"CNY": "480.00", "EUR": "80.00"}, "earned") == "CN¥480.00 and €80.00"
    assert audit_value({}, "clawed_back") == "—"


def test_an_mdf_activity_is_named_in_words() -> None:
    assert audit_value("event", "activity") == "Event"


def test_codes_and_numbers_of_things_stay_as_recorded() -> None:
    assert audit_value("80331", "code") == "80331"
    assert audit_value("D1A-2027-000001", "order_reference") == "D1A-2027-000001"
    assert audit_value(None, "amount") == "—"


def test_a_german_reader_sees_german_amounts_and_words(in_german: None) -> None:
    assert audit_value("48000", "amount") == "48.000"
    assert audit_value("3520.50", "amount") == "3.520,50"
    assert audit_value("event", "activity") == "Veranstaltung"


# --- an entry as the activity list shows it -----------------------------------------------------------


def _entry(
    action: str, object_type: str, after: dict[str, object], before: dict[str, object] | None = None
) -> AuditEntry:
    return AuditEntry(
        id=1,
        occurred_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
        actor_label="admin@aurora.example",
        organisation_id=None,
        action=action,
        object_type=object_type,
        object_id="x",
        object_label="STORE-REBATE 2026-07-01",
        before=before,
        after=after,
    )


def test_a_settlement_reads_in_words_and_its_worked_figures_stay_on_its_own_page() -> None:
    proposed = _entry(
        "settlement.proposed",
        "rebate_settlement",
        {"amount": "1798.80", "lines": [{"period_start": "2026-07-01", "earned": "1798.80"}]},
    )
    approved = _entry(
        "settlement.approved", "rebate_settlement", {"status": "approved"}, before={"status": "proposed"}
    )

    assert activity_label(proposed.action) == "proposed a rebate settlement"
    assert activity_details(proposed) == [("Amount", None, "1,798.80")]
    assert activity_details(approved) == [("Status", "To approve", "Approved")]


def test_an_order_placed_with_part_paid_from_the_fund_is_named_in_words() -> None:
    placed = _entry(
        "order.submitted", "order", {"status": "submitted", "total": "2331.00", "fund_amount": "0"}
    )

    assert activity_label(placed.action) == "placed an order"
    assert activity_details(placed) == [
        ("Status", None, "Submitted"),
        ("Total", None, "2,331.00"),
        ("Paid from rebate fund", None, "0"),
    ]


def test_days_read_as_dates_and_yes_or_no_as_words() -> None:
    credited = _entry(
        "fund.credit",
        "rebate_fund",
        {"amount": "1798.80", "order_reference": "", "usable_until": "2027-11-30"},
    )
    forwarded = _entry("order.forwarded", "order", {"drop_ship": True})

    assert activity_details(credited) == [
        ("Amount", None, "1,798.80"),
        ("Order", None, "—"),
        ("Usable until", None, "Nov 30, 2027"),
    ]
    assert activity_details(forwarded) == [("Drop-shipping", None, "yes")]


def test_a_target_names_its_measure_in_words(in_german: None) -> None:
    target = _entry(
        "target.set", "target", {"period": "2026-Q4", "measure": "purchases", "value": "161413.00"}
    )

    assert activity_label(target.action) == "hat ein Ziel gesetzt"
    assert activity_details(target) == [
        ("Zeitraum", None, "2026-Q4"),
        ("Kennzahl", None, "Einkäufe (Betrag)"),
        ("Ziel", None, "161.413,00"),
    ]


_AUDITING = ("record_change", "_record", "_tell_partner")
_ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Actions named by an f-string in the services, with every value their placeholder takes.
_MADE_UP = {
    "order.return_{}": ("approved", "refused"),
    "registration.{}": ("protected", "rejected", "info_requested", "won", "lost", "expired", "extended"),
    "user.{}": ("suspended", "reactivated"),
    "fund.{}": tuple(kind.value for kind in EntryKind),
    "lead.{}": ("declined", "offer_lapsed", "no_follow_up"),
    "mdf.{}": (
        "approved",
        "rejected",
        "proof_added",
        "claimed",
        "claim_approved",
        "claim_rejected",
        "paid",
        "requested",
    ),
    "promotion.{}": ("active", "ended"),
    "quote.{}": ("accepted", "declined"),
    "settlement.{}": ("approved", "rejected"),
}


def _recorded_actions() -> tuple[set[str], set[str]]:
    """Every action the services record: the literal ones, and the shapes of those made up."""
    literal: set[str] = set()
    shapes: set[str] = set()
    root = Path(__file__).resolve().parents[3]
    for package in ("channel", "ordering", "pricing", "deal_registration", "reports", "incentives"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if "audit" not in name and name not in _AUDITING:
                    continue
                for argument in [*node.args, *(k.value for k in node.keywords if k.arg == "action")]:
                    made_up = [part for part in ast.walk(argument) if isinstance(part, ast.JoinedStr)]
                    pieces = {id(v) for part in made_up for v in part.values}
                    for part in made_up:
                        shapes.add(
                            "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in part.values)
                        )
                    for part in ast.walk(argument):
                        if (
                            isinstance(part, ast.Constant)
                            and id(part) not in pieces
                            and isinstance(part.value, str)
                            and _ACTION.match(part.value)
                        ):
                            literal.add(part.value)
    return literal, shapes


def test_every_action_the_services_record_reads_in_words() -> None:
    literal, shapes = _recorded_actions()

    assert len(literal) > 60
    assert shapes == set(_MADE_UP)  # a new made-up action: list what it can be above
    every = literal | {shape.format(value) for shape, values in _MADE_UP.items() for value in values}
    assert sorted(action for action in every if action not in ACTION_LABELS) == []
