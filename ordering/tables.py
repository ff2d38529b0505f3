"""Persistence of orders, stock and shipments."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import JSON, UUID, BigSerial, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from ordering.orders import OrderStatus


class Order(Table, tablename="ordering_order"):
    """A buyer's order to its supplier (its parent in the channel)."""

    id = UUID(primary_key=True, default=UUID4())
    number = Varchar(length=40, unique=True)
    supplier_id = UUID(index=True)
    buyer_id = UUID(index=True)
    buyer_path = Varchar(length=400, index_method=IndexMethod.btree)  # who sees it: the buyer's upstream
    status = Varchar(length=20, choices=OrderStatus, default=OrderStatus.SUBMITTED.value, index=True)
    currency = Varchar(length=3)
    total = Numeric(digits=(14, 2), default=Decimal(0))  # the lines' total
    fund_amount = Numeric(digits=(14, 2), default=Decimal(0))  # of the total, paid from the rebate fund
    line_count = Integer(default=0)
    note = Text(default="")
    reason = Text(default="")  # why it was rejected or cancelled
    placed_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class OrderLine(Table, tablename="ordering_order_line"):
    """One product of an order with its priced snapshot: later price changes never rewrite it."""

    id = UUID(primary_key=True, default=UUID4())
    order_id = UUID(index=True)
    position = Integer()
    sku = Varchar(length=64, index=True)
    quantity = Integer()
    free_quantity = Integer(default=0)  # of ``quantity``, given by a promotion
    net_total = Numeric(digits=(14, 2))
    priced = JSON(default={})  # the line's waterfall as priced at submission
    allocated = Integer(default=0)  # reserved and not yet shipped
    shipped = Integer(default=0)
    received = Integer(default=0)


class OrderSequence(Table, tablename="ordering_order_sequence"):
    """The last order number a supplier gave in a year."""

    id = BigSerial(primary_key=True)
    supplier_id = UUID(index=True)
    year = Integer()
    last = Integer(default=0)


class StockLevel(Table, tablename="ordering_stock_level"):
    """An organisation's stock of one product; always the sum of its movements."""

    id = BigSerial(primary_key=True)
    organisation_id = UUID(index=True)
    sku = Varchar(length=64)
    on_hand = Integer(default=0)
    reserved = Integer(default=0)
    in_transit = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class StockMovement(Table, tablename="ordering_stock_movement"):
    """The stock ledger: rows are only ever inserted."""

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    organisation_id = UUID(index=True)
    sku = Varchar(length=64)
    kind = Varchar(length=20)
    quantity = Integer()
    on_hand = Integer(default=0)  # the movement's effect on each level
    reserved = Integer(default=0)
    in_transit = Integer(default=0)
    order_id = UUID(null=True, default=None)
    shipment_id = UUID(null=True, default=None)
    reason = Text(default="")
    actor_label = Varchar(length=254, default="")


class Shipment(Table, tablename="ordering_shipment"):
    id = UUID(primary_key=True, default=UUID4())
    number = Varchar(length=48, unique=True)
    order_id = UUID(index=True)
    status = Varchar(length=12, default="shipped")  # shipped | received
    carrier = Varchar(length=80, default="")
    tracking = Varchar(length=80, default="")
    packages = Integer(default=1)
    shipped_by = Varchar(length=254, default="")
    shipped_at = Timestamptz(default=TimestamptzNow())
    received_by = Varchar(length=254, default="")
    received_at = Timestamptz(null=True, default=None)
    discrepancy = Text(default="")  # what the buyer said was short or damaged
    # Drop-shipping: the supplier of an upstream order ships straight to the buyer of a downstream
    # order it fills. The upstream shipment names who it goes to; each of the pair names the other.
    deliver_to_id = UUID(null=True, default=None)
    paired_shipment_id = UUID(null=True, default=None)


class ShipmentLine(Table, tablename="ordering_shipment_line"):
    id = BigSerial(primary_key=True)
    shipment_id = UUID(index=True)
    order_line_id = UUID()
    sku = Varchar(length=64)
    quantity = Integer()
    received = Integer(default=0)
    damaged = Integer(default=0)


class OrderLink(Table, tablename="ordering_order_link"):
    """A downstream line forwarded upstream: which order of the distributor's own is to fill it."""

    id = BigSerial(primary_key=True)
    upstream_order_id = UUID(index=True)
    downstream_order_id = UUID(index=True)
    downstream_line_id = UUID(index=True)
    sku = Varchar(length=64)
    quantity = Integer()


class OrderReturn(Table, tablename="ordering_order_return"):
    """The buyer asks to send back units it received; the supplier approves or refuses."""

    id = UUID(primary_key=True, default=UUID4())
    order_id = UUID(index=True)
    order_line_id = UUID()
    sku = Varchar(length=64)
    quantity = Integer()
    reason = Text(default="")
    status = Varchar(length=12, default="requested")  # requested | approved | refused
    requested_by = Varchar(length=254, default="")
    requested_at = Timestamptz(default=TimestamptzNow())
    decided_by = Varchar(length=254, default="")
    decided_at = Timestamptz(null=True, default=None)
    answer = Text(default="")
