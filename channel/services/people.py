"""People of the network: invitations, roles, suspension, and each user's own password and language."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID, uuid4

from channel import passwords, repository, schemas
from channel.roles import ADMIN_ROLE, OrgKind, Permission, Role, UserStatus, roles_fit_kind
from channel.schemas import check_locale
from channel.services.activity import record_change
from channel.services.partners import visible_place
from channel.transactions import read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from core.validation import FieldValueError

INVITATION_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    """Invitation and API tokens carry 256 random bits, so a plain SHA-256 is a safe lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manage_users(actor: Actor) -> None:
    """Checked before anything is looked up: a role that may never manage people gets 403 whatever
    the object, and only then does an invisible object answer 404."""
    if not actor.can(Permission.MANAGE_USERS):
        raise PermissionDeniedError()


def _check_grant(
    actor: Actor, organisation_path: str, organisation_kind: OrgKind, roles: frozenset[Role]
) -> None:
    """May ``actor`` give ``roles`` to someone in that (visible) organisation?

    Downstream, managing users is enough. In one's own organisation only its admin may, so that a
    channel manager cannot make anyone a manufacturer admin, nor a buyer a distributor admin.
    """
    if (
        organisation_path == actor.organisation_path
        and ADMIN_ROLE[actor.organisation_kind] not in actor.roles
    ):
        raise PermissionDeniedError("only_admin_manages_own_organisation")
    if not roles_fit_kind(roles, organisation_kind):
        raise InvalidInputError.single("roles", "roles_do_not_fit_organisation", kind=organisation_kind.value)


async def _visible_user(actor: Actor, user_id: UUID) -> repository.UserPlace:
    found = await repository.find_user(user_id)
    if found is None or not actor.sees(found.organisation_path):
        raise NotFoundError("user_not_found")
    return found


async def list_users(
    actor: Actor, organisation_id: UUID | None = None, cursor: str | None = None, limit: int = 50
) -> schemas.Page[schemas.User]:
    if not actor.can(Permission.VIEW_NETWORK) and organisation_id not in (None, actor.organisation_id):
        raise NotFoundError("organisation_not_found")
    async with read_transaction():
        if organisation_id is not None:
            await visible_place(actor, organisation_id)
        elif not actor.can(Permission.VIEW_NETWORK):
            organisation_id = actor.organisation_id
        return await repository.list_users(actor.scope, organisation_id, cursor, limit)


async def get_user(actor: Actor, user_id: UUID) -> schemas.User:
    found = await _visible_user(actor, user_id)
    if found.user.organisation.id != actor.organisation_id and not actor.can(Permission.VIEW_NETWORK):
        raise NotFoundError("user_not_found")
    return found.user


# --- invitations --------------------------------------------------------------------------------


async def _issue_invitation(
    actor: Actor, clock: Clock, user_id: UUID, organisation_id: UUID
) -> tuple[UUID, str]:
    token = secrets.token_urlsafe(32)
    invitation_id = uuid4()
    now = clock.now()
    await repository.close_open_invitations(user_id, now)
    await repository.insert_invitation(
        {
            "id": invitation_id,
            "organisation": organisation_id,
            "user": user_id,
            "token_hash": token_hash(token),
            "invited_by": actor.user_id,
            "created_at": now,
            "expires_at": now + INVITATION_LIFETIME,
        }
    )
    return invitation_id, token


async def invite_user(
    actor: Actor, command: schemas.InvitationCreate, clock: Clock
) -> schemas.InvitationIssued:
    """Create the person (not yet able to sign in) and an invitation link that lets them set a password."""
    _require_manage_users(actor)
    roles = frozenset(command.roles)
    async with write_transaction():
        organisation = await visible_place(actor, command.organisation_id)
        _check_grant(actor, organisation.path, organisation.kind, roles)
        if await repository.email_taken(command.email):
            raise ConflictError("email_taken")
        user_id = uuid4()
        now = clock.now()
        await repository.insert_user(
            {
                "id": user_id,
                "organisation": organisation.id,
                "email": command.email,
                "display_name": command.display_name,
                "roles": sorted(r.value for r in roles),
                "status": UserStatus.INVITED.value,
                "sessions_valid_after": now,
                "created_at": now,
            }
        )
        invitation_id, token = await _issue_invitation(actor, clock, user_id, organisation.id)
        found = await repository.find_invitation(invitation_id=invitation_id)
        assert found is not None
        await _record(
            actor,
            clock,
            "user.invited",
            found.invitation.user,
            organisation.id,
            organisation.path,
            after={"email": command.email, "roles": sorted(roles)},
        )
    return schemas.InvitationIssued(invitation=found.invitation, token=token)


