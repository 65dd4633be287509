"""Readers and validators of the input files of CONTRACTS.md section 1.

``import_file(kind, path, warehouse=...)`` reads a CSV or Parquet file, validates every
row in DuckDB SQL, stores the accepted rows in the warehouse table named after the kind,
keeps the rejected ones with their reasons, and returns (and writes) a report. See
docs/formats.md for the accepted formats and the rejection reasons.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cratb.engine.sources.importer import default_report_path, import_file
    from cratb.engine.sources.report import ImportReport, RefusedFile, Rejection
    from cratb.engine.sources.schema import KINDS

__all__ = [
    "KINDS",
    "ImportReport",
    "RefusedFile",
    "Rejection",
    "default_report_path",
    "import_file",
]

# Loaded on first use: an indicator computation reads ``sources.derived`` and
# ``sources.schema`` only, and need not load the importer and its file formats (a
# quarter of a second of start-up for every ``cratb indicators compute``, issue #19).
_WHERE = {
    "KINDS": "schema",
    "ImportReport": "report",
    "RefusedFile": "report",
    "Rejection": "report",
    "default_report_path": "importer",
    "import_file": "importer",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
