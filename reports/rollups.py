"""Keeping the rollups current: per partner, day and measure, folded from the raw rows.

Ordering and deal registration never call this package. Instead:

- the scheduler runs ``refresh`` every minute: for each source it reads what changed since its
  watermark (orders and shipments by their timestamps, so a status change of an old order counts;
  lead events by their serial id), works out which (partner, day) pairs moved, and recomputes those
  pairs from the raw rows, replacing what was there. Recomputing instead of adding deltas keeps an
  order whose status changed, or a quote that converted, exact without knowing what it was before;
- the report ingestion calls ``reports_saved`` when a partner's reports (their current revisions)
  are saved or replaced, once per upload;
- ``rebuild`` recomputes everything (``portal rebuild-rollups``).

Orders and reports also keep their product-based measures per category and month
(``reports_rollup_category``): a changed (partner, day) recomputes that partner's month of them.

Timestamp watermarks are re-read with an overlap (``OVERLAP``), because a transaction may commit
after a later one; recomputation is idempotent, so reading a change twice is harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import msgspec

from channel.transactions import hold_lock, write_transaction
from core.clock import Clock
from reports import measures as m
from reports import repository
from reports.reporting import ReportKind

OVERLAP = timedelta(minutes=10)
LOCK = "reports:rollups"  # one writer of the rollups at a time (several servers run the job)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

Loader = Callable[[date, date, Sequence[UUID] | None], Awaitable[m.Folded]]


@dataclass(frozen=True)
class Family:
    """One source of facts: the measures it owns and how to fold them for days and partners."""

    name: str
    measures: tuple[m.Measure, ...]
    load: Loader
    # the product-based measures it keeps per category and month, and how to fold them for a month
    category_measures: tuple[m.Measure, ...] = ()
    load_categories: Loader | None = None


async def _orders(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_orders(await repository.order_facts(start, end, orgs), folded)
    return folded


async def _registrations(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_registrations(await repository.registration_facts(start, end, orgs), folded)
    return folded


async def _quotes(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_quotes(await repository.quote_facts(start, end, orgs), folded)
    return folded


async def _leads(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_lead_events(
        await repository.lead_event_facts(start, end, orgs), await repository.lead_policy(), folded
    )
    return folded


async def _reports(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_reports(await repository.report_facts(start, end, orgs), folded)
    return folded


async def _network(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_organisations(await repository.organisation_facts(start, end, orgs), folded)
    return folded


async def _order_categories(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_order_categories(await repository.order_category_facts(start, end, orgs), folded)
    return folded


async def _report_categories(start: date, end: date, orgs: Sequence[UUID] | None) -> m.Folded:
    folded = m.Folded()
    m.fold_report_categories(await repository.report_category_facts(start, end, orgs), folded)
    return folded


ORDERS = Family("orders", m.ORDER_MEASURES, _orders, m.ORDER_CATEGORY_MEASURES, _order_categories)
REGISTRATIONS = Family("registrations", m.REGISTRATION_MEASURES, _registrations)
QUOTES = Family("quotes", m.QUOTE_MEASURES, _quotes)
LEADS = Family("leads", m.LEAD_MEASURES, _leads)
REPORTS = Family(
    "reports",
    (*m.SELL_OUT_MEASURES, *m.STOCK_MEASURES),
    _reports,
    m.REPORT_CATEGORY_MEASURES,
    _report_categories,
)
NETWORK = Family("network", m.NETWORK_MEASURES, _network)
FAMILIES = (ORDERS, REGISTRATIONS, QUOTES, LEADS, REPORTS, NETWORK)

_CHANGES = {
    "orders": repository.changed_orders,
    "registrations": repository.changed_registrations,
    "quotes": repository.changed_quotes,
    "reports": repository.changed_reports,
    "network": repository.changed_organisations,
}


class RefreshResult(msgspec.Struct, frozen=True):
    pairs: dict[str, int]  # per source, the (partner, day) pairs recomputed


async def recompute(family: Family, keys: set[tuple[UUID, date]]) -> int:
    """Recompute ``family``'s measures for exactly these (partner, day) pairs."""
    by_day: dict[date, set[UUID]] = {}
    for org, day in keys:
        by_day.setdefault(day, set()).add(org)
    for day, orgs in sorted(by_day.items()):
        folded = await family.load(day, day + timedelta(days=1), sorted(orgs))
        rows = {key: value for key, value in folded.rows().items() if key[1] == day and key[0] in orgs}
        await repository.replace_rollups([x.value for x in family.measures], [(o, day) for o in orgs], rows)
    if family.load_categories is not None:
        by_month: dict[date, set[UUID]] = {}
        for org, day in keys:
            by_month.setdefault(day.replace(day=1), set()).add(org)
        for month, orgs in sorted(by_month.items()):
            folded = await family.load_categories(month, _next_month(month), sorted(orgs))
            found = {key: value for key, value in folded.category_rows().items() if key[0] in orgs}
            await repository.replace_category_rollups(
                [x.value for x in family.category_measures], month, sorted(orgs), found
            )
    return len(keys)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


