"""The one writer of every table the project hands out as CSV or Excel (web exports and the
``cratb`` command line).

Cells cannot run anything (the OWASP « CSV injection » rule): a text starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is read by a spreadsheet program as a
formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). In a CSV such a text gets a leading
``'``; in a workbook it is a text cell with Excel's « quote prefix », never a formula.
Numbers stay numbers (a negative number is a number), and a text that is only a number
(``-12``, ``-1,5``) is left as it is: no spreadsheet runs it.

Two CSV dialects: :data:`FRENCH` for the files offered on the web pages (``;``, decimal
comma, UTF-8 with a byte-order mark: they open right in a French Excel) and
:data:`CONTRACT` for the command line (CONTRACTS.md: ``,``, decimal point, UTF-8).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cratb.engine.errors import EngineError

__all__ = [
    "CONTRACT",
    "FORMATS",
    "FRENCH",
    "Dialect",
    "Sheet",
    "TabularError",
    "csv_bytes",
    "csv_text",
    "is_hostile",
    "neutralise",
    "neutralise_table",
    "put",
    "workbook_bytes",
    "write_table",
    "xlsx_bytes",
]

FORMATS = (".csv", ".parquet", ".xlsx")

#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
#: A text that is only a number: ``-12``, ``+3``, ``-1,5``, ``-2.5e3``.
_NUMBER_RE = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(_NUMBER_RE)


class TabularError(EngineError, ValueError):
    """The table cannot be written there; French, one line."""


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    bom: bool
    true: str
    false: str


#: Files offered on the French pages: they open right in a French spreadsheet program.
FRENCH = Dialect(delimiter=";", decimal=",", bom=True, true="oui", false="non")
#: The command line's files (CONTRACTS.md): comma, decimal point, no byte-order mark.
CONTRACT = Dialect(delimiter=",", decimal=".", bom=False, true="true", false="false")


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook: its name (31 characters at most), header and rows."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def is_hostile(text: str) -> bool:
    """True when a spreadsheet program would read ``text`` as a formula."""
    return text.startswith(FORMULA_START) and not _NUMBER.match(text)


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it (OWASP)."""
    return "'" + text if is_hostile(text) else text


# --- CSV -----------------------------------------------------------------------------------


def _number_text(value: float | Decimal, dialect: Dialect) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        # The shortest text that reads back as the same float, never in exponent form.
        value = Decimal(repr(value))
    elif not value.is_finite():
        return ""
    text = format(value, "f")
    return text.replace(".", dialect.decimal) if dialect.decimal != "." else text


