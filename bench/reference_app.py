"""The references of ORDER-1 and HTTP-1: a bench-only ASGI app, never mounted in the portal.

    granian --interface asgi bench.reference_app:app   (DATABASE_URL names the bench database)

``GET /hello``: Litestar's hello world (the app's framework, no session, no database).
``POST /raw/orders``: the same writes as the portal's order submission, written by hand with
asyncpg in one transaction: the API token's organisation, the buyer and its supplier locked, the
idempotency key's lock and look-up, the list prices of the lines, the supplier's next number (an
upsert), the order with its lines (one statement from arrays), the audit entry, the supplier's
notification and the stored idempotent answer. What it leaves out is the portal's own work: the
catalogue checks, the pricing engine and its promotions, the typed answer.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get, post

_pool: asyncpg.Pool | None = None


class Line(msgspec.Struct):
    sku: str
    quantity: int


class Body(msgspec.Struct):
    lines: list[Line]
    note: str = ""


async def _start() -> None:
    global _pool
    _pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=20)


async def _stop() -> None:
    if _pool is not None:
        await _pool.close()


@get("/hello", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


@post("/raw/orders")
async def raw_order(request: Request[Any, Any, Any]) -> Response[bytes]:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    key = request.headers.get("idempotency-key", "")
    raw = await request.body()
    body = msgspec.json.decode(raw, type=Body)
    now = datetime.now(UTC)
    assert _pool is not None
    async with _pool.acquire() as conn, conn.transaction():
        buyer = await conn.fetchrow(
            "SELECT t.id AS token_id, b.id, b.path, b.name, b.credit_limit, s.id AS supplier_id, s.code "
            "FROM channel_api_token t JOIN channel_organisation b ON b.id = t.organisation "
            "JOIN channel_organisation s ON s.id = b.supplier WHERE t.token_hash = $1 "
            "FOR NO KEY UPDATE OF b",
            hashlib.sha256(token.encode()).hexdigest(),
        )
        if buyer is None:
            return Response(b'{"code":"unauthorised"}', status_code=401)
        route = "POST /raw/orders"
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{buyer['id']}:{key}")
        found = await conn.fetchval(
            "SELECT response_body FROM channel_idempotency_record "
            "WHERE organisation_id = $1 AND route = $2 AND key = $3",
            buyer["id"],
            route,
            key,
        )
        if found is not None:
            return Response(found.encode(), status_code=201)
        skus = [line.sku for line in body.lines]
        prices = {
            r["sku"]: Decimal(r["unit_price_e4"]) / 10_000
            for r in await conn.fetch(
                "SELECT e.sku, e.unit_price_e4 FROM pricing_price_book_entry e "
                "JOIN pricing_price_book b ON b.id = e.book_id "
                "WHERE b.kind = 'list' AND e.sku = ANY($1::varchar[])",
                skus,
            )
        }
        totals = [(prices[line.sku] * line.quantity).quantize(Decimal("0.01")) for line in body.lines]
        sequence = await conn.fetchval(
            "INSERT INTO ordering_order_sequence (supplier_id, year, last) VALUES ($1, $2, 1) "
            "ON CONFLICT (supplier_id, year) DO UPDATE SET last = ordering_order_sequence.last + 1 "
            "RETURNING last",
            buyer["supplier_id"],
            now.year,
        )
        order_id, number = uuid4(), f"{buyer['code']}-{now.year}-{sequence:06d}"
        await conn.execute(
            "WITH placed AS (INSERT INTO ordering_order (id, number, supplier_id, buyer_id, buyer_path, "
            "status, currency, total, line_count, note, reason, placed_by, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, 'submitted', 'EUR', $6, $7, $8, '', 'bench', $9, $9) RETURNING id) "
            "INSERT INTO ordering_order_line (id, order_id, position, sku, quantity, free_quantity, "
            "net_total, priced, allocated, shipped, received) "
            "SELECT l.id, placed.id, l.position, l.sku, l.quantity, 0, l.net_total, l.priced, 0, 0, 0 "
            "FROM placed, unnest($10::uuid[], $11::int[], $12::varchar[], $13::int[], $14::numeric[], "
            "$15::json[]) AS l(id, position, sku, quantity, net_total, priced)",
            order_id,
            number,
            buyer["supplier_id"],
            buyer["id"],
            buyer["path"],
            sum(totals, Decimal(0)),
            len(body.lines),
            body.note,
            now,
            [uuid4() for _ in body.lines],
            list(range(1, len(body.lines) + 1)),
            skus,
            [line.quantity for line in body.lines],
            totals,
            [
                msgspec.json.encode(
                    {"sku": line.sku, "unit_price": str(prices[line.sku]), "net_total": str(t)}
                ).decode()
                for line, t in zip(body.lines, totals, strict=True)
            ],
        )
        await conn.execute(
            "INSERT INTO channel_audit_entry (occurred_at, actor_token_id, actor_label, organisation_id, "
            "organisation_path, action, object_type, object_id, object_label, before, after) "
            "VALUES ($1, $2, 'bench', $3, $4, 'order.submitted', 'order', $5, $6, 'null', $7)",
            now,
            buyer["token_id"],
            buyer["id"],
            buyer["path"],
            str(order_id),
            number,
            msgspec.json.encode({"status": "submitted"}).decode(),
        )
        await conn.execute(
            "INSERT INTO channel_notification (created_at, recipient_id, permission, about_path, kind, params, "
            "link) VALUES ($1, $2, 'fulfil_orders', '', 'order.submitted', $3, $4)",
            now,
            buyer["supplier_id"],
            msgspec.json.encode({"number": number, "buyer": buyer["name"]}).decode(),
            f"/orders/{order_id}",
        )
        answer = msgspec.json.encode({"id": str(order_id), "number": number, "status": "submitted"})
        await conn.execute(
            "INSERT INTO channel_idempotency_record (organisation_id, route, key, request_hash, status_code, "
            "response_body, created_at) VALUES ($1, $2, $3, $4, 201, $5, $6)",
            buyer["id"],
            route,
            key,
            hashlib.sha256(raw).hexdigest(),
            answer.decode(),
            now,
        )
    return Response(answer, status_code=201, media_type="application/json")


app = Litestar(route_handlers=[hello, raw_order], on_startup=[_start], on_shutdown=[_stop], debug=False)
