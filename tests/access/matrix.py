"""The authorization matrix (docs/security/authorization.toml): reading it and deciding what to expect."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MATRIX_FILE = Path(__file__).resolve().parents[2] / "docs" / "security" / "authorization.toml"
PORTAL_KINDS = {"m": "manufacturer", "d": "distributor", "s": "store"}
ORGANISATION_KINDS = {
    "M": "manufacturer",
    "D1": "distributor",
    "D2": "distributor",
    "D1A": "distributor",
    "D2A": "distributor",
    "S1": "store",
    "S1B": "store",
    "S2": "store",
}
# Each organisation's supplier (its parent in the channel).
SUPPLIERS = {"D1": "M", "D2": "M", "D1A": "D1", "D2A": "D2", "S1": "D1A", "S1B": "D1A", "S2": "D2A"}


def _by_role(value: int | dict[str, int], roles: tuple[str, ...]) -> int | None:
    if isinstance(value, int):
        return value
    return next((value[role] for role in roles if role in value), None)


@dataclass(frozen=True)
class ActorSpec:
    name: str
    organisation: str
    roles: tuple[str, ...]
    sees: frozenset[str]
    knows: frozenset[str]
    token: bool

    @property
    def kind(self) -> str:
        return ORGANISATION_KINDS[self.organisation]


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # concrete: {portal} already replaced
    template: str  # the route as the app lists it
    portal: str | None
    allowed: str | tuple[str, ...]
    object: str | None
    ok: int
    denied: int
    own: int | dict[str, int] | None
    supplier: int | dict[str, int] | None  # when the actor's organisation supplies the target
    store: int | None
    scope: str | None
    body: str | None
    form: str | None
    scan: bool
    fresh_session: bool
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def expected(self, actor: ActorSpec, target: str | None) -> int:
        if self.portal is not None and actor.kind != PORTAL_KINDS[self.portal]:
            return 403
        if self.allowed != "all" and not set(actor.roles) & set(self.allowed):
            return self.denied
        if target is None:
            return self.ok
        sees = {actor.organisation} & actor.sees if self.scope == "own" else actor.sees
        if target not in sees:
            return 404
        relation = None
        if target == actor.organisation:
            relation = self.own
        elif SUPPLIERS.get(target) == actor.organisation:
            relation = self.supplier
        if relation is not None and (found := _by_role(relation, actor.roles)) is not None:
            return found
        if self.store is not None and ORGANISATION_KINDS[target] == "store":
            return self.store
        return self.ok


@dataclass(frozen=True)
class Matrix:
    targets: tuple[str, ...]
    actors: dict[str, ActorSpec]
    routes: list[RouteSpec]


def load_matrix(path: Path = MATRIX_FILE) -> Matrix:
    data = tomllib.loads(path.read_text())
    actors = {
        name: ActorSpec(
            name=name,
            organisation=spec["organisation"],
            roles=tuple(spec["roles"]),
            sees=frozenset(spec["sees"]),
            knows=frozenset(spec.get("knows", [])),
            token=bool(spec.get("token", False)),
        )
        for name, spec in data["actors"].items()
    }
    routes: list[RouteSpec] = []
    for spec in data["route"]:
        method, template = spec["route"].split(" ", 1)
        allowed = spec["allowed"] if spec["allowed"] == "all" else tuple(spec["allowed"])
        for portal in spec.get("portals", [None]):
            routes.append(
                RouteSpec(
                    method=method,
                    path=template.replace("{portal}", portal) if portal else template,
                    template=template.replace("{portal}", portal) if portal else template,
                    portal=portal,
                    allowed=allowed,
                    object=spec.get("object"),
                    ok=spec.get("ok", 200),
                    denied=spec.get("denied", 403),
                    own=spec.get("own"),
                    supplier=spec.get("supplier"),
                    store=spec.get("store"),
                    scope=spec.get("scope"),
                    body=spec.get("body"),
                    form=spec.get("form"),
                    scan=spec.get("scan", False),
                    fresh_session=spec.get("fresh_session", False),
                    raw=spec,
                )
            )
    return Matrix(targets=tuple(data["targets"]), actors=actors, routes=routes)


def actors_for(route: RouteSpec, matrix: Matrix) -> list[ActorSpec]:
    """API tokens are for the JSON API; people in browsers use everything."""
    return [a for a in matrix.actors.values() if route.is_api or not a.token]
