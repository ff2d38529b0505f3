"""The commission statement as spreadsheet rows: numbers stay numbers (a clawback is -30.00, not
text), and text that looks like a formula is kept as text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from channel.tabular import write_csv
from incentives import schemas
from incentives.commissions import CategoryCommission
from incentives.rebates import Tier
from portal.documents.commission_statement import CSV_COLUMNS, statement_rows

D = Decimal


def test_a_clawback_is_a_negative_number_and_a_formula_like_category_stays_text() -> None:
    deal_id = uuid4()
    statement = schemas.CommissionStatement(
        partner_id=uuid4(),
        partner_name="D1A Trading",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        entries=[
            schemas.CommissionEntry(
                occurred_at=datetime(2026, 11, 3, tzinfo=UTC),
                order_number="PO-1",
                kind="earned",
                amount=D("60.00"),
                currency="EUR",
                deal_id=deal_id,
            ),
            schemas.CommissionEntry(
                occurred_at=datetime(2026, 11, 9, tzinfo=UTC),
                order_number="PO-1",
                kind="clawback",
                amount=D("-30.00"),
                currency="EUR",
                deal_id=deal_id,
            ),
        ],
        totals={"EUR": D("30.00")},
        deals=[
            schemas.StatementDeal(
                deal_id=deal_id,
                order_number="PO-1",
                plan_code="AGENTS",
                registration_id=None,
                lead_id=uuid4(),
                share_percent=D(75),
                currency="EUR",
                categories=[
                    CategoryCommission(
                        category='=HYPERLINK("http://x")',
                        tiers=(Tier(threshold=D(0), percent=D(2)),),
                        volume=D("2000.00"),
                        amount=D("40.00"),
                        rate=D("2.00"),
                    )
                ],
                earned=D("60.00"),
                clawed_back=D("30.00"),
            )
        ],
    )

    text = write_csv(CSV_COLUMNS, statement_rows(statement)).decode().lstrip("\ufeff")

    assert text.splitlines() == [
        "order,line,date,category,volume,rate_percent,share_percent,amount,currency",
        'PO-1,category,,"\'=HYPERLINK(""http://x"")",2000.00,2.00,75,40.00,EUR',
        "PO-1,earned,2026-11-03,,,,,60.00,EUR",
        "PO-1,clawback,2026-11-09,,,,,-30.00,EUR",
    ]
