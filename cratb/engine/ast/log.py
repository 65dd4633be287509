"""The log of targeted reporting, in the warehouse: where adoption is measured.

``targeted_reports`` holds one row per isolate the engine decided: ``lab_id``,
``isolate_id``, ``sampled_on``, ``clinical_context`` (as asked), ``situation`` (as
applied), ``mode`` (``targeted`` when a targeted report was issued; ``full_…`` when the
full result was), ``withheld`` (agents not shown), ``ruleset``, ``rules_version``,
``source`` (``cli``: ``cratb ast target``; ``api``: the lab API, copied from the web
database by ``cratb ast sync``), ``source_id`` (the web log's id, so a copy is never made
twice) and ``processed_at``.

The indicator ``resistance.targeted_reporting`` counts, per lab and month, the urine
isolates of Enterobacterales of the ``isolates`` table whose (lab_id, isolate_id) has a
``targeted`` row here. An isolate decided twice counts once.
"""

# ruff: noqa: S608 - table and column names are constants of this module.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cratb.engine.ast.rules import Ruleset
from cratb.engine.warehouse import connect

__all__ = [
    "COLUMNS",
    "TABLE",
    "append",
    "append_rows",
    "ensure_table",
    "has_source",
    "last_source_id",
]

TABLE = "targeted_reports"
COLUMNS = (
    "lab_id",
    "isolate_id",
    "sampled_on",
    "clinical_context",
    "situation",
    "mode",
    "withheld",
)


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (lab_id VARCHAR NOT NULL,"
        " isolate_id VARCHAR NOT NULL, sampled_on DATE NOT NULL, clinical_context VARCHAR,"
        " situation VARCHAR, mode VARCHAR NOT NULL, withheld INTEGER NOT NULL,"
        " ruleset VARCHAR NOT NULL, rules_version INTEGER NOT NULL, source VARCHAR NOT NULL,"
        " source_id BIGINT, processed_at TIMESTAMP NOT NULL)"
    )


def append(warehouse: Path, table: pa.Table, *, rules: Ruleset, source: str) -> int:
    """Append the decided isolates of ``table`` (columns ``COLUMNS``); returns how many."""
    return _insert(warehouse, table, rules=rules, source=source)


def append_rows(warehouse: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append rows copied from the web log (each with its ``ruleset``,
    ``rules_version``, ``source_id`` and ``processed_at``); returns how many."""
    data = list(rows)
    if not data:
        return 0
    table = pa.Table.from_pylist(data)
    con = connect(warehouse)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            ensure_table(con)
            con.register("_log_rows", table)
            con.execute(
                f"INSERT INTO {TABLE} SELECT lab_id, isolate_id, sampled_on, clinical_context,"
                " situation, mode, withheld, ruleset, rules_version, 'api', source_id,"
                f" processed_at FROM _log_rows WHERE source_id NOT IN (SELECT source_id FROM"
                f" {TABLE} WHERE source = 'api' AND source_id IS NOT NULL)"
            )
            count = con.execute("SELECT count(*) FROM _log_rows").fetchall()[0]
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return int(count[0]) if count else 0


def has_source(warehouse: Path, source: str) -> bool:
    """Whether the log already holds rows of ``source`` (e.g. the demo's)."""
    if not warehouse.exists():
        return False
    con = connect(warehouse, read_only=True)
    try:
        present = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [TABLE]
        ).fetchone()
        if not present or not present[0]:
            return False
        row = con.execute(f"SELECT count(*) FROM {TABLE} WHERE source = ?", [source]).fetchone()
        return bool(row and row[0])
    finally:
        con.close()


def last_source_id(warehouse: Path) -> int:
    """The largest web log id already copied (0 when none)."""
    if not warehouse.exists():
        return 0
    con = connect(warehouse, read_only=True)
    try:
        present = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [TABLE]
        ).fetchone()
        if not present or not present[0]:
            return 0
        row = con.execute(f"SELECT max(source_id) FROM {TABLE} WHERE source = 'api'").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    finally:
        con.close()


def _insert(
    warehouse: Path,
    table: pa.Table,
    *,
    rules: Ruleset,
    source: str,
) -> int:
    if table.num_rows == 0:
        return 0
    con = connect(warehouse)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            ensure_table(con)
            con.register("_log_rows", table)
            con.execute(
                f"INSERT INTO {TABLE} SELECT lab_id, isolate_id, sampled_on, clinical_context,"
                " situation, mode, withheld, ?, ?, ?, NULL, current_localtimestamp()"
                " FROM _log_rows WHERE lab_id IS NOT NULL AND isolate_id IS NOT NULL"
                " AND sampled_on IS NOT NULL",
                [rules.ruleset, rules.version, source],
            )
            count = con.execute(
                "SELECT count(*) FROM _log_rows WHERE lab_id IS NOT NULL"
                " AND isolate_id IS NOT NULL AND sampled_on IS NOT NULL"
            ).fetchall()[0]
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return int(count[0])
