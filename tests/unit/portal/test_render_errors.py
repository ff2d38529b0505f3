"""A document past the renderer's limits is answered as such, in the reader's words, not as a crash."""

from __future__ import annotations

from litestar import get
from litestar.testing import create_test_client

from portal.documents.renderer import RenderMemoryError, RenderTimeoutError
from portal.errors import EXCEPTION_HANDLERS


@get("/api/slow.pdf", sync_to_thread=False)
def slow() -> bytes:
    raise RenderTimeoutError("the document took longer than 30 s")


@get("/api/huge.pdf", sync_to_thread=False)
def huge() -> bytes:
    raise RenderMemoryError("the document needed more than the 1536 MiB a renderer may use")


def test_a_render_past_its_limits_answers_503_with_what_went_wrong() -> None:
    with create_test_client([slow, huge], exception_handlers=EXCEPTION_HANDLERS) as client:
        too_slow = client.get("/api/slow.pdf")
        too_large = client.get("/api/huge.pdf")

    assert too_slow.status_code == 503 and too_slow.json()["code"] == "document_too_slow"
    assert "too long" in too_slow.json()["detail"]
    assert too_large.status_code == 503 and too_large.json()["code"] == "document_too_large"
    assert "memory" in too_large.json()["detail"]
