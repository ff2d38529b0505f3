"""Targets, partner scorecards, scorecard weights and the channel overview over JSON."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from portal.dependencies import CurrentActor, CurrentClock
from reports import schemas
from reports.kpis import PeriodKind
from reports.services import scorecards, targets

Label = Annotated[str | None, QueryParameter(max_length=10, description="2026-07, 2026-Q3 or 2026")]
Code = Annotated[str | None, QueryParameter(max_length=32)]
Category = Annotated[
    str | None,
    QueryParameter(
        max_length=32,
        description="A product category's code: product-based figures of it and its descendants "
        "(the response's category_kpis name the KPIs that follow it)",
    ),
]


class ScorecardsController(Controller):
    path = "/performance"
    tags = ["Reports"]

    @get(
        "/overview", operation_id="GetChannelOverview", summary="Sales by tier and region, funnels, inventory"
    )
    async def overview(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        period: FromQuery[PeriodKind] = PeriodKind.QUARTER,
        period_label: Label = None,
        region: Code = None,
        level: Code = None,
        category: Category = None,
    ) -> schemas.Overview:
        return await scorecards.overview(
            actor,
            schemas.OverviewFilter(
                period=period, period_label=period_label, region=region, level=level, category=category
            ),
            clock,
        )

    @get(
        "/scorecards/{partner_id:uuid}",
        operation_id="GetScorecard",
        summary="A partner's KPIs, score, suggested level and 12-month trend",
    )
    async def scorecard(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        period: FromQuery[PeriodKind] = PeriodKind.QUARTER,
        period_label: Label = None,
        category: Category = None,
    ) -> schemas.Scorecard:
        return await scorecards.scorecard(actor, partner_id, period, period_label, clock, category)

    @get("/targets", operation_id="ListTargets", summary="Targets and achievement of the partners in view")
    async def list_targets(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        period: FromQuery[PeriodKind] = PeriodKind.MONTH,
        period_label: Label = None,
    ) -> schemas.TargetSheet:
        return await targets.target_sheet(actor, period, period_label, clock)

    @put("/targets", operation_id="SetTargets", summary="Set or remove targets (null removes), all or none")
    async def set_targets(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.TargetBatch]
    ) -> schemas.TargetBatchResult:
        return await targets.set_targets(actor, data, clock)

    @get("/scorecard-weights", operation_id="ListScorecardWeights", summary="KPI weights per partner level")
    async def list_weights(self, actor: CurrentActor) -> list[schemas.LevelWeights]:
        return await targets.list_weights(actor)

    @put(
        "/scorecard-weights",
        operation_id="SetScorecardWeights",
        summary="Set the KPI weights of one partner level ('' for partners without a level)",
    )
    async def set_weights(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.WeightsUpdate]
    ) -> schemas.LevelWeights:
        return await targets.set_weights(actor, data, clock)
