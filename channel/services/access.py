"""Who is acting: password sign-in, the actor behind a session or an API token, and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec

from channel import passwords, repository, schemas
from channel.roles import ADMIN_ROLE, OrgKind, PartnerStatus, Permission, Role, UserStatus, roles_fit_kind
from channel.services.activity import record_change
from channel.services.people import token_hash
from channel.transactions import write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import AuthenticationError, InvalidInputError, NotFoundError, PermissionDeniedError

TOKEN_PREFIX = "cpt_"  # noqa: S105 - a marker, not a secret
# A token's last use is written at most this often, not on every request.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


class SignedIn(msgspec.Struct, frozen=True):
    user_id: UUID
    signed_in_at: datetime


async def sign_in(email: str, password: str, clock: Clock) -> SignedIn:
    """Check a password. Every refusal is the same ``AuthenticationError`` and costs one argon2 check,
    so neither the message nor the time tells an unknown e-mail from a wrong password."""
    credentials = await repository.find_credentials(email.strip().lower())
    valid = passwords.verify_password(credentials.password_hash if credentials else None, password)
    if (
        credentials is None
        or not valid
        or credentials.status is not UserStatus.ACTIVE
        or credentials.organisation_status is PartnerStatus.SUSPENDED
    ):
        raise AuthenticationError()
    now = clock.now()
    values: dict[str, object] = {"last_sign_in_at": now}
    if credentials.password_hash and passwords.needs_rehash(credentials.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    await repository.update_user(credentials.user_id, values)
    return SignedIn(user_id=credentials.user_id, signed_in_at=now)


async def actor_for_session(user_id: UUID, signed_in_at: datetime) -> Actor | None:
    """The actor behind a session, or ``None`` when the session no longer counts: the user was
    suspended, changed their password or signed out everywhere after it began, or their organisation
    was suspended."""
    record = await repository.find_actor_record(user_id)
    if (
        record is None
        or record.status is not UserStatus.ACTIVE
        or record.organisation_status is PartnerStatus.SUSPENDED
        or signed_in_at < record.sessions_valid_after
    ):
        return None
    return Actor(
        organisation_id=record.organisation_id,
        organisation_kind=record.organisation_kind,
        organisation_path=record.organisation_path,
        roles=frozenset(record.roles),
        user_id=record.user_id,
        label=record.email,
        display_name=record.display_name,
        organisation_name=record.organisation_name,
        locale=record.locale or record.organisation_locale,
        assigned_paths=record.assigned_paths,
    )


async def actor_for_token(raw_token: str, clock: Clock) -> Actor | None:
    if not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 100:
        return None
    record = await repository.find_token_record(token_hash(raw_token))
    if record is None or record.revoked or record.organisation_status is PartnerStatus.SUSPENDED:
        return None
    now = clock.now()
    if record.last_used_at is None or now - record.last_used_at > TOKEN_TOUCH_INTERVAL:
        await repository.touch_api_token(record.token_id, now)
    return Actor(
        organisation_id=record.organisation_id,
        organisation_kind=record.organisation_kind,
        organisation_path=record.organisation_path,
        roles=frozenset(record.roles),
        token_id=record.token_id,
        label=f"{record.name} [{record.prefix}]",
        display_name=record.name,
        organisation_name=record.organisation_name,
        locale=record.organisation_locale,
    )


async def end_all_sessions(actor: Actor, clock: Clock) -> None:
    """Sign the actor's user out everywhere."""
    if actor.user_id is None:
        raise PermissionDeniedError()
    await repository.update_user(actor.user_id, {"sessions_valid_after": clock.now()})


async def describe(actor: Actor) -> schemas.Me:
    found = await repository.find_me(actor.organisation_id, actor.user_id)
    if found is None:
        raise NotFoundError("organisation_not_found")
    organisation, user = found
    return schemas.Me(
        user=user,
        organisation=organisation,
        roles=sorted(actor.roles),
        permissions=sorted(actor.permissions),
        locale=actor.locale,
    )


async def system_actor() -> Actor:
    """The manufacturer's administrator as the command line acts: for setup, the demo and repairs."""
    manufacturer = await repository.find_manufacturer()
    if manufacturer is None:
        raise NotFoundError("no_manufacturer")
    return Actor(
        organisation_id=manufacturer.id,
        organisation_kind=OrgKind.MANUFACTURER,
        organisation_path=manufacturer.path,
        roles=frozenset({Role.MANUFACTURER_ADMIN}),
        label="command line",
    )


# --- API tokens ---------------------------------------------------------------------------------


def _require_token_admin(actor: Actor) -> None:
    if not actor.can(Permission.MANAGE_API_TOKENS) or ADMIN_ROLE[actor.organisation_kind] not in actor.roles:
        raise PermissionDeniedError()


async def create_api_token(
    actor: Actor, command: schemas.ApiTokenCreate, clock: Clock
) -> schemas.ApiTokenIssued:
    """Issue a token for the actor's own organisation; the secret is returned this once and kept as a hash."""
    _require_token_admin(actor)
    roles = frozenset(command.roles)
    if not roles_fit_kind(roles, actor.organisation_kind):
        raise InvalidInputError.single(
            "roles", "roles_do_not_fit_organisation", kind=actor.organisation_kind.value
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = uuid4()
    async with write_transaction():
        await repository.insert_api_token(
            {
                "id": token_id,
                "organisation": actor.organisation_id,
                "name": command.name,
                "prefix": secret[: len(TOKEN_PREFIX) + 6],
                "token_hash": token_hash(secret),
                "roles": sorted(r.value for r in roles),
                "created_by": actor.user_id,
                "created_at": clock.now(),
            }
        )
        await record_change(
            actor,
            clock,
            action="api_token.created",
            object_type="api_token",
            object_id=token_id,
            object_label=command.name,
            organisation_id=actor.organisation_id,
            organisation_path=actor.organisation_path,
            after={"name": command.name, "roles": sorted(roles)},
        )
        created = await repository.find_api_token(token_id, actor.organisation_id)
    assert created is not None
    return schemas.ApiTokenIssued(api_token=created, token=secret)


async def list_api_tokens(actor: Actor) -> list[schemas.ApiToken]:
    _require_token_admin(actor)
    return await repository.list_api_tokens(actor.organisation_id)


async def revoke_api_token(actor: Actor, token_id: UUID, clock: Clock) -> schemas.ApiToken:
    _require_token_admin(actor)
    async with write_transaction():
        token = await repository.find_api_token(token_id, actor.organisation_id)
        if token is None:
            raise NotFoundError("api_token_not_found")
        if token.revoked_at is None:
            await repository.revoke_api_token(token_id, clock.now())
            await record_change(
                actor,
                clock,
                action="api_token.revoked",
                object_type="api_token",
                object_id=token_id,
                object_label=token.name,
                organisation_id=actor.organisation_id,
                organisation_path=actor.organisation_path,
                before={"name": token.name},
            )
        revoked = await repository.find_api_token(token_id, actor.organisation_id)
    assert revoked is not None
    return revoked
