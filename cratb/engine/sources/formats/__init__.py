"""The isolate file layouts beside the long format: wide, WHONET-style, HL7 v2 ORU^R01.

``open_isolates`` recognises the layout of an isolates file (or takes the one asked for)
and returns a ``SourceFile`` of *long* rows: the file itself when it is long, otherwise
a Parquet conversion made in the import's working folder. The importer then validates
and stores those rows like any long file: one pipeline, one set of rules and reasons.

Recognition (``layout="auto"``): a file that begins with an ``MSH`` segment is HL7; a
table with ``antibiotic`` and ``sir`` columns is long; a table with WHONET fields
(``SPEC_DATE``, ``Specimen date``, ``SPEC_NUM``…) and result columns is WHONET-style;
a table with result columns (WHONET codes, lab codes) is wide; anything else is read as
long, so that its missing columns are reported.
"""

from __future__ import annotations

from pathlib import Path

from cratb.engine.sources.files import SourceFile, inspect_file
from cratb.engine.sources.formats.common import INTERNAL_COLUMNS
from cratb.engine.sources.formats.hl7 import convert_hl7, looks_like_hl7
from cratb.engine.sources.formats.wide import (
    antibiotic_columns,
    convert_wide,
    looks_like_whonet,
)
from cratb.engine.sources.report import RefusedFile

__all__ = ["INTERNAL_COLUMNS", "LAYOUTS", "detect_layout", "open_isolates"]

LAYOUTS = ("auto", "long", "wide", "whonet", "hl7")


def detect_layout(source: SourceFile, *, lab_codes: frozenset[str]) -> str:
    names = {c.strip().lstrip("\ufeff").lower() for c in source.columns}
    if {"antibiotic", "sir"} <= names:
        return "long"
    if antibiotic_columns(source.columns, lab_codes):
        return "whonet" if looks_like_whonet(source.columns) else "wide"
    return "long"


def open_isolates(
    path: Path, *, workdir: Path, layout: str = "auto", lab_codes: frozenset[str] = frozenset()
) -> SourceFile:
    """The long rows of an isolates file in any accepted layout."""
    if layout not in LAYOUTS:
        raise RefusedFile(f"format inconnu « {layout} » ; formats admis : {', '.join(LAYOUTS)}")
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as f:
            head = f.read(4096)
        if layout in ("auto", "hl7") and looks_like_hl7(head):
            return convert_hl7(path, workdir=workdir)
    if layout == "hl7":
        raise RefusedFile(f"{path} : fichier HL7 v2 attendu (chaque message commence par MSH)")
    source = inspect_file(path, workdir=workdir)
    if layout == "auto":
        layout = detect_layout(source, lab_codes=lab_codes)
    if layout == "long":
        return source
    return convert_wide(source, workdir=workdir, lab_codes=lab_codes, whonet=layout == "whonet")
