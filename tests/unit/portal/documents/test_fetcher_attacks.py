"""Documents render with the portal's fetcher: the known ways a document can make WeasyPrint read a
local file or reach the network (file:, loopback http, redirects, @import, attachments, SVG
references, data: URLs, fonts, <base>) produce no request and put no file bytes in the PDF.

A loopback listener counts every request it gets; a local file carries a marker that must not appear
in the PDF (text, attachments or raw bytes). The same documents rendered with WeasyPrint's default
fetcher do leak, which shows the checks can see a leak.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portal.documents.fetcher import AssetFetcher

MARKER = f"SECRET-{uuid.uuid4().hex}"


class Listener:
    def __init__(self, secret: Path) -> None:
        self.hits: list[str] = []
        hits, target = self.hits, secret.as_uri()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", target if "file" in self.path else "/secret.css")
                    self.end_headers()
                    return
                body = f"/* {MARKER} */ body {{ color: red }}".encode()
                self.send_response(200)
                self.send_header(
                    "Content-Type", "text/css" if self.path.endswith(".css") else "image/svg+xml"
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "secret.txt"
    path.write_text(f"{MARKER}\nroot:x:0:0\n")
    return path


@pytest.fixture(scope="module")
def listener(secret: Path) -> Iterator[Listener]:
    served = Listener(secret)
    yield served
    served.close()


def _vectors(file_url: str, http: str) -> dict[str, str]:
    return {
        "img-file": f'<img src="{file_url}">',
        "img-http": f'<img src="{http}/pixel.svg">',
        "stylesheet-file": f'<link rel="stylesheet" href="{file_url}">',
        "stylesheet-http": f'<link rel="stylesheet" href="{http}/style.css">',
        "import-http": f'<style>@import url("{http}/import.css");</style>',
        "import-file": f'<style>@import "{file_url}";</style>',
        "background-http": f"<style>body {{ background: url({http}/bg.svg) }}</style>",
        "font-face-http": f"<style>@font-face {{ font-family: x; src: url({http}/font.woff) }}</style>",
        "attachment-file": f'<a rel="attachment" href="{file_url}">terms</a>',
        "attachment-link-file": f'<link rel="attachment" href="{file_url}">',
        "attachment-link-http": f'<link rel="attachment" href="{http}/attachment.css">',
        "redirect-to-file": f'<link rel="stylesheet" href="{http}/redirect-file">',
        "redirect-to-http": f'<link rel="stylesheet" href="{http}/redirect-http">',
        "svg-image-file": f'<svg width="10" height="10"><image href="{file_url}" width="10" height="10"/></svg>',
        "svg-image-http": f'<svg width="10" height="10"><image href="{http}/svg.svg" width="10" height="10"/></svg>',
        "svg-use-file": f'<svg width="10" height="10"><use href="{file_url}#x"/></svg>',
        "object-file": f'<object data="{file_url}" type="text/plain"></object>',
        "embed-http": f'<embed src="{http}/embed.svg">',
        "iframe-file": f'<iframe src="{file_url}"></iframe>',
        "base-http": f'<base href="{http}/"><img src="relative.svg">',
        "data-stylesheet": '<link rel="stylesheet" href="data:text/css,body%7Bcolor:red%7D">',
        "data-svg-with-file": (
            "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
            f"<image href='{file_url}'/></svg>\">"
        ),
    }


def _render(body: str, fetcher: URLFetcher | None) -> bytes:
    html = f"<html><body><p>Quote</p>{body}</body></html>"
    kwargs = {"url_fetcher": fetcher} if fetcher is not None else {}
    pdf = HTML(string=html, base_url="portal-asset:/", **kwargs).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _leaks(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    if reader.attachments:
        found.append(f"attachments {sorted(reader.attachments)}")
    if any(MARKER in (page.extract_text() or "") for page in reader.pages):
        found.append("marker in the text")
    if MARKER.encode() in pdf:
        found.append("marker in the bytes")
    return found


def test_no_vector_makes_the_portal_fetcher_request_anything_or_embed_a_file(
    secret: Path, listener: Listener, figure: Callable[[str], None]
) -> None:
    vectors = _vectors(secret.as_uri(), listener.url)
    leaked = {}
    for name, body in vectors.items():
        before = len(listener.hits)
        found = _leaks(_render(body, AssetFetcher()))
        if len(listener.hits) > before:
            found.append(f"requests {listener.hits[before:]}")
        if found:
            leaked[name] = found

    figure(
        f"\nfetcher: {len(vectors)} vectors, {len(listener.hits)} outbound requests, {len(leaked)} leaking"
    )
    assert leaked == {}
    assert listener.hits == []


def test_the_same_vectors_do_leak_with_weasyprints_default_fetcher(secret: Path, listener: Listener) -> None:
    """The control: without the portal's fetcher, the checks above see requests and file bytes."""
    vectors = _vectors(secret.as_uri(), listener.url)
    before = len(listener.hits)

    attached = _leaks(_render(vectors["attachment-link-file"], URLFetcher()))
    _render(vectors["stylesheet-http"] + vectors["import-http"], URLFetcher())

    assert attached, "the default fetcher should have attached the local file"
    assert len(listener.hits) > before