def csv_cell(value: Any, dialect: Dialect) -> str:
    """One cell as the text a CSV holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return dialect.true if value else dialect.false
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number_text(value, dialect)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return neutralise(str(value))


def csv_text(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, dialect: Dialect = FRENCH
) -> str:
    """The table as CSV text (no byte-order mark: see :func:`csv_bytes`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\n")
    writer.writerow([csv_cell(c, dialect) for c in columns])
    writer.writerows([csv_cell(v, dialect) for v in row] for row in rows)
    return out.getvalue()


def csv_bytes(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, dialect: Dialect = FRENCH
) -> bytes:
    """The table as a CSV file: UTF-8, with a byte-order mark in the French dialect (so
    that Excel reads the accents right)."""
    text = csv_text(columns, rows, dialect=dialect)
    return (("\ufeff" if dialect.bom else "") + text).encode("utf-8")


# --- Excel ---------------------------------------------------------------------------------


def excel_value(value: Any) -> Any:
    """A value openpyxl writes as a number, a date or a text (never a formula: see put)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime):
        # Excel has no time zones: an aware time is written as the server's local time.
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date | time):
        return value
    return str(value)


def _guard(cell: Any) -> Any:
    """A text cell stays text: openpyxl would make ``=...`` a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_hostile(cell.value):
            # Excel shows the text as typed and does not evaluate it when the cell is edited.
            cell.quotePrefix = True
    return cell


def put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` in a cell of an openpyxl worksheet (normal mode); returns the cell,
    for styling. Every workbook of the project writes its cells through here or
    :func:`workbook_bytes`."""
    cell = sheet.cell(row=row, column=column)
    cell.value = excel_value(value)
    return _guard(cell)


def _sheet_title(name: str) -> str:
    # Excel refuses []:*?/\ in sheet names and more than 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "cratb"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per table: a bold frozen header row, typed cells (numbers,
    dates, booleans), texts always stored as texts — a text a spreadsheet would run gets
    Excel's « quote prefix » and is never a formula.

    Written with XlsxWriter, row by row (about five times faster than openpyxl for the
    full export of the indicator values)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
        },
    )
    bold = book.add_format({"bold": True})
    bold_quoted = book.add_format({"bold": True, "quote_prefix": True})
    quoted = book.add_format({"quote_prefix": True})
    formats = {
        datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        date: book.add_format({"num_format": "yyyy-mm-dd"}),
        time: book.add_format({"num_format": "hh:mm:ss"}),
    }
    used: set[str] = set()
    for table in sheets:
        title = _sheet_title(table.name)
        while title.lower() in used:  # Excel refuses two sheets of the same name
            title = f"{title[:28]}-{len(used)}"
        used.add(title.lower())
        ws = book.add_worksheet(title)
        ws.freeze_panes(1, 0)
        for index, name in enumerate(table.columns):
            text = str(name)
            ws.set_column(index, index, min(max(len(text) + 2, 10), 60))
            ws.write_string(0, index, text, bold_quoted if is_hostile(text) else bold)
        for row_index, row in enumerate(table.rows, start=1):
            for column, raw in enumerate(row):
                value = excel_value(raw)
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(row_index, column, value, quoted if is_hostile(value) else None)
                elif isinstance(value, bool):
                    ws.write_boolean(row_index, column, value)
                elif isinstance(value, int | float):
                    ws.write_number(row_index, column, value)
                else:  # date, datetime, time (excel_value made them naive)
                    kind = datetime if isinstance(value, datetime) else type(value)
                    ws.write_datetime(row_index, column, value, formats.get(kind, formats[date]))
    if not sheets:
        book.add_worksheet("cratb")
    book.close()
    return out.getvalue()


def xlsx_bytes(table: pa.Table, *, sheet: str = "cratb", header: list[str] | None = None) -> bytes:
    """An Arrow table as a one-sheet workbook (column names, or ``header``, on top)."""
    rows = (list(r.values()) for r in table.to_pylist())
    return workbook_bytes([Sheet(sheet, header or table.column_names, rows)])


# --- Arrow tables (the command line) -------------------------------------------------------


def _neutralise_strings(array: pa.Array) -> pa.Array:
    hostile = pc.and_(
        pc.match_substring_regex(array, _FORMULA_RE),
        pc.invert(pc.match_substring_regex(array, _NUMBER_RE)),
    )
    quote, nothing = pa.scalar("'", type=array.type), pa.scalar("", type=array.type)
    prefixed = pc.binary_join_element_wise(quote, array, nothing)
    return pc.if_else(pc.fill_null(hostile, False), prefixed, array)


def _neutralise_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pa.chunked_array([_neutralise_strings(c) for c in column.chunks], type=kind)
    if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
        chunks = [
            pa.DictionaryArray.from_arrays(c.indices, _neutralise_strings(c.dictionary))
            for c in column.chunks
        ]
        return pa.chunked_array(chunks, type=kind)
    return column


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text cell of ``table`` neutralised (vectorised: the command line writes
    millions of rows)."""
    for i, column in enumerate(table.columns):
        fixed = _neutralise_column(column)
        if fixed is not column:
            table = table.set_column(i, table.field(i), fixed)
    return table


def write_table(table: pa.Table, target: Path | IO[str]) -> None:
    """Write ``table`` to a path (format from its extension) or as CSV to a text stream;
    CSV in the contract's dialect, text cells neutralised."""
    if not isinstance(target, Path):
        sink = io.BytesIO()
        pacsv.write_csv(neutralise_table(table), sink)
        target.write(sink.getvalue().decode("utf-8"))
        return
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise TabularError(f"{target} : extension {', '.join(FORMATS)} attendue")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            pacsv.write_csv(neutralise_table(table), target)
        elif suffix == ".parquet":
            pq.write_table(table, target)
        else:
            target.write_bytes(xlsx_bytes(table))
    except OSError as exc:
        raise TabularError(f"écriture impossible dans {target} : {exc.strerror}") from exc
