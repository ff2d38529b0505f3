"""Market development funds on a real database: budget, allocation, request, approval, claim with
proof, payment, and the funnel; refusals change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import schemas
from incentives.services import mdf
from tests.builders import World

D = Decimal
PDF = b"%PDF-1.4\n% an invoice\n"


async def _budget(world: World, clock: FixedClock) -> schemas.MdfBudget:
    return await mdf.create_budget(
        world.actors["m_admin"],
        schemas.MdfBudgetCreate(
            code="MDF-2026-H2",
            name="Second half co-marketing",
            currency="EUR",
            amount=D(10_000),
            period_start=date(2026, 7, 1),
            period_end=date(2027, 1, 1),
        ),
        clock,
    )


def _ask(
    budget: schemas.MdfBudget, amount: str, title: str = "Spring fair stand"
) -> schemas.MdfRequestCreate:
    return schemas.MdfRequestCreate(
        budget_id=budget.id,
        activity="event",
        title=title,
        plan="Two days, 20 m2 stand, product demos",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 2),
        amount=D(amount),
    )


async def test_a_request_goes_from_allocation_to_payment_and_the_funnel_shows_each_step(
    world: World, clock: FixedClock
) -> None:
    m, d1 = world.actors["m_admin"], world.actors["d1_admin"]
    budget = await _budget(world, clock)
    await mdf.allocate(
        m, budget.id, schemas.MdfAllocate(partner_id=world.org_id("D1"), amount=D(6000)), clock
    )
    await mdf.allocate(
        m, budget.id, schemas.MdfAllocate(partner_id=world.org_id("D2"), amount=D(3000)), clock
    )
    with pytest.raises(ConflictError) as over:
        await mdf.allocate(
            m, budget.id, schemas.MdfAllocate(partner_id=world.org_id("D2A"), amount=D(1001)), clock
        )
    assert over.value.params == {"available": "1000.00", "currency": "EUR"}

    asked = await mdf.request_funds(d1, _ask(budget, "4000"), clock)
    with pytest.raises(ConflictError) as too_much:
        await mdf.request_funds(d1, _ask(budget, "2000.01", "Radio spots"), clock)
    assert (too_much.value.code, too_much.value.params) == (
        "allocation_exceeded",
        {"available": "2000.00", "currency": "EUR"},
    )
    approved = await mdf.decide_request(
        m, asked.id, schemas.MdfDecision(decision="approve", amount=D(3500)), clock
    )
    assert (approved.status, approved.approved_amount) == ("approved", D("3500.00"))
    with pytest.raises(ConflictError):
        await mdf.claim(d1, asked.id, schemas.MdfClaim(amount=D(3400)), clock)  # no proof yet
    with pytest.raises(InvalidInputError) as renamed:
        await mdf.add_proof(d1, asked.id, "invoice.pdf", b"MZ\x90\x00 not a pdf", clock)
    assert renamed.value.problems[0].code == "unsupported_file_type"
    await mdf.add_proof(d1, asked.id, "C:\\scans\\invoice.pdf", PDF, clock)
    claimed = await mdf.claim(
        d1, asked.id, schemas.MdfClaim(amount=D(3400), note="stand and leaflets"), clock
    )
    assert (claimed.status, claimed.claimed_amount, [p.file_name for p in claimed.proofs]) == (
        "claimed",
        D("3400.00"),
        ["invoice.pdf"],
    )
    await mdf.decide_claim(m, asked.id, schemas.MdfDecision(decision="approve"), clock)
    paid = await mdf.mark_paid(m, asked.id, clock)
    assert paid.status == "paid"
    assert await mdf.get_proof(d1, asked.id, paid.proofs[0].id) == ("invoice.pdf", "application/pdf", PDF)

    funnel = await mdf.funnel(m, budget.id, "partner")
    assert [(r.label, r.allocated, r.requested, r.approved, r.claimed, r.paid) for r in funnel.rows] == [
        ("D1 Trading", D("6000.00"), D("4000.00"), D("3500.00"), D("3400.00"), D("3400.00")),
        ("D2 Trading", D("3000.00"), D(0), D(0), D(0), D(0)),
    ]
    regions = await mdf.funnel(m, budget.id, "region")
    assert [(r.key, r.label, r.allocated) for r in regions.rows] == [
        ("EAST", "East", D("6000.00")),
        ("WEST", "West", D("3000.00")),
    ]


async def test_partners_see_their_own_requests_and_only_the_owner_decides(
    world: World, clock: FixedClock
) -> None:
    m = world.actors["m_admin"]
    budget = await _budget(world, clock)
    await mdf.allocate(
        m, budget.id, schemas.MdfAllocate(partner_id=world.org_id("D1"), amount=D(1000)), clock
    )
    asked = await mdf.request_funds(world.actors["d1_admin"], _ask(budget, "800"), clock)

    with pytest.raises(NotFoundError):
        await mdf.get_request(world.actors["d2_admin"], asked.id)
    with pytest.raises(PermissionDeniedError):
        await mdf.decide_request(
            world.actors["d1_admin"], asked.id, schemas.MdfDecision(decision="approve"), clock
        )
    with pytest.raises(
        NotFoundError
    ):  # D2 has no allocation in the manufacturer's budget: it does not see it
        await mdf.request_funds(world.actors["d2_admin"], _ask(budget, "10"), clock)
    assert [r.title for r in await mdf.list_requests(world.actors["d1a_admin"])] == []
    assert [r.title for r in await mdf.list_requests(m, status="requested")] == ["Spring fair stand"]
    rejected = await mdf.decide_request(
        m, asked.id, schemas.MdfDecision(decision="reject", answer="Too late"), clock
    )
    assert (rejected.status, rejected.answer) == ("rejected", "Too late")
    with pytest.raises(ConflictError):
        await mdf.decide_request(m, asked.id, schemas.MdfDecision(decision="approve"), clock)
