import pytest

from channel import passwords, schemas
from channel.roles import PartnerStatus, Role
from channel.services import access, partners
from core.clock import FixedClock
from core.errors import AuthenticationError, InvalidInputError, NotFoundError, PermissionDeniedError
from tests.builders import PASSWORD, World


async def test_an_unknown_e_mail_and_a_wrong_password_are_refused_alike(
    world: World, clock: FixedClock
) -> None:
    with pytest.raises(AuthenticationError) as unknown:
        await access.sign_in("nobody@example.com", PASSWORD, clock)
    with pytest.raises(AuthenticationError) as wrong:
        await access.sign_in("d1.admin@example.com", "not the password", clock)

    assert (unknown.value.code, unknown.value.params) == (wrong.value.code, wrong.value.params)


async def test_an_unknown_e_mail_costs_one_password_check_like_a_known_one(
    world: World, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real = passwords._HASHER

    class CountingHasher:
        def verify(self, hash_: str, password: str) -> bool:
            checks.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(passwords, "_HASHER", CountingHasher())
    for email in ("nobody@example.com", "d1.admin@example.com"):
        with pytest.raises(AuthenticationError):
            await access.sign_in(email, "not the password", clock)

    assert len(checks) == 2
    assert checks[0] == passwords._DECOY_HASH


async def test_people_of_a_suspended_partner_cannot_sign_in(world: World, clock: FixedClock) -> None:
    await partners.update_partner(
        world.system, world.org_id("D2"), schemas.OrganisationUpdate(status=PartnerStatus.SUSPENDED), clock
    )

    with pytest.raises(AuthenticationError):
        await access.sign_in("d2.admin@example.com", PASSWORD, clock)


async def test_sign_in_records_the_moment(world: World, clock: FixedClock) -> None:
    clock.advance(hours=1)

    await access.sign_in("d1.admin@example.com", PASSWORD, clock)

    from channel.services import people

    assert (
        await people.get_user(world.actors["d1_admin"], world.user_ids["d1_admin"])
    ).last_sign_in_at == clock.now()


async def test_an_api_token_acts_for_its_organisation_with_its_roles(world: World, clock: FixedClock) -> None:
    issued = await access.create_api_token(
        world.actors["d1_admin"], schemas.ApiTokenCreate(name="ERP", roles=[Role.BUYER]), clock
    )

    actor = await access.actor_for_token(issued.token, clock)

    assert actor is not None
    assert (actor.organisation_id, actor.roles, actor.token_id) == (
        world.org_id("D1"),
        {Role.BUYER},
        issued.api_token.id,
    )
    assert actor.user_id is None
    assert issued.token not in str(await access.list_api_tokens(world.actors["d1_admin"]))


async def test_a_revoked_token_stops_working_at_once(world: World, clock: FixedClock) -> None:
    issued = await access.create_api_token(
        world.actors["d1_admin"], schemas.ApiTokenCreate(name="ERP", roles=[Role.BUYER]), clock
    )

    await access.revoke_api_token(world.actors["d1_admin"], issued.api_token.id, clock)

    assert await access.actor_for_token(issued.token, clock) is None


async def test_tokens_of_a_suspended_partner_stop_working(world: World, clock: FixedClock) -> None:
    issued = await access.create_api_token(
        world.actors["d1_admin"], schemas.ApiTokenCreate(name="ERP", roles=[Role.BUYER]), clock
    )
    await partners.update_partner(
        world.system, world.org_id("D1"), schemas.OrganisationUpdate(status=PartnerStatus.SUSPENDED), clock
    )

    assert await access.actor_for_token(issued.token, clock) is None


async def test_only_an_organisations_admin_manages_its_tokens(world: World, clock: FixedClock) -> None:
    with pytest.raises(PermissionDeniedError):
        await access.create_api_token(
            world.actors["d1_buyer"], schemas.ApiTokenCreate(name="x", roles=[Role.BUYER]), clock
        )
    with pytest.raises(InvalidInputError):
        await access.create_api_token(
            world.actors["d1_admin"], schemas.ApiTokenCreate(name="x", roles=[Role.CLERK]), clock
        )


async def test_another_organisations_token_cannot_be_revoked(world: World, clock: FixedClock) -> None:
    issued = await access.create_api_token(
        world.actors["d1_admin"], schemas.ApiTokenCreate(name="ERP", roles=[Role.BUYER]), clock
    )

    with pytest.raises(NotFoundError):
        await access.revoke_api_token(world.actors["d2_admin"], issued.api_token.id, clock)
    assert await access.actor_for_token(issued.token, clock) is not None


@pytest.mark.parametrize("token", ["", "cpt_", "cpt_" + "x" * 200, "Bearer cpt_x", "not-a-token"])
async def test_malformed_tokens_are_refused(world: World, clock: FixedClock, token: str) -> None:
    assert await access.actor_for_token(token, clock) is None
