"""Tables as downloads from the web pages: CSV in the French dialect (``;``, decimal comma,
UTF-8 with a byte-order mark) or Excel (.xlsx). Every CSV and Excel download of the pages
goes through here, and the files themselves are written by the project's one writer,
:mod:`cratb.engine.tabular` (cells that a spreadsheet would run are neutralised)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import Http404, HttpResponse

from cratb.engine.tabular import FRENCH, Sheet, csv_bytes, workbook_bytes

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_response(body: bytes, *, filename: str, fmt: str) -> HttpResponse:
    """``body`` as a download named ``filename.fmt``."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def table_response(
    *, filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> HttpResponse:
    """One table as a CSV or a one-sheet workbook."""
    return sheets_response(filename=filename, sheets=[Sheet(filename, columns, rows)], fmt=fmt)


def sheets_response(*, filename: str, sheets: Sequence[Sheet], fmt: str) -> HttpResponse:
    """Several tables as a workbook of several sheets; a CSV holds the first one."""
    if fmt not in FORMATS:
        raise Http404("format inconnu")
    if fmt == "csv":
        first = sheets[0]
        body = csv_bytes(first.columns, first.rows, dialect=FRENCH)
    else:
        body = workbook_bytes(sheets)
    return file_response(body, filename=filename, fmt=fmt)
