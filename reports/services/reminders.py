"""Reminders to partners whose stock report is overdue, once per due date (run by the jobs)."""

from __future__ import annotations

from channel.roles import OrgKind, Permission
from channel.services.notifications import notify
from channel.transactions import write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import PermissionDeniedError
from reports import repository, schemas
from reports.reporting import due_date, period_start


async def remind_overdue(actor: Actor, clock: Clock) -> schemas.ReminderRun:
    """Tell every active distributor and store without a stock report for the period that ended on
    the last due date; each partner hears once per due date, however often this runs."""
    if actor.organisation_kind is not OrgKind.MANUFACTURER or not actor.can(Permission.CONFIGURE_CHANNEL):
        raise PermissionDeniedError()
    now = clock.now()
    async with write_transaction():
        schedule = await repository.find_schedule()
        due = due_date(schedule.frequency, schedule.due_day, now.date())
        if due is None:
            return schemas.ReminderRun(due_date=None, reminded=0)
        reminded = 0
        for partner in await repository.partners_overdue(period_start(schedule.frequency, due), due):
            if await repository.insert_reminder(partner["id"], due, now):
                await notify(
                    partner["id"],
                    "stock_report_overdue",
                    clock,
                    params={"due": due.isoformat()},
                    link="/reports",
                    permission=Permission.VIEW_ORDERS,
                )
                reminded += 1
    return schemas.ReminderRun(due_date=due, reminded=reminded)
