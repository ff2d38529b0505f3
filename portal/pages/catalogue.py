"""The catalogue pages: browse and search in every portal; the manufacturer adds, edits and uploads."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from channel.roles import OrgKind, Permission
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError
from portal.dependencies import CurrentActor, CurrentClock, CurrentPortal
from portal.downloads import spreadsheet
from portal.explained import ExplainedCart, configuration_text, explain
from portal.forms import refusal_errors, validation_errors
from portal.i18n import current_locale, gettext
from portal.messages import message
from portal.pages.rendering import back_to, is_htmx, page
from portal.portals import Portal
from portal.security.guards import requires_permission
from pricing import configuration, schemas
from pricing.catalogue import ProductStatus, name_in
from pricing.services import catalogue, pricing

# The languages a product's name and description are kept in, as the form offers them.
NAME_LOCALES = ("en", "zh_Hans", "de")


def _names(form: FormMultiDict, prefix: str) -> dict[str, str]:
    return {
        loc: str(form.get(f"{prefix}_{loc}", "")).strip()
        for loc in NAME_LOCALES
        if str(form.get(f"{prefix}_{loc}", "")).strip()
    }


def _product_data(form: FormMultiDict) -> dict[str, Any]:
    data: dict[str, Any] = {"names": _names(form, "name"), "descriptions": _names(form, "description")}
    for field in (
        "sku",
        "category",
        "brand",
        "unit",
        "case_quantity",
        "minimum_order_quantity",
        "status",
        "image",
    ):
        value = str(form.get(field, "")).strip()
        if value:
            data[field] = value
    return data


async def _own_prices(
    actor: Actor, clock: Clock, products: list[schemas.Product]
) -> tuple[dict[str, ExplainedCart], str]:
    """What one unit of each listed product costs this buyer today bought alone, promotions
    included, and what it would take to get more."""
    orderable = [p.sku for p in products if p.status is ProductStatus.ACTIVE]
    if actor.organisation_kind is OrgKind.MANUFACTURER or not orderable:
        return {}, ""
    try:
        priced = await pricing.price_each(actor, orderable, clock)
    except InvalidInputError:
        return {}, ""
    explained = {sku: explain(cart) for sku, cart in priced.items() if cart.lines}
    return explained, next((cart.currency for cart in explained.values()), "")


class CataloguePages(Controller):
    path = "/catalogue"
    guards = [requires_permission(Permission.VIEW_CATALOGUE)]

    @get("/", name="catalogue")
    async def list_products(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        category: Annotated[str | None, QueryParameter(max_length=32)] = None,
        status: FromQuery[ProductStatus | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
    ) -> Template:
        filters = schemas.ProductFilter(
            q=q, category=category or None, status=status, cursor=cursor, limit=50
        )
        found = await catalogue.list_products(actor, filters)
        prices, price_currency = await _own_prices(actor, clock, found.items)
        context = {"found": found, "filters": filters, "prices": prices, "price_currency": price_currency}
        if is_htmx(request):
            return page("shared/catalogue/_rows.html.jinja", actor=actor, portal=portal, **context)
        return page(
            "shared/catalogue/list.html.jinja",
            actor=actor,
            portal=portal,
            categories=await catalogue.list_categories(actor),
            **context,
        )

    @get("/export")
    async def export_products(
        self, actor: CurrentActor, format: FromQuery[Literal["csv", "xlsx"]] = "xlsx"
    ) -> Response[bytes]:
        return spreadsheet(await catalogue.export_products(actor, format), format, "catalogue")

    @get("/{product_id:uuid}")
    async def product_detail(
        self, actor: CurrentActor, portal: CurrentPortal, product_id: FromPath[UUID]
    ) -> Template:
        return await self._detail(actor, portal, product_id)

    async def _detail(
        self,
        actor: Actor,
        portal: Portal,
        product_id: UUID,
        *,
        chosen: dict[str, int] | None = None,
        problems: list[str] | None = None,
        definition_text: str | None = None,
        definition_errors: list[str] | None = None,
        status: int = 200,
    ) -> Template:
        product = await catalogue.get_product(actor, product_id)
        definition = await catalogue.get_configuration(actor, product_id)
        options = configuration.options_of(definition) if definition else []
        if definition_text is None and definition is not None:
            definition_text = msgspec.json.format(msgspec.json.encode(definition), indent=2).decode()
        return page(
            "shared/catalogue/detail.html.jinja",
            actor=actor,
            portal=portal,
            product=product,
            categories={c.path: c for c in await catalogue.list_categories(actor)},
            definition=definition,
            option_products={p.sku: p for p in await catalogue.products_named(actor, options)},
            chosen=chosen or {},
            problems=problems,
            definition_text=definition_text or "",
            definition_errors=definition_errors or [],
            status=status,
        )

    @post("/{product_id:uuid}/check")
    async def check_configuration(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        product_id: FromPath[UUID],
    ) -> Template:
        """A dealer tries a configuration: every broken rule comes back in words, nothing is saved."""
        form = await request.form()
        chosen: dict[str, int] = {}
        for key, value in form.items():
            if key.startswith("qty_") and str(value).strip():
                try:
                    chosen[key.removeprefix("qty_")[:64]] = max(0, min(int(str(value)), 1_000_000))
                except ValueError:
                    chosen[key.removeprefix("qty_")[:64]] = 0
        verdict = await catalogue.check_configuration(
            actor, product_id, schemas.ConfigurationCheck(chosen=dict(list(chosen.items())[:200]))
        )
        definition = await catalogue.get_configuration(actor, product_id)
        options = configuration.options_of(definition) if definition else []
        locale = current_locale()
        names = {p.sku: name_in(p.names, locale) for p in await catalogue.products_named(actor, options)}
        names |= {
            g.code: name_in(g.names, locale) for g in (definition.groups if definition else []) if g.names
        }
        return await self._detail(
            actor,
            portal,
            product_id,
            chosen=chosen,
            problems=[configuration_text(v, names) for v in verdict.violations],
        )

    @post("/{product_id:uuid}/configuration", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def save_configuration(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        product_id: FromPath[UUID],
    ) -> Template | Redirect:
        text = str((await request.form()).get("definition", ""))[:200_000]
        try:
            definition = (
                msgspec.json.decode(text.encode(), type=configuration.BundleDefinition)
                if text.strip()
                else None
            )
            await catalogue.set_configuration(actor, product_id, definition, clock)
        except (msgspec.ValidationError, msgspec.DecodeError) as refused:
            return await self._detail(
                actor, portal, product_id, definition_text=text, definition_errors=[str(refused)], status=422
            )
        except InvalidInputError as refused:
            errors = [configuration_text(configuration.Violation(p.code, p.params)) for p in refused.problems]
            return await self._detail(
                actor, portal, product_id, definition_text=text, definition_errors=errors, status=422
            )
        flash(request, gettext("The options and rules were saved."), category="success")
        return back_to(portal.url(f"/catalogue/{product_id}"))

    # --- the manufacturer keeps the catalogue -----------------------------------------------------

    async def _form(
        self,
        actor: Actor,
        portal: Portal,
        values: dict[str, Any],
        errors: dict[str, str],
        product: schemas.Product | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            "shared/catalogue/form.html.jinja",
            actor=actor,
            portal=portal,
            product=product,
            categories=await catalogue.list_categories(actor),
            locales=NAME_LOCALES,
            values=values,
            errors=errors,
            status=status,
        )

    @get("/new", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def new_product(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return await self._form(
            actor, portal, {"unit": "pc", "case_quantity": 1, "minimum_order_quantity": 1}, {}
        )

    @post("/", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def create_product(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template | Redirect:
        form = await request.form()
        values = dict(form.items())
        try:
            command = msgspec.convert(_product_data(form), schemas.ProductCreate, strict=False)
            created = await catalogue.create_product(actor, command, clock)
        except msgspec.ValidationError as refused:
            return await self._form(actor, portal, values, validation_errors(refused), status=422)
        except (InvalidInputError, ConflictError) as refused:
            return await self._form(actor, portal, values, refusal_errors(refused), status=422)
        flash(request, gettext("Product {sku} was added.").format(sku=created.sku), category="success")
        return back_to(portal.url(f"/catalogue/{created.id}"))

    @get("/{product_id:uuid}/edit", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def edit_product(
        self, actor: CurrentActor, portal: CurrentPortal, product_id: FromPath[UUID]
    ) -> Template:
        product = await catalogue.get_product(actor, product_id)
        values: dict[str, Any] = {
            **{f"name_{loc}": text for loc, text in product.names.items()},
            **{f"description_{loc}": text for loc, text in product.descriptions.items()},
            "sku": product.sku,
            "category": product.category,
            "brand": product.brand,
            "unit": product.unit,
            "case_quantity": product.case_quantity,
            "minimum_order_quantity": product.minimum_order_quantity,
            "status": product.status.value,
            "image": product.image,
        }
        return await self._form(actor, portal, values, {}, product=product)

    @post("/{product_id:uuid}", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def update_product(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        portal: CurrentPortal,
        clock: CurrentClock,
        product_id: FromPath[UUID],
    ) -> Template | Redirect:
        product = await catalogue.get_product(actor, product_id)
        form = await request.form()
        values = dict(form.items())
        data = _product_data(form)
        data.pop("sku", None)
        try:
            command = msgspec.convert(data, schemas.ProductUpdate, strict=False)
            await catalogue.update_product(actor, product_id, command, clock)
        except msgspec.ValidationError as refused:
            return await self._form(
                actor, portal, values, validation_errors(refused), product=product, status=422
            )
        except (InvalidInputError, ConflictError) as refused:
            return await self._form(
                actor, portal, values, refusal_errors(refused), product=product, status=422
            )
        flash(request, gettext("Product {sku} was saved.").format(sku=product.sku), category="success")
        return back_to(portal.url(f"/catalogue/{product_id}"))

    @get("/import", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def import_form(self, actor: CurrentActor, portal: CurrentPortal) -> Template:
        return page("shared/catalogue/import.html.jinja", actor=actor, portal=portal, result=None, errors={})

    @post("/import", guards=[requires_permission(Permission.MANAGE_CATALOGUE)])
    async def import_products(
        self, request: Request[Any, Any, Any], actor: CurrentActor, portal: CurrentPortal, clock: CurrentClock
    ) -> Template:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return page(
                "shared/catalogue/import.html.jinja",
                actor=actor,
                portal=portal,
                result=None,
                errors={"file": message("required")},
                status=422,
            )
        try:
            result = await catalogue.import_products(actor, await upload.read(), upload.filename or "", clock)
        except InvalidInputError as refused:
            return page(
                "shared/catalogue/import.html.jinja",
                actor=actor,
                portal=portal,
                result=None,
                errors=refusal_errors(refused),
                status=422,
            )
        return page(
            "shared/catalogue/import.html.jinja",
            actor=actor,
            portal=portal,
            result=result,
            errors={},
            status=200 if result.accepted else 422,
        )
