"""Price books: the manufacturer's list and tier/level books, and each distributor's own sell prices.

The manufacturer's price managers see and keep every book; a distributor sees and keeps only its
own sell-price books (what its downstream pays it), bounded by the manufacturer's price control.
Uploads replace a book's prices all at once, or not at all.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal
from uuid import UUID, uuid4

from channel import repository as channel_repository
from channel import tabular
from channel.roles import OrgKind, Permission
from channel.services.activity import record_change
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pricing import repository, schemas
from pricing.price_books import PriceControl

ENTRY_COLUMNS = ("sku", "unit_price", "min_quantity")


def _require(actor: Actor) -> None:
    if not actor.can(Permission.MANAGE_PRICES) or actor.organisation_kind is OrgKind.STORE:
        raise PermissionDeniedError()


async def _owner_visible(actor: Actor, owner_id: UUID) -> bool:
    place = await channel_repository.find_org_place(owner_id)
    return place is not None and actor.sees(place.path)


async def list_price_books(actor: Actor) -> list[schemas.PriceBookInfo]:
    """The books kept by the actor's organisation and those below it (the manufacturer: all it sees)."""
    _require(actor)
    async with read_transaction():
        return [b for b in await repository.list_price_books(None) if await _owner_visible(actor, b.owner_id)]


async def _visible(actor: Actor, book_id: UUID) -> schemas.PriceBookInfo:
    book = await repository.find_price_book(book_id)
    if book is None or not await _owner_visible(actor, book.owner_id):
        raise NotFoundError("price_book_not_found")
    return book


async def get_entries(actor: Actor, book_id: UUID) -> tuple[schemas.PriceBookInfo, list[schemas.PriceEntry]]:
    _require(actor)
    async with read_transaction():
        book = await _visible(actor, book_id)
        return book, await repository.entries_of(book_id)


async def create_price_book(
    actor: Actor, command: schemas.PriceBookCreate, clock: Clock
) -> schemas.PriceBookInfo:
    _require(actor)
    manufacturer = actor.organisation_kind is OrgKind.MANUFACTURER
    if not manufacturer and command.kind == "list":
        raise InvalidInputError.single("kind", "only_manufacturer_sets_list_price")
    book = schemas.PriceBookInfo(
        id=uuid4(),
        code=command.code,
        name=command.name,
        currency=command.currency,
        kind=command.kind,
        owner_id=actor.organisation_id,
        # A distributor's book is always what it charges its own buyers.
        seller_id=None if manufacturer else actor.organisation_id,
        buyer_ids=command.buyer_ids,
        partner_levels=[p.upper() for p in command.partner_levels],
        tiers=command.tiers,
        buyer_kinds=list(command.buyer_kinds),
        percent_off_list=command.percent_off_list,
        valid_from=command.valid_from,
        valid_to=command.valid_to,
    )
    async with write_transaction():
        if await repository.price_book_code_taken(command.code):
            raise ConflictError("price_book_code_taken", code=command.code)
        await repository.insert_price_book(book, clock.now())
        await repository.replace_entries(book.id, _unique_entries(command.entries))
        await _audit(actor, clock, "price_book.created", book, entries=len(command.entries))
    return book


def _unique_entries(entries: list[schemas.PriceEntry]) -> list[schemas.PriceEntry]:
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        key = (entry.sku, entry.min_quantity)
        if key in seen:
            raise InvalidInputError.single(
                "entries", "duplicate_price", sku=entry.sku, min_quantity=entry.min_quantity
            )
        seen.add(key)
    return entries


async def _audit(
    actor: Actor, clock: Clock, action: str, book: schemas.PriceBookInfo, **after: object
) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="price_book",
        object_id=book.id,
        object_label=f"{book.name or book.code} ({book.code})",
        organisation_id=actor.organisation_id,
        organisation_path=actor.organisation_path,
        after={"currency": book.currency, **after},
    )


async def import_entries(
    actor: Actor, book_id: UUID, content: bytes, filename: str, clock: Clock
) -> schemas.ImportResult:
    """Replace a book's prices from CSV or XLSX (sku, unit_price, min_quantity); every row or none."""
    _require(actor)
    table = tabular.read_table(content, filename, required=("sku", "unit_price"))
    problems: list[schemas.RowProblem] = []
    entries: list[schemas.PriceEntry] = []
    seen: dict[tuple[str, int], int] = {}
    for row in table.rows:
        sku = row.values.get("sku", "").strip().upper()
        try:
            unit_price = Decimal(row.values.get("unit_price", "").replace(",", ""))
            if not unit_price.is_finite() or unit_price < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(schemas.RowProblem(row=row.number, column="unit_price", code="invalid_value"))
            continue
        raw_break = row.values.get("min_quantity") or "1"
        if not raw_break.isdigit() or int(raw_break) < 1:
            problems.append(schemas.RowProblem(row=row.number, column="min_quantity", code="invalid_value"))
            continue
        key = (sku, int(raw_break))
        if key in seen:
            problems.append(
                schemas.RowProblem(
                    row=row.number, column="sku", code="duplicate_row", params={"row": seen[key]}
                )
            )
            continue
        seen[key] = row.number
        entries.append(schemas.PriceEntry(sku=sku, unit_price=unit_price, min_quantity=int(raw_break)))
    async with write_transaction():
        book = await _visible(actor, book_id)
        known = await repository.products_by_sku({sku for sku, _ in seen})
        for (sku, _), number in seen.items():
            if sku not in known:
                problems.append(
                    schemas.RowProblem(row=number, column="sku", code="unknown_sku", params={"sku": sku})
                )
        if problems:
            return schemas.ImportResult(problems=sorted(problems, key=lambda p: (p.row, p.column)))
        await repository.replace_entries(book_id, entries)
        await _audit(actor, clock, "price_book.prices_replaced", book, entries=len(entries))
    return schemas.ImportResult(created=len(entries))


async def export_entries(
    actor: Actor, book_id: UUID, file_format: Literal["csv", "xlsx"]
) -> tuple[str, bytes]:
    book, entries = await get_entries(actor, book_id)
    rows = [(e.sku, e.unit_price, e.min_quantity) for e in entries]
    if file_format == "xlsx":
        return book.code, tabular.write_xlsx(ENTRY_COLUMNS, rows, title=book.code)
    return book.code, tabular.write_csv(ENTRY_COLUMNS, rows)


async def set_price_control(
    actor: Actor, command: schemas.PriceControlSet, clock: Clock
) -> schemas.PriceControlSet:
    """The manufacturer's floor and ceiling for a SKU in a currency, for distributors' own prices."""
    if not actor.can(Permission.MANAGE_PRICES) or actor.organisation_kind is not OrgKind.MANUFACTURER:
        raise PermissionDeniedError()
    async with write_transaction():
        await repository.save_price_control(
            PriceControl(
                sku=command.sku, currency=command.currency, floor=command.floor, ceiling=command.ceiling
            )
        )
        await record_change(
            actor,
            clock,
            action="price_control.set",
            object_type="price_control",
            object_id=f"{command.sku}/{command.currency}",
            object_label=f"{command.sku} {command.currency}",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=command,
        )
    return command