async def reissue_invitation(actor: Actor, user_id: UUID, clock: Clock) -> schemas.InvitationIssued:
    """A new link for someone who has not accepted yet; earlier links stop working."""
    _require_manage_users(actor)
    async with write_transaction():
        found = await _visible_user(actor, user_id)
        user = found.user
        _check_grant(actor, found.organisation_path, user.organisation.kind, frozenset(user.roles))
        if user.status is not UserStatus.INVITED:
            raise ConflictError("already_accepted")
        invitation_id, token = await _issue_invitation(actor, clock, user.id, user.organisation.id)
        issued = await repository.find_invitation(invitation_id=invitation_id)
        assert issued is not None
        await _record(
            actor, clock, "user.invitation_reissued", user, user.organisation.id, found.organisation_path
        )
    return schemas.InvitationIssued(invitation=issued.invitation, token=token)


async def list_open_invitations(actor: Actor, clock: Clock) -> list[schemas.Invitation]:
    _require_manage_users(actor)
    return await repository.list_open_invitations(actor.scope, clock.now())


async def revoke_invitation(actor: Actor, invitation_id: UUID, clock: Clock) -> None:
    _require_manage_users(actor)
    async with write_transaction():
        found = await repository.find_invitation(invitation_id=invitation_id)
        if found is None or not actor.sees(found.organisation_path):
            raise NotFoundError("invitation_not_found")
        invitation = found.invitation
        _check_grant(
            actor, found.organisation_path, invitation.organisation.kind, frozenset(invitation.roles)
        )
        if found.accepted_at or found.revoked_at:
            raise ConflictError("invitation_closed")
        await repository.mark_invitation(invitation_id, {"revoked_at": clock.now()})
        await _record(
            actor,
            clock,
            "user.invitation_revoked",
            invitation.user,
            invitation.organisation.id,
            found.organisation_path,
        )


async def _open_invitation(token: str, clock: Clock) -> repository.InvitationPlace:
    found = await repository.find_invitation(token_hash=token_hash(token))
    if found is None or found.accepted_at or found.revoked_at or found.invitation.expires_at <= clock.now():
        raise NotFoundError("invitation_not_found")
    return found


async def find_open_invitation(token: str, clock: Clock) -> schemas.Invitation:
    """The invitation behind a link, while it can still be accepted (no sign-in needed)."""
    return (await _open_invitation(token, clock)).invitation


async def accept_invitation(token: str, password: str, clock: Clock) -> UUID:
    """Set the invited person's password and activate them; returns their user id to sign them in."""
    async with write_transaction():
        found = await _open_invitation(token, clock)
        user = found.invitation.user
        passwords.check_new_password(password, email=user.email)
        now = clock.now()
        await repository.update_user(
            user.id,
            {
                "password_hash": passwords.hash_password(password),
                "status": UserStatus.ACTIVE.value,
                "sessions_valid_after": now,
            },
        )
        await repository.mark_invitation(found.invitation.id, {"accepted_at": now})
        actor = Actor(
            organisation_id=found.invitation.organisation.id,
            organisation_kind=found.invitation.organisation.kind,
            organisation_path=found.organisation_path,
            roles=frozenset(found.invitation.roles),
            user_id=user.id,
            label=user.email,
        )
        await _record(
            actor,
            clock,
            "user.invitation_accepted",
            user,
            found.invitation.organisation.id,
            found.organisation_path,
        )
    return user.id


# --- roles and status ---------------------------------------------------------------------------


