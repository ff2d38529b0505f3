"""What WeasyPrint may load while rendering: our own bundled assets, and nothing else.

A document is built from data partners and customers typed in; even escaped, a template change or
a stylesheet could name a URL. The fetcher answers ``portal-asset:<name>`` from
``portal/static/documents`` (names without path separators only) and refuses every other URL:
``file:`` paths, ``http(s):`` to any host, ``data:`` included, so rendering can neither read the
server's files nor reach the network.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_DIR = Path(__file__).resolve().parent.parent / "static" / "documents"
SCHEME = "portal-asset:"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


class RefusedURLError(ValueError):
    """A document asked for something outside the bundled assets."""


def asset_bytes(url: str) -> tuple[bytes, str]:
    """The bytes and media type of a bundled asset; ``RefusedURLError`` for anything else."""
    if not url.startswith(SCHEME):
        raise RefusedURLError(f"documents load bundled assets only, not {url[:60]!r}")
    name = url.removeprefix(SCHEME).lstrip("/")
    if not _NAME.match(name) or ".." in name:
        raise RefusedURLError(f"not an asset name: {name[:60]!r}")
    path = ASSET_DIR / name
    if not path.is_file():
        raise RefusedURLError(f"no such asset: {name}")
    mime, _ = mimetypes.guess_type(name)
    return path.read_bytes(), mime or "application/octet-stream"


class AssetFetcher(URLFetcher):
    """WeasyPrint's fetcher, narrowed to the bundled assets; no handler for file, http or data runs."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        body, mime = asset_bytes(url)
        return URLFetcherResponse(url, body, {"Content-Type": mime})
