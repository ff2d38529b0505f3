"""Price book pages: the manufacturer's list and tier books with price control; a distributor's own
sell prices. Prices are replaced by uploading a spreadsheet (all rows or none) and downloaded as one."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import OrgKind, Permission
from channel.visibility import Actor
from core.errors import ConflictError, InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.downloads import spreadsheet
from portal.forms import refusal_errors, validation_errors
from portal.i18n import gettext
from portal.messages import message
from portal.pages.rendering import back_to, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from pricing import schemas
from pricing.services import price_books

# How many of a book's prices the page lists; the download has all of them.
SHOWN_ENTRIES = 500


def _codes(form: FormMultiDict, name: str) -> list[str]:
    return [p.strip().upper() for p in str(form.get(name, "")).replace(";", ",").split(",") if p.strip()]


def _book_data(actor: Actor, form: FormMultiDict) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": str(form.get("code", "")).strip().upper(),
        "name": str(form.get("name", "")).strip(),
        "currency": str(form.get("currency", "")).strip(),
        "partner_levels": _codes(form, "partner_levels"),
        "tiers": [int(t) for t in _codes(form, "tiers") if t.isdigit()],
        "buyer_kinds": [k for k in form.getall("buyer_kinds", []) if k in ("distributor", "store")],
    }
    if actor.organisation_kind is OrgKind.MANUFACTURER and form.get("kind") == "list":
        data["kind"] = "list"
    if str(form.get("percent_off_list", "")).strip():
        data["percent_off_list"] = str(form.get("percent_off_list")).strip()
    for field in ("valid_from", "valid_to"):  # a date field: from the start of that day, UTC
        day = str(form.get(field, "")).strip()
        if day:
            data[field] = f"{day}T00:00:00Z" if len(day) == 10 else day
    return data


class PriceBookPages(Controller):
    path = "/price-books"
    guards = [requires_permission(Permission.MANAGE_PRICES)]

    async def _list(
        self, actor: Actor, portal: Portal, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        return page(
            "shared/price_books/list.html.jinja",
            actor=actor,
            portal=portal,
            books=await price_books.list_price_books(actor),
            values=values,
            errors=errors,
            status=status,
        )

    @get("/", name="price_books")
    async def list_books(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._list(actor, portal, {"currency": "CNY"}, {})

    @post("/")
    async def create_book(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        values = dict(form.items())
        try:
            command = msgspec.convert(_book_data(actor, form), schemas.PriceBookCreate, strict=False)
            book = await price_books.create_price_book(actor, command, clock)
        except msgspec.ValidationError as refused:
            return await self._list(actor, portal, values, validation_errors(refused), status=422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._list(actor, portal, values, refusal_errors(refused), status=422)
        flash(request, gettext("Price book {code} was added.").format(code=book.code), category="success")
        return back_to(portal.url(f"/price-books/{book.id}"))

    async def _detail(
        self,
        actor: Actor,
        portal: Portal,
        book_id: UUID,
        result: schemas.ImportResult | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        book, entries = await price_books.get_entries(actor, book_id)
        return page(
            "shared/price_books/detail.html.jinja",
            actor=actor,
            portal=portal,
            book=book,
            entries=entries[:SHOWN_ENTRIES],
            total_entries=len(entries),
            result=result,
            errors=errors or {},
            status=status,
        )

    @get("/{book_id:uuid}")
    async def detail(self, actor: CurrentActor, portal: CurrentPortal, book_id: FromPath[UUID]) -> Template:
        return await self._detail(actor, portal, book_id)

    @post("/{book_id:uuid}/import")
    async def import_entries(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        book_id: FromPath[UUID],
    ) -> Template:
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            return await self._detail(
                actor, portal, book_id, errors={"file": message("required")}, status=422
            )
        try:
            result = await price_books.import_entries(
                actor, book_id, await upload.read(), upload.filename or "", clock
            )
        except InvalidInputError as refused:
            return await self._detail(actor, portal, book_id, errors=refusal_errors(refused), status=422)
        return await self._detail(
            actor, portal, book_id, result=result, status=200 if result.accepted else 422
        )

    @get("/{book_id:uuid}/export")
    async def export_entries(
        self, actor: CurrentActor, book_id: FromPath[UUID], format: FromQuery[Literal["csv", "xlsx"]] = "xlsx"
    ) -> Response[bytes]:
        name, content = await price_books.export_entries(actor, book_id, format)
        return spreadsheet(content, format, name)

    @post("/controls")
    async def set_price_control(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Redirect:
        """The manufacturer's floor and ceiling for distributors' own prices of a SKU."""
        form = await request.form()
        data = {k: str(form.get(k, "")).strip() for k in ("sku", "currency", "floor", "ceiling")}
        try:
            command = msgspec.convert(
                {k: v for k, v in data.items() if v}, schemas.PriceControlSet, strict=False
            )
            await price_books.set_price_control(actor, command, clock)
        except msgspec.ValidationError as refused:
            flash(request, " ".join(validation_errors(refused).values()), category="error")
            return back_to(portal.url("/price-books"))
        flash(
            request,
            gettext("The price control for {sku} was saved.").format(sku=command.sku),
            category="success",
        )
        return back_to(portal.url("/price-books"))
