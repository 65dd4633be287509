"""``isolate_heads``: one row per isolate, kept beside the ``isolates`` result rows.

The ``isolates`` table has one row per isolate × antibiotic (ten to twenty per isolate).
Isolate-level questions (how many isolates, which are first isolates, which E. coli
carry the lab's ESBL flag) read this small table instead of grouping the result rows at
every computation. Its columns are the isolate's own, those of the isolates contract
but the result's (``schema.isolate_columns``): ``isolate_id``, ``patient_id``,
``sampled_on``, ``specimen``, ``setting``, ``departement``, ``lab_id``, ``organism``,
``esbl`` (Y when any of the isolate's rows says Y), ``patient_age``, ``patient_sex``,
``import_id`` (the import that brought the isolate), and ``repeated``: 1 when the same
patient has at least one other isolate of the same species in the warehouse.

The first-isolate rule (``intermediate.resistance``) has work to do only for the
``repeated`` isolates: every other isolate is a first isolate whatever the period and the
episode length. Both facts depend on no parameter; they are kept up to date by every
import, in its transaction (an isolate whose results come in several files keeps the
row of its first file; ``repeated`` is set again for every patient × species an import
touches). See benchmarks/resistance for what this saves.
"""

# ruff: noqa: S608 - table and column names are constants of this module.
from __future__ import annotations

import duckdb

from cratb.engine.sources.schema import isolate_columns

__all__ = ["TABLE", "refresh", "upgrade"]

TABLE = "isolate_heads"


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [TABLE]
    ).fetchone()
    return bool(row and row[0])


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table (from the isolates already stored, for a warehouse older than
    it)."""
    if _exists(con):
        return
    con.execute(
        f"CREATE TABLE {TABLE} AS SELECT {_heads_select()}, 0::TINYINT AS repeated "
        "FROM isolates GROUP BY isolate_id"
    )
    _mark("SELECT DISTINCT patient_id, organism FROM isolate_heads", con)


def _heads_select() -> str:
    picked = ", ".join(
        f"max({c}) AS {c}" if c == "esbl" else f"min({c}) AS {c}"
        for c in isolate_columns()
        if c != "isolate_id"
    )
    return f"isolate_id, {picked}, min(import_id) AS import_id"


def refresh(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """Add the isolates import ``import_id`` brought and mark their patients' repeats."""
    number = int(import_id)
    con.execute(
        f"INSERT INTO {TABLE} SELECT {_heads_select()}, 0 AS repeated FROM isolates "
        f"WHERE import_id = {number} AND isolate_id NOT IN (SELECT isolate_id FROM {TABLE}) "
        "GROUP BY isolate_id"
    )
    _mark(f"SELECT DISTINCT patient_id, organism FROM {TABLE} WHERE import_id = {number}", con)


def _mark(groups: str, con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _groups AS {groups}")
    con.execute(
        f"UPDATE {TABLE} SET repeated = 1 FROM (SELECT h.patient_id, h.organism FROM {TABLE} h "
        "SEMI JOIN _groups g ON h.patient_id = g.patient_id AND h.organism = g.organism "
        "GROUP BY h.patient_id, h.organism HAVING count(*) > 1) r "
        f"WHERE {TABLE}.patient_id = r.patient_id AND {TABLE}.organism = r.organism "
        f"AND {TABLE}.repeated = 0"
    )
    con.execute("DROP TABLE _groups")