async def change_roles(actor: Actor, user_id: UUID, roles: list[Role], clock: Clock) -> schemas.User:
    _require_manage_users(actor)
    new_roles = frozenset(roles)
    async with write_transaction():
        found = await _visible_user(actor, user_id)
        user = found.user
        _check_grant(
            actor, found.organisation_path, user.organisation.kind, new_roles | frozenset(user.roles)
        )
        if user.id == actor.user_id:
            raise ConflictError("cannot_change_own_roles")
        await repository.update_user(user.id, {"roles": sorted(r.value for r in new_roles)})
        await _record(
            actor,
            clock,
            "user.roles_changed",
            user,
            user.organisation.id,
            found.organisation_path,
            before={"roles": sorted(user.roles)},
            after={"roles": sorted(new_roles)},
        )
    return await get_user(actor, user_id)


async def set_user_status(actor: Actor, user_id: UUID, status: UserStatus, clock: Clock) -> schemas.User:
    """Suspend (ending every session of theirs at once) or reactivate a user."""
    _require_manage_users(actor)
    if status is UserStatus.INVITED:
        raise InvalidInputError.single("status", "cannot_set_invited")
    async with write_transaction():
        found = await _visible_user(actor, user_id)
        user = found.user
        _check_grant(actor, found.organisation_path, user.organisation.kind, frozenset(user.roles))
        if user.id == actor.user_id:
            raise ConflictError("cannot_change_own_status")
        if user.status is UserStatus.INVITED:
            raise ConflictError("not_yet_accepted")
        if user.status is status:
            return user
        values: dict[str, object] = {"status": status.value}
        if status is UserStatus.SUSPENDED:
            values["sessions_valid_after"] = clock.now()
        await repository.update_user(user.id, values)
        await _record(
            actor,
            clock,
            f"user.{'suspended' if status is UserStatus.SUSPENDED else 'reactivated'}",
            user,
            user.organisation.id,
            found.organisation_path,
            before={"status": user.status},
            after={"status": status},
        )
    return await get_user(actor, user_id)


# --- one's own account --------------------------------------------------------------------------


async def change_password(actor: Actor, command: schemas.PasswordChange, clock: Clock) -> None:
    """Change one's own password; every other session of the user ends."""
    if actor.user_id is None:
        raise PermissionDeniedError()
    async with write_transaction():
        found = await repository.find_user(actor.user_id)
        current_hash = await repository.find_password_hash(actor.user_id)
        if found is None or not passwords.verify_password(current_hash, command.current_password):
            raise InvalidInputError.single("current_password", "current_password_wrong")
        passwords.check_new_password(command.new_password, email=found.user.email, field="new_password")
        await repository.update_user(
            actor.user_id,
            {
                "password_hash": passwords.hash_password(command.new_password),
                "sessions_valid_after": clock.now(),
            },
        )
        await _record(
            actor, clock, "user.password_changed", found.user, actor.organisation_id, actor.organisation_path
        )


async def set_preferred_locale(actor: Actor, locale: str, clock: Clock) -> None:
    if actor.user_id is None:
        raise PermissionDeniedError()
    try:
        check_locale(locale)
    except FieldValueError as refused:
        raise InvalidInputError.single("locale", refused.code) from None
    async with write_transaction():
        await repository.update_user(actor.user_id, {"locale": locale})
        me = schemas.UserRef(id=actor.user_id, email=actor.label, display_name=actor.display_name)
        await _record(
            actor,
            clock,
            "user.locale_changed",
            me,
            actor.organisation_id,
            actor.organisation_path,
            after={"locale": locale},
        )


async def _record(
    actor: Actor,
    clock: Clock,
    action: str,
    person: schemas.UserRef | schemas.User,
    organisation_id: UUID,
    organisation_path: str,
    before: object = None,
    after: object = None,
) -> None:
    await record_change(
        actor,
        clock,
        action=action,
        object_type="user",
        object_id=person.id,
        object_label=f"{person.display_name} <{person.email}>",
        organisation_id=organisation_id,
        organisation_path=organisation_path,
        before=before,
        after=after,
    )
