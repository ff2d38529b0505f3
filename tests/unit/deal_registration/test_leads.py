"""Who gets a lead, and when it goes back: the dispatch rules on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from deal_registration.leads import (
    Candidate,
    DispatchRule,
    FunnelLead,
    LeadClock,
    LeadFacts,
    LeadPolicy,
    LeadStage,
    LeadStatus,
    SweepVerdict,
    choose_partner,
    funnel,
    may_move_to,
    sweep_verdict,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
A, B, C = UUID(int=1), UUID(int=2), UUID(int=3)
ANY_REGION = DispatchRule(id=UUID(int=100), position=10)


def _candidate(
    org: UUID,
    code: str,
    region: str = "EAST",
    level: str = "GOLD",
    holding: int = 0,
    last: datetime | None = None,
) -> Candidate:
    return Candidate(
        organisation_id=org,
        code=code,
        region=region,
        partner_level=level,
        holding=holding,
        last_dispatched_at=last,
    )


EAST = LeadFacts(region="EAST", industry="hotels", source="website")


def test_the_partner_served_longest_ago_goes_first_and_new_partners_before_all() -> None:
    candidates = [
        _candidate(A, "A", last=T0),
        _candidate(B, "B", last=T0 - timedelta(hours=1)),
        _candidate(C, "C"),
    ]

    assert choose_partner(EAST, candidates, [ANY_REGION], LeadPolicy())[0] == C
    assert choose_partner(EAST, candidates[:2], [ANY_REGION], LeadPolicy())[0] == B


def test_partners_at_their_cap_or_that_passed_on_the_lead_are_skipped() -> None:
    candidates = [_candidate(A, "A", holding=50), _candidate(B, "B")]

    assert choose_partner(EAST, candidates, [ANY_REGION], LeadPolicy())[0] == B
    passed = LeadFacts(region="EAST", industry="hotels", source="website", excluded=frozenset({B}))
    assert choose_partner(passed, candidates, [ANY_REGION], LeadPolicy()) == (None, None)


def test_the_first_matching_rule_by_position_decides() -> None:
    hotels_to_c = DispatchRule(id=UUID(int=7), position=1, industries=("hotels",), partner_ids=(C,))
    gold_only = DispatchRule(id=UUID(int=8), position=2, partner_levels=("GOLD",))
    candidates = [
        _candidate(A, "A", level="SILVER"),
        _candidate(B, "B", level="GOLD"),
        _candidate(C, "C", region="WEST"),
    ]

    assert choose_partner(EAST, candidates, [gold_only, hotels_to_c], LeadPolicy()) == (C, hotels_to_c.id)
    retail = LeadFacts(region="EAST", industry="retail", source="fair")
    assert choose_partner(retail, candidates, [gold_only, hotels_to_c], LeadPolicy()) == (B, gold_only.id)


def test_an_offer_lapses_at_its_deadline_and_a_held_lead_after_the_follow_up_period() -> None:
    policy = LeadPolicy()
    offered = LeadClock(status=LeadStatus.OFFERED, offer_expires_at=T0 + timedelta(hours=24))
    held = LeadClock(status=LeadStatus.ACCEPTED, last_activity_at=T0)

    assert sweep_verdict(offered, T0 + timedelta(hours=23), policy) is SweepVerdict.KEEP
    assert sweep_verdict(offered, T0 + timedelta(hours=24), policy) is SweepVerdict.OFFER_LAPSED
    assert sweep_verdict(held, T0 + timedelta(days=14), policy) is SweepVerdict.KEEP
    assert sweep_verdict(held, T0 + timedelta(days=15), policy) is SweepVerdict.NO_FOLLOW_UP


def test_stages_only_move_forward_and_an_outcome_is_final() -> None:
    assert may_move_to(LeadStage.UQL, LeadStage.SQL)
    assert not may_move_to(LeadStage.SQL, LeadStage.MQL)
    assert not may_move_to(LeadStage.WON, LeadStage.LOST)


def test_the_funnel_per_source() -> None:
    leads = [
        FunnelLead(stage=LeadStage.WON, highest_open_stage=LeadStage.SQL, source="fair", owner_code="D1"),
        FunnelLead(stage=LeadStage.UQL, highest_open_stage=LeadStage.UQL, source="web", owner_code="D1"),
        FunnelLead(stage=LeadStage.LOST, highest_open_stage=LeadStage.MQL, source="web", owner_code="D2"),
    ]

    rows = {row.group: row for row in funnel(leads, "source")}

    assert rows["*"].reached == {"uql": 3, "mql": 2, "sql": 1, "won": 1, "lost": 1}
    assert rows["web"].reached["mql"] == 1 and str(rows["web"].conversion["uql->mql"]) == "0.5000"
    assert str(rows["fair"].conversion["sql->won"]) == "1.0000"
