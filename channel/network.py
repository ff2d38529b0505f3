"""The shape of the partner network: who may sit under whom, and where each organisation sits.

An organisation's ``path`` is its ancestors' partner codes and its own, each followed by ``/``, from
the manufacturer down (``AURORA/D-EAST/S-001/``). A subtree is every path that starts with its root's
path, which a B-tree index answers on SQLite and PostgreSQL alike (a range ``[path, path + "~")``),
and sorting by path lists the tree depth-first with siblings in code order. Partner codes never
change once given, which is what makes them usable here.
"""

from __future__ import annotations

from enum import StrEnum

from channel.roles import OrgKind

ALLOWED_CHILDREN: dict[OrgKind, frozenset[OrgKind]] = {
    OrgKind.MANUFACTURER: frozenset({OrgKind.DISTRIBUTOR, OrgKind.STORE}),
    OrgKind.DISTRIBUTOR: frozenset({OrgKind.DISTRIBUTOR, OrgKind.STORE}),
    OrgKind.STORE: frozenset(),
}

# Every character of a path sorts below this one, so [path, path + PATH_END) is the subtree.
PATH_END = "~"
# Levels below the manufacturer a network may have (a path must fit its column).
MAX_DEPTH = 10


class Relation(StrEnum):
    """How an organisation stands to the one looking at it."""

    OWN = "own"
    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"
    SIBLING = "sibling"  # same supplier
    UNRELATED = "unrelated"  # anywhere else in the network


def may_supply(parent_kind: OrgKind, child_kind: OrgKind) -> bool:
    return child_kind in ALLOWED_CHILDREN[parent_kind]


def path_for(code: str, supplier_path: str | None) -> str:
    return (supplier_path or "") + code + "/"


def manufacturer_path(path: str) -> str:
    """The path of the manufacturer at the top of ``path``: its first code."""
    return path[: path.index("/") + 1]


def depth_of(path: str) -> int:
    """0 for the manufacturer, 1 for a tier-1 distributor or a direct store, and so on."""
    return path.count("/") - 1


def ancestor_codes(path: str) -> list[str]:
    """Codes from the manufacturer down to the organisation's supplier (the organisation itself excluded)."""
    return path.split("/")[:-2]


def is_within(path: str, root_path: str) -> bool:
    """Whether ``path`` is ``root_path`` or below it."""
    return path.startswith(root_path)


def relation(viewer_path: str, other_path: str) -> Relation:
    if other_path == viewer_path:
        return Relation.OWN
    if other_path.startswith(viewer_path):
        return Relation.DOWNSTREAM
    if viewer_path.startswith(other_path):
        return Relation.UPSTREAM
    if ancestor_codes(other_path) == ancestor_codes(viewer_path):
        return Relation.SIBLING
    return Relation.UNRELATED
