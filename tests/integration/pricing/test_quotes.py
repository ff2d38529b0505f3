"""Quotes: priced at the seller's own prices, revised in versions, approved past the threshold, answered once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, NotFoundError, PermissionDeniedError
from pricing import schemas
from pricing.services import quotes
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


def _quote(manual: str | None = None, **extra: object) -> schemas.QuoteCreate:
    return schemas.QuoteCreate(
        customer=schemas.QuoteCustomer(company="Lakeview Hotel GmbH", contact="Anna Berg", locale="de_DE"),
        lines=[
            schemas.CartLineRequest(sku="HOB", quantity=2),
            schemas.CartLineRequest(sku="HOOD", quantity=1),
        ],
        manual_discount_percent=Decimal(manual) if manual else None,
        **extra,  # type: ignore[arg-type]
    )


async def test_a_quote_is_priced_at_list_with_the_manual_discount_and_numbered(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)

    quote = await quotes.create_quote(world.actors["d1_sales"], _quote("5"), clock)

    assert quote.number == "Q-2026-000001" and quote.status == "draft"
    assert quote.total == Decimal("3800.00")  # 4,000.00 at list, 5% off
    assert quote.valid_until == clock.now() + timedelta(days=30)


async def test_a_discount_past_the_threshold_waits_for_a_channel_manager(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    quote = await quotes.create_quote(world.actors["d1_sales"], _quote("15"), clock)

    with pytest.raises(ConflictError):
        await quotes.send_quote(world.actors["d1_sales"], quote.id, clock)
    with pytest.raises(PermissionDeniedError):  # a distributor does not approve quotes
        await quotes.approve_quote(world.actors["d1_admin"], quote.id, clock)
    approved = await quotes.approve_quote(world.actors["m_cm"], quote.id, clock)
    sent = await quotes.send_quote(world.actors["d1_sales"], quote.id, clock)

    assert (approved.status, approved.decided_by, sent.status) == ("approved", "m.cm@example.com", "sent")


async def test_revising_keeps_the_earlier_version_and_the_customer_answers_the_sent_one_only(
    world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    quote = await quotes.create_quote(world.actors["d1_sales"], _quote(), clock)
    await quotes.send_quote(world.actors["d1_sales"], quote.id, clock)
    revised = await quotes.revise_quote(
        world.actors["d1_sales"],
        quote.id,
        schemas.QuoteRevision(
            lines=[schemas.CartLineRequest(sku="HOB", quantity=3)], note="Third hob for the staff kitchen"
        ),
        clock,
    )

    assert [v.priced.total for v in revised.versions] == [Decimal("4000.00"), Decimal("3000.00")]
    with pytest.raises(NotFoundError):  # version 2 has not been sent
        await quotes.quote_for_customer(quote.id, 2)
    await quotes.send_quote(world.actors["d1_sales"], quote.id, clock)
    with pytest.raises(NotFoundError):  # the old link no longer answers
        await quotes.answer_quote(quote.id, 1, schemas.QuoteDecision(accept=True, name="Anna Berg"), clock)
    accepted = await quotes.answer_quote(
        quote.id, 2, schemas.QuoteDecision(accept=True, name="Anna Berg"), clock
    )
    assert (accepted.status, accepted.decided_by) == ("accepted", "Anna Berg")
    with pytest.raises(ConflictError):
        await quotes.answer_quote(
            quote.id, 2, schemas.QuoteDecision(accept=False, name="Someone else"), clock
        )


async def test_an_expired_quote_cannot_be_accepted(world: World, clock: FixedClock) -> None:
    await priced_world(world, clock)
    quote = await quotes.create_quote(world.actors["d1_sales"], _quote(valid_days=7), clock)
    await quotes.send_quote(world.actors["d1_sales"], quote.id, clock)
    clock.advance(timedelta(days=8))

    with pytest.raises(ConflictError) as refused:
        await quotes.answer_quote(quote.id, 1, schemas.QuoteDecision(accept=True, name="Anna"), clock)
    assert refused.value.code == "quote_expired"


async def test_quotes_are_private_to_the_seller_and_those_above_it(world: World, clock: FixedClock) -> None:
    await priced_world(world, clock)
    quote = await quotes.create_quote(world.actors["d1a_admin"], _quote(), clock)

    assert [q.number for q in await quotes.list_quotes(world.actors["d1_admin"])] == [quote.number]
    assert await quotes.list_quotes(world.actors["d2_admin"]) == []
    with pytest.raises(NotFoundError):
        await quotes.get_quote(world.actors["d2_admin"], quote.id)
    with pytest.raises(PermissionDeniedError):
        await quotes.create_quote(world.actors["s1_manager"], _quote(), clock)


async def test_quotes_made_at_once_each_get_their_own_number(world: World, clock: FixedClock) -> None:
    import asyncio

    await priced_world(world, clock)

    made = await asyncio.gather(
        *(quotes.create_quote(world.actors["d1_sales"], _quote(), clock) for _ in range(8))
    )

    assert sorted(q.number for q in made) == [f"Q-2026-{n:06d}" for n in range(1, 9)]
