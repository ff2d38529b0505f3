"""The manufacturer keeps the catalogue; the whole channel reads it; uploads are all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from channel.schemas import Page
from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pricing import schemas
from pricing.catalogue import ProductStatus
from pricing.services import catalogue
from tests.builders import World


async def _categories(world: World, clock: FixedClock) -> None:
    m = world.actors["m_admin"]
    await catalogue.create_category(
        m, schemas.CategoryCreate(code="KITCHEN", names={"en": "Kitchen", "zh_Hans": "厨房"}), clock
    )
    await catalogue.create_category(
        m,
        schemas.CategoryCreate(code="HOBS", names={"en": "Hobs", "zh_Hans": "灶具"}, parent="KITCHEN"),
        clock,
    )
    await catalogue.create_category(m, schemas.CategoryCreate(code="LAUNDRY", names={"en": "Laundry"}), clock)


def _product(sku: str, category: str = "HOBS", **overrides: object) -> schemas.ProductCreate:
    values: dict[str, object] = {
        "sku": sku,
        "names": {"en": f"Product {sku}", "zh_Hans": f"产品{sku}"},
        "category": category,
        "brand": "Aurora",
        **overrides,
    }
    return schemas.ProductCreate(**values)  # type: ignore[arg-type]


def _skus(page: Page[schemas.Product]) -> list[str]:
    return [p.sku for p in page.items]


async def test_a_category_below_another_lists_its_products_under_the_parent_too(
    world: World, clock: FixedClock
) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    await catalogue.create_product(m, _product("HOB-60"), clock)
    await catalogue.create_product(m, _product("WM-8KG", category="LAUNDRY"), clock)

    kitchen = await catalogue.list_products(
        world.actors["s1_clerk"], schemas.ProductFilter(category="KITCHEN")
    )

    assert _skus(kitchen) == ["HOB-60"]
    assert kitchen.items[0].category == "HOBS"


async def test_partners_never_see_draft_products_and_the_manufacturer_does(
    world: World, clock: FixedClock
) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    await catalogue.create_product(m, _product("HOB-60"), clock)
    draft = await catalogue.create_product(m, _product("HOB-90", status=ProductStatus.DRAFT), clock)

    assert _skus(await catalogue.list_products(world.actors["s1_clerk"], schemas.ProductFilter())) == [
        "HOB-60"
    ]
    assert _skus(await catalogue.list_products(m, schemas.ProductFilter())) == ["HOB-60", "HOB-90"]
    with pytest.raises(NotFoundError):
        await catalogue.get_product(world.actors["d1_admin"], draft.id)


async def test_a_product_is_found_by_its_chinese_name(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    await catalogue.create_product(
        world.actors["m_admin"], _product("HOB-60", names={"en": "Gas hob", "zh_Hans": "燃气灶"}), clock
    )

    found = await catalogue.list_products(world.actors["s1_clerk"], schemas.ProductFilter(q="燃气"))

    assert _skus(found) == ["HOB-60"]


async def test_only_the_manufacturer_keeps_the_catalogue(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    with pytest.raises(PermissionDeniedError):
        await catalogue.create_product(world.actors["d1_admin"], _product("HOB-60"), clock)
    with pytest.raises(PermissionDeniedError):
        await catalogue.create_category(
            world.actors["m_cm"], schemas.CategoryCreate(code="X", names={"en": "X"}), clock
        )


async def test_a_sku_is_taken_once_whatever_its_case(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    await catalogue.create_product(m, _product("hob-60"), clock)
    with pytest.raises(ConflictError):
        await catalogue.create_product(m, _product("HOB-60 "), clock)


async def test_updating_a_product_changes_only_what_was_sent_and_is_audited(
    world: World, clock: FixedClock
) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    product = await catalogue.create_product(m, _product("HOB-60", case_quantity=4), clock)

    updated = await catalogue.update_product(
        m, product.id, schemas.ProductUpdate(status=ProductStatus.DISCONTINUED, category="LAUNDRY"), clock
    )

    assert (updated.status, updated.category, updated.case_quantity) == (
        ProductStatus.DISCONTINUED,
        "LAUNDRY",
        4,
    )


CSV_GOOD = (
    "SKU,Name EN,Name ZH_Hans,Category,Brand,Unit,Case quantity,Minimum order quantity,Status\n"
    "HOB-60,Gas hob 60 cm,燃气灶 60 厘米,HOBS,Aurora,pc,2,2,active\n"
    "WM-8KG,Washer 8 kg,洗衣机 8 公斤,LAUNDRY,Aurora,pc,1,1,active\n"
)


async def test_a_catalogue_upload_creates_then_updates_by_sku(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]

    first = await catalogue.import_products(m, CSV_GOOD.encode(), "catalogue.csv", clock)
    again = await catalogue.import_products(
        m, CSV_GOOD.replace("Washer 8 kg", "Washer 8 kg A+++").encode(), "catalogue.csv", clock
    )

    assert (first.created, first.updated, first.unchanged, first.problems) == (2, 0, 0, [])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    hob = (await catalogue.list_products(m, schemas.ProductFilter(q="HOB-60"))).items[0]
    assert (hob.names, hob.case_quantity) == ({"en": "Gas hob 60 cm", "zh_Hans": "燃气灶 60 厘米"}, 2)


async def test_one_bad_row_stops_the_whole_upload_and_every_bad_cell_is_named(
    world: World, clock: FixedClock
) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    content = (
        b"sku,name_en,category,case_quantity\n"
        b"HOB-60,Gas hob,HOBS,2\n"
        b"HOB 90!,Bad sku,HOBS,1\n"
        b"WM-8KG,Washer,NOPE,1\n"
        b"HOB-60,Again,HOBS,1\n"
        b"DW-1,Dishwasher,HOBS,zero\n"
    )

    result = await catalogue.import_products(m, content, "catalogue.csv", clock)

    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, "sku", "bad_sku"),
        (4, "category", "unknown_category"),
        (5, "sku", "duplicate_row"),
        (6, "case_quantity", "invalid_value"),
    ]
    assert (await catalogue.list_products(m, schemas.ProductFilter())).items == []


async def test_a_gb18030_csv_from_chinese_excel_is_read(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    content = "sku,name_zh_hans,category\nHOB-60,燃气灶,HOBS\n".encode("gb18030")

    result = await catalogue.import_products(world.actors["m_admin"], content, "目录.csv", clock)

    assert result.created == 1


async def test_the_exported_xlsx_uploads_back_unchanged(world: World, clock: FixedClock) -> None:
    await _categories(world, clock)
    m = world.actors["m_admin"]
    await catalogue.import_products(m, CSV_GOOD.encode(), "catalogue.csv", clock)

    exported = await catalogue.export_products(m, "xlsx")
    sheet = load_workbook(io.BytesIO(exported)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    again = await catalogue.import_products(m, exported, "catalogue.xlsx", clock)

    assert rows[0][:4] == ("sku", "name_en", "name_zh_hans", "name_de")
    assert rows[1][:3] == ("HOB-60", "Gas hob 60 cm", "燃气灶 60 厘米")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


async def test_an_upload_that_is_not_a_spreadsheet_is_refused(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await catalogue.import_products(world.actors["m_admin"], b"PK\x03\x04garbage", "x.xlsx", clock)
    assert refused.value.problems[0].code == "upload_unreadable"


async def test_a_configurable_set_names_its_options_and_a_store_checks_a_configuration(
    world: World, clock: FixedClock
) -> None:
    from pricing.configuration import BundleDefinition, Excludes, OptionGroup

    await _categories(world, clock)
    m = world.actors["m_admin"]
    for sku in ("HOB-GAS", "HOB-IND", "GRATE"):
        await catalogue.create_product(m, _product(sku), clock)
    kit = await catalogue.create_product(m, _product("KIT-1", "KITCHEN"), clock)
    definition = BundleDefinition(
        groups=[
            OptionGroup(code="HOB", options=["HOB-GAS", "HOB-IND"], min_choices=1),
            OptionGroup(code="PARTS", options=["GRATE"]),
        ],
        rules=[Excludes(option="GRATE", other="HOB-IND")],
    )
    with pytest.raises(InvalidInputError) as refused:
        await catalogue.set_configuration(
            m,
            kit.id,
            BundleDefinition(groups=[OptionGroup(code="HOB", options=["HOB-GAS", "HOB-WOK", "KIT-1"])]),
            clock,
        )
    await catalogue.set_configuration(m, kit.id, definition, clock)
    store = world.actors["s1_manager"]

    verdict = await catalogue.check_configuration(
        store, kit.id, schemas.ConfigurationCheck(chosen={"HOB-IND": 1, "GRATE": 1})
    )

    assert [(p.code, p.params) for p in refused.value.problems] == [
        ("option_not_in_catalogue", {"sku": "HOB-WOK"}),
        ("option_not_in_catalogue", {"sku": "KIT-1"}),  # a set is not an option of itself
    ]
    assert (await catalogue.get_product(store, kit.id)).is_bundle
    assert await catalogue.get_configuration(store, kit.id) == definition
    assert (verdict.valid, [v.code for v in verdict.violations]) == (False, ["excludes"])
    with pytest.raises(PermissionDeniedError):
        await catalogue.set_configuration(store, kit.id, None, clock)
    hob = await catalogue.products_named(store, ["HOB-GAS"])
    with pytest.raises(ConflictError):
        await catalogue.check_configuration(store, hob[0].id, schemas.ConfigurationCheck(chosen={}))
