"""Storing the open data in the warehouse: an Open Medic year, the BDPM catalogue, an
INSEE population workbook (``cratb import open_medic|bdpm|insee_population``).

Each import is one DuckDB transaction: the rows kept, the rows rejected with their
reasons and the ledger entry (table ``imports``) are committed together or not at all,
and ``read = accepted + rejected`` holds for every one.

- ``import_open_medic``: the rows of a year (``open_medic.read_open_medic``), summed by
  cratb's codes (several Open Medic codes map to one: the specialties grouped as
  ``other_specialty``, regions 93 and 94 together), into the
  ``aggregated_dispensations`` table (``source = open_medic``);
- ``import_bdpm``: the product catalogue built from the BDPM (``bdpm.build_catalogue``)
  into ``products``, with how each amount was worked out in ``product_notes`` and the
  presentations that could not be built in ``product_unresolved``. A later BDPM import
  replaces the rows of the earlier ones; products imported by hand (``cratb import
  products``) are kept and win;
- ``import_insee_population``: the département rows of an INSEE workbook, written as a
  ``population`` file and imported by the common importer.
"""

# ruff: noqa: S608 - only the module's own names and quoted literals reach the SQL text.
from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cratb.engine.sources.importer import create_tables, import_file
from cratb.engine.sources.opendata.bdpm import (
    Catalogue,
    build_catalogue,
    read_bdpm_folder,
    read_overrides,
)
from cratb.engine.sources.opendata.bdpm.files import FILE_NAMES
from cratb.engine.sources.opendata.insee import read_population
from cratb.engine.sources.opendata.open_medic import OpenMedicYear, read_open_medic
from cratb.engine.sources.report import ImportReport, RefusedFile, Rejection
from cratb.engine.sources.rules import literal
from cratb.engine.sources.schema import kind_spec
from cratb.engine.warehouse import connect

__all__ = [
    "AGGREGATED",
    "BdpmImport",
    "OpenMedicImport",
    "atc_codes_from_warehouse",
    "import_bdpm",
    "import_insee_population",
    "import_open_medic",
]

AGGREGATED = "aggregated_dispensations"
OPEN_MEDIC = "open_medic"
BDPM = "bdpm"
SHOWN = 1000  # rejections listed in a report (all are stored)
_KEY = ("year", "region", "age_band", "sex", "prescriber_specialty", "cip13", "atc")


@dataclass
class OpenMedicImport:
    """What an Open Medic import did: the usual report, the rows stored (summed by
    cratb's codes) and the reader's warnings (a file probably truncated…)."""

    report: ImportReport
    stored_rows: int
    year: int
    warnings: list[str] = field(default_factory=list)


def _begin(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(_one(con, "SELECT coalesce(max(id), 0) + 1 FROM imports")[0])


def _one(
    con: duckdb.DuckDBPyConnection, query: str, params: list[object] | None = None
) -> tuple[Any, ...]:
    """The first row of ``query``, fetched whole (the connection is used next)."""
    rows = con.execute(query, params).fetchall()
    return tuple(rows[0]) if rows else ()


def _ledger(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    kind: str,
    file: str,
    sha256: str,
    read: int,
    accepted: int,
    rejected: int,
) -> None:
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
        [import_id, kind, file, sha256, read, accepted, rejected],
    )


def _previous(con: duckdb.DuckDBPyConnection, kind: str, sha256: str) -> tuple[int, ...] | None:
    row = _one(
        con,
        "SELECT id, read, accepted, rejected FROM imports WHERE kind = ? AND sha256 = ?",
        [kind, sha256],
    )
    return tuple(int(x) for x in row) if row else None


def _stored_rejections(con: duckdb.DuckDBPyConnection, import_id: int) -> list[Rejection]:
    rows = con.execute(
        'SELECT "row", "column", reason FROM rejected_rows WHERE import_id = ?'
        f' ORDER BY "row", "column" NULLS FIRST LIMIT {SHOWN}',
        [import_id],
    ).fetchall()
    return [Rejection(int(r), c, str(why)) for r, c, why in rows]


def import_open_medic(
    path: Path,
    *,
    warehouse: Path,
    year: int | None = None,
    memory_limit: str | None = None,
) -> OpenMedicImport:
    """Read an Open Medic year (zip, CSV or gzip) and store it in
    ``aggregated_dispensations``. RefusedFile when the file cannot be read, or when the
    same year of Open Medic is already stored from another file (its boxes would count
    twice)."""
    with tempfile.TemporaryDirectory(prefix="cratb-open-medic-") as workdir:
        data = read_open_medic(path, year=year, workdir=Path(workdir))
        con = connect(warehouse, memory_limit=memory_limit)
        try:
            return _store_open_medic(con, data)
        finally:
            con.close()


