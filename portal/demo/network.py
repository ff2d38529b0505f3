"""The demo's partner network: one manufacturer, 3 tier-1 distributors, 6 tier-2 dealers, 40 stores
in four regions, and people in every role. Everything goes through the same services as the portal."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

import msgspec

from channel import schemas
from channel.roles import OrgKind, PartnerStatus, Role
from channel.services import access, partners, people, reference, setup
from channel.visibility import Actor
from core.clock import Clock

DEMO_PASSWORD = "channel-demo-2026"
MANUFACTURER_CODE = "AURORA"


class DemoSignIn(msgspec.Struct, frozen=True):
    portal: str
    role: str
    organisation: str
    email: str
    password: str = DEMO_PASSWORD


LEVELS = [("PLATINUM", "Platinum", 1), ("GOLD", "Gold", 2), ("SILVER", "Silver", 3)]
REGIONS = [("EAST", "East China"), ("NORTH", "North China"), ("SOUTH", "South China"), ("WEST", "West China")]

# code, name, region, level, city, credit limit, mail domain
DISTRIBUTORS = [
    (
        "D-EAST",
        "Huadong Appliance Trading Co., Ltd.",
        "EAST",
        "PLATINUM",
        "Shanghai",
        "5000000",
        "huadong.example",
    ),
    ("D-NORTH", "Jingjin Supply Chain Co., Ltd.", "NORTH", "GOLD", "Beijing", "3000000", "jingjin.example"),
    (
        "D-SOUTH",
        "Lingnan Electronics Distribution Co., Ltd.",
        "SOUTH",
        "GOLD",
        "Guangzhou",
        "3500000",
        "lingnan.example",
    ),
]
# code, supplier, name, region, level, city, credit limit, mail domain
DEALERS = [
    (
        "D-EAST-HZ",
        "D-EAST",
        "Hangzhou Xinghe Appliances",
        "EAST",
        "SILVER",
        "Hangzhou",
        "800000",
        "xinghe.example",
    ),
    (
        "D-EAST-NJ",
        "D-EAST",
        "Nanjing Jinling Home Electric",
        "EAST",
        "GOLD",
        "Nanjing",
        "1000000",
        "jinling.example",
    ),
    (
        "D-NORTH-TJ",
        "D-NORTH",
        "Tianjin Haihe Trading",
        "NORTH",
        "SILVER",
        "Tianjin",
        "600000",
        "haihe.example",
    ),
    (
        "D-NORTH-SJZ",
        "D-NORTH",
        "Shijiazhuang Yanzhao Appliances",
        "NORTH",
        "SILVER",
        "Shijiazhuang",
        "500000",
        "yanzhao.example",
    ),
    (
        "D-SOUTH-SZ",
        "D-SOUTH",
        "Shenzhen Pengcheng Digital",
        "SOUTH",
        "GOLD",
        "Shenzhen",
        "900000",
        "pengcheng.example",
    ),
    (
        "D-SOUTH-CD",
        "D-SOUTH",
        "Chengdu Tianfu Home Appliances",
        "WEST",
        "SILVER",
        "Chengdu",
        "700000",
        "tianfu.example",
    ),
]
# supplier -> stores as (district, city)
STORES: dict[str, list[tuple[str, str]]] = {
    "D-EAST": [("Xujiahui", "Shanghai"), ("Lujiazui", "Shanghai")],
    "D-NORTH": [("Wangfujing", "Beijing"), ("Zhongguancun", "Beijing")],
    "D-SOUTH": [("Tianhe", "Guangzhou"), ("Beijing Road", "Guangzhou")],
    "D-EAST-HZ": [
        ("West Lake", "Hangzhou"),
        ("Binjiang", "Hangzhou"),
        ("Xiaoshan", "Hangzhou"),
        ("Yuhang", "Hangzhou"),
        ("Shaoxing Keqiao", "Shaoxing"),
        ("Jiaxing Nanhu", "Jiaxing"),
    ],
    "D-EAST-NJ": [
        ("Xinjiekou", "Nanjing"),
        ("Hexi", "Nanjing"),
        ("Jiangning", "Nanjing"),
        ("Suzhou Guanqian", "Suzhou"),
        ("Wuxi Liangxi", "Wuxi"),
        ("Changzhou Xinbei", "Changzhou"),
    ],
    "D-NORTH-TJ": [
        ("Heping", "Tianjin"),
        ("Binhai", "Tianjin"),
        ("Nankai", "Tianjin"),
        ("Tangshan Lubei", "Tangshan"),
        ("Langfang Guangyang", "Langfang"),
    ],
    "D-NORTH-SJZ": [
        ("Chang'an", "Shijiazhuang"),
        ("Qiaoxi", "Shijiazhuang"),
        ("Baoding Lianchi", "Baoding"),
        ("Handan Congtai", "Handan"),
        ("Xingtai Xiangdu", "Xingtai"),
    ],
    "D-SOUTH-SZ": [
        ("Futian", "Shenzhen"),
        ("Nanshan", "Shenzhen"),
        ("Bao'an", "Shenzhen"),
        ("Longgang", "Shenzhen"),
        ("Dongguan Nancheng", "Dongguan"),
        ("Huizhou Huicheng", "Huizhou"),
    ],
    "D-SOUTH-CD": [
        ("Chunxi Road", "Chengdu"),
        ("Gaoxin", "Chengdu"),
        ("Chongqing Jiefangbei", "Chongqing"),
        ("Chongqing Guanyinqiao", "Chongqing"),
        ("Deyang Jingyang", "Deyang"),
        ("Mianyang Fucheng", "Mianyang"),
    ],
}
STORE_REGION = {"D-EAST": "EAST", "D-NORTH": "NORTH", "D-SOUTH": "SOUTH", "D-SOUTH-CD": "WEST"}

STEPS = (
    1 + len(LEVELS) + len(REGIONS) + len(DISTRIBUTORS) + len(DEALERS) + sum(len(s) for s in STORES.values())
)


async def loaded_manufacturer() -> str | None:
    """The code of the channel's manufacturer, if the database already has one."""
    found = await setup.find_manufacturer()
    return found.code if found else None


