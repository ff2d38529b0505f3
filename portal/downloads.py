"""Files the portal hands out: spreadsheets with the right type and a file name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
