"""A distributor quotes a hotel; the manager approves the discount; the customer accepts through the link."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from core.clock import FixedClock
from tests.api.conftest import csrf_token, sign_in, unsafe_headers
from tests.builders import World
from tests.integration.pricing.pricing_world import priced_world


async def test_quote_from_form_to_approval_to_the_customer_accepting_in_german(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await priced_world(world, clock)
    await sign_in(client, "d1.sales@example.com")
    created = await client.post(
        "/d/quotes",
        data={
            "_csrf_token": await csrf_token(client),
            "company": "Hotel Seeblick GmbH",
            "contact": "Anna Berg",
            "locale": "de_DE",
            "items": "HOB 2\nHOOD 1",
            "manual_discount_percent": "12",
            "valid_days": "30",
        },
    )
    assert created.status_code == 303
    quote_url = created.headers["location"]
    quote_id = quote_url.rsplit("/", 1)[-1]
    assert "Waiting for approval" in (await client.get(quote_url)).text
    refused = await client.post(f"/api/quotes/{quote_id}/sending", headers=await unsafe_headers(client))
    assert refused.status_code == 409

    client.cookies.clear()
    await sign_in(client, "m.cm@example.com")
    assert (
        await client.post(f"/m/quotes/{quote_id}/approval", data={"_csrf_token": await csrf_token(client)})
    ).status_code == 303

    client.cookies.clear()
    await sign_in(client, "d1.sales@example.com")
    sent = await client.post(f"/api/quotes/{quote_id}/sending", headers=await unsafe_headers(client))
    assert sent.status_code == 201
    link = sent.json()["link"].removeprefix("http://127.0.0.1:8000")

    client.cookies.clear()
    page = await client.get(link)
    assert page.status_code == 200 and "Hotel Seeblick GmbH" in page.text and "3.520,00" in page.text
    # The customer reads the page in the quote's language, not only its numbers.
    assert '<html lang="de">' in page.text and "Angebot annehmen" in page.text and ">Ablehnen<" in page.text
    pdf = await client.get(link + "/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Angebot" in text and "Hotel Seeblick GmbH" in text and "3.520,00 €" in text
    answered = await client.post(
        link, data={"_csrf_token": await csrf_token(client), "answer": "accept", "name": "Anna Berg"}
    )
    assert answered.status_code == 200 and 'data-testid="quote-answer"' in answered.text
    assert "Angenommen von Anna Berg. Vielen Dank!" in answered.text
    tampered = await client.get(link[:-3] + "abc")
    assert tampered.status_code == 404

    # The accepted quote becomes the seller's order to its own supplier, in one step, once.
    client.cookies.clear()
    await sign_in(client, "d1.admin@example.com")
    ordered = await client.post(f"/d/quotes/{quote_id}/order", data={"_csrf_token": await csrf_token(client)})
    order_page = await client.get(ordered.headers["location"])
    again = await client.post(f"/api/quotes/{quote_id}/order", headers=await unsafe_headers(client))
    quote_page = await client.get(quote_url)

    assert ordered.status_code == 303 and "/d/orders/" in ordered.headers["location"]
    assert "Hotel Seeblick GmbH" in order_page.text and 'data-sku="HOB"' in order_page.text
    assert again.status_code == 409 and again.json()["code"] == "quote_already_ordered"
    assert 'data-testid="quote-order"' in quote_page.text
