"""A year of channel history for the performance pages: what the partners bought from their
suppliers before the demo's today, the sell-out and stock they reported, and this period's targets.

The history stands for the months before the channel moved onto the portal, so it is written as
rows (orders already received, reports already filed) rather than replayed step by step through
the services; targets go through the targets service; then the rollups are rebuilt.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from uuid import uuid4

from piccolo.table import Table

from channel.services import access
from channel.tables import Organisation
from core.clock import Clock
from ordering.orders import RETURN_WINDOW
from ordering.tables import Order, OrderLine, Shipment
from portal.demo.commerce import PRODUCTS
from reports import rollups, schemas
from reports.kpis import PeriodKind, TargetMeasure, period_of
from reports.services import targets
from reports.tables import PartnerReport, PartnerReportLine

MONTHS = 13
STEPS = 3
CENTS = Decimal("0.01")


def _month_start(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


async def load_performance(clock: Clock, advance: Callable[[str], None]) -> None:
    rng = random.Random(2026)  # noqa: S311 (demo figures, not secrets)
    now = clock.now()
    partners: list[dict[str, Any]] = await Organisation.select(
        Organisation.id, Organisation.code, Organisation.kind, Organisation.path, Organisation.supplier
    ).where(Organisation.supplier.is_not_null())
    orders: list[Order] = []
    lines: list[OrderLine] = []
    shipments: list[Shipment] = []
    reports: list[PartnerReport] = []
    report_lines: list[PartnerReportLine] = []
    appetite = {p["id"]: rng.uniform(0.4, 1.6) for p in partners}
    for partner in partners:
        is_store = partner["kind"] == "store"
        for back in range(MONTHS - 1, -1, -1):
            start = _month_start(now.date(), back)
            growth = 1 + (MONTHS - back) * 0.02
            for n in range(rng.randint(1, 3) if is_store else rng.randint(3, 6)):
                created = datetime(start.year, start.month, 1, 9, tzinfo=now.tzinfo) + timedelta(
                    days=rng.randint(0, 27), hours=rng.randint(0, 8)
                )
                if created >= now - timedelta(days=2):
                    continue
                order_id = uuid4()
                total = Decimal(0)
                promoted = rng.random() < 0.3
                for position, (sku, _, _, _, price, _) in enumerate(
                    rng.sample(PRODUCTS, rng.randint(1, 3)), 1
                ):
                    units = int(rng.randint(2, 6 if is_store else 30) * appetite[partner["id"]] * growth) + 1
                    net = (Decimal(price) * Decimal("0.72") * units).quantize(CENTS)
                    total += net
                    lines.append(
                        OrderLine(
                            order_id=order_id,
                            position=position,
                            sku=sku,
                            quantity=units,
                            shipped=units,
                            received=units,
                            net_total=net,
                            priced={
                                "sku": sku,
                                "promotion_ids": [str(uuid4())] if promoted and position == 1 else [],
                            },
                        )
                    )
                shipped_at = created + timedelta(days=rng.choice((1, 1, 2, 2, 3, 5)))
                received_at = shipped_at + timedelta(days=rng.randint(1, 3))
                orders.append(
                    Order(
                        id=order_id,
                        number=f"H-{partner['code']}-{start:%Y%m}-{n + 1}",
                        supplier_id=partner["supplier"],
                        buyer_id=partner["id"],
                        buyer_path=partner["path"],
                        # past the return window an order is closed and no longer owed against credit
                        status="closed" if received_at < now - RETURN_WINDOW else "received",
                        currency="CNY",
                        total=total,
                        line_count=position,
                        placed_by="history",
                        created_at=created,
                        updated_at=received_at,
                    )
                )
                shipments.append(
                    Shipment(
                        number=f"HS-{partner['code']}-{start:%Y%m}-{n + 1}",
                        order_id=order_id,
                        status="received",
                        shipped_at=shipped_at,
                        received_at=received_at,
                    )
                )
            if is_store:
                _reports(rng, partner, start, now, reports, report_lines)
    advance("a year of orders")
    for batch in (orders, lines, shipments, reports, report_lines):
        await _insert(batch)
    advance("sell-out and stock reports")
    await _credit_for_history(orders)
    await _targets(clock, partners, orders)
    await rollups.rebuild(clock)
    advance("targets and rollups")


async def _credit_for_history(orders: Sequence[Order]) -> None:
    """Credit limits that fit a year of trade: what the history still owes plus room for today's orders."""
    owed: dict[Any, Decimal] = {}
    for order in orders:
        if order.status == "received":
            owed[order.buyer_id] = owed.get(order.buyer_id, Decimal(0)) + order.total
    limits = (
        await Organisation.select(Organisation.id, Organisation.credit_limit).where(
            Organisation.id.is_in(list(owed)) & (Organisation.credit_limit > 0)
        )
        if owed
        else []
    )
    for row in limits:
        room = (owed[row["id"]] + Decimal(100_000)).quantize(Decimal("1E4"), rounding=ROUND_CEILING)
        if Decimal(str(row["credit_limit"])) < room:
            await Organisation.update({Organisation.credit_limit: room}).where(Organisation.id == row["id"])


