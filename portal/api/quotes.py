"""Quotes over JSON: create, revise, approve, send (with the customer's link)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import NotFoundError
from deal_registration.services import registrations
from portal.dependencies import CurrentActor, CurrentClock, CurrentRenderer, CurrentSettings
from portal.documents.quote_pdf import pdf_response, quote_pdf
from portal.security.signed_links import customer_link
from pricing import schemas
from pricing.services import quotes


class SentQuote(msgspec.Struct, frozen=True, kw_only=True):
    quote: schemas.Quote
    link: str  # the customer's signed link: open, download, accept or decline without an account


class QuotesController(Controller):
    path = "/quotes"
    tags = ["Quotes"]

    @get("/", operation_id="ListQuotes", summary="Quotes of my organisation and those below it")
    async def list_quotes(self, actor: CurrentActor) -> list[schemas.Quote]:
        return await quotes.list_quotes(actor)

    @post("/", operation_id="CreateQuote", summary="Quote an end customer")
    async def create_quote(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        settings: CurrentSettings,
        data: JSONBody[schemas.QuoteCreate],
    ) -> schemas.Quote:
        customer = registrations.quote_customer(
            data.customer.company, data.customer.tax_id, data.customer.email
        )
        deal = await registrations.deal_discount(actor.organisation_id, customer, clock.now())
        return await quotes.create_quote(actor, data, clock, Decimal(settings.quote_approval_percent), deal)

    @get("/{quote_id:uuid}", operation_id="GetQuote", summary="A quote with every version")
    async def get_quote(
        self, actor: CurrentActor, settings: CurrentSettings, quote_id: FromPath[UUID]
    ) -> schemas.Quote:
        return await quotes.get_quote(actor, quote_id, Decimal(settings.quote_approval_percent))

    @get(
        "/{quote_id:uuid}/pdf",
        operation_id="QuotePdf",
        summary="The quote as PDF, in the customer's language",
    )
    async def pdf(
        self,
        actor: CurrentActor,
        renderer: CurrentRenderer,
        quote_id: FromPath[UUID],
        version: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        quote = await quotes.get_quote(actor, quote_id)
        if version is not None and not any(v.version == version for v in quote.versions):
            raise NotFoundError("quote_not_found")
        return pdf_response(await quote_pdf(quote, renderer, version), quote)

    @post(
        "/{quote_id:uuid}/revisions",
        operation_id="ReviseQuote",
        summary="A new version; the old ones are kept",
    )
    async def revise(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        settings: CurrentSettings,
        quote_id: FromPath[UUID],
        data: JSONBody[schemas.QuoteRevision],
    ) -> schemas.Quote:
        return await quotes.revise_quote(
            actor, quote_id, data, clock, Decimal(settings.quote_approval_percent)
        )

    @post(
        "/{quote_id:uuid}/approval",
        operation_id="ApproveQuote",
        summary="Approve a manual discount past the threshold",
    )
    async def approve(
        self, actor: CurrentActor, clock: CurrentClock, quote_id: FromPath[UUID]
    ) -> schemas.Quote:
        return await quotes.approve_quote(actor, quote_id, clock)

    @post(
        "/{quote_id:uuid}/sending",
        operation_id="SendQuote",
        summary="Send the current version; returns the customer's link",
    )
    async def send(
        self, actor: CurrentActor, clock: CurrentClock, settings: CurrentSettings, quote_id: FromPath[UUID]
    ) -> SentQuote:
        quote = await quotes.send_quote(actor, quote_id, clock)
        return SentQuote(
            quote=quote,
            link=customer_link(
                settings.base_url, settings.secret_key, quote.id, quote.version, quote.valid_until
            ),
        )
