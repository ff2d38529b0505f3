"""Lead distribution rules: who gets a lead, how long they have to take it, when it goes back.

The manufacturer's leads sit in a public pool. Dispatching offers a lead to one partner, who must
accept it before a deadline or it returns to the pool and is offered to the next partner; a partner
holds at most a capped number of leads; an accepted lead without follow-up for too long returns to
the pool. Pure functions over Structs: the services load, call these, and store what they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

import msgspec


class LeadStage(StrEnum):
    """Qualification stages, in order: unqualified, marketing-, sales-qualified, then an outcome."""

    UQL = "uql"
    MQL = "mql"
    SQL = "sql"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = (LeadStage.UQL, LeadStage.MQL, LeadStage.SQL)
STAGE_ORDER = {stage: index for index, stage in enumerate(LeadStage)}


class LeadStatus(StrEnum):
    POOLED = "pooled"  # in the public pool, nobody's
    OFFERED = "offered"  # dispatched to a partner who has not accepted yet
    ACCEPTED = "accepted"  # in the partner's private pool
    CLOSED = "closed"  # won or lost


class LeadPolicy(msgspec.Struct, frozen=True):
    accept_within: timedelta = timedelta(hours=24)
    private_pool_cap: int = 50
    follow_up_within: timedelta = timedelta(days=15)


class DispatchRule(msgspec.Struct, frozen=True):
    """Leads matching every set criterion go to the partners the rule names or qualifies.

    Empty criteria match anything. ``partner_ids`` narrows the candidates to named partners;
    otherwise every active distributor of the allowed levels in the lead's region is a candidate.
    """

    id: UUID
    position: int
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    partner_levels: tuple[str, ...] = ()
    partner_ids: tuple[UUID, ...] = ()

    def matches(self, region: str, industry: str, source: str) -> bool:
        return (
            (not self.regions or region in self.regions)
            and (not self.industries or industry in self.industries)
            and (not self.sources or source in self.sources)
        )


class Candidate(msgspec.Struct, frozen=True):
    """A partner that could receive a lead, with what it holds now."""

    organisation_id: UUID
    code: str
    region: str
    partner_level: str
    holding: int  # leads offered to it or in its private pool
    last_dispatched_at: datetime | None = None


class LeadFacts(msgspec.Struct, frozen=True):
    region: str
    industry: str
    source: str
    excluded: frozenset[UUID] = frozenset()  # partners that already let this lead go


def choose_partner(
    lead: LeadFacts, candidates: Sequence[Candidate], rules: Sequence[DispatchRule], policy: LeadPolicy
) -> tuple[UUID | None, UUID | None]:
    """(partner, rule) for a lead: the first rule, by position, that leaves a partner with room.

    Among a rule's candidates the one that received a lead longest ago goes first (round robin),
    never-served partners before all others, then by partner code so the choice is reproducible.
    """
    for rule in sorted(rules, key=lambda r: (r.position, str(r.id))):
        if not rule.matches(lead.region, lead.industry, lead.source):
            continue
        eligible = [
            c
            for c in candidates
            if c.organisation_id not in lead.excluded
            and c.holding < policy.private_pool_cap
            and (c.organisation_id in rule.partner_ids if rule.partner_ids else _qualifies(c, rule, lead))
        ]
        if eligible:
            chosen = min(eligible, key=_round_robin_key)
            return chosen.organisation_id, rule.id
    return None, None


def _qualifies(candidate: Candidate, rule: DispatchRule, lead: LeadFacts) -> bool:
    if rule.partner_levels and candidate.partner_level not in rule.partner_levels:
        return False
    return candidate.region == lead.region


def _round_robin_key(candidate: Candidate) -> tuple[int, datetime, str]:
    never = candidate.last_dispatched_at is None
    return (0 if never else 1, candidate.last_dispatched_at or datetime.min, candidate.code)


def offer_expires_at(offered_at: datetime, policy: LeadPolicy) -> datetime:
    return offered_at + policy.accept_within


def follow_up_due(last_activity_at: datetime, policy: LeadPolicy) -> datetime:
    return last_activity_at + policy.follow_up_within


class LeadClock(msgspec.Struct, frozen=True):
    """The moments a sweep needs of one lead."""

    status: LeadStatus
    offer_expires_at: datetime | None = None
    last_activity_at: datetime | None = None


class SweepVerdict(StrEnum):
    KEEP = "keep"
    OFFER_LAPSED = "offer_lapsed"  # not accepted in time: back to the pool, on to the next partner
    NO_FOLLOW_UP = "no_follow_up"  # accepted but left alone: back to the pool


def sweep_verdict(lead: LeadClock, now: datetime, policy: LeadPolicy) -> SweepVerdict:
    if (
        lead.status is LeadStatus.OFFERED
        and lead.offer_expires_at is not None
        and now >= lead.offer_expires_at
    ):
        return SweepVerdict.OFFER_LAPSED
    if (
        lead.status is LeadStatus.ACCEPTED
        and lead.last_activity_at is not None
        and now >= follow_up_due(lead.last_activity_at, policy)
    ):
        return SweepVerdict.NO_FOLLOW_UP
    return SweepVerdict.KEEP


def may_move_to(current: LeadStage, target: LeadStage) -> bool:
    """Stages only move forward, and an outcome is final."""
    if current in (LeadStage.WON, LeadStage.LOST):
        return False
    return STAGE_ORDER[target] > STAGE_ORDER[current]


# --- the funnel -----------------------------------------------------------------------------------


class FunnelRow(msgspec.Struct, frozen=True):
    """How far a group of leads got: how many reached each stage, and the conversion between them."""

    group: str
    total: int
    reached: dict[str, int]  # stage -> leads that reached it (or went beyond)
    conversion: dict[str, Decimal]  # "uql->mql", ... and "won_rate": won of those decided


class FunnelLead(msgspec.Struct, frozen=True):
    stage: LeadStage
    highest_open_stage: LeadStage  # the furthest qualification it reached before an outcome
    source: str
    owner_code: str


def _reached(lead: FunnelLead) -> set[LeadStage]:
    top = STAGE_ORDER[lead.highest_open_stage]
    stages = {s for s in OPEN_STAGES if STAGE_ORDER[s] <= top}
    if lead.stage in (LeadStage.WON, LeadStage.LOST):
        stages.add(lead.stage)
    return stages


def _ratio(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def funnel_row(group: str, leads: Iterable[FunnelLead]) -> FunnelRow:
    reached = {stage.value: 0 for stage in LeadStage}
    total = 0
    for lead in leads:
        total += 1
        for stage in _reached(lead):
            reached[stage.value] += 1
    conversion = {
        "uql->mql": _ratio(reached["mql"], reached["uql"]),
        "mql->sql": _ratio(reached["sql"], reached["mql"]),
        "sql->won": _ratio(reached["won"], reached["sql"]),
        "won_rate": _ratio(reached["won"], reached["won"] + reached["lost"]),
    }
    return FunnelRow(group=group, total=total, reached=reached, conversion=conversion)


def funnel(leads: Sequence[FunnelLead], by: str) -> list[FunnelRow]:
    """One row for all leads, then one per source or per partner (``by``: "source" or "owner")."""
    groups: dict[str, list[FunnelLead]] = {}
    for lead in leads:
        key = lead.source if by == "source" else (lead.owner_code or "—")
        groups.setdefault(key, []).append(lead)
    return [funnel_row("*", leads), *(funnel_row(key, groups[key]) for key in sorted(groups))]
