"""The catalogue: categories and products, kept by the manufacturer, read by the whole channel.

The manufacturer's people see every product; partners see what can be ordered or was once
(drafts stay with the manufacturer). Uploads are all-or-nothing: one bad row and nothing changes,
and every bad cell is reported with its row and column.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec

from channel import tabular
from channel.roles import OrgKind, Permission
from channel.schemas import Page
from channel.services.activity import record_change
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError, PermissionDeniedError
from core.validation import FieldValueError
from pricing import configuration, repository, schemas
from pricing.catalogue import ProductStatus, category_path, name_in
from pricing.configuration import BundleDefinition

_PARTNER_STATUSES = (ProductStatus.ACTIVE, ProductStatus.DISCONTINUED)
_ALL_STATUSES = tuple(ProductStatus)
EXPORT_LOCALES = ("en", "zh_Hans", "de")


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDeniedError()


def _statuses_for(actor: Actor) -> tuple[ProductStatus, ...]:
    return _ALL_STATUSES if actor.organisation_kind is OrgKind.MANUFACTURER else _PARTNER_STATUSES


def _search_text(sku: str, brand: str, names: dict[str, str]) -> str:
    return " ".join([sku, brand, *names.values()]).lower()


# --- categories -----------------------------------------------------------------------------------


async def list_categories(actor: Actor) -> list[schemas.Category]:
    _require(actor, Permission.VIEW_CATALOGUE)
    return await repository.list_categories()


async def create_category(actor: Actor, command: schemas.CategoryCreate, clock: Clock) -> schemas.Category:
    _require(actor, Permission.MANAGE_CATALOGUE)
    async with write_transaction():
        if await repository.find_category(command.code):
            raise ConflictError("category_code_taken", code=command.code)
        parent_path = None
        if command.parent:
            parent = await repository.find_category(command.parent)
            if parent is None:
                raise InvalidInputError.single("parent", "unknown_category", code=command.parent)
            parent_path = parent.path
        category = schemas.Category(
            id=uuid4(),
            code=command.code,
            path=category_path(parent_path, command.code),
            names=command.names,
            position=command.position,
        )
        await repository.insert_category(category)
        await record_change(
            actor,
            clock,
            action="category.created",
            object_type="category",
            object_id=category.id,
            object_label=f"{name_in(category.names, 'en')} ({category.code})",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=category,
        )
    return category


# --- products -------------------------------------------------------------------------------------


async def list_products(actor: Actor, filters: schemas.ProductFilter) -> Page[schemas.Product]:
    _require(actor, Permission.VIEW_CATALOGUE)
    statuses = _statuses_for(actor)
    if filters.status is not None:
        statuses = tuple(s for s in statuses if s is filters.status)
        if not statuses:
            return Page(items=[])
    async with read_transaction():
        under = None
        if filters.category:
            category = await repository.find_category(filters.category.upper())
            if category is None:
                return Page(items=[])
            under = category.path
        return await repository.list_products(filters, statuses=statuses, category_path=under)


async def get_product(actor: Actor, product_id: UUID) -> schemas.Product:
    _require(actor, Permission.VIEW_CATALOGUE)
    product = await repository.find_product(product_id)
    if product is None or product.status not in _statuses_for(actor):
        raise NotFoundError("product_not_found")
    return product


async def _category_path_of(code: str, field: str = "category") -> str:
    category = await repository.find_category(code)
    if category is None:
        raise InvalidInputError.single(field, "unknown_category", code=code)
    return category.path


async def create_product(actor: Actor, command: schemas.ProductCreate, clock: Clock) -> schemas.Product:
    _require(actor, Permission.MANAGE_CATALOGUE)
    async with write_transaction():
        if await repository.find_product_by_sku(command.sku):
            raise ConflictError("sku_taken", sku=command.sku)
        values = _product_values(command, await _category_path_of(command.category), clock)
        await repository.insert_product(values)
        product = await repository.find_product(values["id"])
        assert product is not None
        await _audit_product(actor, clock, "product.created", product, before=None)
    return product


def _product_values(command: schemas.ProductCreate, path: str, clock: Clock) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": uuid4(),
        "sku": command.sku,
        "names": command.names,
        "descriptions": command.descriptions,
        "category_path": path,
        "brand": command.brand,
        "unit": command.unit,
        "case_quantity": command.case_quantity,
        "minimum_order_quantity": command.minimum_order_quantity,
        "status": command.status.value,
        "image": command.image,
        "search_text": _search_text(command.sku, command.brand, command.names),
        "created_at": now,
        "updated_at": now,
    }


async def update_product(
    actor: Actor, product_id: UUID, command: schemas.ProductUpdate, clock: Clock
) -> schemas.Product:
    _require(actor, Permission.MANAGE_CATALOGUE)
    async with write_transaction():
        before = await repository.find_product(product_id)
        if before is None:
            raise NotFoundError("product_not_found")
        changes = await _stored_changes(before, command.changes())
        if changes:
            await repository.update_product(product_id, changes, clock.now())
            after = await repository.find_product(product_id)
            assert after is not None
            await _audit_product(actor, clock, "product.updated", after, before=before)
            return after
    return before


async def _stored_changes(before: schemas.Product, changes: dict[str, Any]) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "category":
            path = await _category_path_of(value)
            if path != before.category_path:
                stored["category_path"] = path
        elif field == "status":
            if value is not before.status:
                stored["status"] = value.value
        elif getattr(before, field) != value:
            stored[field] = value
    if {"names", "brand"} & stored.keys():
        stored["search_text"] = _search_text(
            before.sku, stored.get("brand", before.brand), stored.get("names", before.names)
        )
    return stored


async def _audit_product(
    actor: Actor, clock: Clock, action: str, product: schemas.Product, *, before: schemas.Product | None
) -> None:
    def recorded(p: schemas.Product | None) -> dict[str, Any] | None:
        if p is None:
            return None
        data = msgspec.to_builtins(p)
        for noise in ("id", "created_at", "updated_at", "is_bundle"):
            data.pop(noise, None)
        return data  # type: ignore[no-any-return]

    await record_change(
        actor,
        clock,
        action=action,
        object_type="product",
        object_id=product.id,
        object_label=f"{name_in(product.names, 'en')} ({product.sku})",
        organisation_id=actor.organisation_id,
        organisation_path=actor.organisation_path,
        before=recorded(before),
        after=recorded(product),
    )


# --- configurable products -----------------------------------------------------------------------


async def get_configuration(actor: Actor, product_id: UUID) -> BundleDefinition | None:
    """A bundle's option groups and rules; ``None`` for a plain product."""
    await get_product(actor, product_id)
    stored = await repository.product_configuration(product_id)
    return msgspec.convert(stored, BundleDefinition, strict=False) if stored is not None else None


