"""Scheduled jobs, run in the server process: deadlines that must pass without anyone clicking.

Each job goes through the same services as a person would, acting as the manufacturer's system
actor, with the application's clock (so tests drive time). A job that fails is logged and tried
again at its next turn; it never stops the others or the server. With several server processes,
each runs the jobs: the services' conditional updates make running twice harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar import Litestar

from channel.services import access
from core.clock import Clock
from core.errors import NotFoundError
from deal_registration.services import leads, registrations
from incentives.services import fund
from ordering.services import orders
from portal.mail import send_notification_emails
from reports import rollups
from reports.services import reminders

log = logging.getLogger("portal.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Clock], Awaitable[object]]


async def _sweep_leads(clock: Clock) -> object:
    return await leads.sweep(await access.system_actor(), clock)


async def _expire_registrations(clock: Clock) -> object:
    return await registrations.expire(await access.system_actor(), clock)


async def _refresh_rollups(clock: Clock) -> object:
    return await rollups.refresh(clock)


async def _remind_stock_reports(clock: Clock) -> object:
    return await reminders.remind_overdue(await access.system_actor(), clock)


async def _close_orders(clock: Clock) -> object:
    return await orders.close_received(await access.system_actor(), clock)


async def _expire_fund_credit(clock: Clock) -> object:
    return await fund.expire_credit(await access.system_actor(), clock)


JOBS = (
    Job("lead deadlines", 300, _sweep_leads),
    Job("registration protection", 900, _expire_registrations),
    Job("report rollups", 60, _refresh_rollups),
    Job("stock report reminders", 3600, _remind_stock_reports),
    Job("closing received orders", 3600, _close_orders),
    Job("rebate fund credit expiry", 3600, _expire_fund_credit),
)


async def _loop(job: Job, clock: Clock) -> None:
    while True:
        try:
            result = await job.run(clock)
            log.debug("%s: %s", job.name, result)
        except NotFoundError:
            pass  # no manufacturer yet: nothing to do before 'portal init'
        except Exception:
            log.exception("job %s failed; it runs again in %s s", job.name, job.every_seconds)
        await asyncio.sleep(job.every_seconds)


async def start_jobs(app: Litestar) -> None:
    settings = app.state.settings
    if not settings.run_jobs:
        return
    jobs = list(JOBS)
    if settings.smtp_host:

        async def _send_emails(clock: Clock) -> object:
            return await send_notification_emails(settings, clock)

        jobs.append(Job("notification e-mails", 30, _send_emails))
    app.state.jobs = [asyncio.create_task(_loop(job, app.state.clock), name=job.name) for job in jobs]


async def stop_jobs(app: Litestar) -> None:
    for task in getattr(app.state, "jobs", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
