"""Every route x every actor x every organisation of the test channel, against the matrix file.

The matrix (docs/security/authorization.toml) says what each request must answer; this module
builds the channel once, makes a fresh object in the target organisation for each case, sends the
request as the actor, and reports every difference at once. Lists, pages, exports and PDFs marked
``scan`` must not name any organisation the actor does not see; a PDF is read through its text (its
content streams are compressed), and ``scan_queries`` asks a route again in its other formats.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from pypdf import PdfReader

from channel import repository, schemas
from channel.roles import ROLES_BY_KIND, Role
from channel.services import access, partners, people
from channel.services.people import token_hash
from core.clock import FixedClock
from deal_registration import repository as lead_repository
from deal_registration import schemas as lead_schemas
from deal_registration.services import leads
from incentives import rebates
from incentives import repository as incentive_repository
from incentives.repository import commissions as commission_repository
from incentives.repository import mdf as mdf_repository
from ordering import repository as order_repository
from ordering.stock import MovementKind
from portal.app import create_app
from pricing import repository as pricing_repository
from pricing import schemas as pricing_schemas
from pricing.configuration import BundleDefinition, OptionGroup
from pricing.model import PricedCart
from pricing.promotions import PercentOff, Promotion
from pricing.services import catalogue, price_books
from reports import repository as report_repository
from reports import schemas as report_schemas
from reports.ingestion import ReportLine
from reports.reporting import ReportKind
from tests.access.matrix import SUPPLIERS, ActorSpec, RouteSpec, actors_for, load_matrix
from tests.api.conftest import CSRF_COOKIE, serve, settings_for_tests, sign_in
from tests.builders import ACTORS, World, build_world, email_of
from tests.conftest import reset_database

MATRIX = load_matrix()
_UPLOAD = "sku,name_en,category\n{unique},Uploaded product,MATRIX\n"
_counter = itertools.count()


@dataclass
class Harness:
    world: World
    client: httpx.AsyncClient
    jars: dict[str, Any]
    tokens: dict[str, str]
    clock: FixedClock


@pytest.fixture(scope="module")
async def harness(migrated: None) -> AsyncIterator[Harness]:
    await reset_database()
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    world = await build_world(clock)
    await catalogue.create_category(
        world.system, pricing_schemas.CategoryCreate(code="MATRIX", names={"en": "Matrix"}), clock
    )
    await catalogue.create_product(
        world.system,
        pricing_schemas.ProductCreate(sku="MATRIX-SKU", names={"en": "Matrix product"}, category="MATRIX"),
        clock,
    )
    await price_books.create_price_book(
        world.system,
        pricing_schemas.PriceBookCreate(
            code="MATRIX-LIST",
            currency="EUR",
            kind="list",
            entries=[pricing_schemas.PriceEntry(sku="MATRIX-SKU", unit_price=Decimal("10"))],
        ),
        clock,
    )
    app = create_app(settings_for_tests(), clock)
    async with serve(app) as client:
        jars: dict[str, Any] = {}
        tokens: dict[str, str] = {}
        for name, spec in MATRIX.actors.items():
            if spec.token:
                admin = next(
                    a for n, a in world.actors.items() if ACTORS[n][0] == spec.organisation and _is_admin(a)
                )
                issued = await access.create_api_token(
                    admin, schemas.ApiTokenCreate(name=name, roles=[Role(r) for r in spec.roles]), clock
                )
                tokens[name] = issued.token
            else:
                client.cookies.clear()
                assert await sign_in(client, email_of(name)) == 303, name
                jars[name] = httpx.Cookies(client.cookies)
        yield Harness(world=world, client=client, jars=jars, tokens=tokens, clock=clock)
    await reset_database()


def _is_admin(actor: Any) -> bool:
    return bool({Role.MANUFACTURER_ADMIN, Role.DISTRIBUTOR_ADMIN, Role.STORE_MANAGER} & actor.roles)


def test_the_matrix_describes_the_channel_the_tests_build() -> None:
    for name, spec in MATRIX.actors.items():
        if not spec.token:
            organisation, roles = ACTORS[name]
            assert (spec.organisation, spec.roles) == (organisation, tuple(r.value for r in roles)), name


# --- making the object each case refers to -------------------------------------------------------


async def _object_ids(h: Harness, route: RouteSpec, target: str) -> dict[str, str]:
    """Path and body values for one case: ids of a fresh or existing object in ``target``."""
    world, org_id = h.world, h.world.org_id(target)
    kind = h.world.orgs[target].kind
    unique = f"X{next(_counter)}"
    values = {
        "target_id": str(org_id),
        "unique": unique,
        "target_basic_role": ROLES_BY_KIND[kind][-1].value,
        "manager_id": str(world.user_ids["m_cm"]),
    }
    if route.object == "organisation":
        values["partner_id"] = str(org_id)
    elif route.object == "user":
        values["user_id"] = str(world.user_ids[f"t_{target}"])
    elif route.object == "invited_user":
        issued = await people.invite_user(
            world.system,
            schemas.InvitationCreate(
                organisation_id=org_id,
                email=f"{unique.lower()}@example.com",
                display_name=unique,
                roles=[ROLES_BY_KIND[kind][-1]],
            ),
            h.clock,
        )
        values["user_id"] = str(issued.invitation.user.id)
    elif route.object == "invitation":
        issued = await people.invite_user(
            world.system,
            schemas.InvitationCreate(
                organisation_id=org_id,
                email=f"{unique.lower()}@example.com",
                display_name=unique,
                roles=[ROLES_BY_KIND[kind][-1]],
            ),
            h.clock,
        )
        values["invitation_id"] = str(issued.invitation.id)
    elif route.object == "api_token":
        token_id = uuid4()
        await repository.insert_api_token(
            {
                "id": token_id,
                "organisation": org_id,
                "name": unique,
                "prefix": "cpt_xx",
                "token_hash": token_hash(unique),
                "roles": [ROLES_BY_KIND[kind][-1].value],
                "created_at": h.clock.now(),
            }
        )
        values["token_id"] = str(token_id)
    elif route.object == "price_book":
        values["book_id"] = str(await _price_book_of(h, target))
    elif route.object in ("registration", "protected_registration"):
        values["registration_id"] = str(
            await _registration_of(h, target, protected=route.object == "protected_registration")
        )
    elif route.object in ("quote", "pending_quote"):
        values["quote_id"] = str(await _quote_of(h, target, pending=route.object == "pending_quote"))
    elif route.object == "promotion":
        values["promotion_id"] = str(await _promotion_of(h, target))
    elif route.object in ("lead", "held_lead", "qualified_lead"):
        values["lead_id"] = str(
            await _lead_of(h, target, held=route.object != "lead", qualified=route.object == "qualified_lead")
        )
    elif route.object in ("order", "shipped_order", "received_order", "returned_order"):
        values.update(await _order_of(h, target, state=route.object.removesuffix("_order")))
    elif route.object in ("report", "pending_upload", "threshold"):
        values.update(await _report_object_of(h, route.object, org_id))
    elif route.object == "rebate_programme":
        values["programme_id"] = str(await _rebate_programme_of(h, target))
    elif route.object == "rebate_settlement":
        values["settlement_id"] = str(await _rebate_settlement_of(h, target))
    elif route.object == "commission_plan":
        values["plan_id"] = str(await _commission_plan_of(h, target))
    elif route.object == "mdf_budget":
        values["budget_id"] = str(await _mdf_budget_of(h, target))
    elif route.object in (
        "mdf_request",
        "approved_mdf_request",
        "claimed_mdf_request",
        "payable_mdf_request",
    ):
        values.update(await _mdf_request_of(h, target, route.object.removesuffix("mdf_request").rstrip("_")))
    elif route.object == "assignment":
        values["partner_id"] = str(org_id)
        if kind.value != "manufacturer":
            manager_id = UUID(values["manager_id"])
            removing = route.method == "DELETE" or route.path.endswith("/remove")
            assigned = await repository.assignment_exists(manager_id, org_id)
            if removing and not assigned:
                await partners.assign_channel_manager(world.system, org_id, manager_id, h.clock)
            if not removing and assigned:
                await partners.unassign_channel_manager(world.system, org_id, manager_id, h.clock)
    return values


async def _report_object_of(h: Harness, kind: str, org_id: UUID) -> dict[str, str]:
    """A stock report of the target, a previewed upload waiting for its confirmation, or a threshold."""
    line = ReportLine(sku="MATRIX-SKU", report_date=h.clock.now().date(), quantity=1)
    if kind == "threshold":
        await report_repository.save_threshold(
            report_schemas.Threshold(sku="MATRIX-SKU", low_days=1), "m", h.clock.now()
        )
        return {"sku": "MATRIX-SKU"}
    place = await repository.find_org_place(org_id)
    assert place is not None
    if kind == "pending_upload":
        upload_id = uuid4()
        await report_repository.insert_pending(
            {
                "id": upload_id,
                "organisation_id": org_id,
                "kind": "stock",
                "file_name": "matrix.csv",
                "row_count": 1,
                "line_count": 1,
                "expires_at": h.clock.now() + timedelta(hours=1),
            },
            [line],
            [],
        )
        return {"upload_id": str(upload_id)}
    report_id = uuid4()
    await report_repository.insert_report(
        {
            "id": report_id,
            "organisation_id": org_id,
            "organisation_path": place.path,
            "kind": "stock",
            "report_date": line.report_date,
            "revision": next(_counter) + 1,
            "source": "api",
            "line_count": 1,
            "total_quantity": 1,
            "current": False,
        }
    )
    await report_repository.insert_lines(report_id, org_id, ReportKind.STOCK, [line])
    return {"report_id": str(report_id)}


async def _rebate_programme_of(h: Harness, owner: str) -> UUID:
    """A quarterly programme the owner runs from January, enrolling nobody but a partner that does
    not exist (so only those who see the owner see it)."""
    place = await repository.find_org_place(h.world.org_id(owner))
    assert place is not None
    programme_id = uuid4()
    await incentive_repository.insert_programme(
        {
            "id": programme_id,
            "code": f"RP{next(_counter)}",
            "name": "Matrix rebate",
            "owner_id": place.id,
            "owner_path": place.path,
            "currency": "EUR",
            "starts_on": date(2026, 1, 1),
            "definition": rebates.Definition(
                period=rebates.PeriodKind.QUARTER,
                basis=rebates.SellIn(),
                tiers=(rebates.Tier(threshold=Decimal(0), percent=Decimal(1)),),
                enrolment=rebates.Enrolment(partner_ids=frozenset({uuid4()})),
            ),
            "created_at": h.clock.now(),
            "updated_at": h.clock.now(),
        }
    )
    return programme_id


async def _rebate_settlement_of(h: Harness, target: str) -> UUID:
    """A proposed settlement for the target, of a programme its supplier owns (M's own for M)."""
    place = await repository.find_org_place(h.world.org_id(target))
    assert place is not None
    programme_id = await _rebate_programme_of(h, SUPPLIERS.get(target, target))
    settlement_id = uuid4()
    line = rebates.SettledPeriod(
        period_start=date(2026, 7, 1),
        period_end=date(2026, 10, 1),
        earned=Decimal("12.50"),
        paid_before=Decimal(0),
        amount=Decimal("12.50"),
    )
    await incentive_repository.insert_settlement(
        {
            "id": settlement_id,
            "programme_id": programme_id,
            "partner_id": place.id,
            "partner_path": place.path,
            "period_start": line.period_start,
            "period_end": line.period_end,
            "amount": line.amount,
            "currency": "EUR",
            "status": "proposed",
            "lines": [line],
            "created_at": h.clock.now(),
        }
    )
    return settlement_id


async def _commission_plan_of(h: Harness, owner: str) -> UUID:
    place = await repository.find_org_place(h.world.org_id(owner))
    assert place is not None
    plan_id = uuid4()
    await commission_repository.insert_plan(
        {
            "id": plan_id,
            "code": f"CP{next(_counter)}",
            "name": "Matrix agents",
            "owner_id": place.id,
            "owner_path": place.path,
            "currency": "EUR",
            "definition": {"rates": [{"category": "", "tiers": [{"threshold": "0", "percent": "2"}]}]},
            "created_at": h.clock.now(),
        }
    )
    return plan_id


async def _mdf_budget_of(h: Harness, owner: str) -> UUID:
    place = await repository.find_org_place(h.world.org_id(owner))
    assert place is not None
    budget_id = uuid4()
    await mdf_repository.insert_budget(
        {
            "id": budget_id,
            "code": f"MB{next(_counter)}",
            "name": "Matrix MDF",
            "owner_id": place.id,
            "owner_path": place.path,
            "currency": "EUR",
            "amount": Decimal(1000),
            "period_start": date(2026, 7, 1),
            "period_end": date(2027, 1, 1),
            "created_at": h.clock.now(),
        }
    )
    return budget_id


async def _mdf_request_of(h: Harness, target: str, state: str) -> dict[str, str]:
    """The target's request in a budget its supplier owns (M's own for M), at ``state``: waiting
    (empty), approved for 100.00 with a proof file, claimed for 90.00, or its claim approved."""
    place = await repository.find_org_place(h.world.org_id(target))
    assert place is not None
    budget_id = await _mdf_budget_of(h, SUPPLIERS.get(target, target))
    request_id, proof_id, now = uuid4(), uuid4(), h.clock.now()
    status = {"": "requested", "approved": "approved", "claimed": "claimed", "payable": "claim_approved"}[
        state
    ]
    await mdf_repository.insert_request(
        {
            "id": request_id,
            "allocation_id": uuid4(),
            "budget_id": budget_id,
            "partner_id": place.id,
            "partner_path": place.path,
            "activity": "event",
            "title": f"Fair of {target}",
            "starts_on": date(2026, 12, 1),
            "ends_on": date(2026, 12, 2),
            "requested_amount": Decimal(100),
            "approved_amount": Decimal(100) if state else None,
            "claimed_amount": Decimal(90) if state in ("claimed", "payable") else None,
            "status": status,
            "created_at": now,
        }
    )
    await mdf_repository.insert_proof(
        {
            "id": proof_id,
            "request_id": request_id,
            "file_name": "invoice.pdf",
            "content_type": "application/pdf",
            "size": 9,
            "content": b"%PDF-1.4\n",
            "uploaded_at": now,
        }
    )
    return {"request_id": str(request_id), "proof_id": str(proof_id)}


async def _price_book_of(h: Harness, target: str) -> UUID:
    organisation = h.world.orgs[target]
    manufacturer = organisation.kind.value == "manufacturer"
    book = pricing_schemas.PriceBookInfo(
        id=uuid4(),
        code=f"B{next(_counter)}",
        name="Matrix book",
        currency="EUR",
        kind="book",
        owner_id=organisation.id,
        seller_id=None if manufacturer else organisation.id,
    )
    await pricing_repository.insert_price_book(book, h.clock.now())
    return book.id


async def _registration_of(h: Harness, target: str, *, protected: bool) -> UUID:
    """A registration the target made: under review, or protected for 90 days."""
    organisation = h.world.orgs[target]
    place = await repository.find_org_place(organisation.id)
    assert place is not None
    programme = await lead_repository.find_programme("STANDARD")
    if programme is None:
        await lead_repository.save_programme(lead_schemas.ProgrammeSettings(code="STANDARD", name="Standard"))
        programme = await lead_repository.find_programme("STANDARD")
    assert programme is not None
    registration_id = uuid4()
    now = h.clock.now()
    await lead_repository.insert_registration(
        {
            "id": registration_id,
            "number": f"DR-{600_000 + next(_counter):06d}",
            "programme_id": programme[0],
            "partner_id": organisation.id,
            "partner_path": place.path,
            "status": "protected" if protected else "under_review",
            "customer": {"company_name": f"Customer of {target}", "country": "CN"},
            "product_lines": [],
            "estimated_value": "1000",
            "currency": "CNY",
            "protected_until": now + timedelta(days=90) if protected else None,
            "created_at": now,
            "updated_at": now,
        },
        [],
    )
    return registration_id


async def _quote_of(h: Harness, target: str, *, pending: bool) -> UUID:
    organisation = h.world.orgs[target]
    place = await repository.find_org_place(organisation.id)
    assert place is not None
    quote_id = uuid4()
    now = h.clock.now()
    await pricing_repository.insert_quote(
        {
            "id": quote_id,
            "number": f"Q-M-{next(_counter):06d}",
            "seller_id": organisation.id,
            "seller_path": place.path,
            "status": "pending_approval" if pending else "draft",
            "version": 1,
            "currency": "EUR",
            "customer": {"company": f"Customer of {target}", "locale": "en"},
            "valid_until": now + timedelta(days=30),
            "terms": "",
            "created_by": "matrix",
            "created_at": now,
            "updated_at": now,
        }
    )
    await pricing_repository.insert_quote_version(
        quote_id,
        pricing_schemas.QuoteVersionInfo(
            version=1,
            lines=[pricing_schemas.CartLineRequest(sku="MATRIX-SKU", quantity=1)],
            manual_discount_percent=Decimal(20) if pending else None,
            priced=PricedCart(
                currency="EUR",
                lines=(),
                list_total=Decimal(0),
                subtotal=Decimal(0),
                discount_total=Decimal(0),
                total=Decimal(0),
                free_shipping=False,
                applied=(),
                hints=(),
                consumption=(),
            ),
            created_at=now,
            created_by="matrix",
        ),
    )
    return quote_id


async def _promotion_of(h: Harness, target: str) -> UUID:
    organisation = h.world.orgs[target]
    place = await repository.find_org_place(organisation.id)
    assert place is not None
    rule = Promotion(
        id=uuid4(),
        code=f"PM{next(_counter)}",
        issuer_id=organisation.id,
        currency="EUR",
        benefit=PercentOff(percent=Decimal("5")),
    )
    record = pricing_schemas.PromotionRecord(
        id=rule.id,
        code=rule.code,
        name="Matrix promotion",
        issuer_id=organisation.id,
        status="draft",
        currency="EUR",
        rule=rule,
        budget_amount=None,
        spent_amount=Decimal(0),
        budget_units=None,
        spent_units=0,
    )
    await pricing_repository.insert_promotion(record, place.path, h.clock.now())
    return rule.id


async def _order_of(h: Harness, target: str, *, state: str) -> dict[str, str]:
    """An order the target placed with its supplier: waiting for an answer (``order``), shipped and
    on its way, received, or received with a return asked for."""
    organisation = h.world.orgs[target]
    place = await repository.find_org_place(organisation.id)
    assert place is not None and organisation.supplier is not None
    order_id, line_id, shipment_id, return_id = uuid4(), uuid4(), uuid4(), uuid4()
    now = h.clock.now()
    number = f"MX-{next(_counter):06d}"
    shipped, received = state != "order", state in ("received", "returned")
    await order_repository.insert_order(
        {
            "id": order_id,
            "number": number,
            "supplier_id": organisation.supplier.id,
            "buyer_id": organisation.id,
            "buyer_path": place.path,
            "status": "received" if received else "shipped" if shipped else "submitted",
            "currency": "EUR",
            "total": Decimal("10"),
            "line_count": 1,
            "created_at": now,
            "updated_at": now,
        },
        [
            {
                "id": line_id,
                "order_id": order_id,
                "position": 1,
                "sku": "MATRIX-SKU",
                "quantity": 1,
                "net_total": Decimal("10"),
                "shipped": 1 if shipped else 0,
                "received": 1 if received else 0,
            }
        ],
    )
    if shipped:
        kind = MovementKind.ADJUSTMENT if received else MovementKind.SHIPMENT_IN_TRANSIT
        await order_repository.move(organisation.id, "MATRIX-SKU", kind, 1, now)
        await order_repository.insert_shipment(
            {
                "id": shipment_id,
                "number": f"{number}-S1",
                "order_id": order_id,
                "shipped_at": now,
                "status": "received" if received else "shipped",
            },
            [{"shipment_id": shipment_id, "order_line_id": line_id, "sku": "MATRIX-SKU", "quantity": 1}],
        )
    if state == "returned":
        await order_repository.insert_returns(
            [
                {
                    "id": return_id,
                    "order_id": order_id,
                    "order_line_id": line_id,
                    "sku": "MATRIX-SKU",
                    "quantity": 1,
                    "reason": "matrix",
                    "requested_at": now,
                }
            ]
        )
    return {
        "order_id": str(order_id),
        "shipment_id": str(shipment_id),
        "line_id": str(line_id),
        "return_id": str(return_id),
    }


async def _lead_of(h: Harness, target: str, *, held: bool, qualified: bool = False) -> UUID:
    """A lead offered to (or accepted by, or accepted and qualified by) the target; the
    manufacturer's own is one in the pool."""
    organisation = h.world.orgs[target]
    in_pool = organisation.kind.value == "manufacturer"
    place = await repository.find_org_place(organisation.id)
    assert place is not None
    lead_id = uuid4()
    now = h.clock.now()
    await lead_repository.insert_lead(
        {
            "id": lead_id,
            "number": f"L-{500_000 + next(_counter):06d}",
            "source": "matrix",
            "company_name": f"Customer {next(_counter)} of {target}",
            "stage": "sql" if qualified else "uql",
            "status": "pooled" if in_pool else ("accepted" if held else "offered"),
            "owner_id": None if in_pool else organisation.id,
            "owner_path": "" if in_pool else place.path,
            "offer_expires_at": None if in_pool or held else now + timedelta(days=1),
            "last_activity_at": now if held and not in_pool else None,
            "passed_by": [],
            "created_at": now,
            "updated_at": now,
        }
    )
    return lead_id


async def _global_ids(h: Harness, route: RouteSpec) -> dict[str, str]:
    """Values for a route whose object belongs to no partner (a catalogue product)."""
    values = {"unique": f"X{next(_counter)}", "manager_id": str(h.world.user_ids["m_cm"])}
    if route.raw.get("global") == "product":
        product = await catalogue.create_product(
            h.world.system,
            pricing_schemas.ProductCreate(
                sku=values["unique"], names={"en": "Matrix product"}, category="MATRIX"
            ),
            h.clock,
        )
        values["product_id"] = str(product.id)
    elif route.raw.get("global") == "bundle":  # a configurable set with one option, OPT-<unique>
        make = [f"OPT-{values['unique']}", values["unique"]]
        made = [
            await catalogue.create_product(
                h.world.system,
                pricing_schemas.ProductCreate(sku=sku, names={"en": "Matrix product"}, category="MATRIX"),
                h.clock,
            )
            for sku in make
        ]
        await catalogue.set_configuration(
            h.world.system,
            made[1].id,
            BundleDefinition(groups=[OptionGroup(code="ONE", options=[make[0]])]),
            h.clock,
        )
        values["product_id"] = str(made[1].id)
    elif route.raw.get("global") == "lead_rule":
        rule = await leads.create_rule(
            h.world.system, lead_schemas.DispatchRuleCreate(name=values["unique"]), h.clock
        )
        values["rule_id"] = str(rule.id)
    return values


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _own_basic_role(actor: ActorSpec) -> str:
    from channel.roles import OrgKind

    return ROLES_BY_KIND[OrgKind(actor.kind)][-1].value


async def _restore_assignments(h: Harness) -> None:
    """The channel manager looks after D1 only, whatever an assignment case changed."""
    manager_id = h.world.user_ids["m_cm"]
    for code, organisation in h.world.orgs.items():
        if organisation.kind.value == "manufacturer":
            continue
        assigned = await repository.assignment_exists(manager_id, organisation.id)
        if code == "D1" and not assigned:
            await partners.assign_channel_manager(h.world.system, organisation.id, manager_id, h.clock)
        elif code != "D1" and assigned:
            await partners.unassign_channel_manager(h.world.system, organisation.id, manager_id, h.clock)


async def _send(
    h: Harness, route: RouteSpec, actor: ActorSpec, values: dict[str, str], query: str = ""
) -> tuple[int, str]:
    """The answer's status and its text; a scanned route's PDF as extracted from its pages and
    metadata (an uploaded proof is served back as the bytes it was, not read)."""
    values = {**values, "own_basic_role": _own_basic_role(actor)}
    path = route.path
    for name in (
        "partner_id",
        "user_id",
        "invitation_id",
        "token_id",
        "manager_id",
        "product_id",
        "lead_id",
        "rule_id",
        "book_id",
        "promotion_id",
        "quote_id",
        "registration_id",
        "order_id",
        "shipment_id",
        "return_id",
        "report_id",
        "upload_id",
        "programme_id",
        "settlement_id",
        "budget_id",
        "plan_id",
        "request_id",
        "proof_id",
    ):
        if name in values:
            path = path.replace("{" + name + ":uuid}", values[name])
    if "sku" in values:
        path = path.replace("{sku:str}", values["sku"])
    headers: dict[str, str] = {}
    if actor.token:
        h.client.cookies.clear()
        headers["Authorization"] = f"Bearer {h.tokens[actor.name]}"
    else:
        h.client.cookies = httpx.Cookies(h.jars[actor.name])
        headers["x-csrftoken"] = h.client.cookies.get(CSRF_COOKIE, "")
    content: bytes | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None
    if route.raw.get("upload"):
        content_of_file = _fill(route.raw.get("upload_content", _UPLOAD), values).encode()
        files = {route.raw["upload"]: ("upload.csv", content_of_file, "text/csv")}
        if not actor.token:
            data = {"_csrf_token": headers["x-csrftoken"]}
    elif route.body is not None:
        content = _fill(route.body, values).encode()
        headers["content-type"] = "application/json"
    elif route.form is not None:
        content = _fill(route.form, values).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    response = await h.client.request(
        route.method,
        path + (f"?{query}" if query else ""),
        content=content,
        files=files,
        data=data,
        headers=headers,
        follow_redirects=False,
    )
    if route.scan and response.headers.get("content-type", "").startswith("application/pdf"):
        return response.status_code, _pdf_text(response.content)
    return response.status_code, response.text


_PDF = "%PDF"


def _pdf_text(content: bytes) -> str:
    """The words of every page and the document's metadata, marked as a PDF's; words are run
    together (a PDF places glyphs, so "D1 Trading" may come out without its space)."""
    reader = PdfReader(io.BytesIO(content))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(value) for value in (reader.metadata or {}).values()]
    return _PDF + re.sub(r"\s+", "", "".join(parts))