async def _insert(rows: Sequence[Table]) -> None:
    for first in range(0, len(rows), 200):  # under SQLite's bound-parameter limit
        await type(rows[first]).insert(*rows[first : first + 200])


def _reports(
    rng: random.Random,
    partner: dict[str, Any],
    start: date,
    now: datetime,
    reports: list[PartnerReport],
    lines: list[PartnerReportLine],
) -> None:
    for week in range(4):
        day = start + timedelta(days=7 * week + 6)
        if day >= now.date():
            return
        for kind in ("sell_out", "stock"):
            report_id = uuid4()
            rows = [
                (sku, rng.randint(1, 5) if kind == "sell_out" else rng.randint(0, 12), price)
                for sku, _, _, _, price, _ in rng.sample(PRODUCTS, 3)
            ]
            reports.append(
                PartnerReport(
                    id=report_id,
                    organisation_id=partner["id"],
                    organisation_path=partner["path"],
                    kind=kind,
                    report_date=day,
                    source="form",
                    line_count=len(rows),
                    total_quantity=sum(q for _, q, _ in rows),
                    submitted_by="history",
                    submitted_at=datetime(day.year, day.month, day.day, 18, tzinfo=now.tzinfo),
                )
            )
            for sku, quantity, price in rows:
                lines.append(
                    PartnerReportLine(
                        report_id=report_id,
                        organisation_id=partner["id"],
                        kind=kind,
                        report_date=day,
                        sku=sku,
                        quantity=quantity,
                        amount=Decimal(price) * quantity if kind == "sell_out" else None,
                    )
                )


async def _targets(clock: Clock, partners: list[dict[str, Any]], orders: list[Order]) -> None:
    """This month's and quarter's targets: a tenth above each partner's average month so far."""
    system = await access.system_actor()
    today = clock.now().date()
    monthly: dict[Any, Decimal] = {}
    for o in orders:
        monthly[o.buyer_id] = monthly.get(o.buyer_id, Decimal(0)) + o.total / (MONTHS - 1)
    items = []
    for kind, months in ((PeriodKind.MONTH, 1), (PeriodKind.QUARTER, 3)):
        period = period_of(kind, today)
        for partner in partners:
            if partner["id"] in monthly:
                items.append(
                    schemas.TargetSet(
                        organisation_id=partner["id"],
                        period=kind,
                        period_label=period.label,
                        measure=TargetMeasure.PURCHASES,
                        value=(monthly[partner["id"]] * months * Decimal("1.1")).quantize(Decimal(1)),
                    )
                )
            if partner["kind"] == "store":
                items.append(
                    schemas.TargetSet(
                        organisation_id=partner["id"],
                        period=kind,
                        period_label=period.label,
                        measure=TargetMeasure.SELL_OUT,
                        value=Decimal(30 * months),
                    )
                )
    await targets.set_targets(system, schemas.TargetBatch(items), clock)
