"""Wide isolate files (one row per isolate, one column per antibiotic) and WHONET-style
exports, converted to long rows in DuckDB.

A column holds an antibiotic's S/I/R results when its name is a WHONET code (``AMX``,
any case), a lab code of the correspondence table (``AMOX``), or a WHONET test column
(``AMX_ND10``: code, guideline N = CLSI or E = EUCAST, method D = disk, M = MIC,
E = gradient, then the potency). When a row has several test columns for one agent, the
EUCAST one is kept, then the first in the file. Every other column is a contract column
(by name, or by its WHONET name: ``SPEC_DATE``, ``Specimen date``…) or is ignored.

An empty result cell is an agent not tested: no row. A line without any result gives one
rejected row, so that it is counted and reported, never silently dropped.
"""

# ruff: noqa: S608 - column names enter the SQL as quoted identifiers, values as literals.
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from cratb.engine import reference
from cratb.engine.sources.files import SourceFile, quote_identifier
from cratb.engine.sources.formats.common import (
    ERROR,
    ESBL_VALUES,
    PLACE,
    SETTING_VALUES,
    SOURCE_ROW,
    SPECIMEN_VALUES,
    sql_lookup,
)
from cratb.engine.sources.report import RefusedFile
from cratb.engine.sources.rules import literal
from cratb.engine.sources.schema import isolate_columns

__all__ = ["WHONET_FIELDS", "antibiotic_columns", "convert_wide", "looks_like_whonet"]

WHONET_TEST = re.compile(r"^([A-Za-z]{3})_([NEne])([DMEdme])[A-Za-z0-9_.]*$")
REJECTS_TABLE = "_wide_rejects"

# Contract column → names it has in WHONET exports (field codes, then labels), lower case.
WHONET_FIELDS: dict[str, tuple[str, ...]] = {
    "patient_id": ("patient_id", "identification number"),
    "sampled_on": ("spec_date", "specimen date"),
    "specimen": ("spec_type", "specimen type"),
    "setting": ("ward_type", "location type"),
    "lab_id": ("laboratory",),
    "organism": ("organism",),
    "esbl": ("esbl",),
    "patient_age": ("age",),
    "patient_sex": ("sex",),
}
WHONET_SIGNATURE = {"spec_date", "specimen date", "spec_num", "specimen number"}


@dataclass(frozen=True)
class _AbColumn:
    name: str  # as written in the file
    code: str  # WHONET code, or the lab's own code (translated by the importer)
    preference: int  # lower wins when one row has several columns for one code


def antibiotic_columns(columns: tuple[str, ...], lab_codes: frozenset[str]) -> list[_AbColumn]:
    """The columns holding S/I/R results, in file order."""
    whonet = {a.whonet for a in reference.antibacterials().values() if a.whonet}
    isolate = isolate_columns()
    out = []
    for index, name in enumerate(columns):
        key = name.strip().upper()
        if key.lower() in isolate:
            continue
        match = WHONET_TEST.match(name.strip())
        if key in whonet or key in lab_codes:
            out.append(_AbColumn(name, key, index))
        elif match and match.group(1).upper() in whonet:
            guideline = 0 if match.group(2).upper() == "E" else 10_000
            out.append(_AbColumn(name, match.group(1).upper(), guideline + index))
    return out


def looks_like_whonet(columns: tuple[str, ...]) -> bool:
    return bool({c.strip().lower() for c in columns} & WHONET_SIGNATURE)


def _contract_sources(columns: tuple[str, ...], *, whonet: bool) -> dict[str, str]:
    """Contract column → the file's column that holds it."""
    by_lower = {c.strip().lstrip("\ufeff").lower(): c for c in columns}
    found: dict[str, str] = {}
    for name in isolate_columns():
        if name in by_lower:
            found[name] = by_lower[name]
        elif whonet:
            for alias in WHONET_FIELDS.get(name, ()):
                if alias in by_lower:
                    found[name] = by_lower[alias]
                    break
    return found


