"""Tables as downloads from the web pages: CSV in the French dialect (``;``, decimal comma,
UTF-8 with a byte-order mark) or Excel (.xlsx). Every CSV and Excel download of the pages
goes through here, and the files themselves are written by the project's one writer,
:mod:`cratb.engine.tabular` (cells that a spreadsheet would run are neutralised)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone

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


def _local(value: Any, fmt: str) -> Any:
    """A time as the platform's users read it: in its time zone (``TIME_ZONE``), without
    an offset; « 2026-12-07 04:12:00 » in a CSV, which Excel reads as a date and time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime) and fmt == "csv":
        return value.isoformat(sep=" ", timespec="seconds")
    return value


def _local_rows(rows: Iterable[Sequence[Any]], fmt: str) -> Iterator[list[Any]]:
    for row in rows:
        yield [_local(v, fmt) if isinstance(v, datetime) else v for v in row]


def sheets_response(*, filename: str, sheets: Sequence[Sheet], fmt: str) -> HttpResponse:
    """Several tables as a workbook of several sheets; a CSV holds the first one. Times
    are written in the platform's time zone."""
    if fmt not in FORMATS:
        raise Http404("format inconnu")
    sheets = [Sheet(s.name, s.columns, _local_rows(s.rows, fmt)) for s in sheets]
    if fmt == "csv":
        first = sheets[0]
        body = csv_bytes(first.columns, first.rows, dialect=FRENCH)
    else:
        body = workbook_bytes(sheets)
    return file_response(body, filename=filename, fmt=fmt)
