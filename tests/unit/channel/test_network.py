import pytest

from channel.network import ancestor_codes, depth_of, manufacturer_path, may_supply, path_for
from channel.roles import ROLES_BY_KIND, OrgKind, Permission, Role, permissions_of, roles_fit_kind


@pytest.mark.parametrize(
    ("supplier", "child", "allowed"),
    [
        (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, True),
        (OrgKind.MANUFACTURER, OrgKind.STORE, True),
        (OrgKind.DISTRIBUTOR, OrgKind.DISTRIBUTOR, True),
        (OrgKind.DISTRIBUTOR, OrgKind.STORE, True),
        (OrgKind.STORE, OrgKind.STORE, False),
        (OrgKind.STORE, OrgKind.DISTRIBUTOR, False),
        (OrgKind.DISTRIBUTOR, OrgKind.MANUFACTURER, False),
    ],
)
def test_stores_are_leaves_and_distributors_nest_at_any_depth(
    supplier: OrgKind, child: OrgKind, allowed: bool
) -> None:
    assert may_supply(supplier, child) is allowed


def test_a_path_names_every_supplier_from_the_manufacturer_down() -> None:
    path = path_for("S-001", path_for("D-EAST-HZ", path_for("D-EAST", path_for("AURORA", None))))

    assert path == "AURORA/D-EAST/D-EAST-HZ/S-001/"
    assert depth_of(path) == 3
    assert ancestor_codes(path) == ["AURORA", "D-EAST", "D-EAST-HZ"]
    assert manufacturer_path(path) == manufacturer_path("AURORA/") == "AURORA/"


def test_roles_must_belong_to_the_organisations_kind() -> None:
    assert roles_fit_kind(frozenset({Role.BUYER, Role.SALES}), OrgKind.DISTRIBUTOR)
    assert not roles_fit_kind(frozenset({Role.CLERK}), OrgKind.DISTRIBUTOR)
    assert not roles_fit_kind(frozenset(), OrgKind.STORE)


def test_every_role_belongs_to_exactly_one_kind() -> None:
    kinds_of = {role: [k for k, roles in ROLES_BY_KIND.items() if role in roles] for role in Role}

    assert all(len(kinds) == 1 for kinds in kinds_of.values())


def test_a_clerk_reads_the_catalogue_places_and_receives_orders_and_manages_nothing() -> None:
    assert permissions_of(frozenset({Role.CLERK})) == frozenset(
        {Permission.VIEW_CATALOGUE, Permission.VIEW_ORDERS, Permission.PLACE_ORDERS}
    )
    assert Permission.MANAGE_PARTNERS not in permissions_of(frozenset({Role.STORE_MANAGER}))
