import pytest

from channel import schemas
from channel.services import activity
from channel.tables import AuditEntry
from core.errors import NotFoundError, PermissionDeniedError
from tests.builders import World


async def test_the_database_refuses_to_change_or_delete_audit_entries(world: World) -> None:
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.actor_label: "someone else"}).where(AuditEntry.id == 1)
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.id == 1)
    assert await AuditEntry.count() > 0


async def test_a_distributor_sees_the_activity_of_its_subtree_only(world: World) -> None:
    trail = await activity.list_activity(world.actors["d1_admin"], schemas.ActivityFilter(limit=200))

    labels = " ".join(e.object_label for e in trail.items)
    assert "S1 Trading (S1)" in labels
    assert "D2 Trading" not in labels and "S2 Trading" not in labels
    with pytest.raises(NotFoundError):
        await activity.list_activity(
            world.actors["d1_admin"], schemas.ActivityFilter(organisation_id=world.org_id("D2"))
        )


async def test_a_clerk_has_no_activity_list(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        await activity.list_activity(world.actors["s1_clerk"], schemas.ActivityFilter())
