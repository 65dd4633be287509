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


# The parts of a workbook (Office Open XML, ECMA-376) that do not depend on its tables.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/{kind}" Target="{target}"/>'
)
#: Cell styles (the order of cellXfs): 0 plain, 1 bold, 2 bold + quote prefix, 3 quote
#: prefix, 4 date, 5 date and time, 6 time.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EXCEL_EPOCH = datetime(1899, 12, 30)
#: Characters XML 1.0 cannot hold (a spreadsheet program would refuse the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, text: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'
    )


def _cell(ref: str, value: Any) -> str:
    """One cell of a worksheet; ``value`` comes from :func:`excel_value` (never None)."""
    if isinstance(value, str):
        return _text_cell(ref, value, 3 if is_hostile(value) else 0)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="5"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="4"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="6"><v>{seconds / 86400!r}</v></c>'
    return _text_cell(ref, str(value), 0)


def _worksheet(table: Sheet) -> str:
    columns = [str(c) for c in table.columns]
    letters = [_column_letter(i) for i in range(1, max(len(columns), 1) + 200)]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    ]
    if columns:
        parts.append("<cols>")
        for index, name in enumerate(columns, start=1):
            width = min(max(len(name) + 2, 10), 60)
            parts.append(f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append('<sheetData><row r="1">')
    for letter, name in zip(letters, columns, strict=False):
        parts.append(_text_cell(f"{letter}1", name, 2 if is_hostile(name) else 1))
    parts.append("</row>")
    for number, row in enumerate(table.rows, start=2):
        cells = []
        for index, raw in enumerate(row):
            value = excel_value(raw)
            if value is None:
                continue
            if index >= len(letters):
                letters.append(_column_letter(index + 1))
            cells.append(_cell(f"{letters[index]}{number}", value))
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook (.xlsx) with one sheet per table: a bold frozen header row, typed cells
    (numbers, dates, booleans), texts always stored as texts — never a formula; a text a
    spreadsheet would run gets Excel's « quote prefix ».

    The worksheets are written directly as Office Open XML (inline strings), row by row:
    the full export of the indicator values (10 000 rows × 18 columns) takes a tenth of the
    time openpyxl or XlsxWriter take. The tests read every workbook back with openpyxl.
    """
    import zipfile

    tables = list(sheets) or [Sheet("cratb", [], [])]
    titles: list[str] = []
    for table in tables:
        title = _sheet_title(table.name)
        while title.lower() in (t.lower() for t in titles):  # Excel refuses duplicates
            title = f"{title[:28]}-{len(titles)}"
        titles.append(title)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(tables) + 1))
            ),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        sheets_xml = "".join(
            f'<sheet name="{_xml_text(title).replace(chr(34), "&quot;")}" '
            f'sheetId="{n}" r:id="rId{n}"/>'
            for n, title in enumerate(titles, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets_xml}</sheets></workbook>",
        )
        rels = "".join(
            _REL.format(n=n, kind="worksheet", target=f"worksheets/sheet{n}.xml")
            for n in range(1, len(tables) + 1)
        )
        rels += _REL.format(n=len(tables) + 1, kind="styles", target="styles.xml")
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for n, table in enumerate(tables, start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", _worksheet(table))
    return out.getvalue()


def _column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
            # Loaded here: a command writing CSV does not pay for the Parquet writer.
            import pyarrow.parquet as pq

            pq.write_table(table, target)
        else:
            target.write_bytes(xlsx_bytes(table))
    except OSError as exc:
        raise TabularError(f"écriture impossible dans {target} : {exc.strerror}") from exc