def _store_open_medic(con: duckdb.DuckDBPyConnection, data: OpenMedicYear) -> OpenMedicImport:
    spec = kind_spec(AGGREGATED)
    _begin(con)
    try:
        create_tables(con, spec)
        previous = _previous(con, OPEN_MEDIC, data.sha256)
        if previous is not None:
            import_id, read, accepted, rejected = previous
            report = _open_medic_report(
                data, import_id, read, accepted, rejected, _stored_rejections(con, import_id)
            )
            report.already_imported = True
            con.execute("ROLLBACK")
            return OpenMedicImport(report, 0, data.year, data.warnings)
        other = _one(
            con,
            f"SELECT min(import_id) FROM {AGGREGATED} WHERE source = ? AND year = ?",
            [OPEN_MEDIC, data.year],
        )
        if other and other[0] is not None:
            raise RefusedFile(
                f"{data.file} : l'année {data.year} d'Open Medic est déjà dans l'entrepôt"
                f" (import n° {other[0]}) ; ses boîtes compteraient deux fois"
            )
        import_id = _next_import_id(con)
        con.register("_om_accepted", data.accepted)
        con.register("_om_rejected", data.rejected)
        key = ", ".join(_KEY)
        inserted = _one(
            con,
            f"INSERT INTO {AGGREGATED} (year, region, age_band, sex, prescriber_specialty,"
            " cip13, atc, boxes, patients, source, import_id)"
            f" SELECT {key}, sum(boxes), CASE WHEN count(patients) = count(*)"
            f" THEN sum(patients) END, {literal(OPEN_MEDIC)}, {import_id}"
            f" FROM _om_accepted GROUP BY {key}",
        )
        stored = int(inserted[0]) if inserted else 0
        con.execute(
            'INSERT INTO rejected_rows (import_id, "row", "column", reason, raw, place)'
            f' SELECT {import_id}, "row", "column", reason, raw, NULL FROM _om_rejected'
        )
        accepted = data.accepted.num_rows
        _ledger(
            con, import_id, OPEN_MEDIC, data.file, data.sha256, data.read, accepted,
            data.rejected_rows,
        )  # fmt: skip
        report = _open_medic_report(
            data,
            import_id,
            data.read,
            accepted,
            data.rejected_rows,
            _stored_rejections(con, import_id),
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return OpenMedicImport(report, stored, data.year, data.warnings)


def _open_medic_report(
    data: OpenMedicYear,
    import_id: int,
    read: int,
    accepted: int,
    rejected: int,
    rejections: list[Rejection],
) -> ImportReport:
    return ImportReport(
        kind=OPEN_MEDIC,
        file=data.file,
        sha256=data.sha256,
        read=read,
        accepted=accepted,
        rejected=rejected,
        rejections=rejections,
        already_imported=False,
        import_id=import_id,
        format="csv",
        encoding=data.encoding,
        delimiter=";",
        ignored_columns=list(data.ignored_columns),
        rejections_listed_all=len(rejections) < SHOWN,
    )


def atc_codes_from_warehouse(warehouse: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """CIP13 → ATC5 from the aggregated dispensing stored (Open Medic rows): the code
    with most boxes, and the CIP13 given several codes (each with its codes)."""
    con = connect(warehouse, read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if AGGREGATED not in tables:
            return {}, {}
        rows = con.execute(
            f"SELECT cip13, atc, sum(boxes) AS boxes FROM {AGGREGATED}"
            " WHERE cip13 IS NOT NULL AND atc IS NOT NULL GROUP BY cip13, atc"
            " ORDER BY cip13, boxes DESC, atc"
        ).fetchall()
    finally:
        con.close()
    mapping: dict[str, str] = {}
    conflicts: dict[str, list[str]] = {}
    for cip13, atc, _ in rows:
        if cip13 in mapping:
            conflicts.setdefault(cip13, [mapping[cip13]]).append(atc)
        else:
            mapping[cip13] = atc
    return mapping, conflicts


@dataclass
class BdpmImport:
    """What a BDPM import did: the report (read = presentations in scope, accepted =
    products stored, rejected = presentations that could not be built), the products
    kept from a hand-made import, those built without a DDD, the BDPM lines rejected."""

    report: ImportReport
    catalogue: Catalogue
    kept_by_hand: list[str]
    without_ddd: int
    bdpm_rejections: list[str]
    atc_conflicts: dict[str, list[str]]
    overrides_file: str | None


_PRODUCT_COLUMNS = (
    "cip13", "label", "atc", "route", "units_per_box", "amount_per_unit", "amount_unit",
    "ddd_per_box",
)  # fmt: skip
_NOTES = "product_notes"
_UNRESOLVED = "product_unresolved"


def _folder_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in FILE_NAMES.values():
        target = folder / name
        if target.is_file():
            digest.update(name.encode())
            digest.update(hashlib.sha256(target.read_bytes()).digest())
    return digest.hexdigest()


def import_bdpm(
    folder: Path,
    *,
    warehouse: Path,
    overrides: Path | None = None,
    atc_codes: Mapping[str, str] | None = None,
    memory_limit: str | None = None,
) -> BdpmImport:
    """Build the catalogue of systemic antibacterials from the BDPM files of ``folder``
    and store it. The ATC codes come from ``atc_codes`` (default: the Open Medic rows of
    the warehouse) and the corrections file ``overrides`` (its codes win)."""
    if not folder.is_dir():
        raise RefusedFile(f"{folder} : dossier introuvable (les trois fichiers de la BDPM)")
    bdpm = read_bdpm_folder(folder)
    corrections = read_overrides(overrides) if overrides is not None else None
    conflicts: dict[str, list[str]] = {}
    if atc_codes is None:
        atc_codes, conflicts = atc_codes_from_warehouse(warehouse)
    if not atc_codes and not (corrections and corrections.atc_codes()):
        raise RefusedFile(
            "aucun code ATC pour les présentations de la BDPM : importer d'abord une année"
            " d'Open Medic (cratb import open_medic FICHIER) ou donner un fichier de"
            " corrections avec leurs codes ATC (--overrides)"
        )
    catalogue = build_catalogue(bdpm, atc_codes=atc_codes, overrides=corrections)
    sha256 = _folder_sha256(folder)
    if corrections is not None and overrides is not None:
        sha256 = hashlib.sha256(
            (sha256 + hashlib.sha256(overrides.read_bytes()).hexdigest()).encode()
        ).hexdigest()
    rejections_text = [f"{r.file}, ligne {r.line} : {r.reason}" for r in bdpm.rejections]
    con = connect(warehouse, memory_limit=memory_limit)
    try:
        report, kept = _store_catalogue(con, catalogue, folder=folder, sha256=sha256)
    finally:
        con.close()
    products = catalogue.products
    without = sum(
        1
        for a, d in zip(
            products["amount_per_unit"].to_pylist(),
            products["ddd_per_box"].to_pylist(),
            strict=True,
        )
        if a is None and d is None
    )
    return BdpmImport(
        report=report,
        catalogue=catalogue,
        kept_by_hand=kept,
        without_ddd=without,
        bdpm_rejections=rejections_text,
        atc_conflicts=conflicts,
        overrides_file=str(overrides) if overrides else None,
    )


def _store_catalogue(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, *, folder: Path, sha256: str
) -> tuple[ImportReport, list[str]]:
    products = catalogue.products
    unresolved = catalogue.unresolved
    read = products.num_rows + unresolved.num_rows
    _begin(con)
    try:
        create_tables(con, kind_spec("products"))
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {_NOTES} (cip13 VARCHAR, cis VARCHAR, source VARCHAR,"
            " amount_basis VARCHAR, reason VARCHAR, import_id INTEGER NOT NULL)"
        )
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {_UNRESOLVED} (cip13 VARCHAR, cis VARCHAR,"
            " label VARCHAR, atc VARCHAR, reason VARCHAR, import_id INTEGER NOT NULL)"
        )
        previous = _previous(con, BDPM, sha256)
        if previous is not None:
            import_id, read0, accepted0, rejected0 = previous
            report = _bdpm_report(
                folder, sha256, import_id, read0, accepted0, rejected0,
                _stored_rejections(con, import_id),
            )  # fmt: skip
            report.already_imported = True
            con.execute("ROLLBACK")
            return report, []
        import_id = _next_import_id(con)
        earlier = f"SELECT id FROM imports WHERE kind = {literal(BDPM)}"
        for table in ("products", _NOTES, _UNRESOLVED):
            con.execute(f"DELETE FROM {table} WHERE import_id IN ({earlier})")
        con.register("_bdpm_products", products)
        con.register("_bdpm_unresolved", unresolved)
        kept = [
            str(r[0])
            for r in con.execute(
                "SELECT b.cip13 FROM _bdpm_products b JOIN products p USING (cip13)"
                " ORDER BY b.cip13"
            ).fetchall()
        ]
        columns = ", ".join(_PRODUCT_COLUMNS)
        con.execute(
            f"INSERT INTO products ({columns}, import_id) SELECT {columns}, {import_id}"
            " FROM _bdpm_products WHERE cip13 NOT IN (SELECT cip13 FROM products)"
        )
        con.execute(
            f"INSERT INTO {_NOTES} SELECT cip13, cis, source, amount_basis, reason,"
            f" {import_id} FROM _bdpm_products"
        )
        con.execute(
            f"INSERT INTO {_UNRESOLVED} SELECT cip13, cis, label, atc, reason, {import_id}"
            " FROM _bdpm_unresolved"
        )
        # The presentations that could not be built are the import's rejected rows; a
        # product kept from a hand-made import is accepted (the catalogue has it).
        con.execute(
            'INSERT INTO rejected_rows (import_id, "row", "column", reason, raw, place)'
            f" SELECT {import_id}, row_number() OVER (ORDER BY cip13), 'cip13', reason,"
            " to_json({cip13: cip13, cis: cis, label: label, atc: atc}), cip13"
            " FROM _bdpm_unresolved"
        )
        _ledger(
            con, import_id, BDPM, str(folder), sha256, read, products.num_rows,
            unresolved.num_rows,
        )  # fmt: skip
        report = _bdpm_report(
            folder, sha256, import_id, read, products.num_rows, unresolved.num_rows,
            _stored_rejections(con, import_id),
        )  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report, kept


def _bdpm_report(
    folder: Path,
    sha256: str,
    import_id: int,
    read: int,
    accepted: int,
    rejected: int,
    rejections: list[Rejection],
) -> ImportReport:
    return ImportReport(
        kind=BDPM,
        file=str(folder),
        sha256=sha256,
        read=read,
        accepted=accepted,
        rejected=rejected,
        rejections=rejections,
        already_imported=False,
        import_id=import_id,
        format="bdpm",
        rejections_listed_all=len(rejections) < SHOWN,
    )


@dataclass
class PopulationImport:
    """The common import's report of the rows written, and what the workbook reader
    rejected or skipped before (each with its sheet and row)."""

    report: ImportReport
    workbook_read: int
    workbook_rejections: list[str]
    level: str
    years: list[int]


def import_insee_population(
    path: Path,
    *,
    warehouse: Path,
    years: list[int] | None = None,
    report_path: Path | None = None,
    memory_limit: str | None = None,
) -> PopulationImport:
    """Import the département rows of an INSEE estimates workbook (by sex and age band)
    as ``population`` rows. A workbook by region is refused: the population table is by
    département (regions are summed from their départements)."""
    data = read_population(path, years=years)
    if data.level != "departement":
        raise RefusedFile(
            f"{path.name} : estimations par région ; importer le classeur par département"
            " (estim-pop-dep-…), dont les régions sont la somme"
        )
    table: pa.Table = data.table
    with tempfile.TemporaryDirectory(prefix="cratb-insee-") as workdir:
        target = Path(workdir) / f"{path.stem}.csv"
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["year", "departement", "sex", "age_band", "population"])
            for row in table.to_pylist():
                writer.writerow(
                    [
                        row["year"], row["departement"], row["sex"] or "",
                        row["age_band"] or "", row["population"],
                    ]
                )  # fmt: skip
        report = import_file(
            "population",
            target,
            warehouse=warehouse,
            report_path=report_path or path.with_name(path.name + ".report.json"),
            memory_limit=memory_limit,
        )
    report.file = str(path)
    con = connect(warehouse, memory_limit=memory_limit)
    try:  # the ledger names the workbook, not the temporary file written from it
        con.execute("UPDATE imports SET file = ? WHERE id = ?", [str(path), report.import_id])
    finally:
        con.close()
    found = sorted({int(y) for y in table["year"].to_pylist()})
    return PopulationImport(
        report=report,
        workbook_read=data.read,
        workbook_rejections=[
            f"feuille {r.sheet}, ligne {r.row}"
            + (f", colonne « {r.column} »" if r.column else "")
            + f" : {r.reason}"
            for r in data.rejections
        ],
        level=data.level,
        years=found,
    )
