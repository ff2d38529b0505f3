"""What the owner reads after running the commissions: money in each plan's own currency."""

from __future__ import annotations

from decimal import Decimal

from incentives import schemas
from portal.i18n import speaking
from portal.pages.commission_plans import run_text

D = Decimal


def test_a_run_over_plans_in_two_currencies_reads_each_currency_on_its_own() -> None:
    run = schemas.CommissionRun(earned={"CNY": D("480.00"), "EUR": D("80.00")}, clawed_back={}, entries=3)

    with speaking("en"):
        english = run_text(run, {"EUR", "CNY"})
    with speaking("de"):
        german = run_text(run, {"EUR", "CNY"})

    assert english == (
        "Commissions run: CN¥480.00 and €80.00 earned, CN¥0.00 and €0.00 clawed back, 3 entries recorded."
    )
    assert "480,00\xa0CN¥ und 80,00\xa0€ verdient" in german


def test_a_run_in_one_currency_reads_as_before() -> None:
    run = schemas.CommissionRun(earned={"EUR": D("60.00")}, clawed_back={}, entries=2)

    with speaking("en"):
        assert (
            run_text(run, {"EUR"}) == "Commissions run: €60.00 earned, €0.00 clawed back, 2 entries recorded."
        )
