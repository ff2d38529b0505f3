"""Channel inventory: every visible partner's stock by product, ledger beside report, with days of
supply, age and alerts; and the manufacturer's thresholds that drive the alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Literal

from channel import tabular
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.services.partners import visible_place
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from reports import inventory, repository, schemas
from reports.inventory import AGEING_LOOKBACK_DAYS, RATE_WINDOW_DAYS, Receipt, StockHealth, Thresholds

DEFAULT_THRESHOLD_SKU = "*"


def _require_viewer(actor: Actor) -> None:
    if not actor.can(Permission.VIEW_ORDERS):
        raise PermissionDeniedError()


def _require_configurer(actor: Actor) -> None:
    if actor.organisation_kind is not OrgKind.MANUFACTURER or not actor.can(Permission.CONFIGURE_CHANNEL):
        raise PermissionDeniedError()


async def channel_inventory(
    actor: Actor, filters: schemas.InventoryFilter, clock: Clock
) -> schemas.Inventory:
    """Stock at every tier the actor sees: one row per partner and product that has stock or sells."""
    _require_viewer(actor)
    now = clock.now()
    today = now.date()
    window_start = today - timedelta(days=RATE_WINDOW_DAYS - 1)
    async with read_transaction():
        under = (
            (await visible_place(actor, filters.organisation_id)).path if filters.organisation_id else None
        )
        category_path = None
        if filters.category:
            category_path = await repository.find_category_path(filters.category)
            if category_path is None:
                return schemas.Inventory(as_of=today, window_days=RATE_WINDOW_DAYS, rows=[], products=[])
        orgs = await repository.organisations_in(actor.scope, filters, under)
        products = await repository.products_for_inventory(category_path, filters.sku)
        ids = [o["id"] for o in orgs]
        ledger = await repository.ledger_levels(ids)
        reported = await repository.reported_levels(ids)
        sold = await repository.sold(ids, window_start, today)
        midnight = datetime.combine(window_start, time(), tzinfo=now.tzinfo)
        shipped = await repository.shipped(ids, midnight, now)
        received = await repository.receipts(ids, now - timedelta(days=AGEING_LOOKBACK_DAYS))
        thresholds = {t.sku: Thresholds(t.low_days, t.high_days) for t in await repository.list_thresholds()}
    default = thresholds.get(DEFAULT_THRESHOLD_SKU, Thresholds())
    reports_sell_out = {org for org, _ in sold}
    report_day = {org: day for (org, _), (_, day) in reported.items()}
    skus_of: dict[object, set[str]] = {}
    for source in (ledger, reported, sold, shipped):
        for org, sku in source:
            skus_of.setdefault(org, set()).add(sku)
    rows: list[schemas.InventoryRow] = []
    for place in orgs:
        org_id = place["id"]
        for sku in sorted(skus_of.get(org_id, set())):
            product = products.get(sku)
            if product is None:
                continue
            ledger_on_hand = ledger.get((org_id, sku))
            reported_on_hand = reported[(org_id, sku)][0] if (org_id, sku) in reported else None
            if reported_on_hand is None and org_id in report_day:
                reported_on_hand = 0  # a stock report is the whole stock: a product left out is none
            on_hand = inventory.effective_on_hand(ledger_on_hand, reported_on_hand)
            units = (sold if org_id in reports_sell_out else shipped).get((org_id, sku), 0)
            gap = inventory.discrepancy(ledger_on_hand, reported_on_hand)
            if on_hand <= 0 and units <= 0 and not gap:
                continue
            supply = inventory.days_of_supply(on_hand, units)
            age = inventory.age_of(
                on_hand, [Receipt(at, q) for at, q in received.get((org_id, sku), [])], today
            )
            row = schemas.InventoryRow(
                organisation_id=org_id,
                organisation_code=place["code"],
                organisation_name=place["name"],
                organisation_kind=place["kind"],
                depth=place["depth"],
                region=place["region"],
                sku=sku,
                product_name=product["names"],
                category_path=product["category_path"],
                ledger_on_hand=ledger_on_hand,
                reported_on_hand=reported_on_hand,
                reported_on=report_day.get(org_id),
                discrepancy=gap,
                on_hand=on_hand,
                sold_in_window=units,
                daily_rate=inventory.daily_rate(units),
                days_of_supply=supply,
                average_age_days=age.average_days,
                oldest_age_days=age.oldest_days,
                health=inventory.health(on_hand, supply, thresholds.get(sku, default)),
            )
            if filters.health is None or row.health is filters.health:
                rows.append(row)
    return schemas.Inventory(
        as_of=today,
        window_days=RATE_WINDOW_DAYS,
        rows=rows[: filters.limit],
        products=_product_totals(rows),
        truncated=len(rows) > filters.limit,
    )


def _product_totals(rows: Sequence[schemas.InventoryRow]) -> list[schemas.ProductTotal]:
    grouped: dict[str, list[schemas.InventoryRow]] = {}
    for row in rows:
        grouped.setdefault(row.sku, []).append(row)
    totals = []
    for sku in sorted(grouped):
        members = grouped[sku]
        by_depth: dict[int, int] = {}
        by_kind: dict[str, int] = {}
        for row in members:
            by_depth[row.depth] = by_depth.get(row.depth, 0) + row.on_hand
            by_kind[row.organisation_kind] = by_kind.get(row.organisation_kind, 0) + row.on_hand
        on_hand = sum(r.on_hand for r in members)
        units = sum(r.sold_in_window for r in members)
        totals.append(
            schemas.ProductTotal(
                sku=sku,
                product_name=members[0].product_name,
                by_depth=dict(sorted(by_depth.items())),
                by_kind=by_kind,
                on_hand=on_hand,
                sold_in_window=units,
                days_of_supply=inventory.days_of_supply(on_hand, units),
                alerts=sum(
                    1 for r in members if r.health in (StockHealth.OUT, StockHealth.LOW, StockHealth.OVER)
                ),
            )
        )
    return totals


EXPORT_COLUMNS = (
    "partner_code",
    "partner_name",
    "kind",
    "tier",
    "region",
    "sku",
    "ledger_on_hand",
    "reported_on_hand",
    "reported_on",
    "discrepancy",
    "on_hand",
    "sold_last_28_days",
    "daily_rate",
    "days_of_supply",
    "average_age_days",
    "oldest_age_days",
    "health",
)


async def export_inventory(
    actor: Actor, filters: schemas.InventoryFilter, clock: Clock, file_format: Literal["csv", "xlsx"]
) -> bytes:
    """The inventory as a spreadsheet; text cells are neutralised against formulas."""
    found = await channel_inventory(actor, filters, clock)
    rows = [
        (
            r.organisation_code,
            r.organisation_name,
            r.organisation_kind,
            r.depth,
            r.region or "",
            r.sku,
            r.ledger_on_hand,
            r.reported_on_hand,
            r.reported_on,
            r.discrepancy,
            r.on_hand,
            r.sold_in_window,
            r.daily_rate,
            r.days_of_supply,
            r.average_age_days,
            r.oldest_age_days,
            r.health.value,
        )
        for r in found.rows
    ]
    if file_format == "xlsx":
        return tabular.write_xlsx(EXPORT_COLUMNS, rows, title="Inventory")
    return tabular.write_csv(EXPORT_COLUMNS, rows)


# --- settings: thresholds and the reporting schedule ---------------------------------------------


async def report_settings(actor: Actor) -> schemas.ReportSettings:
    _require_configurer(actor)
    async with read_transaction():
        return schemas.ReportSettings(
            schedule=await repository.find_schedule(), thresholds=await repository.list_thresholds()
        )


async def set_threshold(actor: Actor, threshold: schemas.Threshold, clock: Clock) -> schemas.Threshold:
    _require_configurer(actor)
    sku = threshold.sku.strip().upper()
    threshold = schemas.Threshold(sku=sku, low_days=threshold.low_days, high_days=threshold.high_days)
    async with write_transaction():
        if sku != DEFAULT_THRESHOLD_SKU:
            status = (await repository.catalogue_statuses()).get(sku)
            if status is None:
                raise InvalidInputError.single("sku", "unknown_sku", sku=sku)
        await repository.save_threshold(threshold, actor.label, clock.now())
        await record_change(
            actor,
            clock,
            action="stock_threshold.saved",
            object_type="stock_threshold",
            object_id=sku,
            object_label=sku,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=threshold,
        )
    return threshold


async def delete_threshold(actor: Actor, sku: str, clock: Clock) -> None:
    _require_configurer(actor)
    async with write_transaction():
        if not await repository.delete_threshold(sku.strip().upper()):
            raise NotFoundError("threshold_not_found")
        await record_change(
            actor,
            clock,
            action="stock_threshold.deleted",
            object_type="stock_threshold",
            object_id=sku,
            object_label=sku,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
        )


async def set_schedule(actor: Actor, schedule: schemas.Schedule, clock: Clock) -> schemas.Schedule:
    _require_configurer(actor)
    async with write_transaction():
        before = await repository.find_schedule()
        await repository.save_schedule(schedule, actor.label, clock.now())
        await record_change(
            actor,
            clock,
            action="report_schedule.saved",
            object_type="report_schedule",
            object_id="schedule",
            object_label="stock report schedule",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            before=before,
            after=schedule,
        )
    return schedule