async def set_configuration(
    actor: Actor, product_id: UUID, definition: BundleDefinition | None, clock: Clock
) -> BundleDefinition | None:
    """Make a product configurable (or plain again, with ``None``); its options must be products
    of the catalogue, and a definition that contradicts itself is refused with every reason."""
    _require(actor, Permission.MANAGE_CATALOGUE)
    async with write_transaction():
        product = await get_product(actor, product_id)
        if definition is not None:
            problems = configuration.definition_problems(definition)
            options = configuration.options_of(definition)
            known = await repository.products_by_sku(options)
            problems += [
                configuration.Violation("option_not_in_catalogue", {"sku": sku})
                for sku in options
                if sku == product.sku or sku not in known or known[sku].status is not ProductStatus.ACTIVE
            ]
            if problems:
                raise InvalidInputError(
                    [FieldProblem(field="configuration", code=p.code, params=p.params) for p in problems]
                )
        await repository.update_product(
            product_id,
            {"configuration": msgspec.to_builtins(definition) if definition else None},
            clock.now(),
        )
        await record_change(
            actor,
            clock,
            action="product.configuration_saved",
            object_type="product",
            object_id=product.id,
            object_label=f"{name_in(product.names, 'en')} ({product.sku})",
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after=definition,
        )
    return definition


async def check_configuration(
    actor: Actor, product_id: UUID, command: schemas.ConfigurationCheck
) -> schemas.ConfigurationVerdict:
    """Every rule a dealer's configuration breaks, before it goes into a cart or a quote."""
    definition = await get_configuration(actor, product_id)
    if definition is None:
        raise ConflictError("not_a_bundle")
    violations = configuration.check(definition, command.chosen)
    return schemas.ConfigurationVerdict(valid=not violations, violations=violations)


# --- upload and download --------------------------------------------------------------------------

CATALOGUE_COLUMNS = (
    "sku",
    *(f"name_{loc.lower()}" for loc in EXPORT_LOCALES),
    "category",
    "brand",
    "unit",
    "case_quantity",
    "minimum_order_quantity",
    "status",
)


def _names_from(values: dict[str, str], prefix: str) -> dict[str, str]:
    """``name_en``, ``name_zh_hans`` ... columns to {"en": ..., "zh_Hans": ...}."""
    names: dict[str, str] = {}
    for column, text in values.items():
        if column.startswith(prefix) and text:
            raw = column.removeprefix(prefix)
            parts = raw.split("_")
            locale = "_".join([parts[0]] + [p.capitalize() if len(p) == 4 else p.upper() for p in parts[1:]])
            names[locale] = text
    return names


