"""Files the portal hands out: spreadsheets with the right type and a file name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from litestar import Response
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

from channel.tabular import XLSX_MEDIA_TYPE

SpreadsheetFormat = Literal["csv", "xlsx"]
# Litestar adds the charset to a text type itself (naming it here as well repeated it).
CSV = "text/csv"


@dataclass
class SpreadsheetOperation(Operation):
    """An export's description: its success is a CSV or an XLSX file, as ``format`` asks."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {
                CSV: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                XLSX_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                ),
            }


def spreadsheet(content: bytes, file_format: SpreadsheetFormat, name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE if file_format == "xlsx" else CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.{file_format}"'},
    )


def attachment(content: bytes, media_type: str, name: str) -> Response[bytes]:
    """A stored file handed out as a download, never shown inline: an ASCII file name (anything
    else dropped) and the original one encoded for browsers that read ``filename*``; the type as
    recorded when the file was checked (the security headers forbid sniffing another)."""
    ascii_name = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "._-")) or "file"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}",
        },
    )
