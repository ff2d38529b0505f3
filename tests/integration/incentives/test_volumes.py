"""The set-based volumes the accruals and settlements read equal the exact per-line computation
(``rebates.line_volume`` over every sale line, partner by partner) on a small channel: odd amounts,
free goods, returns, product scopes and sell-out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.clock import FixedClock
from incentives import rebates, repository
from incentives.rebates import Period, ProductScope
from ordering.tables import OrderLine
from reports.tables import PartnerReport, PartnerReportLine
from tests.builders import World
from tests.integration.incentives.incentive_world import received_order, return_one
from tests.integration.pricing.pricing_world import priced_world

D = Decimal
Q4 = Period(date(2026, 10, 1), date(2027, 1, 1))


def _exact(
    lines: dict[object, list[rebates.SaleLine]], scope: ProductScope, free: bool
) -> dict[object, Decimal]:
    """The per-partner sum of ``line_volume`` as the domain defines it, line by line."""
    return {
        partner: sum(
            (
                rebates.line_volume(line, exclude_free_goods=free)
                for line in found
                if Q4.contains(line.day) and scope.matches(line.sku, line.category_path)
            ),
            D(0),
        )
        for partner, found in lines.items()
    }


def _nonzero(volumes: dict[object, Decimal]) -> dict[object, Decimal]:
    return {partner: amount for partner, amount in volumes.items() if amount}


async def _small_channel(world: World, clock: FixedClock) -> None:
    """Orders of two partners; one line of 100.00 for 3 units with 1 free, one hob sent back."""
    await priced_world(world, clock)
    hobs = await received_order(world, clock, "s1_manager", "d1a_admin", "HOB", 3)
    await return_one(world, clock, "s1_manager", "d1a_admin", hobs)
    odd = await received_order(world, clock, "s1_manager", "d1a_admin", "FILTER", 3)
    await OrderLine.update({OrderLine.net_total: D("100.00"), OrderLine.free_quantity: 1}).where(
        OrderLine.id == odd.lines[0].id
    )
    await return_one(world, clock, "s1_manager", "d1a_admin", odd)
    await received_order(world, clock, "s1_clerk", "d1a_admin", "HOOD", 2)
    await received_order(world, clock, "d1a_admin", "d1_admin", "FILTER", 7)
    await OrderLine.update({OrderLine.net_total: D("200.01")}).where(
        OrderLine.sku == "FILTER", OrderLine.quantity == 7
    )


@pytest.mark.parametrize(
    ("scope", "exclude_free_goods"),
    [
        (ProductScope(), True),
        (ProductScope(), False),
        (ProductScope(skus=frozenset({"FILTER"})), True),
        (ProductScope(categories=frozenset({"KITCHEN"})), False),
        (ProductScope(skus=frozenset({"NOPE"})), True),
    ],
    ids=["everything", "free-goods-counted", "one-sku", "one-category", "nothing"],
)
async def test_set_based_sell_in_equals_the_exact_per_line_sum(
    world: World, clock: FixedClock, scope: ProductScope, exclude_free_goods: bool
) -> None:
    await _small_channel(world, clock)
    path = world.actors["m_admin"].organisation_path

    fast = await repository.partner_volumes(
        "sell_in", path, Q4, scope=scope, exclude_free_goods=exclude_free_goods
    )

    exact = _exact(await repository.sell_in_lines(path, Q4.start, Q4.end), scope, exclude_free_goods)
    assert _nonzero(fast) == _nonzero(exact)
    if scope.everything and exclude_free_goods:
        # S1: 3 hobs at 1,000.00, one back (2,000.00); 100.00 for 2 paid filters, one back (50.00);
        # 2 hoods (4,000.00).
        assert fast[world.org_id("S1")] == D("6050.00")
        assert fast[world.org_id("D1A")] == D("200.01")
    if scope.everything and not exclude_free_goods:
        # the free filter counts at the paid unit price: 3 at 50.00, one back = 100.00
        assert fast[world.org_id("S1")] == D("6100.00")


async def test_set_based_sell_out_equals_the_exact_per_line_sum(world: World, clock: FixedClock) -> None:
    await priced_world(world, clock)
    s1 = world.actors["s1_manager"]
    for revision, current, amounts in ((1, False, ["999.99"]), (2, True, ["333.33", "0.01", None])):
        report = await PartnerReport.insert(
            PartnerReport(
                organisation_id=s1.organisation_id,
                organisation_path=s1.organisation_path,
                kind="sell_out",
                report_date=date(2026, 11, 2),
                revision=revision,
                current=current,
                source="api",
            )
        ).returning(PartnerReport.id)
        for index, amount in enumerate(amounts):
            await PartnerReportLine.insert(
                PartnerReportLine(
                    report_id=report[0]["id"],
                    organisation_id=s1.organisation_id,
                    kind="sell_out",
                    report_date=date(2026, 11, 2),
                    sku="HOB" if index else "HOOD",
                    quantity=1 + index,
                    amount=D(amount) if amount else None,
                )
            )
    path = world.actors["m_admin"].organisation_path

    fast = await repository.partner_volumes(
        "sell_out", path, Q4, scope=ProductScope(), exclude_free_goods=True
    )
    scoped = await repository.partner_volumes(
        "sell_out", path, Q4, scope=ProductScope(skus=frozenset({"HOB"})), exclude_free_goods=True
    )

    lines = await repository.sell_out_lines(path, Q4.start, Q4.end)
    assert fast == _nonzero(_exact(lines, ProductScope(), True)) == {s1.organisation_id: D("333.34")}
    assert (
        scoped
        == _nonzero(_exact(lines, ProductScope(skus=frozenset({"HOB"})), True))
        == {s1.organisation_id: D("0.01")}
    )
