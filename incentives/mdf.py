"""Market development funds: the life of a request for funds and its claim, the proof files a claim
may carry, and the funnel from budget to paid (pure, no persistence)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

import msgspec

# Proof files: at most this many per request, each at most this large, and only these kinds,
# recognised by their first bytes (a renamed file is refused whatever its name says).
MAX_PROOFS = 5
MAX_PROOF_BYTES = 4 * 1024 * 1024
# A request carrying one proof file and its form fields: anything larger is refused before it is read.
MAX_PROOF_REQUEST_BYTES = MAX_PROOF_BYTES + 256 * 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class Activity(StrEnum):
    EVENT = "event"
    ADVERTISING = "advertising"
    IN_STORE_DISPLAY = "in_store_display"


class RequestStatus(StrEnum):
    REQUESTED = "requested"  # waiting for the channel manager
    APPROVED = "approved"  # the activity may go ahead, up to the approved amount
    REJECTED = "rejected"
    CLAIMED = "claimed"  # done; the partner claims what it spent, with proof
    CLAIM_APPROVED = "claim_approved"  # the claim is accepted, payment pending
    CLAIM_REJECTED = "claim_rejected"
    PAID = "paid"


# Which step may follow which: a decision on a request, a claim on an approved one, a decision on
# the claim, payment of an approved claim.
NEXT: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.REQUESTED: frozenset({RequestStatus.APPROVED, RequestStatus.REJECTED}),
    RequestStatus.APPROVED: frozenset({RequestStatus.CLAIMED}),
    RequestStatus.CLAIMED: frozenset({RequestStatus.CLAIM_APPROVED, RequestStatus.CLAIM_REJECTED}),
    RequestStatus.CLAIM_APPROVED: frozenset({RequestStatus.PAID}),
}

# Requests whose amount is held against the partner's allocation.
HOLDS_ALLOCATION = frozenset(
    {
        RequestStatus.REQUESTED,
        RequestStatus.APPROVED,
        RequestStatus.CLAIMED,
        RequestStatus.CLAIM_APPROVED,
        RequestStatus.PAID,
    }
)


def may_move(current: RequestStatus, to: RequestStatus) -> bool:
    return to in NEXT.get(current, frozenset())


def proof_type(content: bytes) -> str | None:
    """The file's type by its first bytes (PDF, PNG, JPEG), or ``None`` for anything else."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    return None


def proof_problem(content: bytes, already: int) -> str | None:
    """Why a proof file is refused (``too_many_proofs``, ``empty_file``, ``file_too_large``,
    ``unsupported_file_type``), or ``None``."""
    if already >= MAX_PROOFS:
        return "too_many_proofs"
    if not content:
        return "empty_file"
    if len(content) > MAX_PROOF_BYTES:
        return "file_too_large"
    if proof_type(content) is None:
        return "unsupported_file_type"
    return None


def held(amount_requested: Decimal, amount_approved: Decimal | None, status: RequestStatus) -> Decimal:
    """What a request holds of the allocation: the approved amount once decided, else the cost asked."""
    if status not in HOLDS_ALLOCATION:
        return Decimal(0)
    return amount_approved if amount_approved is not None else amount_requested


class RequestFigures(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: str
    region: str
    status: RequestStatus
    requested: Decimal
    approved: Decimal | None
    claimed: Decimal | None


class FunnelRow(msgspec.Struct, kw_only=True):
    key: str  # a partner id or a region code
    allocated: Decimal = Decimal(0)
    requested: Decimal = Decimal(0)
    approved: Decimal = Decimal(0)
    claimed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)


_APPROVED = frozenset(
    {RequestStatus.APPROVED, RequestStatus.CLAIMED, RequestStatus.CLAIM_APPROVED, RequestStatus.PAID}
)


def funnel(
    allocations: Iterable[tuple[str, str, Decimal]], requests: Iterable[RequestFigures], *, by: str
) -> list[FunnelRow]:
    """Budget -> allocated -> requested -> approved -> claimed -> paid, per partner (``by="partner"``)
    or per region (``by="region"``). Requested counts every request but rejected ones; approved
    what was approved; claimed what claims asked (approved or not yet decided); paid what was paid."""
    rows: dict[str, FunnelRow] = {}

    def row(partner: str, region: str) -> FunnelRow:
        key = partner if by == "partner" else region
        return rows.setdefault(key, FunnelRow(key=key))

    for partner, region, amount in allocations:
        row(partner, region).allocated += amount
    for r in requests:
        target = row(r.partner_id, r.region)
        if r.status is not RequestStatus.REJECTED:
            target.requested += r.requested
        if r.status in _APPROVED and r.approved is not None:
            target.approved += r.approved
        if (
            r.status in {RequestStatus.CLAIMED, RequestStatus.CLAIM_APPROVED, RequestStatus.PAID}
            and r.claimed
        ):
            target.claimed += r.claimed
        if r.status is RequestStatus.PAID and r.claimed:
            target.paid += r.claimed
    return sorted(rows.values(), key=lambda f: f.key)