async def report_saved(organisation_id: UUID, kind: ReportKind, report_date: date) -> None:
    """A partner's report for a day was saved or replaced: its sell-out or stock figures follow."""
    await reports_saved(organisation_id, kind, [report_date])


async def reports_saved(organisation_id: UUID, kind: ReportKind, report_dates: Sequence[date]) -> None:
    """A partner's reports for these days were saved or replaced (one upload of many days): each
    day is recomputed, and each month's category rows once, not once per day."""
    if not report_dates:
        return
    async with write_transaction():
        await hold_lock(LOCK)
        await recompute(REPORTS, {(organisation_id, day) for day in report_dates})


async def refresh(clock: Clock) -> RefreshResult:
    """Fold in what changed since the last run (the scheduler calls this)."""
    done: dict[str, int] = {}
    for name, changes in _CHANGES.items():
        family = next(f for f in FAMILIES if f.name == name)
        async with write_transaction():
            await hold_lock(LOCK)
            mark = await repository.watermark(name)
            since = datetime.fromisoformat(mark) - OVERLAP if mark else EPOCH
            keys, latest = await changes(since)
            done[name] = await recompute(family, keys)
            if latest is not None and (not mark or latest > datetime.fromisoformat(mark)):
                await repository.set_watermark(name, latest.isoformat(), clock.now())
    async with write_transaction():
        await hold_lock(LOCK)
        mark = await repository.watermark("leads")
        lead_keys, last_id = await repository.changed_lead_events(int(mark or 0))
        done["leads"] = await recompute(LEADS, lead_keys)
        await repository.set_watermark("leads", str(last_id), clock.now())
    return RefreshResult(done)


Progress = Callable[[str, int, int], None]  # family, months done, months in all


async def rebuild(clock: Clock, progress: Progress | None = None, until: date | None = None) -> int:
    """Throw the rollups away and fold every raw row again, a month at a time; returns rows written."""
    async with write_transaction():
        await hold_lock(LOCK)
        first = await repository.first_fact_day()
        await repository.delete_all_rollups()
        await repository.clear_watermarks()
    if first is None:
        return 0
    last = until or (clock.now().date() + timedelta(days=1))
    months = _months(first, last)
    written = 0
    # Watermarks first: whatever changes while the rebuild runs is folded in again by the next refresh.
    async with write_transaction():
        for name in _CHANGES:
            await repository.set_watermark(name, clock.now().isoformat(), clock.now())
        await repository.set_watermark("leads", str(await repository.last_lead_event_id()), clock.now())
    for family in FAMILIES:
        for index, (start, end) in enumerate(months):
            async with write_transaction():
                await hold_lock(LOCK)
                rows = {
                    k: v
                    for k, v in (await family.load(start, end, None)).rows().items()
                    if start <= k[1] < end
                }
                await repository.insert_rollups(rows)
                written += len(rows)
                if family.load_categories is not None:
                    by_category = (await family.load_categories(start, end, None)).category_rows()
                    await repository.insert_category_rollups(by_category)
                    written += len(by_category)
            if progress:
                progress(family.name, index + 1, len(months))
    async with write_transaction():
        await hold_lock(LOCK)
        await repository.rebuild_months()
    return written


def _months(first: date, last: date) -> list[tuple[date, date]]:
    spans = []
    start = first.replace(day=1)
    while start <= last:
        end = _next_month(start)
        spans.append((start, end))
        start = end
    return spans