def _mentions(text: str, name: str) -> bool:
    if text.startswith(_PDF):
        return re.sub(r"\s+", "", name) in text
    return name in text


# --- the cases -------------------------------------------------------------------------------------


def _forbidden_names(actor: ActorSpec) -> list[str]:
    return [f"{code} Trading" for code in MATRIX.targets if code not in actor.sees | actor.knows]


@pytest.mark.parametrize("route", MATRIX.routes, ids=lambda r: r.key)
async def test_every_actor_gets_what_the_matrix_says(
    harness: Harness, route: RouteSpec, figure: Callable[[str], None]
) -> None:
    failures: list[str] = []
    cases = 0
    pdfs = naming_their_partner = 0
    # A route may name fewer targets: an order needs a buyer with a supplier, so not the manufacturer.
    targets: list[str | None] = list(route.raw.get("targets", MATRIX.targets)) if route.object else [None]
    for actor in actors_for(route, MATRIX):
        for target in targets:
            values = (
                await _object_ids(harness, route, target) if target else await _global_ids(harness, route)
            )
            expected = route.expected(actor, target)
            status, text = await _send(harness, route, actor, values)
            cases += 1
            if status != expected:
                failures.append(
                    f"{actor.name:>13} -> {target or '-':<4} expected {expected}, got {status}: {text[:160]}"
                )
            if route.scan and status == 200:
                answers = [("", text)]
                for query in route.raw.get("scan_queries", []):
                    answers.append((query, (await _send(harness, route, actor, values, query))[1]))
                for query, answer in answers:
                    leaked = [name for name in _forbidden_names(actor) if _mentions(answer, name)]
                    if leaked:
                        failures.append(f"{actor.name:>13} sees {leaked} in {route.key} {query}")
                    if answer.startswith(_PDF):
                        pdfs += 1
                        naming_their_partner += bool(target and _mentions(answer, f"{target} Trading"))
            if route.fresh_session and not actor.token:
                harness.client.cookies.clear()
                await sign_in(harness.client, email_of(actor.name))
                harness.jars[actor.name] = httpx.Cookies(harness.client.cookies)
    if route.object == "assignment":
        await _restore_assignments(harness)
    print(f"{route.key}: {cases} cases")
    if pdfs:
        # the PDFs are read: most name the partner they are about, as the reader may see it
        assert naming_their_partner * 2 >= pdfs, (pdfs, naming_their_partner)
        figure(
            f"{route.key}: {pdfs} PDFs read as every actor that may open them, {naming_their_partner} "
            f"naming their own partner, {len([f for f in failures if ' sees ' in f])} naming an invisible one"
        )
    assert not failures, f"{route.key}\n" + "\n".join(failures)


def test_json_bodies_in_the_matrix_are_valid_json() -> None:
    for route in MATRIX.routes:
        if route.body:
            json.loads(
                _fill(route.body, {"target_id": str(uuid4()), "unique": "X", "target_basic_role": "clerk"})
            )
