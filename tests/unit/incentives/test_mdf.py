"""Market development funds without a database: proof files by content, the steps, the funnel."""

from __future__ import annotations

from decimal import Decimal

from incentives import mdf
from incentives.mdf import RequestFigures, RequestStatus

D = Decimal
PDF, PNG, JPEG = b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"\xff\xd8\xff\xe0...."


def test_proof_files_are_recognised_by_their_content_not_their_name() -> None:
    assert [mdf.proof_type(c) for c in (PDF, PNG, JPEG)] == ["application/pdf", "image/png", "image/jpeg"]
    assert mdf.proof_type(b"MZ\x90\x00 an executable renamed invoice.pdf") is None
    assert mdf.proof_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


def test_proof_files_are_bounded_in_count_and_size() -> None:
    assert mdf.proof_problem(PDF, already=0) is None
    assert mdf.proof_problem(PDF, already=mdf.MAX_PROOFS) == "too_many_proofs"
    assert mdf.proof_problem(b"", already=0) == "empty_file"
    assert mdf.proof_problem(PDF + b"x" * mdf.MAX_PROOF_BYTES, already=0) == "file_too_large"
    assert mdf.proof_problem(b"GIF89a", already=0) == "unsupported_file_type"


def test_a_request_moves_only_forwards_one_step_at_a_time() -> None:
    assert mdf.may_move(RequestStatus.REQUESTED, RequestStatus.APPROVED)
    assert not mdf.may_move(RequestStatus.REQUESTED, RequestStatus.CLAIMED)
    assert not mdf.may_move(RequestStatus.REJECTED, RequestStatus.APPROVED)
    assert mdf.may_move(RequestStatus.CLAIM_APPROVED, RequestStatus.PAID)
    assert not mdf.may_move(RequestStatus.PAID, RequestStatus.PAID)


def test_the_funnel_runs_from_allocated_to_paid_per_partner_and_per_region() -> None:
    allocations = [("p1", "EAST", D(5000)), ("p2", "EAST", D(3000)), ("p3", "WEST", D(2000))]
    requests = [
        RequestFigures(
            partner_id="p1",
            region="EAST",
            status=RequestStatus.PAID,
            requested=D(2000),
            approved=D(1800),
            claimed=D(1750),
        ),
        RequestFigures(
            partner_id="p1",
            region="EAST",
            status=RequestStatus.REJECTED,
            requested=D(900),
            approved=None,
            claimed=None,
        ),
        RequestFigures(
            partner_id="p2",
            region="EAST",
            status=RequestStatus.CLAIMED,
            requested=D(1000),
            approved=D(1000),
            claimed=D(950),
        ),
        RequestFigures(
            partner_id="p3",
            region="WEST",
            status=RequestStatus.REQUESTED,
            requested=D(500),
            approved=None,
            claimed=None,
        ),
    ]

    by_partner = {
        r.key: (r.allocated, r.requested, r.approved, r.claimed, r.paid)
        for r in mdf.funnel(allocations, requests, by="partner")
    }
    by_region = {
        r.key: (r.allocated, r.requested, r.approved, r.claimed, r.paid)
        for r in mdf.funnel(allocations, requests, by="region")
    }

    assert by_partner == {
        "p1": (D(5000), D(2000), D(1800), D(1750), D(1750)),
        "p2": (D(3000), D(1000), D(1000), D(950), D(0)),
        "p3": (D(2000), D(500), D(0), D(0), D(0)),
    }
    assert by_region == {
        "EAST": (D(8000), D(3000), D(2800), D(2700), D(1750)),
        "WEST": (D(2000), D(500), D(0), D(0), D(0)),
    }
    assert mdf.held(D(2000), D(1800), RequestStatus.PAID) == D(1800)
    assert mdf.held(D(900), None, RequestStatus.REJECTED) == D(0)