async def _person(
    actor: Actor,
    clock: Clock,
    organisation_id: UUID,
    email: str,
    name: str,
    roles: list[Role],
    locale: str | None = "en",
) -> None:
    issued = await people.invite_user(
        actor,
        schemas.InvitationCreate(
            organisation_id=organisation_id, email=email, display_name=name, roles=roles
        ),
        clock,
    )
    user_id = await people.accept_invitation(issued.token, DEMO_PASSWORD, clock)
    if locale:
        user_actor = await access.actor_for_session(user_id, clock.now())
        assert user_actor is not None
        await people.set_preferred_locale(user_actor, locale, clock)


async def load_network(clock: Clock, advance: Callable[[str], None]) -> None:
    """Create the demo channel; ``advance`` is told each step's name (for a progress bar)."""
    manufacturer = await setup.create_manufacturer(
        setup.ManufacturerCreate(
            code=MANUFACTURER_CODE,
            name="Aurora Home Appliances Co., Ltd.",
            currency="CNY",
            locale="zh_Hans_CN",
            country="CN",
            city="Ningbo",
        ),
        clock,
    )
    advance("manufacturer")
    system = await access.system_actor()
    for code, name, rank in LEVELS:
        await reference.create_partner_level(
            system, schemas.PartnerLevelCreate(code=code, name=name, rank=rank), clock
        )
        advance(f"level {code}")
    for code, name in REGIONS:
        await reference.create_region(system, schemas.RegionCreate(code=code, name=name), clock)
        advance(f"region {code}")

    m = manufacturer.id
    await _person(system, clock, m, "admin@aurora.example", "Zhang Min", [Role.MANUFACTURER_ADMIN])
    await _person(system, clock, m, "cm.east@aurora.example", "Chen Jing", [Role.CHANNEL_MANAGER])
    await _person(
        system, clock, m, "cm.north@aurora.example", "Wang Lei", [Role.CHANNEL_MANAGER], locale="zh_Hans_CN"
    )
    await _person(system, clock, m, "ops@aurora.example", "Liu Yang", [Role.SALES_OPS])
    managers = {r.email: r.id for r in await partners.list_channel_managers(system)}

    ids: dict[str, UUID] = {MANUFACTURER_CODE: m}
    domains: dict[str, str] = {}

    async def add(
        code: str,
        supplier: str,
        kind: OrgKind,
        name: str,
        region: str,
        level: str | None,
        city: str,
        credit: str,
        status: PartnerStatus = PartnerStatus.ACTIVE,
    ) -> UUID:
        created = await partners.create_partner(
            system,
            schemas.OrganisationCreate(
                supplier_id=ids[supplier],
                kind=kind,
                code=code,
                name=name,
                currency="CNY",
                locale="zh_Hans_CN",
                partner_level=level,
                region=region,
                credit_limit=Decimal(credit),
                status=status,
                city=city,
                country="CN",
                contact_email=f"contact@{code.lower()}.example",
            ),
            clock,
        )
        ids[code] = created.id
        advance(code)
        return created.id

    for code, name, region, level, city, credit, domain in DISTRIBUTORS:
        org = await add(code, MANUFACTURER_CODE, OrgKind.DISTRIBUTOR, name, region, level, city, credit)
        domains[code] = domain
        await _person(system, clock, org, f"admin@{domain}", f"{city} Admin", [Role.DISTRIBUTOR_ADMIN])
        await _person(system, clock, org, f"buyer@{domain}", f"{city} Buyer", [Role.BUYER])
        await _person(system, clock, org, f"sales@{domain}", f"{city} Sales", [Role.SALES])
        await _person(system, clock, org, f"warehouse@{domain}", f"{city} Warehouse", [Role.WAREHOUSE])
    await partners.assign_channel_manager(system, ids["D-EAST"], managers["cm.east@aurora.example"], clock)
    await partners.assign_channel_manager(system, ids["D-SOUTH"], managers["cm.east@aurora.example"], clock)
    await partners.assign_channel_manager(system, ids["D-NORTH"], managers["cm.north@aurora.example"], clock)

    for code, supplier, name, region, level, city, credit, domain in DEALERS:
        org = await add(code, supplier, OrgKind.DISTRIBUTOR, name, region, level, city, credit)
        domains[code] = domain
        await _person(
            system,
            clock,
            org,
            f"admin@{domain}",
            f"{city} Dealer Admin",
            [Role.DISTRIBUTOR_ADMIN, Role.BUYER],
        )

    number = 0
    for supplier, stores in STORES.items():
        region = STORE_REGION.get(supplier) or STORE_REGION.get(supplier.rsplit("-", 1)[0], "EAST")
        for district, city in stores:
            number += 1
            code = f"S-{number:03d}"
            status = PartnerStatus.ONBOARDING if number in (38, 40) else PartnerStatus.ACTIVE
            org = await add(
                code, supplier, OrgKind.STORE, f"{district} Store", region, None, city, "50000", status
            )
            await _person(
                system,
                clock,
                org,
                f"manager@{code.lower()}.{domains[supplier]}",
                f"{district} Manager",
                [Role.STORE_MANAGER],
                locale=None if number % 3 else "en",
            )
            if number == 1:
                await _person(
                    system,
                    clock,
                    org,
                    f"clerk@{code.lower()}.{domains[supplier]}",
                    f"{district} Clerk",
                    [Role.CLERK],
                    locale="zh_Hans_CN",
                )
    # A store that is still being onboarded: its manager has not accepted the invitation yet.
    await people.invite_user(
        system,
        schemas.InvitationCreate(
            organisation_id=ids["S-040"],
            email="new.manager@s-040.tianfu.example",
            display_name="Mianyang Newcomer",
            roles=[Role.STORE_MANAGER],
        ),
        clock,
    )


