"""Writing result tables: CSV (UTF-8, comma, header), Parquet or Excel, by extension."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cratb.engine.errors import EngineError

__all__ = ["FORMATS", "TabularError", "write_table", "xlsx_bytes"]

FORMATS = (".csv", ".parquet", ".xlsx")


class TabularError(EngineError, ValueError):
    """The table cannot be written there; French, one line."""


def write_table(table: pa.Table, target: Path | IO[str]) -> None:
    """Write ``table`` to a path (format from its extension) or as CSV to a text stream."""
    if not isinstance(target, Path):
        sink = io.BytesIO()
        pacsv.write_csv(table, sink)
        target.write(sink.getvalue().decode("utf-8"))
        return
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise TabularError(f"{target} : extension {', '.join(FORMATS)} attendue")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            pacsv.write_csv(table, target)
        elif suffix == ".parquet":
            pq.write_table(table, target)
        else:
            target.write_bytes(xlsx_bytes(table))
    except OSError as exc:
        raise TabularError(f"écriture impossible dans {target} : {exc.strerror}") from exc


def xlsx_bytes(table: pa.Table, *, sheet: str = "cratb", header: list[str] | None = None) -> bytes:
    """The table as an Excel workbook: one sheet, a bold frozen header row, typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    ws = workbook.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(header or table.column_names)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in table.to_pylist():
        ws.append([_excel_value(v) for v in row.values()])
    for index, name in enumerate(header or table.column_names, start=1):
        letter = ws.cell(row=1, column=index).column_letter
        ws.column_dimensions[letter].width = min(max(len(str(name)) + 2, 10), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _excel_value(value: object) -> object:
    if isinstance(value, datetime | date | int | float | str) or value is None:
        return value
    return str(value)
