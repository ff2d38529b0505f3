"""Posting an editor's form like a browser, and reading the error printed under a field."""

from __future__ import annotations

import html
import re

import httpx

from tests.api.conftest import csrf_token


async def post_form(
    client: httpx.AsyncClient, path: str, fields: dict[str, str | list[str]]
) -> httpx.Response:
    return await client.post(
        path, data={**fields, "_csrf_token": await csrf_token(client)}, follow_redirects=False
    )


def error_of(page: str, field: str) -> str:
    """The error printed right under a field (the form's ``e-<field>`` paragraph)."""
    found = re.search(rf'<p class="error" id="e-{re.escape(field.replace(".", "-"))}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""
