"""Pricing over JSON: price a cart with its waterfall, price books, price control, promotions, what-if."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from portal.dependencies import CurrentActor, CurrentClock
from portal.downloads import SpreadsheetOperation, spreadsheet
from portal.explained import ExplainedCart, explain
from pricing import schemas
from pricing.services import price_books, pricing, promotions


class PricingController(Controller):
    path = "/pricing"
    tags = ["Pricing"]

    @post(
        "/price",
        operation_id="PriceCart",
        summary="Price a cart: every line's waterfall, and what is nearly reached",
        status_code=200,
    )
    async def price_cart(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.CartRequest]
    ) -> ExplainedCart:
        return explain(await pricing.price_cart(actor, data, clock))

    @post(
        "/what-if",
        operation_id="PromotionWhatIf",
        summary="What a draft promotion would have done to these carts",
        status_code=200,
    )
    async def what_if(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.WhatIfRequest]
    ) -> schemas.WhatIfResult:
        return await pricing.what_if(actor, data, clock)


class PriceBooksController(Controller):
    path = "/price-books"
    tags = ["Pricing"]

    @get("/", operation_id="ListPriceBooks", summary="Price books I keep")
    async def list_books(self, actor: CurrentActor) -> list[schemas.PriceBookInfo]:
        return await price_books.list_price_books(actor)

    @post(
        "/", operation_id="CreatePriceBook", summary="Add a price book (a distributor's: its own sell prices)"
    )
    async def create_book(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.PriceBookCreate]
    ) -> schemas.PriceBookInfo:
        return await price_books.create_price_book(actor, data, clock)

    @get("/{book_id:uuid}/entries", operation_id="ListPriceBookEntries", summary="A book's prices")
    async def entries(self, actor: CurrentActor, book_id: FromPath[UUID]) -> list[schemas.PriceEntry]:
        return (await price_books.get_entries(actor, book_id))[1]

    @post(
        "/{book_id:uuid}/import",
        operation_id="ImportPriceBookEntries",
        summary="Replace a book's prices from CSV or XLSX; all rows or none",
    )
    async def import_entries(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        book_id: FromPath[UUID],
        data: MultipartBody[UploadFile],
    ) -> Response[schemas.ImportResult]:
        result = await price_books.import_entries(
            actor, book_id, await data.read(), data.filename or "", clock
        )
        return Response(result, status_code=200 if result.accepted else 422)

    @get(
        "/{book_id:uuid}/export",
        operation_id="ExportPriceBookEntries",
        operation_class=SpreadsheetOperation,
        summary="A book's prices as CSV or XLSX",
    )
    async def export_entries(
        self, actor: CurrentActor, book_id: FromPath[UUID], format: FromQuery[Literal["csv", "xlsx"]] = "csv"
    ) -> Response[bytes]:
        name, content = await price_books.export_entries(actor, book_id, format)
        return spreadsheet(content, format, name)


class PriceControlsController(Controller):
    path = "/price-controls"
    tags = ["Pricing"]

    @put(
        "/",
        operation_id="SetPriceControl",
        summary="The floor and ceiling of distributors' own prices for a SKU",
    )
    async def set_control(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.PriceControlSet]
    ) -> schemas.PriceControlSet:
        return await price_books.set_price_control(actor, data, clock)


class PromotionsController(Controller):
    path = "/promotions"
    tags = ["Promotions"]

    @get(
        "/",
        operation_id="ListPromotions",
        summary="Promotions I issued (the manufacturer: every one in its scope)",
    )
    async def list_promotions(self, actor: CurrentActor) -> list[schemas.PromotionRecord]:
        return await promotions.list_promotions(actor)

    @post("/", operation_id="CreatePromotion", summary="Save a promotion as a draft, after validating it")
    async def create_promotion(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.PromotionCreate]
    ) -> schemas.PromotionRecord:
        return await promotions.create_promotion(actor, data, clock)

    @get("/{promotion_id:uuid}", operation_id="GetPromotion", summary="One promotion with its budget")
    async def get_promotion(
        self, actor: CurrentActor, promotion_id: FromPath[UUID]
    ) -> schemas.PromotionRecord:
        return await promotions.get_promotion(actor, promotion_id)

    @put(
        "/{promotion_id:uuid}/status",
        operation_id="SetPromotionStatus",
        summary="Activate or end a promotion",
    )
    async def set_status(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        promotion_id: FromPath[UUID],
        data: JSONBody[schemas.PromotionStatusChange],
    ) -> schemas.PromotionRecord:
        return await promotions.set_status(actor, promotion_id, data, clock)