def _command_from_row(row: tabular.Row) -> schemas.ProductCreate:
    values = row.values
    data: dict[str, Any] = {
        "sku": values.get("sku", ""),
        "names": _names_from(values, "name_"),
        "descriptions": _names_from(values, "description_"),
        "category": values.get("category", ""),
        "brand": values.get("brand", ""),
        "unit": values.get("unit") or "pc",
    }
    for column in ("case_quantity", "minimum_order_quantity"):
        if values.get(column):
            data[column] = values[column]
    if values.get("status"):
        data["status"] = values["status"].lower()
    return msgspec.convert(data, schemas.ProductCreate, strict=False)


def _problem_of(row: tabular.Row, error: msgspec.ValidationError) -> schemas.RowProblem:
    cause = error.__cause__
    if isinstance(cause, FieldValueError):
        column = cause.field.split(".", 1)[0]
        return schemas.RowProblem(row=row.number, column=column, code=cause.code, params=cause.params)
    message = str(error)
    column = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else ""
    return schemas.RowProblem(row=row.number, column=column, code="invalid_value", params={"detail": message})


async def import_products(actor: Actor, content: bytes, filename: str, clock: Clock) -> schemas.ImportResult:
    """Create or update products from a CSV or XLSX file, keyed by SKU; all rows or none."""
    _require(actor, Permission.MANAGE_CATALOGUE)
    table = tabular.read_table(content, filename, required=("sku", "category"))
    problems: list[schemas.RowProblem] = []
    commands: list[tuple[tabular.Row, schemas.ProductCreate]] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        try:
            command = _command_from_row(row)
        except msgspec.ValidationError as error:
            problems.append(_problem_of(row, error))
            continue
        if command.sku in seen:
            problems.append(
                schemas.RowProblem(
                    row=row.number, column="sku", code="duplicate_row", params={"row": seen[command.sku]}
                )
            )
            continue
        seen[command.sku] = row.number
        commands.append((row, command))
    created = updated = unchanged = 0
    async with write_transaction():
        categories = {c.code: c.path for c in await repository.list_categories()}
        existing = await repository.products_by_sku(seen)
        for row, command in commands:
            if command.category not in categories:
                problems.append(
                    schemas.RowProblem(
                        row=row.number,
                        column="category",
                        code="unknown_category",
                        params={"code": command.category},
                    )
                )
        if problems:
            return schemas.ImportResult(problems=sorted(problems, key=lambda p: (p.row, p.column)))
        for _, command in commands:
            path = categories[command.category]
            current = existing.get(command.sku)
            if current is None:
                values = _product_values(command, path, clock)
                await repository.insert_product(values)
                product = await repository.find_product(values["id"])
                assert product is not None
                await _audit_product(actor, clock, "product.created", product, before=None)
                created += 1
                continue
            wanted = {
                "names": command.names,
                "category": command.category,
                "brand": command.brand,
                "unit": command.unit,
                "case_quantity": command.case_quantity,
                "minimum_order_quantity": command.minimum_order_quantity,
                "status": command.status,
            }
            if command.descriptions:
                wanted["descriptions"] = command.descriptions
            changes = await _stored_changes(current, wanted)
            if not changes:
                unchanged += 1
                continue
            await repository.update_product(current.id, changes, clock.now())
            after = await repository.find_product(current.id)
            assert after is not None
            await _audit_product(actor, clock, "product.updated", after, before=current)
            updated += 1
    return schemas.ImportResult(created=created, updated=updated, unchanged=unchanged)


async def export_products(actor: Actor, file_format: Literal["csv", "xlsx"]) -> bytes:
    """The catalogue as the actor sees it, in the same columns an upload takes."""
    _require(actor, Permission.VIEW_CATALOGUE)
    statuses = _statuses_for(actor)
    products = [p for p in await repository.all_products() if p.status in statuses]
    rows = [
        (
            p.sku,
            *(p.names.get(loc, "") for loc in EXPORT_LOCALES),
            p.category,
            p.brand,
            p.unit,
            p.case_quantity,
            p.minimum_order_quantity,
            p.status.value,
        )
        for p in products
    ]
    if file_format == "xlsx":
        return tabular.write_xlsx(CATALOGUE_COLUMNS, rows, title="Catalogue")
    return tabular.write_csv(CATALOGUE_COLUMNS, rows)


async def products_named(actor: Actor, skus: list[str]) -> list[schemas.Product]:
    """The products of these SKUs the actor may see (for naming the lines of a cart)."""
    _require(actor, Permission.VIEW_CATALOGUE)
    found = await repository.products_by_sku(skus)
    allowed = _statuses_for(actor)
    return [p for p in found.values() if p.status in allowed]
