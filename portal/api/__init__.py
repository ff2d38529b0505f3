"""The JSON API under ``/api``: thin controllers over the same services as the pages."""

from typing import Any

from litestar import Request, Router
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from portal.api.activity import ActivityController
from portal.api.catalogue import CategoriesController, ProductsController
from portal.api.incentives import (
    CommissionPlansController,
    CommissionRunsController,
    CommissionStatementsController,
    MdfBudgetsController,
    MdfRequestsController,
    RebateAccrualsController,
    RebateFundsController,
    RebateProgrammesController,
    RebateSettlementsController,
)
from portal.api.leads import LeadPolicyController, LeadRulesController, LeadsController
from portal.api.me import MeController
from portal.api.notifications import NotificationsController
from portal.api.orders import OrdersController, QuoteOrdersController, StockController
from portal.api.partners import ChannelManagersController, PartnersController
from portal.api.people import InvitationsController, UsersController
from portal.api.performance import ScorecardsController
from portal.api.pricing import (
    PriceBooksController,
    PriceControlsController,
    PricingController,
    PromotionsController,
)
from portal.api.quotes import QuotesController
from portal.api.reference import PartnerLevelsController, RegionsController
from portal.api.registrations import ProgrammesController, RegistrationsController
from portal.api.reports import InventoryController, ReportsController
from portal.api.tokens import ApiTokensController
from portal.errors import API_ERROR_STATUSES, PROBLEM_JSON, ProblemDetails

BODY_TYPES = ("application/json", "multipart/form-data")


async def require_json_or_upload(request: Request[Any, Any, Any]) -> None:
    """Bodies are JSON (or a file upload): a JSON text sent as text/plain or a form is refused with
    415 rather than read anyway, so no other content type reaches a handler."""
    declared = request.headers.get("content-type")
    if request.method in {"GET", "HEAD", "OPTIONS"} or declared is None:
        return
    media_type = request.content_type[0]
    if media_type not in BODY_TYPES and not media_type.endswith("+json"):
        raise HTTPException(status_code=415)


router = Router(
    path="/api",
    before_request=require_json_or_upload,
    route_handlers=[
        MeController,
        PartnersController,
        ChannelManagersController,
        UsersController,
        InvitationsController,
        ApiTokensController,
        ActivityController,
        NotificationsController,
        OrdersController,
        QuoteOrdersController,
        StockController,
        PartnerLevelsController,
        RegionsController,
        CategoriesController,
        ProductsController,
        LeadsController,
        LeadRulesController,
        LeadPolicyController,
        PricingController,
        PriceBooksController,
        PriceControlsController,
        PromotionsController,
        QuotesController,
        RegistrationsController,
        ProgrammesController,
        ScorecardsController,
        ReportsController,
        InventoryController,
        RebateProgrammesController,
        RebateAccrualsController,
        RebateSettlementsController,
        RebateFundsController,
        MdfBudgetsController,
        MdfRequestsController,
        CommissionPlansController,
        CommissionRunsController,
        CommissionStatementsController,
    ],
)


def _document_error_answers(api: Router) -> None:
    """Every operation's description lists the problem-details answers it may give, so a client (or
    a schema-driven test) knows every status and body it can meet, not only the success."""
    errors = {
        status: ResponseSpec(
            data_container=ProblemDetails, media_type=PROBLEM_JSON, description=text, generate_examples=False
        )
        for status, text in API_ERROR_STATUSES.items()
    }
    for route in api.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**errors, **(handler.responses or {})}


_document_error_answers(router)
