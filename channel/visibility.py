"""Who may see whom: the one place the tenancy rule lives.

- A manufacturer admin or sales-ops user sees the whole network.
- A channel manager sees the manufacturer itself and the partners assigned to them, with their subtrees.
- Everyone else sees their own organisation and its downstream subtree.

Nobody else sees a sibling's or an upstream partner's private data. Services turn "not visible" into
``NotFoundError``, so an invisible object and a missing one answer identically.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from channel.network import is_within
from channel.roles import OrgKind, Permission, Role, permissions_of

_SEES_EVERYTHING = frozenset({Role.MANUFACTURER_ADMIN, Role.SALES_OPS})


class Scope(msgspec.Struct, frozen=True):
    """The subtrees an actor may see: ``everything``, or the organisations under any of ``roots``."""

    everything: bool
    roots: tuple[str, ...] = ()
    # Organisations visible on their own, without their subtree (a channel manager's manufacturer).
    singles: tuple[str, ...] = ()

    def includes(self, path: str) -> bool:
        return self.everything or path in self.singles or any(is_within(path, r) for r in self.roots)


class Actor(msgspec.Struct, frozen=True):
    """Who is acting: a signed-in user or an organisation's API token, with what they may see and do."""

    organisation_id: UUID
    organisation_kind: OrgKind
    organisation_path: str
    roles: frozenset[Role]
    user_id: UUID | None = None
    token_id: UUID | None = None
    label: str = ""  # e-mail or token name, for the audit trail
    display_name: str = ""
    organisation_name: str = ""
    locale: str = "en"
    # Paths of the partners assigned to this user as channel manager.
    assigned_paths: tuple[str, ...] = ()

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def scope(self) -> Scope:
        return scope_of(self)

    def sees(self, path: str) -> bool:
        return scope_of(self).includes(path)


def scope_of(actor: Actor) -> Scope:
    if actor.organisation_kind is OrgKind.MANUFACTURER:
        if actor.roles & _SEES_EVERYTHING:
            return Scope(everything=True)
        if Role.CHANNEL_MANAGER in actor.roles:
            return Scope(
                everything=False,
                roots=tuple(sorted(set(actor.assigned_paths))),
                singles=(actor.organisation_path,),
            )
    return Scope(everything=False, roots=(actor.organisation_path,))
