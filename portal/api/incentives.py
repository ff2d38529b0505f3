"""Rebate programmes, accruals, settlements, the rebate fund and market development funds over JSON."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from channel.tabular import write_csv
from incentives import schemas
from incentives.mdf import MAX_PROOF_REQUEST_BYTES, RequestStatus
from incentives.services import commissions, fund, mdf, programmes, settlements
from portal.dependencies import CurrentActor, CurrentClock, CurrentRenderer
from portal.documents.commission_statement import CSV_COLUMNS, statement_pdf, statement_rows
from portal.downloads import attachment, spreadsheet


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


class MdfBudgetsController(Controller):
    path = "/mdf-budgets"
    tags = ["Incentives"]

    @get(
        "/", operation_id="ListMdfBudgets", summary="MDF budgets my scope owns and those that allocate to me"
    )
    async def list_budgets(self, actor: CurrentActor) -> list[schemas.MdfBudget]:
        return await mdf.list_budgets(actor)

    @post("/", operation_id="CreateMdfBudget", summary="Set aside market development funds for a period")
    async def create_budget(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.MdfBudgetCreate]
    ) -> schemas.MdfBudget:
        return await mdf.create_budget(actor, data, clock)

    @get(
        "/{budget_id:uuid}/allocations",
        operation_id="ListMdfAllocations",
        summary="Each partner's share: allocated, held by requests, available",
    )
    async def allocations(
        self, actor: CurrentActor, budget_id: FromPath[UUID]
    ) -> list[schemas.MdfAllocation]:
        return await mdf.list_allocations(actor, budget_id)

    @post(
        "/{budget_id:uuid}/allocations",
        operation_id="AllocateMdf",
        summary="Set a downstream partner's share of the budget",
        status_code=200,
    )
    async def allocate(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        budget_id: FromPath[UUID],
        data: JSONBody[schemas.MdfAllocate],
    ) -> schemas.MdfAllocation:
        return await mdf.allocate(actor, budget_id, data, clock)

    @get(
        "/{budget_id:uuid}/funnel",
        operation_id="GetMdfFunnel",
        summary="Allocated, requested, approved, claimed and paid, per partner or region",
    )
    async def funnel(
        self,
        actor: CurrentActor,
        budget_id: FromPath[UUID],
        by: FromQuery[Literal["partner", "region"]] = "partner",
    ) -> schemas.MdfFunnel:
        return await mdf.funnel(actor, budget_id, by)


class MdfRequestsController(Controller):
    path = "/mdf-requests"
    tags = ["Incentives"]

    @get("/", operation_id="ListMdfRequests", summary="MDF requests of the partners I see, newest first")
    async def list_requests(
        self,
        actor: CurrentActor,
        budget_id: FromQuery[UUID | None] = None,
        status: FromQuery[RequestStatus | None] = None,
    ) -> list[schemas.MdfRequest]:
        return await mdf.list_requests(actor, budget_id=budget_id, status=status.value if status else None)

    @post("/", operation_id="RequestMdf", summary="Ask for funds for an activity, within my allocation")
    async def request_funds(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.MdfRequestCreate]
    ) -> schemas.MdfRequest:
        return await mdf.request_funds(actor, data, clock)

    @get(
        "/{request_id:uuid}", operation_id="GetMdfRequest", summary="A request, its claim and its proof files"
    )
    async def get_request(self, actor: CurrentActor, request_id: FromPath[UUID]) -> schemas.MdfRequest:
        return await mdf.get_request(actor, request_id)

    @post(
        "/{request_id:uuid}/decision",
        operation_id="DecideMdfRequest",
        summary="Approve (all or part) or reject a request",
        status_code=200,
    )
    async def decide(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        request_id: FromPath[UUID],
        data: JSONBody[schemas.MdfDecision],
    ) -> schemas.MdfRequest:
        return await mdf.decide_request(actor, request_id, data, clock)

    @post(
        "/{request_id:uuid}/proofs",
        operation_id="AddMdfProof",
        summary="Attach a proof file (PDF, PNG or JPEG, at most 4 MiB, 5 per request)",
        status_code=200,
        request_max_body_size=MAX_PROOF_REQUEST_BYTES,
    )
    async def add_proof(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        request_id: FromPath[UUID],
        data: MultipartBody[UploadFile],
    ) -> schemas.MdfRequest:
        content = await data.read()
        return await mdf.add_proof(actor, request_id, data.filename or "", content, clock)

    @get(
        "/{request_id:uuid}/proofs/{proof_id:uuid}",
        operation_id="GetMdfProof",
        summary="Download a proof file",
    )
    async def get_proof(
        self, actor: CurrentActor, request_id: FromPath[UUID], proof_id: FromPath[UUID]
    ) -> Response[bytes]:
        name, kind, content = await mdf.get_proof(actor, request_id, proof_id)
        return attachment(content, kind, name)

    @post(
        "/{request_id:uuid}/claim",
        operation_id="ClaimMdf",
        summary="Claim what the activity cost, with the proof attached",
        status_code=200,
    )
    async def claim(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        request_id: FromPath[UUID],
        data: JSONBody[schemas.MdfClaim],
    ) -> schemas.MdfRequest:
        return await mdf.claim(actor, request_id, data, clock)

    @post(
        "/{request_id:uuid}/claim-decision",
        operation_id="DecideMdfClaim",
        summary="Approve or reject a claim",
        status_code=200,
    )
    async def decide_claim(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        request_id: FromPath[UUID],
        data: JSONBody[schemas.MdfDecision],
    ) -> schemas.MdfRequest:
        return await mdf.decide_claim(actor, request_id, data, clock)

    @post(
        "/{request_id:uuid}/payment",
        operation_id="MarkMdfPaid",
        summary="Mark an approved claim paid",
        status_code=200,
    )
    async def mark_paid(
        self, actor: CurrentActor, clock: CurrentClock, request_id: FromPath[UUID]
    ) -> schemas.MdfRequest:
        return await mdf.mark_paid(actor, request_id, clock)


class CommissionPlansController(Controller):
    path = "/commission-plans"
    tags = ["Incentives"]

    @get(
        "/", operation_id="ListCommissionPlans", summary="The commission plans my organisation owns, by code"
    )
    async def list_plans(self, actor: CurrentActor) -> list[schemas.CommissionPlanView]:
        return await commissions.list_plans(actor)

    @get(
        "/{plan_id:uuid}",
        operation_id="GetCommissionPlan",
        summary="A plan of mine, its rates and the deals attributed to it, latest first",
    )
    async def get_plan(self, actor: CurrentActor, plan_id: FromPath[UUID]) -> schemas.CommissionPlanDetail:
        return schemas.CommissionPlanDetail(
            plan=await commissions.get_plan(actor, plan_id),
            deals=await commissions.list_deals(actor, plan_id),
        )

    @post(
        "/",
        operation_id="CreateCommissionPlan",
        summary="Slab rates per category for partners who bring deals",
    )
    async def create_plan(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.CommissionPlanCreate]
    ) -> schemas.CommissionPlanView:
        return await commissions.create_plan(actor, data, clock)

    @post(
        "/{plan_id:uuid}/deals",
        operation_id="AttributeCommissionDeal",
        summary="Record the registration or lead an order came from, and how its commission is split",
    )
    async def attribute(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        plan_id: FromPath[UUID],
        data: JSONBody[schemas.CommissionDealCreate],
    ) -> schemas.CommissionDeal:
        return await commissions.attribute_order(actor, plan_id, data, clock)


class CommissionRunsController(Controller):
    path = "/commission-runs"
    tags = ["Incentives"]

    @post(
        "/",
        operation_id="RunCommissions",
        summary="Earn what received orders owe and claw back what returns took back (safe to repeat)",
        status_code=200,
    )
    async def run(self, actor: CurrentActor, clock: CurrentClock) -> schemas.CommissionRun:
        return await commissions.run_commissions(actor, clock)


class CommissionStatementsController(Controller):
    path = "/commission-statements"
    tags = ["Incentives"]

    @get(
        "/{partner_id:uuid}",
        operation_id="GetCommissionStatement",
        summary="A partner's commissions in a period (this month by default) as JSON, CSV or PDF",
    )
    async def statement(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        renderer: CurrentRenderer,
        partner_id: FromPath[UUID],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        format: FromQuery[Literal["json", "csv", "pdf"]] = "json",
    ) -> Response[Any]:
        today = clock.now().date()
        first = start or today.replace(day=1)
        last = end or (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        found = await commissions.statement(actor, partner_id, first, last)
        name = f"commissions-{first.isoformat()}"
        if format == "csv":
            return spreadsheet(write_csv(CSV_COLUMNS, statement_rows(found)), "csv", name)
        if format == "pdf":
            content = await statement_pdf(found, actor.locale, renderer)
            return Response(
                content,
                media_type="application/pdf",
                headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
            )
        return Response(found)
