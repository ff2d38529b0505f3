"""Deal registrations over JSON: register, decide, extend, report the outcome; programmes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from deal_registration import schemas
from deal_registration.services import registrations
from portal.dependencies import CurrentActor, CurrentClock


class RegistrationsController(Controller):
    path = "/registrations"
    tags = ["Deal registration"]

    @get(
        "/",
        operation_id="ListRegistrations",
        summary="Registrations of my organisation and below (reviewers: their scope)",
    )
    async def list_registrations(
        self, actor: CurrentActor, status: Annotated[str | None, QueryParameter(max_length=20)] = None
    ) -> list[schemas.Registration]:
        return await registrations.list_registrations(actor, status)

    @post("/", operation_id="RegisterDeal", summary="Register an end customer's opportunity")
    async def register(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.RegistrationCreate]
    ) -> schemas.Registration:
        return await registrations.register(actor, data, clock)

    @get(
        "/{registration_id:uuid}",
        operation_id="GetRegistration",
        summary="A registration (reviewers also see its conflicts)",
    )
    async def get_registration(
        self, actor: CurrentActor, registration_id: FromPath[UUID]
    ) -> schemas.Registration:
        return await registrations.get_registration(actor, registration_id)

    @post(
        "/{registration_id:uuid}/decision",
        operation_id="DecideRegistration",
        summary="Approve, reject or ask for information",
    )
    async def decide(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        registration_id: FromPath[UUID],
        data: JSONBody[schemas.RegistrationDecision],
    ) -> schemas.Registration:
        return await registrations.decide(actor, registration_id, data, clock)

    @post(
        "/{registration_id:uuid}/extension",
        operation_id="ExtendRegistration",
        summary="Extend the protection period",
    )
    async def extend(
        self, actor: CurrentActor, clock: CurrentClock, registration_id: FromPath[UUID]
    ) -> schemas.Registration:
        return await registrations.extend(actor, registration_id, clock)

    @post(
        "/{registration_id:uuid}/outcome",
        operation_id="RegistrationOutcome",
        summary="Report the deal won or lost",
    )
    async def outcome(
        self,
        actor: CurrentActor,
        clock: CurrentClock,
        registration_id: FromPath[UUID],
        data: JSONBody[schemas.RegistrationOutcome],
    ) -> schemas.Registration:
        return await registrations.report_outcome(actor, registration_id, data, clock)


class ProgrammesController(Controller):
    path = "/registration-programmes"
    tags = ["Deal registration"]

    @get("/", operation_id="ListProgrammes", summary="Deal-registration programmes and their rules")
    async def list_programmes(self, actor: CurrentActor) -> list[schemas.ProgrammeSettings]:
        return await registrations.list_programmes(actor)

    @put(
        "/",
        operation_id="SaveProgramme",
        summary="Create or change a programme's protection, discount and policy",
    )
    async def save(
        self, actor: CurrentActor, clock: CurrentClock, data: JSONBody[schemas.ProgrammeSettings]
    ) -> schemas.ProgrammeSettings:
        return await registrations.save_programme(actor, data, clock)
