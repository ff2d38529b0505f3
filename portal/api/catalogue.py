"""The catalogue over JSON: categories, products, and the catalogue as a spreadsheet."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter

from channel.schemas import Page
from portal.dependencies import CurrentActor, CurrentClock
from portal.downloads import SpreadsheetOperation, spreadsheet
from portal.explained import CheckedConfiguration, WordedViolation, configuration_text
from pricing import schemas
from pricing.catalogue import ProductStatus
from pricing.configuration import BundleDefinition
from pricing.services import catalogue


class CategoriesController(Controller):
    path = "/catalogue/categories"
    tags = ["Catalogue"]

    @get("/", operation_id="ListCategories", summary="The category tree, in tree order")
    async def list_categories(self, actor: CurrentActor) -> list[schemas.Category]:
        return await catalogue.list_categories(actor)

    @post("/", operation_id="CreateCategory", summary="Add a category (under a parent, or at the top)")
    async def create_category(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.CategoryCreate]
    ) -> schemas.Category:
        return await catalogue.create_category(actor, data, clock)


class ProductsController(Controller):
    path = "/catalogue/products"
    tags = ["Catalogue"]

    @get("/", operation_id="ListProducts", summary="Products I may see, by SKU")
    async def list_products(
        self,
        actor: CurrentActor,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        category: Annotated[str | None, QueryParameter(max_length=32)] = None,
        brand: Annotated[str | None, QueryParameter(max_length=80)] = None,
        status: FromQuery[ProductStatus | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=600)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> Page[schemas.Product]:
        return await catalogue.list_products(
            actor,
            schemas.ProductFilter(
                q=q, category=category, brand=brand, status=status, cursor=cursor, limit=limit
            ),
        )

    @post("/", operation_id="CreateProduct", summary="Add a product")
    async def create_product(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ProductCreate]
    ) -> schemas.Product:
        return await catalogue.create_product(actor, data, clock)

    @get("/{product_id:uuid}", operation_id="GetProduct", summary="One product")
    async def get_product(self, actor: CurrentActor, product_id: FromPath[UUID]) -> schemas.Product:
        return await catalogue.get_product(actor, product_id)

    @patch("/{product_id:uuid}", operation_id="UpdateProduct", summary="Change a product; the SKU stays")
    async def update_product(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        product_id: FromPath[UUID],
        data: JSONBody[schemas.ProductUpdate],
    ) -> schemas.Product:
        return await catalogue.update_product(actor, product_id, data, clock)

    @get(
        "/{product_id:uuid}/configuration",
        operation_id="GetConfiguration",
        summary="A configurable product's option groups and rules (null for a plain product)",
    )
    async def get_configuration(
        self, actor: CurrentActor, product_id: FromPath[UUID]
    ) -> BundleDefinition | None:
        return await catalogue.get_configuration(actor, product_id)

    @put(
        "/{product_id:uuid}/configuration",
        operation_id="SetConfiguration",
        summary="Make a product configurable: option groups and rules (422 lists every contradiction)",
    )
    async def set_configuration(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        product_id: FromPath[UUID],
        data: JSONBody[BundleDefinition],
    ) -> BundleDefinition | None:
        return await catalogue.set_configuration(actor, product_id, data, clock)

    @delete(
        "/{product_id:uuid}/configuration",
        operation_id="RemoveConfiguration",
        summary="Make a configurable product plain again",
    )
    async def remove_configuration(
        self, actor: CurrentActor, clock: CurrentClock, product_id: FromPath[UUID]
    ) -> None:
        await catalogue.set_configuration(actor, product_id, None, clock)

    @post(
        "/{product_id:uuid}/configuration/check",
        operation_id="CheckConfiguration",
        summary="Every rule a configuration breaks, in the reader's language",
        status_code=200,
    )
    async def check_configuration(
        self, actor: CurrentActor, product_id: FromPath[UUID], data: JSONBody[schemas.ConfigurationCheck]
    ) -> CheckedConfiguration:
        verdict = await catalogue.check_configuration(actor, product_id, data)
        return CheckedConfiguration(
            valid=verdict.valid,
            violations=[
                WordedViolation(code=v.code, params=v.params, text=configuration_text(v))
                for v in verdict.violations
            ],
        )

    @post(
        "/import",
        operation_id="ImportProducts",
        summary="Create or update products from CSV or XLSX; all rows or none (422 lists every bad cell)",
    )
    async def import_products(
        self, actor: CurrentActor, clock: CurrentClock, data: MultipartBody[UploadFile]
    ) -> Response[schemas.ImportResult]:
        content = await data.read()
        result = await catalogue.import_products(actor, content, data.filename or "", clock)
        return Response(result, status_code=200 if result.accepted else 422)

    @get(
        "/export",
        operation_id="ExportProducts",
        operation_class=SpreadsheetOperation,
        summary="The catalogue as CSV or XLSX, in the upload's columns",
    )
    async def export_products(
        self, actor: CurrentActor, format: FromQuery[Literal["csv", "xlsx"]] = "csv"
    ) -> Response[bytes]:
        return spreadsheet(await catalogue.export_products(actor, format), format, "catalogue")
