"""What the editors' forms offer to pick from: the actor's own downstream partners, and the
catalogue's products, categories and brands (the ``datalist`` suggestions)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from channel.schemas import PartnerFilter
from channel.services import partners
from channel.visibility import Actor
from core.errors import NotFoundError, PermissionDeniedError
from portal.i18n import current_locale
from pricing.schemas import ProductFilter
from pricing.services import catalogue


async def partner_choices(actor: Actor) -> list[tuple[str, str, UUID]]:
    """The partners a form may name: the actor's visible downstream (code, name, id)."""
    try:
        found = await partners.list_partners(actor, PartnerFilter(limit=200))
    except PermissionDeniedError:
        return []
    return [(p.code, p.name, p.id) for p in found.items if p.id != actor.organisation_id]


def _name_of(names: dict[str, str], fallback: str) -> str:
    locale = current_locale()
    return names.get(locale) or names.get(locale.split("_")[0]) or names.get("en") or fallback


async def catalogue_choices(actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """SKUs, categories and brands to pick products from (searchable lists of the form)."""
    try:
        products = (await catalogue.list_products(actor, ProductFilter(limit=500))).items
        categories = await catalogue.list_categories(actor)
    except PermissionDeniedError:
        return {"sku": [], "category": [], "brand": []}
    return {
        "sku": [(p.sku, _name_of(p.names, p.sku)) for p in products],
        "category": [(c.code, _name_of(c.names, c.code)) for c in categories],
        "brand": [(b, b) for b in sorted({p.brand for p in products if p.brand})],
    }


async def category_choices(actor: Actor) -> list[tuple[str, str]]:
    """The catalogue's categories (code, name), for a form that picks only categories."""
    try:
        return [(c.code, _name_of(c.names, c.code)) for c in await catalogue.list_categories(actor)]
    except PermissionDeniedError:
        return []


async def partner_ids(actor: Actor, codes: Iterable[str]) -> dict[str, UUID]:
    """The partner codes among ``codes`` that name a partner the actor sees (not itself): from the
    list the form offers, and one look-up for each code beyond it."""
    ids: dict[str, UUID] = {code: partner_id for code, _, partner_id in await partner_choices(actor)}
    for code in list(codes)[:200]:
        if code not in ids:
            found = await partners.find_partner_by_code(actor, code)
            if found is not None and found.id != actor.organisation_id:
                ids[code] = found.id
    return ids


async def partner_codes(actor: Actor, ids: Iterable[UUID]) -> dict[UUID, str]:
    """The codes of the partners ``ids`` names that the actor sees."""
    codes = {partner_id: code for code, _, partner_id in await partner_choices(actor)}
    for partner_id in set(ids) - codes.keys():
        try:
            codes[partner_id] = (await partners.visible_place(actor, partner_id)).code
        except NotFoundError:
            continue
    return codes
