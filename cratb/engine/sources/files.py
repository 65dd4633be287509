"""Recognising an input file: Parquet or CSV, its encoding, delimiter and columns.

French exports are often Windows-1252 ("Latin-1") with ``;`` as delimiter, so both are
detected rather than configured. The whole file is read once to compute its sha256 (the
key of idempotent imports) and, for CSV, to check that it is valid UTF-8 on the way.
"""

# ruff: noqa: S608 - paths and names reach the SQL text only as quoted literals.
from __future__ import annotations

import codecs
import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cratb.engine.sources.report import RefusedFile
from cratb.engine.sources.rules import literal

__all__ = ["SourceFile", "inspect_file", "quote_identifier"]

CHUNK = 4 * 1024 * 1024
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
# Bytes that Windows-1252 leaves undefined; read as Latin-1 so no file is refused for them.
_FALLBACK_ERRORS = "cratb-latin1-fallback"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_FALLBACK_ERRORS, _latin1_fallback)


@dataclass(frozen=True)
class SourceFile:
    original: Path
    readable: Path  # what DuckDB reads: the file itself, or its UTF-8 copy
    format: str  # "csv" or "parquet"
    sha256: str
    encoding: str | None
    delimiter: str | None
    columns: tuple[str, ...]  # names as written in the file
    # "long" for a file read as it is; "wide", "whonet", "hl7" for isolates converted to
    # long rows (``sources.formats``), whose ``columns`` are then the converted ones.
    layout: str = "long"
    # Columns of the original file left unused, when a conversion knows them.
    ignored: tuple[str, ...] | None = None

    def scan_sql(self, *, rejects_table: str, numbered: bool = True) -> str:
        """A DuckDB table expression yielding the file's cells as text, with ``_row``.

        ``numbered=False`` (CSV only): without ``_row``. Numbering the rows in the scan
        (``WITH ORDINALITY``) costs about half again the read of a large file; a table
        created from the scan keeps the file's order (DuckDB preserves insertion order),
        so its ``rowid`` numbers the rows instead (``importer``)."""
        path = literal(str(self.readable))
        if self.format == "parquet":
            return (
                f"(SELECT *, file_row_number + 1 AS _row FROM read_parquet({path},"
                " file_row_number = true))"
            )
        # store_rejects keeps malformed lines (wrong number of fields) out of the result and
        # in a table, with their line number, so that they become rejected rows.
        reader = (
            f"read_csv({path}, header = true, "
            f"all_varchar = true, delim = {literal(self.delimiter or ',')}, quote = '\"', "
            f"escape = '\"', store_rejects = true, rejects_table = {literal(rejects_table)}, "
            f"rejects_scan = {literal(rejects_table + '_scans')})"
        )
        if not numbered:
            return reader
        return f"(SELECT *, ordinality AS _row FROM {reader} WITH ORDINALITY)"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def inspect_file(path: Path, *, workdir: Path) -> SourceFile:
    """Recognise ``path``; a non-UTF-8 CSV is transcoded into ``workdir``.

    Raises ``RefusedFile`` when the file cannot be read as CSV or Parquet.
    """
    if not path.exists():
        raise RefusedFile(f"fichier introuvable : {path}")
    if not path.is_file():
        raise RefusedFile(f"{path} n'est pas un fichier")
    if path.stat().st_size == 0:
        raise RefusedFile(f"fichier vide : {path}")
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith(PARQUET_MAGIC):
        return _parquet(path)
    if head.startswith(ZIP_MAGIC):
        raise RefusedFile(
            f"{path} est une archive ZIP ou un classeur Excel, pas un CSV ni un Parquet :"
            " l'enregistrer au format CSV"
        )
    if b"\x00" in head:
        raise RefusedFile(f"{path} est un fichier binaire (ni CSV UTF-8/Latin-1, ni Parquet)")
    return _csv(path, workdir=workdir)


def _parquet(path: Path) -> SourceFile:
    digest = _sha256(path)
    try:
        rows = duckdb.connect().execute(
            f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})"
        )
        columns = tuple(str(r[0]) for r in rows.fetchall())
    except duckdb.Error as exc:
        raise RefusedFile(f"Parquet illisible ({path}) : {_first_line(exc)}") from exc
    return SourceFile(path, path, "parquet", digest, None, None, columns)


def _csv(path: Path, *, workdir: Path) -> SourceFile:
    digest, utf8 = _sha256_and_utf8(path)
    readable = path
    encoding = "utf-8"
    if not utf8:
        encoding = "windows-1252"
        readable = workdir / "transcoded.csv"
        with (
            path.open(encoding="cp1252", errors=_FALLBACK_ERRORS, newline="") as src,
            readable.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(CHUNK):
                dst.write(chunk)
    with readable.open(encoding="utf-8-sig", newline="") as f:
        header = f.readline().strip("\r\n")
    if not header.strip():
        raise RefusedFile(f"{path} : la première ligne (en-tête des colonnes) est vide")
    delimiter = max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","
    names = next(csv.reader([header], delimiter=delimiter))
    seen: set[str] = set()
    for name in names:
        if name.strip().lower() in seen:
            raise RefusedFile(
                f"{path} : colonne en double « {name.strip()} » (les noms ne tiennent pas compte"
                " de la casse)"
            )
        seen.add(name.strip().lower())
    source = SourceFile(path, readable, "csv", digest, encoding, delimiter, ())
    try:
        rows = duckdb.connect().execute(
            f"DESCRIBE SELECT * FROM {source.scan_sql(rejects_table='_describe_rejects')}"
        )
        columns = tuple(str(r[0]) for r in rows.fetchall() if r[0] not in ("ordinality", "_row"))
    except duckdb.Error as exc:
        raise RefusedFile(f"CSV illisible ({path}) : {_first_line(exc)}") from exc
    return SourceFile(path, readable, "csv", digest, encoding, delimiter, columns)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_and_utf8(path: Path) -> tuple[str, bool]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
