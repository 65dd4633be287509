"""Readers and validators of the input files of CONTRACTS.md section 1.

``import_file(kind, path, warehouse=...)`` reads a CSV or Parquet file, validates every
row in DuckDB SQL, stores the accepted rows in the warehouse table named after the kind,
keeps the rejected ones with their reasons, and returns (and writes) a report. See
docs/formats.md for the accepted formats and the rejection reasons.
"""

from __future__ import annotations

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
