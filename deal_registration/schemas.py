"""Deal registration's inputs and outputs; the same Structs are the API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from channel.schemas import check_country, normalise_email
from core.validation import check_decimal, check_text
from deal_registration.leads import FunnelRow, LeadStage, LeadStatus

Text200 = Annotated[str, Meta(max_length=200)]


class LeadCreate(msgspec.Struct, forbid_unknown_fields=True):
    source: Annotated[str, Meta(min_length=1, max_length=40)]
    company_name: Annotated[str, Meta(min_length=1, max_length=200)]
    region: Annotated[str, Meta(max_length=32)] = ""
    industry: Annotated[str, Meta(max_length=60)] = ""
    contact_name: Annotated[str, Meta(max_length=120)] = ""
    contact_email: Annotated[str, Meta(max_length=254)] = ""
    phone: Annotated[str, Meta(max_length=40)] = ""
    city: Annotated[str, Meta(max_length=100)] = ""
    country: Annotated[str, Meta(max_length=2)] = ""
    notes: Annotated[str, Meta(max_length=4000)] = ""

    def __post_init__(self) -> None:
        self.source = check_text(self.source, "source", max_length=40).lower()
        self.company_name = check_text(self.company_name, "company_name", max_length=200)
        self.region = self.region.strip().upper()
        self.industry = check_text(self.industry, "industry", max_length=60, required=False).lower()
        self.contact_name = check_text(self.contact_name, "contact_name", max_length=120, required=False)
        if self.contact_email:
            self.contact_email = normalise_email(self.contact_email, "contact_email")
        self.phone = check_text(self.phone, "phone", max_length=40, required=False)
        self.city = check_text(self.city, "city", max_length=100, required=False)
        self.country = check_country(self.country)
        self.notes = check_text(self.notes, "notes", max_length=4000, required=False)


class LeadEvent(msgspec.Struct, frozen=True):
    occurred_at: datetime
    kind: str
    organisation_id: UUID | None = None
    actor_label: str = ""
    note: str = ""


class Lead(msgspec.Struct, frozen=True):
    id: UUID
    number: str
    source: str
    region: str
    industry: str
    company_name: str
    contact_name: str
    contact_email: str
    phone: str
    city: str
    country: str
    notes: str
    stage: LeadStage
    status: LeadStatus
    owner_id: UUID | None
    owner_name: str | None
    offer_expires_at: datetime | None
    last_activity_at: datetime | None
    follow_up_due_at: datetime | None
    returned_count: int
    reinquiry: bool
    created_at: datetime
    registration_id: UUID | None = None  # the deal registration made from this lead
    events: list[LeadEvent] = []


class LeadFilter(msgspec.Struct, forbid_unknown_fields=True):
    status: LeadStatus | None = None
    stage: LeadStage | None = None
    q: Annotated[str, Meta(max_length=100)] = ""
    limit: Annotated[int, Meta(ge=1, le=500)] = 100


class LeadDispatch(msgspec.Struct, forbid_unknown_fields=True):
    """Offer a lead to a named partner, or (``partner_id`` null) to whoever the rules choose."""

    partner_id: UUID | None = None


class LeadDecline(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=500)] = ""


class LeadFollowUp(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, Meta(min_length=1, max_length=4000)]
    stage: LeadStage | None = None  # move forward to this stage (won/lost close the lead)

    def __post_init__(self) -> None:
        self.note = check_text(self.note, "note", max_length=4000)


class DispatchRule(msgspec.Struct, frozen=True):
    id: UUID
    position: int
    name: str
    regions: list[str] = []
    industries: list[str] = []
    sources: list[str] = []
    partner_levels: list[str] = []
    partner_ids: list[UUID] = []
    active: bool = True


class DispatchRuleCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    position: Annotated[int, Meta(ge=0, le=10_000)] = 100
    regions: Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=50)] = []
    industries: Annotated[list[Annotated[str, Meta(max_length=60)]], Meta(max_length=50)] = []
    sources: Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(max_length=50)] = []
    partner_levels: Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=20)] = []
    partner_ids: Annotated[list[UUID], Meta(max_length=200)] = []

    def __post_init__(self) -> None:
        self.name = check_text(self.name, "name", max_length=100)
        self.regions = sorted({r.strip().upper() for r in self.regions if r.strip()})
        self.industries = sorted({i.strip().lower() for i in self.industries if i.strip()})
        self.sources = sorted({s.strip().lower() for s in self.sources if s.strip()})
        self.partner_levels = sorted({p.strip().upper() for p in self.partner_levels if p.strip()})


class LeadPolicy(msgspec.Struct, frozen=True):
    accept_within_hours: Annotated[int, Meta(ge=1, le=24 * 30)] = 24
    private_pool_cap: Annotated[int, Meta(ge=1, le=10_000)] = 50
    follow_up_within_days: Annotated[int, Meta(ge=1, le=365)] = 15


class SweepResult(msgspec.Struct, frozen=True):
    lapsed_offers: int = 0
    returned_for_no_follow_up: int = 0
    dispatched: int = 0


class Funnel(msgspec.Struct, frozen=True):
    by: str
    rows: list[FunnelRow]


# --- deal registration ----------------------------------------------------------------------------


class EndCustomer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    company_name: Annotated[str, Meta(min_length=1, max_length=200)]
    tax_id: Annotated[str, Meta(max_length=40)] = ""
    website: Annotated[str, Meta(max_length=254)] = ""  # a URL, a domain or an e-mail address
    phone: Annotated[str, Meta(max_length=40)] = ""
    address: Annotated[str, Meta(max_length=300)] = ""
    city: Annotated[str, Meta(max_length=100)] = ""
    country: Annotated[str, Meta(max_length=2)] = ""
    contact: Annotated[str, Meta(max_length=120)] = ""

    def __post_init__(self) -> None:
        self.company_name = check_text(self.company_name, "customer.company_name", max_length=200)
        self.country = check_country(self.country.upper())
        self.city = check_text(self.city, "customer.city", max_length=100, required=False)
        self.contact = check_text(self.contact, "customer.contact", max_length=120, required=False)


class DealTerms(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a registration claims, apart from the customer: programme, product lines, value, close."""

    programme: Annotated[str, Meta(max_length=32)] = "STANDARD"
    product_lines: Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=50)] = []
    estimated_value: Decimal = Decimal(0)
    currency: Annotated[str, Meta(min_length=3, max_length=3)] = "CNY"
    expected_close: datetime | None = None
    notes: Annotated[str, Meta(max_length=4000)] = ""

    def __post_init__(self) -> None:
        check_decimal(self.estimated_value, "estimated_value")
        self.product_lines = sorted({p.strip().upper() for p in self.product_lines if p.strip()})
        self.programme = self.programme.strip().upper()


