from datetime import timedelta

import pytest

from channel import schemas
from channel.roles import Role, UserStatus
from channel.services import access, people
from core.clock import FixedClock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from tests.builders import PASSWORD, World, add_person


def _invite(world: World, code: str, email: str, roles: list[Role]) -> schemas.InvitationCreate:
    return schemas.InvitationCreate(
        organisation_id=world.org_id(code), email=email, display_name="New", roles=roles
    )


async def test_an_invited_person_signs_in_after_choosing_a_password(world: World, clock: FixedClock) -> None:
    issued = await people.invite_user(
        world.actors["d1_admin"], _invite(world, "S1", "new@example.com", [Role.CLERK]), clock
    )
    assert (
        await people.get_user(world.actors["d1_admin"], issued.invitation.user.id)
    ).status is UserStatus.INVITED

    await people.accept_invitation(issued.token, "a long enough password", clock)

    signed_in = await access.sign_in("New@Example.com", "a long enough password", clock)
    assert signed_in.user_id == issued.invitation.user.id


async def test_an_invitation_link_works_once_and_expires_after_a_week(
    world: World, clock: FixedClock
) -> None:
    first = await people.invite_user(
        world.actors["m_admin"], _invite(world, "D2", "a@example.com", [Role.BUYER]), clock
    )
    second = await people.invite_user(
        world.actors["m_admin"], _invite(world, "D2", "b@example.com", [Role.BUYER]), clock
    )
    await people.accept_invitation(first.token, "a long enough password", clock)

    with pytest.raises(NotFoundError):
        await people.accept_invitation(first.token, "another long password", clock)
    clock.advance(days=7, seconds=1)
    with pytest.raises(NotFoundError):
        await people.find_open_invitation(second.token, clock)


async def test_a_new_link_replaces_the_old_one(world: World, clock: FixedClock) -> None:
    issued = await people.invite_user(
        world.actors["m_admin"], _invite(world, "D2", "c@example.com", [Role.BUYER]), clock
    )

    again = await people.reissue_invitation(world.actors["m_admin"], issued.invitation.user.id, clock)

    with pytest.raises(NotFoundError):
        await people.find_open_invitation(issued.token, clock)
    assert (await people.find_open_invitation(again.token, clock)).user.email == "c@example.com"


async def test_a_short_password_is_refused_and_the_invitation_stays_open(
    world: World, clock: FixedClock
) -> None:
    issued = await people.invite_user(
        world.actors["m_admin"], _invite(world, "D2", "d@example.com", [Role.BUYER]), clock
    )

    with pytest.raises(InvalidInputError) as refused:
        await people.accept_invitation(issued.token, "short", clock)

    assert refused.value.problems[0].code == "password_too_short"
    assert await people.find_open_invitation(issued.token, clock)


async def test_roles_must_fit_the_organisation(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await people.invite_user(
            world.actors["m_admin"], _invite(world, "S1", "e@example.com", [Role.BUYER]), clock
        )
    assert refused.value.problems[0].code == "roles_do_not_fit_organisation"


async def test_a_channel_manager_cannot_make_anyone_a_manufacturer_admin(
    world: World, clock: FixedClock
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        await people.invite_user(
            world.actors["m_cm"], _invite(world, "M", "f@example.com", [Role.MANUFACTURER_ADMIN]), clock
        )
    assert refused.value.code == "only_admin_manages_own_organisation"


async def test_a_channel_manager_invites_people_into_assigned_partners_only(
    world: World, clock: FixedClock
) -> None:
    await people.invite_user(world.actors["m_cm"], _invite(world, "S1", "g@example.com", [Role.CLERK]), clock)

    with pytest.raises(NotFoundError):
        await people.invite_user(
            world.actors["m_cm"], _invite(world, "S2", "h@example.com", [Role.CLERK]), clock
        )


async def test_a_taken_e_mail_cannot_be_invited_again(world: World, clock: FixedClock) -> None:
    with pytest.raises(ConflictError):
        await people.invite_user(
            world.actors["m_admin"], _invite(world, "D2", "s1.manager@example.com", [Role.BUYER]), clock
        )


async def test_suspending_a_person_ends_their_sessions_and_refuses_sign_in(
    world: World, clock: FixedClock
) -> None:
    target = world.user_ids["t_D1A"]
    clock.advance(minutes=1)

    await people.set_user_status(world.actors["d1_admin"], target, UserStatus.SUSPENDED, clock)

    assert await access.actor_for_session(target, clock.now() - timedelta(seconds=30)) is None
    with pytest.raises(Exception, match="authentication_failed"):
        await access.sign_in("target.d1a@example.com", PASSWORD, clock)
    await people.set_user_status(world.actors["d1_admin"], target, UserStatus.ACTIVE, clock)
    assert (await access.sign_in("target.d1a@example.com", PASSWORD, clock)).user_id == target


async def test_nobody_changes_their_own_roles_or_suspends_themselves(world: World, clock: FixedClock) -> None:
    me = world.actors["d1_admin"]
    assert me.user_id is not None
    with pytest.raises(ConflictError):
        await people.change_roles(me, me.user_id, [Role.BUYER], clock)
    with pytest.raises(ConflictError):
        await people.set_user_status(me, me.user_id, UserStatus.SUSPENDED, clock)


async def test_a_role_change_takes_effect_on_the_next_request(world: World, clock: FixedClock) -> None:
    target = world.user_ids["t_D1"]

    await people.change_roles(world.actors["d1_admin"], target, [Role.BUYER, Role.WAREHOUSE], clock)

    actor = await access.actor_for_session(target, clock.now())
    assert actor is not None and actor.roles == {Role.BUYER, Role.WAREHOUSE}


async def test_changing_the_password_signs_out_every_other_session(world: World, clock: FixedClock) -> None:
    me = world.actors["s1_clerk"]
    earlier_session = clock.now()
    clock.advance(minutes=10)

    await people.change_password(
        me, schemas.PasswordChange(current_password=PASSWORD, new_password="a brand new password"), clock
    )

    assert await access.actor_for_session(world.user_ids["s1_clerk"], earlier_session) is None
    assert await access.actor_for_session(world.user_ids["s1_clerk"], clock.now()) is not None


async def test_the_current_password_must_be_right_to_change_it(world: World, clock: FixedClock) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await people.change_password(
            world.actors["s1_clerk"],
            schemas.PasswordChange(current_password="wrong", new_password="a brand new password"),
            clock,
        )
    assert refused.value.problems[0].field == "current_password"


async def test_people_lists_follow_the_tenancy_rule(world: World, clock: FixedClock) -> None:
    await add_person(world.system, clock, world.org_id("S2"), "other@example.com", [Role.CLERK])

    page = await people.list_users(world.actors["d1_admin"], None, None, 200)

    organisations = {u.organisation.code for u in page.items}
    assert organisations == {"D1", "D1A", "S1", "S1B"}


async def test_a_clerk_sees_only_the_people_of_its_own_store(world: World) -> None:
    page = await people.list_users(world.actors["s1_clerk"], None, None, 200)

    assert {u.organisation.code for u in page.items} == {"S1"}
    with pytest.raises(NotFoundError):
        await people.list_users(world.actors["s1_clerk"], world.org_id("S1B"), None, 10)
