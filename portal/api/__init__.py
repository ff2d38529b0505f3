"""The JSON API under ``/api``: thin controllers over the same services as the pages."""

from litestar import Router

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
from portal.api.pricing import (
    PriceBooksController,
    PriceControlsController,
    PricingController,
    PromotionsController,
)
from portal.api.quotes import QuotesController
from portal.api.reference import PartnerLevelsController, RegionsController
from portal.api.registrations import ProgrammesController, RegistrationsController
from portal.api.tokens import ApiTokensController

router = Router(
    path="/api",
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