class RegistrationCreate(DealTerms, kw_only=True):
    customer: EndCustomer


class LeadRegistration(DealTerms, kw_only=True):
    """Register a qualified lead as a deal: the customer comes from the lead, these add to it."""

    tax_id: Annotated[str, Meta(max_length=40)] = ""
    website: Annotated[str, Meta(max_length=254)] = ""  # defaults to the lead's e-mail (its domain counts)
    address: Annotated[str, Meta(max_length=300)] = ""


class ConflictView(msgspec.Struct, frozen=True, kw_only=True):
    """A colliding registration as the channel manager sees it (partners never see these)."""

    other_id: UUID
    other_number: str
    other_partner: str
    other_status: str
    other_customer: str
    score: int
    verdict: str
    evidence: list[dict[str, Any]]


class Registration(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    programme: str
    partner_id: UUID
    partner_name: str
    status: str  # submitted | under_review | info_requested | protected | rejected | expired | won | lost
    customer: EndCustomer
    product_lines: list[str]
    estimated_value: Decimal
    currency: str
    expected_close: datetime | None
    notes: str
    registered_by: str
    decided_by: str
    decision_reason: str
    protected_until: datetime | None
    extensions_used: int
    created_at: datetime
    already_registered: bool = False  # all a partner learns of a collision
    conflicts: list[ConflictView] = []


class RegistrationDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision: Literal["approve", "reject", "request_info"]
    reason: Annotated[str, Meta(max_length=1000)] = ""


class RegistrationOutcome(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    outcome: Literal["won", "lost"]
    note: Annotated[str, Meta(max_length=1000)] = ""


class ProgrammeSettings(msgspec.Struct, frozen=True, kw_only=True):
    code: Annotated[str, Meta(pattern=r"^[A-Z0-9_-]{1,32}$")]  # what registrations name it by
    name: str
    protection_days: Annotated[int, Meta(ge=1, le=730)] = 90
    extension_days: Annotated[int, Meta(ge=1, le=365)] = 30
    max_extensions: Annotated[int, Meta(ge=0, le=10)] = 2
    deal_discount_percent: Decimal = Decimal(0)
    review_at: Annotated[int, Meta(ge=50, le=100)] = 85
    block_exact_duplicates: bool = True
    protect_when_clear: bool = True

    def __post_init__(self) -> None:
        check_text(self.name, "name", max_length=200)
        check_decimal(self.deal_discount_percent, "deal_discount_percent", maximum=Decimal(100))
