"""Leads over JSON: the pool, dispatch, the partner's inbox, follow-ups, rules, policy and the funnel."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from deal_registration import schemas
from deal_registration.leads import LeadStage, LeadStatus
from deal_registration.services import leads
from portal.dependencies import CurrentActor, CurrentClock


class LeadsController(Controller):
    path = "/leads"
    tags = ["Leads"]

    @get("/", operation_id="ListLeads", summary="The pool (manufacturer) and the leads held in my scope")
    async def list_leads(
        self,
        actor: CurrentActor,
        status: FromQuery[LeadStatus | None] = None,
        stage: FromQuery[LeadStage | None] = None,
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[schemas.Lead]:
        return await leads.list_leads(actor, schemas.LeadFilter(status=status, stage=stage, q=q, limit=limit))

    @post(
        "/", operation_id="CreateLead", summary="Put an inquiry into the pool; it is dispatched by the rules"
    )
    async def create_lead(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.LeadCreate]
    ) -> schemas.Lead:
        return await leads.create_lead(actor, data, clock)

    @get("/funnel", operation_id="LeadFunnel", summary="Leads reaching each stage, by source or by partner")
    async def lead_funnel(
        self, actor: CurrentActor, by: FromQuery[Literal["source", "owner"]] = "source"
    ) -> schemas.Funnel:
        return await leads.funnel(actor, by)

    @get("/{lead_id:uuid}", operation_id="GetLead", summary="A lead with its history")
    async def get_lead(self, actor: CurrentActor, lead_id: FromPath[UUID]) -> schemas.Lead:
        return await leads.get_lead(actor, lead_id)

    @post("/{lead_id:uuid}/dispatch", operation_id="DispatchLead", summary="Offer a pooled lead to a partner")
    async def dispatch_lead(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
        data: JSONBody[schemas.LeadDispatch],
    ) -> schemas.Lead:
        return await leads.dispatch_lead(actor, lead_id, data, clock)

    @post(
        "/{lead_id:uuid}/accept", operation_id="AcceptLead", summary="Take a lead offered to my organisation"
    )
    async def accept_lead(
        self, actor: CurrentActor, clock: CurrentClock, lead_id: FromPath[UUID]
    ) -> schemas.Lead:
        return await leads.accept_lead(actor, lead_id, clock)

    @post("/{lead_id:uuid}/decline", operation_id="DeclineLead", summary="Give a lead back; it moves on")
    async def decline_lead(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
        data: JSONBody[schemas.LeadDecline],
    ) -> schemas.Lead:
        return await leads.decline_lead(actor, lead_id, data, clock)

    @post("/{lead_id:uuid}/follow-ups", operation_id="FollowUpLead", summary="Record contact; move the stage")
    async def follow_up(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
        data: JSONBody[schemas.LeadFollowUp],
    ) -> schemas.Lead:
        return await leads.follow_up(actor, lead_id, data, clock)

    @post(
        "/{lead_id:uuid}/registration",
        operation_id="RegisterLeadAsDeal",
        summary="Register a qualified lead I hold as a deal, with the lead's customer",
    )
    async def register_deal(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        lead_id: FromPath[UUID],
        data: JSONBody[schemas.LeadRegistration],
    ) -> schemas.Registration:
        return await leads.register_deal(actor, lead_id, data, clock)


class LeadRulesController(Controller):
    path = "/lead-rules"
    tags = ["Leads"]

    @get("/", operation_id="ListLeadRules", summary="Dispatch rules, in the order they are tried")
    async def list_rules(self, actor: CurrentActor) -> list[schemas.DispatchRule]:
        return await leads.list_rules(actor)

    @post("/", operation_id="CreateLeadRule", summary="Add a dispatch rule")
    async def create_rule(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.DispatchRuleCreate]
    ) -> schemas.DispatchRule:
        return await leads.create_rule(actor, data, clock)

    @delete("/{rule_id:uuid}", operation_id="DeleteLeadRule", summary="Remove a dispatch rule")
    async def delete_rule(self, actor: CurrentActor, clock: CurrentClock, rule_id: FromPath[UUID]) -> None:
        await leads.delete_rule(actor, rule_id, clock)


class LeadPolicyController(Controller):
    path = "/lead-policy"
    tags = ["Leads"]

    @get("/", operation_id="GetLeadPolicy", summary="Acceptance deadline, private-pool cap, follow-up period")
    async def get_policy(self, actor: CurrentActor) -> schemas.LeadPolicy:
        return await leads.get_policy(actor)

    @put("/", operation_id="SetLeadPolicy", summary="Change the lead policy")
    async def set_policy(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.LeadPolicy]
    ) -> schemas.LeadPolicy:
        return await leads.set_policy(actor, data, clock)