def _whonet_isolate_id(columns: tuple[str, ...]) -> str | None:
    """WHONET has no isolate id: the specimen number, with the isolate number when given."""
    by_lower = {c.strip().lower(): c for c in columns}
    specimen = by_lower.get("spec_num") or by_lower.get("specimen number")
    isolate = by_lower.get("isol_num") or by_lower.get("isolate number")
    if specimen is None:
        return None
    s = f"trim({quote_identifier(specimen)})"
    if isolate is None:
        return s
    i = f"nullif(trim({quote_identifier(isolate)}), '')"
    return f"CASE WHEN {i} IS NULL THEN {s} ELSE {s} || '-' || {i} END"


def _whonet_date(v: str) -> str:
    """WHONET dates: ISO, ISO with a time, or French day/month/year."""
    return (
        f"(CASE WHEN regexp_full_match(trim({v}), '[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}') "
        f"THEN coalesce(strftime(try_strptime(trim({v}), '%d/%m/%Y'), '%Y-%m-%d'), trim({v})) "
        f"WHEN regexp_full_match(trim({v}), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T].*') "
        f"THEN left(trim({v}), 10) ELSE trim({v}) END)"
    )


def _whonet_age(v: str) -> str:
    """WHONET ages: ``45``, ``45y``/``45a`` (years); ``3m``, ``10d`` (under a year: 0)."""
    return (
        f"(CASE WHEN regexp_full_match(lower(trim({v})), '[0-9]+ ?[ya]') "
        f"THEN regexp_extract(trim({v}), '[0-9]+') "
        f"WHEN regexp_full_match(lower(trim({v})), '[0-9]+ ?[mdjw]') THEN '0' ELSE trim({v}) END)"
    )


def _values(sources: dict[str, str], columns: tuple[str, ...], *, whonet: bool) -> list[str]:
    out = []
    for name in isolate_columns():
        if name not in sources:
            if name == "isolate_id" and whonet and (expr := _whonet_isolate_id(columns)):
                out.append(f"{expr} AS isolate_id")
            continue
        v = f"CAST({quote_identifier(sources[name])} AS VARCHAR)"
        if name == "esbl":
            v = sql_lookup(v, ESBL_VALUES)
        elif whonet and name == "specimen":
            v = sql_lookup(v, SPECIMEN_VALUES, other="other")
        elif whonet and name == "setting":
            v = sql_lookup(v, SETTING_VALUES)
        elif whonet and name == "sampled_on":
            v = _whonet_date(v)
        elif whonet and name == "patient_age":
            v = _whonet_age(v)
        out.append(f"{v} AS {name}")
    return out


