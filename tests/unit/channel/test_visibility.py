"""The tenancy rule, checked against a naive walk up the supplier chain over generated networks."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from channel.network import Relation, path_for, relation
from channel.roles import OrgKind, Role
from channel.visibility import Actor


@dataclass(frozen=True)
class Node:
    code: str
    kind: OrgKind
    supplier: str | None
    path: str


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Node]:
    """A manufacturer with distributors at any depth and stores as leaves."""
    nodes = {"M": Node("M", OrgKind.MANUFACTURER, None, path_for("M", None))}
    suppliers = ["M"]
    for index in range(draw(st.integers(min_value=0, max_value=30))):
        supplier = nodes[draw(st.sampled_from(suppliers))]
        kind = draw(st.sampled_from([OrgKind.DISTRIBUTOR, OrgKind.STORE]))
        code = f"P{index}"
        nodes[code] = Node(code, kind, supplier.code, path_for(code, supplier.path))
        if kind is OrgKind.DISTRIBUTOR:
            suppliers.append(code)
    return nodes


def descendants_by_walking(nodes: dict[str, Node], root: str) -> set[str]:
    """Everything whose chain of suppliers reaches ``root``, the organisation itself included."""
    found = set()
    for code in nodes:
        current: str | None = code
        while current is not None:
            if current == root:
                found.add(code)
                break
            current = nodes[current].supplier
    return found


def actor_at(node: Node, roles: set[Role], assigned: tuple[str, ...] = ()) -> Actor:
    return Actor(
        organisation_id=uuid4(),
        organisation_kind=node.kind,
        organisation_path=node.path,
        roles=frozenset(roles),
        assigned_paths=assigned,
    )


DISTRIBUTOR_AND_STORE_ROLES = [
    Role.DISTRIBUTOR_ADMIN,
    Role.BUYER,
    Role.SALES,
    Role.WAREHOUSE,
    Role.STORE_MANAGER,
]


@settings(max_examples=300)
@given(data=st.data(), nodes=networks())
def test_a_partner_sees_exactly_its_own_subtree(data: st.DataObject, nodes: dict[str, Node]) -> None:
    if len(nodes) == 1:
        return
    code = data.draw(st.sampled_from(sorted(c for c in nodes if c != "M")))
    actor = actor_at(nodes[code], {data.draw(st.sampled_from(DISTRIBUTOR_AND_STORE_ROLES))})

    seen = {c for c, node in nodes.items() if actor.sees(node.path)}

    assert seen == descendants_by_walking(nodes, code)


@settings(max_examples=300)
@given(data=st.data(), nodes=networks())
def test_a_channel_manager_sees_the_manufacturer_and_the_subtrees_assigned(
    data: st.DataObject, nodes: dict[str, Node]
) -> None:
    partners = sorted(c for c in nodes if c != "M")
    assigned = data.draw(st.lists(st.sampled_from(partners), unique=True)) if partners else []
    actor = actor_at(nodes["M"], {Role.CHANNEL_MANAGER}, tuple(nodes[c].path for c in assigned))

    seen = {c for c, node in nodes.items() if actor.sees(node.path)}

    expected = {"M"}.union(*(descendants_by_walking(nodes, c) for c in assigned))
    assert seen == expected


@given(nodes=networks(), role=st.sampled_from([Role.MANUFACTURER_ADMIN, Role.SALES_OPS]))
def test_a_manufacturer_admin_or_sales_ops_sees_the_whole_network(nodes: dict[str, Node], role: Role) -> None:
    actor = actor_at(nodes["M"], {role})

    assert all(actor.sees(node.path) for node in nodes.values())


@given(data=st.data(), nodes=networks())
def test_nobody_sees_an_upstream_partner_or_a_sibling(data: st.DataObject, nodes: dict[str, Node]) -> None:
    if len(nodes) == 1:
        return
    code = data.draw(st.sampled_from(sorted(c for c in nodes if c != "M")))
    actor = actor_at(nodes[code], {Role.DISTRIBUTOR_ADMIN})

    for other in nodes.values():
        if relation(actor.organisation_path, other.path) in (
            Relation.UPSTREAM,
            Relation.SIBLING,
            Relation.UNRELATED,
        ):
            assert not actor.sees(other.path), other.code


def test_codes_that_share_a_prefix_are_not_each_others_subtree() -> None:
    d1 = path_for("D1", path_for("M", None))
    d10 = path_for("D10", path_for("M", None))
    actor = actor_at(Node("D1", OrgKind.DISTRIBUTOR, "M", d1), {Role.DISTRIBUTOR_ADMIN})

    assert not actor.sees(d10)
    assert actor.sees(path_for("S", d1))


def test_relations_name_how_two_partners_stand() -> None:
    m = path_for("M", None)
    d1, d2 = path_for("D1", m), path_for("D2", m)
    s1 = path_for("S1", d1)

    assert relation(d1, d1) is Relation.OWN
    assert relation(d1, s1) is Relation.DOWNSTREAM
    assert relation(s1, d1) is Relation.UPSTREAM
    assert relation(d1, d2) is Relation.SIBLING
    assert relation(s1, d2) is Relation.UNRELATED
