"""The demo's catalogue, price books and promotions: enough to see every kind of price explained."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from channel import repository as channel_repository
from channel.services import access
from channel.visibility import Actor
from core.clock import Clock
from pricing import configuration, schemas
from pricing.promotions import (
    BuyXGetY,
    Condition,
    Eligibility,
    Gift,
    PercentOff,
    Target,
    ThresholdDiscount,
    VolumeTier,
    VolumeTiers,
)
from pricing.services import catalogue, price_books, promotions

CATEGORIES = [
    ("KITCHEN", None, "Kitchen appliances", "厨房电器"),
    ("HOBS", "KITCHEN", "Hobs", "燃气灶"),
    ("HOODS", "KITCHEN", "Range hoods", "吸油烟机"),
    ("OVENS", "KITCHEN", "Built-in ovens", "嵌入式烤箱"),
    ("PARTS", "KITCHEN", "Parts and filters", "配件与滤网"),
    ("LAUNDRY", None, "Laundry", "洗衣护理"),
    ("WASHERS", "LAUNDRY", "Washing machines", "洗衣机"),
    ("DRYERS", "LAUNDRY", "Dryers", "干衣机"),
    ("SMALL", None, "Small appliances", "小家电"),
]

# sku, category, English name, Chinese name, list price (CNY), case quantity
PRODUCTS = [
    ("HOB-G2-60", "HOBS", "Gas hob, 2 burners, 60 cm", "双眼燃气灶 60 厘米", "1299", 1),
    ("HOB-G3-75", "HOBS", "Gas hob, 3 burners, 75 cm", "三眼燃气灶 75 厘米", "1899", 1),
    ("HOB-IND-60", "HOBS", "Induction hob, 60 cm", "电磁炉灶 60 厘米", "2599", 1),
    ("HOOD-T-90", "HOODS", "T-shape range hood, 90 cm", "T 型吸油烟机 90 厘米", "2999", 1),
    ("HOOD-S-90", "HOODS", "Side-draft range hood, 90 cm", "侧吸式吸油烟机 90 厘米", "3599", 1),
    ("OVEN-B60", "OVENS", "Built-in oven, 60 L", "嵌入式烤箱 60 升", "3999", 1),
    ("OVEN-STM45", "OVENS", "Steam oven, 45 L", "蒸烤一体机 45 升", "5299", 1),
    ("FILTER-HOOD", "PARTS", "Grease filter for range hoods", "吸油烟机油网", "89", 10),
    ("GRATE-CI", "PARTS", "Cast-iron pan support", "铸铁锅架", "129", 5),
    ("WM-F8", "WASHERS", "Front-load washer, 8 kg", "滚筒洗衣机 8 公斤", "2799", 1),
    ("WM-F10", "WASHERS", "Front-load washer, 10 kg", "滚筒洗衣机 10 公斤", "3499", 1),
    ("WM-T9", "WASHERS", "Top-load washer, 9 kg", "波轮洗衣机 9 公斤", "1699", 1),
    ("DRY-HP9", "DRYERS", "Heat-pump dryer, 9 kg", "热泵干衣机 9 公斤", "4299", 1),
    ("KETTLE-17", "SMALL", "Kettle, 1.7 L", "电热水壶 1.7 升", "199", 6),
    ("RICE-4L", "SMALL", "Rice cooker, 4 L", "电饭煲 4 升", "459", 4),
    ("BLEND-P", "SMALL", "Blender", "破壁料理机", "899", 2),
    (
        "KITCHEN-SET",
        "KITCHEN",
        "Kitchen set: hob, hood and oven of your choice",
        "厨房套装（自选灶具、烟机、烤箱）",
        "7999",
        1,
    ),
]

# The kitchen set's options and rules: one hob, one hood, an oven if wanted, two filters per hood;
# the cast-iron pan support fits gas hobs only.
KITCHEN_SET = configuration.BundleDefinition(
    groups=[
        configuration.OptionGroup(
            code="HOB",
            names={"en": "Hob", "zh_Hans": "灶具"},
            options=["HOB-G2-60", "HOB-G3-75", "HOB-IND-60"],
            min_choices=1,
        ),
        configuration.OptionGroup(
            code="HOOD",
            names={"en": "Range hood", "zh_Hans": "吸油烟机"},
            options=["HOOD-T-90", "HOOD-S-90"],
            min_choices=1,
        ),
        configuration.OptionGroup(
            code="OVEN", names={"en": "Oven", "zh_Hans": "烤箱"}, options=["OVEN-B60", "OVEN-STM45"]
        ),
        configuration.OptionGroup(
            code="PARTS",
            names={"en": "Parts", "zh_Hans": "配件"},
            options=["FILTER-HOOD", "GRATE-CI"],
            max_choices=2,
            max_quantity=10,
        ),
    ],
    rules=[
        configuration.QuantityRatio(option="FILTER-HOOD", of="HOOD-T-90", per=1, quantity=2),
        configuration.QuantityRatio(option="FILTER-HOOD", of="HOOD-S-90", per=1, quantity=2),
        configuration.Excludes(option="GRATE-CI", other="HOB-IND-60"),
    ],
)

STEPS = len(CATEGORIES) + len(PRODUCTS) + 5 + 6


async def load_commerce(clock: Clock, advance: Callable[[str], None]) -> None:
    system = await access.system_actor()
    for code, parent, english, chinese in CATEGORIES:
        await catalogue.create_category(
            system,
            schemas.CategoryCreate(code=code, parent=parent, names={"en": english, "zh_Hans": chinese}),
            clock,
        )
        advance(f"category {code}")
    for sku, category, english, chinese, _, case in PRODUCTS:
        await catalogue.create_product(
            system,
            schemas.ProductCreate(
                sku=sku,
                names={"en": english, "zh_Hans": chinese},
                category=category,
                brand="Aurora",
                case_quantity=case,
                minimum_order_quantity=case,
            ),
            clock,
        )
        advance(sku)
    kitchen_set = await catalogue.products_named(system, ["KITCHEN-SET"])
    await catalogue.set_configuration(system, kitchen_set[0].id, KITCHEN_SET, clock)
    await _price_books(system, clock, advance)
    await _promotions(system, clock, advance)


async def _huadong_admin(clock: Clock) -> Actor:
    """Huadong's administrator, acting as they would in the portal (a distributor's own prices)."""
    credentials = await channel_repository.find_credentials("admin@huadong.example")
    assert credentials is not None
    actor = await access.actor_for_session(credentials.user_id, clock.now())
    assert actor is not None
    return actor


async def _price_books(system: Actor, clock: Clock, advance: Callable[[str], None]) -> None:
    list_entries = [schemas.PriceEntry(sku=sku, unit_price=Decimal(price)) for sku, *_, price, _ in PRODUCTS]
    books = [
        schemas.PriceBookCreate(
            code="LIST-CNY", name="List price 2026", currency="CNY", kind="list", entries=list_entries
        ),
        schemas.PriceBookCreate(
            code="T1-PLATINUM",
            name="Tier-1 Platinum",
            currency="CNY",
            tiers=[1],
            partner_levels=["PLATINUM"],
            buyer_kinds=["distributor"],
            percent_off_list=Decimal("40"),
        ),
        schemas.PriceBookCreate(
            code="T1-GOLD",
            name="Tier-1 Gold",
            currency="CNY",
            tiers=[1],
            partner_levels=["GOLD"],
            buyer_kinds=["distributor"],
            percent_off_list=Decimal("38"),
        ),
        schemas.PriceBookCreate(
            code="T2",
            name="Tier-2 dealers",
            currency="CNY",
            tiers=[2],
            buyer_kinds=["distributor"],
            percent_off_list=Decimal("25"),
        ),
    ]
    for book in books:
        await price_books.create_price_book(system, book, clock)
        advance(book.code)
    # Huadong sells to its own stores a little under list, with a break for ten washers; the
    # manufacturer keeps every distributor's price of the washer above 2,400.
    huadong = await _huadong_admin(clock)
    await price_books.create_price_book(
        huadong,
        schemas.PriceBookCreate(
            code="HUADONG-STORES",
            name="Huadong store prices",
            currency="CNY",
            entries=[
                schemas.PriceEntry(sku="WM-F8", unit_price=Decimal("2599")),
                schemas.PriceEntry(sku="WM-F8", unit_price=Decimal("2450"), min_quantity=10),
                schemas.PriceEntry(sku="HOB-G2-60", unit_price=Decimal("1199")),
                schemas.PriceEntry(sku="KETTLE-17", unit_price=Decimal("179")),
            ],
        ),
        clock,
    )
    await price_books.set_price_control(
        system, schemas.PriceControlSet(sku="WM-F8", currency="CNY", floor=Decimal("2400")), clock
    )
    advance("sell prices")


async def _promotions(system: Actor, clock: Clock, advance: Callable[[str], None]) -> None:
    now = clock.now()
    season = Eligibility(starts_at=now - timedelta(days=7), ends_at=now + timedelta(days=60))
    drafts = [
        schemas.PromotionCreate(
            code="HOOD-WEEKS",
            name="Range hood weeks",
            currency="CNY",
            benefit=PercentOff(percent=Decimal("10"), target=Target(categories=frozenset({"HOODS"}))),
            eligibility=season,
            budget_amount=Decimal("200000"),
        ),
        schemas.PromotionCreate(
            code="HOB-FILTER",
            name="Two hobs, a filter free",
            currency="CNY",
            benefit=BuyXGetY(
                buy=2, get=1, target=Target(categories=frozenset({"HOBS"})), free_sku="FILTER-HOOD"
            ),
            eligibility=season,
        ),
        schemas.PromotionCreate(
            code="WASHER-TIERS",
            name="Washer volume tiers",
            currency="CNY",
            benefit=VolumeTiers(
                tiers=(
                    VolumeTier(min_quantity=5, percent=Decimal("3")),
                    VolumeTier(min_quantity=10, percent=Decimal("5")),
                ),
                target=Target(categories=frozenset({"WASHERS"})),
            ),
            eligibility=season,
        ),
        schemas.PromotionCreate(
            code="KETTLE-3FOR2",
            name="Kettles: buy 2, get 1",
            currency="CNY",
            benefit=BuyXGetY(buy=2, get=1, target=Target(skus=frozenset({"KETTLE-17"}))),
            eligibility=Eligibility(
                buyer_kinds=frozenset({"store"}), starts_at=season.starts_at, ends_at=season.ends_at
            ),
            budget_units=500,
        ),
        schemas.PromotionCreate(
            code="OVEN-GIFT",
            name="Oven launch: a pan support free",
            currency="CNY",
            benefit=Gift(sku="GRATE-CI"),
            condition=Condition(min_order_total=Decimal("8000")),
            eligibility=season,
            stacking="combinable",
        ),
    ]
    for draft in drafts:
        created = await promotions.create_promotion(system, draft, clock)
        await promotions.set_status(system, created.id, schemas.PromotionStatusChange(status="active"), clock)
        advance(draft.code)
    huadong = await _huadong_admin(clock)
    own = await promotions.create_promotion(
        huadong,
        schemas.PromotionCreate(
            code="HUADONG-1000",
            name="Huadong: 100 off every 1,000",
            currency="CNY",
            benefit=ThresholdDiscount(every=Decimal("1000"), off=Decimal("100")),
            eligibility=Eligibility(buyer_kinds=frozenset({"store"})),
            budget_amount=Decimal("50000"),
        ),
        clock,
    )
    await promotions.set_status(huadong, own.id, schemas.PromotionStatusChange(status="active"), clock)
    advance("HUADONG-1000")
