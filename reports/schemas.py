"""Inputs and outputs of targets, KPIs, scorecards and the channel overview (also the API's bodies)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from reports.kpis import Direction, Kpi, KpiValue, PeriodKind, ScorePart, TargetMeasure


class PartnerRef(msgspec.Struct, frozen=True):
    id: UUID
    code: str
    name: str
    kind: str
    depth: int
    level: str | None
    region: str | None
    currency: str


class TargetValue(msgspec.Struct, frozen=True):
    measure: TargetMeasure
    value: Decimal
    actual: Decimal
    achievement: Decimal | None  # percent


class PartnerTargets(msgspec.Struct, frozen=True):
    partner: PartnerRef
    targets: list[TargetValue]
    editable: bool  # the actor may set this partner's targets


class TargetSheet(msgspec.Struct, frozen=True):
    period: PeriodKind
    period_label: str
    period_start: date
    rows: list[PartnerTargets]


class TargetSet(msgspec.Struct, frozen=True, kw_only=True):
    """One target; a value of null removes it."""

    organisation_id: UUID
    period: PeriodKind
    period_label: Annotated[str, msgspec.Meta(max_length=10)]  # 2026-07, 2026-Q3 or 2026
    measure: TargetMeasure
    value: Decimal | None  # 0 or more, below 10^14


class TargetBatch(msgspec.Struct, frozen=True):
    targets: Annotated[list[TargetSet], msgspec.Meta(max_length=2000)]


class TargetBatchResult(msgspec.Struct, frozen=True):
    saved: int
    removed: int


class LevelWeights(msgspec.Struct, frozen=True):
    level: str  # a partner level's code; '' for partners without a level
    weights: dict[Kpi, Annotated[int, msgspec.Meta(ge=0, le=100)]]
    defaults: bool = False  # nothing set: the built-in weights apply


class WeightsUpdate(msgspec.Struct, frozen=True):
    weights: dict[Kpi, Annotated[int, msgspec.Meta(ge=0, le=100)]]
    level: Annotated[str, msgspec.Meta(max_length=32)] = ""  # a partner level's code; '' for none


class Suggestion(msgspec.Struct, frozen=True):
    direction: Direction
    level: str | None
    reasons: list[str]


class TrendPoint(msgspec.Struct, frozen=True):
    month: str  # YYYY-MM
    purchases: Decimal
    sell_out_units: Decimal
    target: Decimal | None  # the month's purchases target
    score: Decimal | None


class OrderRef(msgspec.Struct, frozen=True):
    id: UUID
    number: str
    status: str
    total: Decimal
    currency: str
    created_at: datetime


class Scorecard(msgspec.Struct, frozen=True):
    partner: PartnerRef
    period: PeriodKind
    period_label: str
    kpis: list[KpiValue]
    targets: list[TargetValue]
    score: Decimal | None
    previous_score: Decimal | None
    parts: list[ScorePart]
    suggestion: Suggestion
    trend: list[TrendPoint]
    downstream: list[PartnerRow]  # for a distributor: its direct partners
    orders: list[OrderRef]  # the latest orders the partner placed in the period


class PartnerRow(msgspec.Struct, frozen=True):
    partner: PartnerRef
    purchases: Decimal
    sales: Decimal
    sell_out_units: Decimal
    achievement: Decimal | None
    growth: Decimal | None
    score: Decimal | None


class Slice(msgspec.Struct, frozen=True):
    key: str  # a tier ('distributor:1', 'store') or a region code
    purchases: Decimal
    partners: int


class Funnel(msgspec.Struct, frozen=True):
    registrations_submitted: Decimal
    registrations_approved: Decimal
    registrations_won: Decimal
    leads_offered: Decimal
    leads_accepted_in_time: Decimal
    leads_followed_in_time: Decimal
    quotes_sent: Decimal
    quotes_converted: Decimal


class InventoryHealth(msgspec.Struct, frozen=True):
    reporting: int  # partners with a stock report in the period
    units: Decimal
    sell_out_units: Decimal
    low: int  # under LOW_DAYS days of supply
    healthy: int
    over: int  # over OVER_DAYS days of supply
    no_sell_out: int  # stock reported but nothing sold


class OverviewFilter(msgspec.Struct, frozen=True, kw_only=True):
    period: PeriodKind = PeriodKind.QUARTER
    period_label: str | None = None  # default: the period containing today
    region: str | None = None
    level: str | None = None


class Overview(msgspec.Struct, frozen=True):
    period: PeriodKind
    period_label: str
    currency: str
    purchases: Decimal  # what the partners in view bought, all tiers
    purchases_last_year: Decimal
    by_tier: list[Slice]
    by_region: list[Slice]
    top: list[PartnerRow]
    bottom: list[PartnerRow]
    partners: list[PartnerRow]
    inventory: InventoryHealth
    funnel: Funnel
    trend: list[TrendPoint]


class FilterChoices(msgspec.Struct, frozen=True):
    levels: list[tuple[str, str]]  # code, name, best first
    regions: list[tuple[str, str]]
