"""Market development funds on the pages: a store asks for funds with a form, the manufacturer
approves part of it, the store attaches proof and claims, the claim is approved and paid; proof
files are bounded and recognised by their content, and a sibling store never reaches them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import httpx

from core.clock import FixedClock
from incentives import mdf as mdf_rules
from incentives import schemas
from incentives.services import mdf
from tests.api.conftest import sign_in, unsafe_headers
from tests.builders import World, email_of
from tests.integration.ordering.test_statement_counts import counting

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def _budget(world: World, clock: FixedClock) -> schemas.MdfBudget:
    """The manufacturer's budget for the half-year: 1,000.00 for S1, 500.00 for its sibling S1B."""
    m = world.actors["m_admin"]
    budget = await mdf.create_budget(
        m,
        schemas.MdfBudgetCreate(
            code="MDF-H2",
            name="Second half co-marketing",
            currency="EUR",
            amount=D(5000),
            period_start=date(2026, 7, 1),
            period_end=date(2027, 1, 1),
        ),
        clock,
    )
    for code, amount in (("S1", 1000), ("S1B", 500)):
        await mdf.allocate(
            m, budget.id, schemas.MdfAllocate(partner_id=world.org_id(code), amount=D(amount)), clock
        )
    return budget


async def _as(client: httpx.AsyncClient, email: str) -> None:
    client.cookies.clear()
    assert await sign_in(client, email) == 303