def sign_ins() -> list[DemoSignIn]:
    """The demo's sign-ins, for printing when the demo is already loaded."""
    return [
        DemoSignIn("/m", "Manufacturer admin", "Aurora Home Appliances", "admin@aurora.example"),
        DemoSignIn("/m", "Channel manager (East, South)", "Aurora Home Appliances", "cm.east@aurora.example"),
        DemoSignIn("/m", "Channel manager (North)", "Aurora Home Appliances", "cm.north@aurora.example"),
        DemoSignIn("/m", "Sales operations", "Aurora Home Appliances", "ops@aurora.example"),
        DemoSignIn("/d", "Distributor admin (tier 1)", "Huadong Appliance Trading", "admin@huadong.example"),
        DemoSignIn("/d", "Buyer (tier 1)", "Huadong Appliance Trading", "buyer@huadong.example"),
        DemoSignIn("/d", "Sales (tier 1)", "Huadong Appliance Trading", "sales@huadong.example"),
        DemoSignIn("/d", "Warehouse (tier 1)", "Huadong Appliance Trading", "warehouse@huadong.example"),
        DemoSignIn("/d", "Dealer admin (tier 2)", "Hangzhou Xinghe Appliances", "admin@xinghe.example"),
        DemoSignIn("/s", "Store manager", "Xujiahui Store", "manager@s-001.huadong.example"),
        DemoSignIn("/s", "Store clerk", "Xujiahui Store", "clerk@s-001.huadong.example"),
    ]
