"""Rebate programmes, accruals, settlements and the rebate fund over JSON."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from incentives import schemas
from incentives.services import fund, programmes, settlements
from portal.dependencies import CurrentActor, CurrentClock


class RebateProgrammesController(Controller):
    path = "/rebate-programmes"
    tags = ["Incentives"]

    @get("/", operation_id="ListRebateProgrammes", summary="Programmes my scope owns and those that enrol me")
    async def list_programmes(self, actor: CurrentActor) -> list[schemas.Programme]:
        return await programmes.list_programmes(actor)

    @post("/", operation_id="CreateRebateProgramme", summary="Define a rebate programme for my downstream")
    async def create_programme(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ProgrammeCreate]
    ) -> schemas.Programme:
        return await programmes.create_programme(actor, data, clock)

    @get("/{programme_id:uuid}", operation_id="GetRebateProgramme", summary="A programme and its rules")
    async def get_programme(self, actor: CurrentActor, programme_id: FromPath[UUID]) -> schemas.Programme:
        return await programmes.get_programme(actor, programme_id)

    @put("/{programme_id:uuid}/status", operation_id="ChangeRebateProgrammeStatus", summary="Close or reopen")
    async def change_status(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        programme_id: FromPath[UUID],
        data: JSONBody[schemas.ProgrammeStatusChange],
    ) -> schemas.Programme:
        return await programmes.change_status(actor, programme_id, data, clock)

    @get(
        "/{programme_id:uuid}/accruals",
        operation_id="ListRebateAccruals",
        summary="Earned so far, next tier and projection of every enrolled partner I see, this period",
    )
    async def accruals(
        self, actor: CurrentActor, clock: CurrentClock, programme_id: FromPath[UUID]
    ) -> list[schemas.PartnerAccrual]:
        return await settlements.programme_accruals(actor, programme_id, clock)

    @post(
        "/{programme_id:uuid}/settlements",
        operation_id="SettleRebatePeriod",
        summary="Propose each partner's settlement of an ended period, net of what was paid before",
    )
    async def settle(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        programme_id: FromPath[UUID],
        data: JSONBody[schemas.SettleCommand],
    ) -> schemas.SettlementRun:
        return await settlements.settle_period(actor, programme_id, data, clock)


class RebateAccrualsController(Controller):
    path = "/rebate-accruals"
    tags = ["Incentives"]

    @get("/", operation_id="ListMyRebateAccruals", summary="My standing in every programme that enrols me")
    async def mine(self, actor: CurrentActor, clock: CurrentClock) -> list[schemas.PartnerAccrual]:
        return await settlements.my_accruals(actor, clock)


class RebateSettlementsController(Controller):
    path = "/rebate-settlements"
    tags = ["Incentives"]

    @get("/", operation_id="ListRebateSettlements", summary="Settlements of the partners I see, newest first")
    async def list_settlements(
        self,
        actor: CurrentActor,
        status: FromQuery[Literal["proposed", "approved", "rejected"] | None] = None,
        programme_id: FromQuery[UUID | None] = None,
    ) -> list[schemas.Settlement]:
        return await settlements.list_settlements(actor, programme_id=programme_id, status=status)

    @get(
        "/{settlement_id:uuid}", operation_id="GetRebateSettlement", summary="A settlement, period by period"
    )
    async def get_settlement(self, actor: CurrentActor, settlement_id: FromPath[UUID]) -> schemas.Settlement:
        return await settlements.get_settlement(actor, settlement_id)

    @post(
        "/{settlement_id:uuid}/decision",
        operation_id="DecideRebateSettlement",
        summary="Approve (credits the partner's fund) or reject a proposed settlement",
        status_code=200,
    )
    async def decide(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        settlement_id: FromPath[UUID],
        data: JSONBody[schemas.SettlementDecision],
    ) -> schemas.Settlement:
        return await settlements.decide_settlement(actor, settlement_id, data, clock)


class RebateFundsController(Controller):
    path = "/rebate-funds"
    tags = ["Incentives"]

    @get(
        "/{partner_id:uuid}", operation_id="GetRebateFund", summary="A partner's fund: balance, limit, ledger"
    )
    async def get_fund(self, actor: CurrentActor, partner_id: FromPath[UUID]) -> schemas.Fund:
        return await fund.get_fund(actor, partner_id)

    @post(
        "/{partner_id:uuid}/uses",
        operation_id="UseRebateFund",
        summary="Pay part of my submitted order from my fund (a retry with the same order is answered once)",
        status_code=200,
    )
    async def use(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        data: JSONBody[schemas.FundUse],
    ) -> schemas.FundUseResult:
        return await fund.use_fund(actor, partner_id, data, clock)

    @post(
        "/{partner_id:uuid}/returns",
        operation_id="ReturnRebateFund",
        summary="Give back what a cancelled order took from the fund",
        status_code=200,
    )
    async def give_back(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        data: JSONBody[schemas.FundReturn],
    ) -> schemas.FundUseResult:
        return await fund.return_fund(actor, partner_id, data, clock)

    @post(
        "/{partner_id:uuid}/adjustments",
        operation_id="AdjustRebateFund",
        summary="Correct or expire a downstream partner's fund, with a reason",
    )
    async def adjust(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        partner_id: FromPath[UUID],
        data: JSONBody[schemas.FundAdjustment],
    ) -> schemas.FundEntry:
        return await fund.adjust_fund(actor, partner_id, data, clock)
