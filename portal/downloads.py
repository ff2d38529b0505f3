"""Files the portal hands out: spreadsheets with the right type and a file name."""

from __future__ import annotations

from typing import Literal

from litestar import Response

from channel.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

SpreadsheetFormat = Literal["csv", "xlsx"]


def spreadsheet(content: bytes, file_format: SpreadsheetFormat, name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE if file_format == "xlsx" else CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.{file_format}"'},
    )