async def _post(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    return await client.post(url, data=data, headers=await unsafe_headers(client), follow_redirects=False)


async def _upload(
    client: httpx.AsyncClient, url: str, name: str, content: bytes, kind: str
) -> httpx.Response:
    return await client.post(
        url,
        files={"file": (name, content, kind)},
        headers=await unsafe_headers(client),
        follow_redirects=False,
    )


async def test_a_store_asks_claims_with_proof_and_is_paid_through_the_pages(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    budget = await _budget(world, clock)
    await _as(client, email_of("s1_manager"))

    queue = await client.get("/s/incentives/mdf")
    too_much = await _post(
        client,
        "/s/incentives/mdf/requests",
        {
            "budget_id": str(budget.id),
            "activity": "event",
            "title": "Spring cooking show",
            "starts_on": "2026-12-05",
            "ends_on": "2026-12-06",
            "amount": "1200.00",
        },
    )
    untitled = await _post(
        client,
        "/s/incentives/mdf/requests",
        {
            "budget_id": str(budget.id),
            "activity": "event",
            "starts_on": "2026-12-05",
            "ends_on": "2026-12-06",
        },
    )
    asked = await _post(
        client,
        "/s/incentives/mdf/requests",
        {
            "budget_id": str(budget.id),
            "activity": "in_store_display",
            "title": "Hob display in the window",
            "plan": "Two weeks, with a demo day.",
            "starts_on": "2026-12-05",
            "ends_on": "2026-12-19",
            "amount": "900.00",
        },
    )

    assert queue.status_code == 200
    assert 'data-testid="mdf-available">€1,000.00' in queue.text
    assert (too_much.status_code, untitled.status_code, asked.status_code) == (409, 422, 303)
    assert "Your share of this budget has only €1,000.00 left." in too_much.text
    [request] = await mdf.list_requests(world.actors["s1_manager"])
    assert asked.headers["location"] == f"/s/incentives/mdf/{request.id}"
    assert (request.activity, request.requested_amount, request.status) == (
        "in_store_display",
        D("900.00"),
        "requested",
    )

    await _as(client, email_of("m_admin"))
    page = await client.get(f"/m/incentives/mdf/{request.id}")
    approved = await _post(
        client,
        f"/m/incentives/mdf/{request.id}/decision",
        {
            "step": "request",
            "decision": "approve",
            "amount": "800.00",
            "answer": "Keep it to 800.",
            "back": "detail",
        },
    )
    assert page.status_code == 200 and "Two weeks, with a demo day." in page.text
    assert approved.status_code == 303
    assert (await mdf.get_request(world.actors["m_admin"], request.id)).approved_amount == D("800.00")

    await _as(client, email_of("s1_manager"))
    early_claim = await _post(client, f"/s/incentives/mdf/{request.id}/claim", {"amount": "750.00"})
    attached = await _upload(
        client, f"/s/incentives/mdf/{request.id}/proofs", "invoice.pdf", PDF, "application/pdf"
    )
    above = await _post(client, f"/s/incentives/mdf/{request.id}/claim", {"amount": "850.00"})
    claimed = await _post(
        client, f"/s/incentives/mdf/{request.id}/claim", {"amount": "750.00", "note": "Receipts attached"}
    )
    assert (early_claim.status_code, attached.status_code, above.status_code, claimed.status_code) == (
        409,
        303,
        422,
        303,
    )
    assert "Attach at least one proof file before claiming." in early_claim.text
    assert "You can claim at most the €800.00 approved." in above.text
    [proof] = (await mdf.get_request(world.actors["s1_manager"], request.id)).proofs

    await _as(client, email_of("m_admin"))
    download = await client.get(f"/m/incentives/mdf/{request.id}/proofs/{proof.id}")
    claim_ok = await _post(
        client, f"/m/incentives/mdf/{request.id}/decision", {"step": "claim", "decision": "approve"}
    )
    paid = await _post(
        client, f"/m/incentives/mdf/{request.id}/decision", {"step": "payment", "decision": "approve"}
    )
    funnels = await client.get("/m/incentives/mdf")
    assert (download.status_code, download.content) == (200, PDF)
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="invoice.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"
    assert (claim_ok.status_code, paid.status_code) == (303, 303)
    funnel = await mdf.funnel(world.actors["m_admin"], budget.id, "region")
    assert [(r.key, r.allocated, r.requested, r.approved, r.claimed, r.paid) for r in funnel.rows] == [
        ("EAST", D(1500), D(900), D(800), D(750), D(750))
    ]
    assert 'data-testid="mdf-funnel-region"' in funnels.text
    assert "€5,000.00" in funnels.text and "€1,500.00" in funnels.text and "€750.00" in funnels.text

    await _as(client, email_of("s1_manager"))
    mine = await client.get(f"/s/incentives/mdf/{request.id}")
    assert 'data-testid="mdf-status">Paid' in mine.text
    assert 'data-testid="mdf-claimed">€750.00' in mine.text


async def _approved_request(world: World, clock: FixedClock) -> UUID:
    budget = await _budget(world, clock)
    asked = await mdf.request_funds(
        world.actors["s1_manager"],
        schemas.MdfRequestCreate(
            budget_id=budget.id,
            activity="advertising",
            title="Radio spots",
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 31),
            amount=D(400),
        ),
        clock,
    )
    await mdf.decide_request(
        world.actors["m_admin"], asked.id, schemas.MdfDecision(decision="approve"), clock
    )
    return asked.id


async def test_proof_files_are_bounded_and_recognised_by_their_content_not_their_name(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    request_id = await _approved_request(world, clock)
    await _as(client, email_of("s1_manager"))
    url = f"/s/incentives/mdf/{request_id}/proofs"

    too_big = await _upload(
        client, url, "scan.pdf", PDF + b"0" * mdf_rules.MAX_PROOF_BYTES, "application/pdf"
    )
    disguised = await _upload(
        client, url, "invoice.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    gif_as_png = await _upload(client, url, "photo.png", b"GIF89a" + b"\x00" * 64, "image/png")
    empty = await _upload(client, url, "empty.pdf", b"", "application/pdf")
    far_too_big = await _upload(client, url, "scan.pdf", PDF + b"0" * (6 * 1024 * 1024), "application/pdf")
    api_far_too_big = await client.post(
        f"/api/mdf-requests/{request_id}/proofs",
        files={"data": ("scan.pdf", PDF + b"0" * (6 * 1024 * 1024), "application/pdf")},
        headers=await unsafe_headers(client),
    )
    api_disguised = await client.post(
        f"/api/mdf-requests/{request_id}/proofs",
        files={"data": ("invoice.jpg", b"MZ\x90\x00 an executable", "image/jpeg")},
        headers=await unsafe_headers(client),
    )

    assert too_big.status_code == 422 and "larger than 4 MiB" in too_big.text
    assert (far_too_big.status_code, api_far_too_big.status_code) == (413, 413)
    assert disguised.status_code == 422 and "Only PDF, PNG and JPEG files are accepted." in disguised.text
    assert gif_as_png.status_code == 422 and empty.status_code == 422
    assert api_disguised.status_code == 422
    assert (await mdf.get_request(world.actors["s1_manager"], request_id)).proofs == []

    for index in range(mdf_rules.MAX_PROOFS):
        png = b"\x89PNG\r\n\x1a\n" + bytes([index]) * 32
        assert (
            await _upload(client, url, f"../../etc/photo{index}.png", png, "image/png")
        ).status_code == 303
    one_more = await _upload(client, url, "extra.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg")
    proofs = (await mdf.get_request(world.actors["s1_manager"], request_id)).proofs
    assert one_more.status_code == 422 and "At most 5 proof files may be attached." in one_more.text
    assert [(p.file_name, p.content_type) for p in proofs] == [
        (f"photo{index}.png", "image/png") for index in range(mdf_rules.MAX_PROOFS)
    ]


async def test_a_sibling_store_gets_404_for_another_stores_request_and_its_proof_files(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    request_id = await _approved_request(world, clock)
    await _as(client, email_of("s1_manager"))
    assert (
        await _upload(client, f"/s/incentives/mdf/{request_id}/proofs", "a.pdf", PDF, "application/pdf")
    ).status_code == 303
    [proof] = (await mdf.get_request(world.actors["s1_manager"], request_id)).proofs

    await _as(client, "target.s1b@example.com")
    page = await client.get(f"/s/incentives/mdf/{request_id}")
    file = await client.get(f"/s/incentives/mdf/{request_id}/proofs/{proof.id}")
    api_file = await client.get(f"/api/mdf-requests/{request_id}/proofs/{proof.id}")
    attach = await _upload(client, f"/s/incentives/mdf/{request_id}/proofs", "b.pdf", PDF, "application/pdf")
    queue = await client.get("/s/incentives/mdf")

    assert (page.status_code, file.status_code, api_file.status_code, attach.status_code) == (
        404,
        404,
        404,
        404,
    )
    assert "Radio spots" not in queue.text
    assert len((await mdf.get_request(world.actors["s1_manager"], request_id)).proofs) == 1


async def test_the_manufacturer_sets_up_a_budget_and_gives_partners_their_shares_through_the_page(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await _as(client, email_of("m_admin"))
    empty = await client.get("/m/incentives/mdf")
    backwards = await _post(
        client,
        "/m/incentives/mdf/budgets",
        {
            "code": "MDF-2027-Q1",
            "name": "Spring co-marketing",
            "currency": "EUR",
            "amount": "6000",
            "period_start": "2027-01-01",
            "last_day": "2026-12-01",
        },
    )
    made = await _post(
        client,
        "/m/incentives/mdf/budgets",
        {
            "code": "MDF-2027-Q1",
            "name": "Spring co-marketing",
            "currency": "eur",
            "amount": "6000",
            "period_start": "2027-01-01",
            "last_day": "2027-03-31",
        },
    )
    again = await _post(
        client,
        "/m/incentives/mdf/budgets",
        {
            "code": "MDF-2027-Q1",
            "name": "Twice",
            "currency": "EUR",
            "amount": "10",
            "period_start": "2027-01-01",
            "last_day": "2027-01-31",
        },
    )

    # The form starts as the next quarter in the manufacturer's currency; the last day is kept as
    # the day after, as every period is.
    assert 'id="b-period_start" name="period_start" type="date" value="2027-01-01"' in empty.text
    assert 'id="b-last_day" name="last_day" type="date" value="2027-03-31"' in empty.text
    assert (backwards.status_code, made.status_code, again.status_code) == (422, 303, 409)
    assert 'id="be-last_day"' in backwards.text and 'value="Spring co-marketing"' in backwards.text
    [budget] = await mdf.list_budgets(world.actors["m_admin"])
    assert made.headers["location"] == f"/m/incentives/mdf#budget-{budget.id}"
    assert (budget.code, budget.currency, budget.amount) == ("MDF-2027-Q1", "EUR", D("6000.00"))
    assert (budget.period_start, budget.period_end) == (date(2027, 1, 1), date(2027, 4, 1))
    assert "A budget with the code MDF-2027-Q1 already exists." in again.text

    url = f"/m/incentives/mdf/budgets/{budget.id}/allocations"
    shared = await _post(client, url, {"partner_id": str(world.org_id("S1")), "amount": "2500"})
    too_much = await _post(client, url, {"partner_id": str(world.org_id("S1B")), "amount": "4000"})
    after = await client.get("/m/incentives/mdf")
    assert (shared.status_code, too_much.status_code) == (303, 303)
    assert [
        (a.partner_id, a.amount) for a in await mdf.list_allocations(world.actors["m_admin"], budget.id)
    ] == [(world.org_id("S1"), D("2500.00"))]
    assert "Share saved." in after.text
    assert "The budget has only €3,500.00 left to allocate." in after.text
    assert "Not yet given: €3,500.00." in after.text
    # The budget runs to its last day, as people say it (Babel's interval puts thin spaces round the dash).
    assert "Jan 1\u2009–\u2009Mar 31, 2027" in after.text

    await _as(client, email_of("s1_manager"))
    mine = await client.get("/s/incentives/mdf")
    assert 'data-testid="mdf-available">€2,500.00' in mine.text
    assert 'data-testid="mdf-budget-form"' not in mine.text
    refused = await _post(
        client,
        "/s/incentives/mdf/budgets",
        {
            "code": "MINE",
            "name": "A store's own",
            "currency": "EUR",
            "amount": "1",
            "period_start": "2027-01-01",
            "last_day": "2027-01-31",
        },
    )
    assert refused.status_code == 403


async def _more_budgets(world: World, clock: FixedClock, first: int, last: int) -> None:
    """Budgets ``first`` to ``last - 1``, each with a share for S1 and S1B and a request from S1."""
    m = world.actors["m_admin"]
    for n in range(first, last):
        budget = await mdf.create_budget(
            m,
            schemas.MdfBudgetCreate(
                code=f"MDF-{n:03d}",
                name=f"Co-marketing {n}",
                currency="EUR",
                amount=D(1000),
                period_start=date(2026, 7, 1) + timedelta(days=n),
                period_end=date(2027, 1, 1),
            ),
            clock,
        )
        for code, amount in (("S1", 300), ("S1B", 200)):
            await mdf.allocate(
                m, budget.id, schemas.MdfAllocate(partner_id=world.org_id(code), amount=D(amount)), clock
            )
        await mdf.request_funds(
            world.actors["s1_manager"],
            schemas.MdfRequestCreate(
                budget_id=budget.id,
                activity="event",
                title=f"Cooking show {n}",
                starts_on=date(2026, 12, 5),
                ends_on=date(2026, 12, 6),
                amount=D(100),
            ),
            clock,
        )


async def test_the_mdf_page_reads_the_same_number_of_statements_whatever_the_number_of_budgets(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    counts: dict[tuple[str, int], int] = {}
    shown = 0
    for budgets in (3, 30):
        await _more_budgets(world, clock, shown, budgets)
        shown = budgets
        for who, url, testid in (
            ("m_admin", "/m/incentives/mdf", 'data-testid="mdf-budget"'),
            ("s1_manager", "/s/incentives/mdf", 'data-testid="mdf-available"'),
        ):
            await _as(client, email_of(who))
            with counting() as counter:
                page = await client.get(url)
            assert page.status_code == 200
            assert page.text.count(testid) == budgets
            counts[(who, budgets)] = counter.count

    # The owner's funnels and a partner's shares are read for all budgets at once.
    assert counts[("m_admin", 30)] == counts[("m_admin", 3)]
    assert counts[("s1_manager", 30)] == counts[("s1_manager", 3)]
