"""The demo's deal registrations and leads: a queue for the channel managers, an inbox for dealers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from channel import repository as channel_repository
from channel.services import access
from channel.visibility import Actor
from core.clock import Clock
from deal_registration import schemas
from deal_registration.leads import LeadStage
from deal_registration.services import leads, registrations

# partner's e-mail, company, website, city, product lines, estimated value
REGISTRATIONS = [
    (
        "sales@huadong.example",
        "杭州湖景酒店有限公司",
        "www.lakeview-hotel.example",
        "Hangzhou",
        ["OVENS"],
        "420000",
    ),
    (
        "sales@jingjin.example",
        "北京国贸大饭店有限公司",
        "guomao-hotel.example",
        "Beijing",
        ["HOBS", "HOODS"],
        "960000",
    ),
    (
        "sales@lingnan.example",
        "Pearl River Catering Group Ltd",
        "pearl-catering.example",
        "Guangzhou",
        [],
        "150000",
    ),
    # Lingnan claims the Hangzhou hotel too, by name only: it waits for the East channel manager.
    ("sales@lingnan.example", "湖景酒店", "", "Hangzhou", ["OVENS"], "380000"),
]

# source, region, industry, company, contact, e-mail, phone, city
LEADS = [
    (
        "website",
        "EAST",
        "hotel",
        "Suzhou Garden Hotel",
        "Mr. Zhou",
        "zhou@garden-hotel.example",
        "",
        "Suzhou",
    ),
    ("trade fair", "EAST", "restaurant", "上海老正兴菜馆", "王经理", "", "021 6322 2624", "Shanghai"),
    (
        "hotline",
        "NORTH",
        "hotel",
        "Tianjin Harbour Hotel",
        "Ms. Li",
        "li@harbour-hotel.example",
        "",
        "Tianjin",
    ),
    ("website", "SOUTH", "canteen", "Shenzhen Bay Tech Park Canteen", "Mr. Huang", "", "", "Shenzhen"),
    ("website", "WEST", "hotel", "成都锦江宾馆", "", "", "", "Chengdu"),
]

STEPS = len(REGISTRATIONS) + len(LEADS)


async def person(email: str, clock: Clock) -> Actor:
    credentials = await channel_repository.find_credentials(email)
    assert credentials is not None, email
    actor = await access.actor_for_session(credentials.user_id, clock.now())
    assert actor is not None
    return actor


async def load_deals(clock: Clock, advance: Callable[[str], None]) -> None:
    for email, company, website, city, lines, value in REGISTRATIONS:
        await registrations.register(
            await person(email, clock),
            schemas.RegistrationCreate(
                customer=schemas.EndCustomer(company_name=company, website=website, city=city, country="CN"),
                product_lines=lines,
                estimated_value=Decimal(value),
            ),
            clock,
        )
        advance(company)
    manager = await person("admin@aurora.example", clock)
    made = []
    for source, region, industry, company, contact, email, phone, city in LEADS:
        made.append(
            await leads.create_lead(
                manager,
                schemas.LeadCreate(
                    source=source,
                    region=region,
                    industry=industry,
                    company_name=company,
                    contact_name=contact,
                    contact_email=email,
                    phone=phone,
                    city=city,
                    country="CN",
                ),
                clock,
            )
        )
        advance(company)
    # Huadong took the Suzhou hotel and qualified it: ready to be registered as a deal.
    huadong = await person("sales@huadong.example", clock)
    await leads.accept_lead(huadong, made[0].id, clock)
    await leads.follow_up(
        huadong,
        made[0].id,
        schemas.LeadFollowUp(note="Met the purchasing manager", stage=LeadStage.SQL),
        clock,
    )
