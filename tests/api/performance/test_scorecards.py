"""KPI pages and API over HTTP: the overview, a scorecard with its charts, targets, weights, exports."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook

from channel.tables import Organisation
from core.clock import FixedClock
from reports import rollups
from tests.api.conftest import csrf_token, sign_in, unsafe_headers
from tests.builders import World
from tests.integration.reports.channel import build_history

MONTH = "period=month&period_label=2026-11"


async def test_the_overview_and_a_scorecard_answer_with_figures_and_drawn_charts(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await rollups.refresh(clock)
    await sign_in(client, "m.admin@example.com")

    overview = await client.get(f"/api/performance/overview?{MONTH}")
    card = await client.get(f"/api/performance/scorecards/{world.org_id('D1A')}?{MONTH}")
    page = await client.get(f"/m/performance?{MONTH}")
    scorecard_page = await client.get(f"/m/performance/partners/{world.org_id('D1A')}?{MONTH}")

    assert overview.status_code == 200
    assert overview.json()["purchases"] == "1750.75"
    assert card.json()["score"] == "66.4"  # no targets: (100x15 + 57.1x10 + 50x5 + 50x5 + 33.3x5 + 50x5) / 45
    assert {k["kpi"]: k["value"] for k in card.json()["kpis"]}["sell_through"] == "57.1"
    assert page.status_code == 200 and page.text.count('<svg class="chart"') == 5
    assert scorecard_page.status_code == 200 and scorecard_page.text.count('<svg class="chart"') == 3
    assert "<rect" in scorecard_page.text and "<circle" in scorecard_page.text
    assert "Units sold to end customers as a share of the units the partner ordered" in scorecard_page.text
    assert "/m/orders/" in scorecard_page.text  # drill-down to the partner's orders


async def test_targets_set_through_the_api_show_on_the_store_page(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "d1a.admin@example.com")
    body = {
        "targets": [
            {
                "organisation_id": str(world.org_id("S1")),
                "period": "month",
                "period_label": "2026-11",
                "measure": "purchases",
                "value": "800",
            }
        ]
    }

    saved = await client.put("/api/performance/targets", json=body, headers=await unsafe_headers(client))
    refused = await client.put(
        "/api/performance/targets",
        json={"targets": [{**body["targets"][0], "value": "-1"}]},
        headers=await unsafe_headers(client),
    )
    client.cookies.clear()
    await sign_in(client, "s1.manager@example.com")
    store_page = await client.get(f"/s/performance?{MONTH}")

    assert saved.status_code == 200 and saved.json() == {"saved": 1, "removed": 0}
    assert refused.status_code == 422
    assert "800" in store_page.text and "Purchases (amount)" in store_page.text


async def test_the_export_neutralises_formulas_in_csv_and_xlsx(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await Organisation.update({Organisation.name: '=HYPERLINK("http://evil")'}).where(
        Organisation.id == world.org_id("D1A")
    )
    await sign_in(client, "m.admin@example.com")

    as_csv = await client.get(f"/m/performance/export?{MONTH}&format=csv")
    as_xlsx = await client.get(f"/m/performance/export?{MONTH}&format=xlsx")

    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    assert '\'=HYPERLINK("http://evil")' in [c.value for c in sheet["B"]]


async def test_weights_are_set_on_their_page_by_the_manufacturer(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "m.admin@example.com")

    saved = await client.post(
        "/m/performance/weights",
        data={
            "_csrf_token": await csrf_token(client),
            "level": "GOLD",
            "w:fill_rate": "40",
            "w:on_time_shipment": "60",
        },
    )
    listed = await client.get("/api/performance/scorecard-weights")

    assert saved.status_code == 303
    gold = next(w for w in listed.json() if w["level"] == "GOLD")
    assert gold == {"level": "GOLD", "weights": {"fill_rate": 40, "on_time_shipment": 60}, "defaults": False}


async def test_a_batch_with_one_bad_target_changes_nothing(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await sign_in(client, "m.admin@example.com")
    good = {
        "organisation_id": str(world.org_id("D1")),
        "period": "quarter",
        "period_label": "2026-Q4",
        "measure": "sell_out",
        "value": "500",
    }

    refused = await client.put(
        "/api/performance/targets",
        json={
            "targets": [good, {**good, "organisation_id": str(world.org_id("D2")), "period_label": "2026-Q9"}]
        },
        headers=await unsafe_headers(client),
    )
    sheet = await client.get("/api/performance/targets?period=quarter&period_label=2026-Q4")

    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "targets[1].period_label"
    assert all(row["targets"] == [] for row in sheet.json()["rows"])


async def test_a_category_filters_the_api_the_pages_and_both_exports(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    await build_history(world)
    await rollups.refresh(clock)
    await sign_in(client, "m.admin@example.com")
    d1a = world.org_id("D1A")

    overview = await client.get(f"/api/performance/overview?{MONTH}&category=KITCHEN")
    card = await client.get(f"/api/performance/scorecards/{d1a}?{MONTH}&category=BATH")
    unknown = await client.get(f"/api/performance/overview?{MONTH}&category=NOPE")
    page = await client.get(f"/m/performance?{MONTH}&category=HOBS")
    scorecard_page = await client.get(f"/m/performance/partners/{d1a}?{MONTH}&category=KITCHEN")
    as_csv = await client.get(f"/m/performance/export?{MONTH}&category=KITCHEN&format=csv")
    as_xlsx = await client.get(f"/m/performance/export?{MONTH}&category=BATH&format=xlsx")

    assert overview.status_code == 200
    assert (overview.json()["purchases"], overview.json()["category"]) == ("1350.75", "KITCHEN")
    assert overview.json()["category_kpis"] == [
        "purchases_growth",
        "sell_through",
        "fill_rate",
        "days_of_supply",
    ]
    assert card.json()["category"] == "BATH"
    assert card.json()["trend"][-1]["purchases"] == "400"
    assert card.json()["score"] == "66.4"  # the whole partner's score, as without the filter
    assert unknown.status_code == 422
    assert page.status_code == 200
    assert '<option value="HOBS" selected>' in page.text
    assert 'data-testid="category-note"' in page.text
    assert "Not filtered by category." in page.text  # the deal and lead funnel
    assert scorecard_page.text.count('muted">not filtered by category<') == 14  # 18 KPIs, 4 of the category
    assert scorecard_page.text.count('muted">of the category<') == 4
    assert "category=KITCHEN" in scorecard_page.text  # links keep the filter
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "category"
    d1a_row = next(r for r in rows if r[0] == "D1A")
    assert (d1a_row[5], d1a_row[-1]) == ("1350.75", "KITCHEN")
    assert "partners-2026-11-KITCHEN" in as_csv.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    d1a_cells = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "D1A")
    assert (str(d1a_cells[5]), d1a_cells[-1]) == ("400", "BATH")