def convert_wide(
    source: SourceFile, *, workdir: Path, lab_codes: frozenset[str], whonet: bool
) -> SourceFile:
    """Long rows of a wide or WHONET-style file, as a Parquet file in ``workdir``."""
    columns = source.columns
    abs_ = antibiotic_columns(columns, lab_codes)
    if not abs_:
        raise RefusedFile(
            f"{source.original} : aucune colonne de résultats d'antibiotique (codes WHONET,"
            " ex. AMX, ou codes du laboratoire de la table de correspondance)"
        )
    sources = _contract_sources(columns, whonet=whonet)
    values = _values(sources, columns, whonet=whonet)
    out = workdir / "converted.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            f"CREATE TEMP TABLE _w AS SELECT * FROM {source.scan_sql(rejects_table=REJECTS_TABLE)}"
        )
        _renumber(con, source)
        ab_values = ", ".join(
            f"({literal(a.name)}, {literal(a.code)}, {a.preference})" for a in abs_
        )
        unpivot_on = ", ".join(quote_identifier(a.name) for a in abs_)
        text_columns = ", ".join(
            f"CAST({quote_identifier(a.name)} AS VARCHAR) AS {quote_identifier(a.name)}"
            for a in abs_
        )
        results = (
            f"SELECT _row, _col, nullif(trim(_val), '') AS _val FROM "
            f"(UNPIVOT (SELECT _row, {text_columns} FROM _w) ON {unpivot_on} "
            "INTO NAME _col VALUE _val)"
        )
        ranked = (
            f"SELECT r._row, r._col, r._val, a.code, row_number() OVER "
            "(PARTITION BY r._row, a.code ORDER BY a.preference) AS _rank "
            f"FROM ({results}) r JOIN (VALUES {ab_values}) a(name, code, preference) "
            "ON r._col = a.name WHERE r._val IS NOT NULL"
        )
        place = "'ligne ' || w._row || ', colonne « ' || k._col || ' »'"
        listed = ", ".join(f"w.{v.rsplit(' AS ', 1)[1]}" for v in values)
        con.execute(f"CREATE TEMP TABLE _cells AS SELECT _row, {', '.join(values)} FROM _w")
        con.execute(
            "CREATE TEMP TABLE _long AS "
            f"SELECT w._row AS {SOURCE_ROW}, {listed + ', ' if listed else ''}"
            f"k.code AS antibiotic, k._val AS sir, {place} AS {PLACE}, "
            f"CAST(NULL AS VARCHAR) AS {ERROR} "
            f"FROM _cells w JOIN ({ranked}) k ON k._row = w._row AND k._rank = 1 "
            "UNION ALL "
            f"SELECT w._row, {listed + ', ' if listed else ''}NULL, NULL, "
            "'ligne ' || w._row, 'aucun résultat d''antibiogramme sur la ligne (toutes les"
            " colonnes d''antibiotiques sont vides)' "
            f"FROM _cells w WHERE w._row NOT IN (SELECT _row FROM ({ranked}))"
        )
        if source.format == "csv":
            con.execute(
                f"INSERT INTO _long ({SOURCE_ROW}, {PLACE}, {ERROR}) "
                "SELECT line - 1, 'ligne ' || (line - 1), 'ligne mal formée : ' || CASE "
                "arg_min(error_type, column_idx) WHEN 'MISSING COLUMNS' THEN 'des champs manquent'"
                " WHEN 'TOO MANY COLUMNS' THEN 'trop de champs' ELSE 'illisible' END "
                f"FROM {REJECTS_TABLE} GROUP BY line"
            )
        con.execute(
            f"COPY (SELECT * FROM _long ORDER BY {SOURCE_ROW}, antibiotic NULLS FIRST) "
            f"TO {literal(str(out))} (FORMAT parquet)"
        )
        names = tuple(str(r[0]) for r in con.execute("DESCRIBE _long").fetchall())
    except duckdb.InvalidInputException as exc:
        text = str(exc).strip().splitlines()
        raise RefusedFile(f"{source.original} illisible : {text[0] if text else exc}") from exc
    finally:
        con.close()
    used = set(sources.values()) | {a.name for a in abs_}
    if whonet and "isolate_id" not in sources:
        used |= {c for c in columns if c.strip().lower() in WHONET_SIGNATURE | {"isol_num"}}
        used |= {c for c in columns if c.strip().lower() == "isolate number"}
    ignored = tuple(c for c in columns if c not in used)
    return replace(
        source,
        readable=out,
        format="parquet",
        columns=names,
        layout="whonet" if whonet else "wide",
        ignored=ignored,
    )


def _renumber(con: duckdb.DuckDBPyConnection, source: SourceFile) -> None:
    """Give each good line its data-row number when malformed lines were set aside (the
    scan numbers the good lines only)."""
    if source.format != "csv":
        return
    count = con.execute(f"SELECT count(DISTINCT line) FROM {REJECTS_TABLE}").fetchone()
    if not count or not count[0]:
        return
    con.execute(
        "UPDATE _w SET _row = _row + (SELECT count(*) FROM (SELECT line - 1 - row_number() "
        f"OVER (ORDER BY line) AS before FROM (SELECT DISTINCT line FROM {REJECTS_TABLE})) m "
        "WHERE m.before < _w._row)"
    )
