"""Columns the importer derives and stores beside the imported rows.

``dispensations.line_weight`` marks the prescription lines of CONTRACTS.md
(``community.prescriptions_per_1000``: distinct prescription_id × cip13 with net boxes
> 0). A line may span several rows (a renewal dispensed month by month, a return later
in the year, possibly in a later file): the row that stands for the line is its first
dispensing row (first positive row by date, then by dispensation_id), and it carries
``line_weight = 1`` when the line's net boxes, over all its rows, are positive; every
other row carries 0. A prescription line is therefore dated by its first dispensing.

Keeping this at import time means the indicators count prescription lines with a plain
sum in the same scan as the DDD, instead of a distinct count over the whole table at
every computation (see benchmarks/community). It is recomputed for every line an import
touches, including lines whose rows came in earlier files.
"""

# ruff: noqa: S608 - table and column names come from the kind specifications.
from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = ["DERIVED", "Derived", "refresh", "upgrade"]


@dataclass(frozen=True)
class Derived:
    """A 0/1 column marking, within each group of rows sharing ``line_key``, the first row
    (by ``order``) when the group's net ``measure`` is positive."""

    column: str
    line_key: tuple[str, ...]
    row_key: str
    order: str
    measure: str

    def window_sql(self) -> str:
        """SQL expression of the column over a set of rows holding whole lines."""
        partition = ", ".join(self.line_key)
        return (
            f"CASE WHEN row_number() OVER (PARTITION BY {partition} ORDER BY {self.order}) = 1"
            f" AND sum({self.measure}) OVER (PARTITION BY {partition}) > 0 THEN 1 ELSE 0 END"
        )


DERIVED: dict[str, Derived] = {
    "dispensations": Derived(
        column="line_weight",
        line_key=("prescription_id", "cip13"),
        row_key="dispensation_id",
        order="(boxes > 0) DESC, dispensed_on, dispensation_id",
        measure="boxes",
    ),
}


def upgrade(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Add the derived column to a table created before it existed, and fill it."""
    derived = DERIVED.get(kind)
    if derived is None:
        return
    present = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
        [kind, derived.column],
    ).fetchone()
    if present and present[0]:
        return
    con.execute(f"ALTER TABLE {kind} ADD COLUMN {derived.column} TINYINT DEFAULT 0")
    _recompute(con, kind, derived, f"SELECT DISTINCT {', '.join(derived.line_key)} FROM {kind}")


def refresh(con: duckdb.DuckDBPyConnection, kind: str, import_id: int) -> None:
    """Recompute the column for the lines that import ``import_id`` shares with earlier
    imports (its rows were inserted with a value computed over its own rows alone)."""
    derived = DERIVED.get(kind)
    if derived is None:
        return
    key = ", ".join(derived.line_key)
    shared = (
        f"SELECT DISTINCT {key} FROM {kind} WHERE import_id = {import_id} "
        f"INTERSECT SELECT DISTINCT {key} FROM {kind} WHERE import_id <> {import_id}"
    )
    _recompute(con, kind, derived, shared)


def _recompute(con: duckdb.DuckDBPyConnection, kind: str, derived: Derived, lines: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lines AS {lines}")
    count = con.execute("SELECT count(*) FROM _lines").fetchone()
    if count and count[0]:
        on = " AND ".join(f"t.{k} = l.{k}" for k in derived.line_key)
        row = derived.row_key
        con.execute(
            f"UPDATE {kind} SET {derived.column} = n.w FROM ("
            f"SELECT t.{row}, {derived.window_sql()} AS w FROM {kind} t SEMI JOIN _lines l ON {on}"
            f") n WHERE {kind}.{row} = n.{row}"
        )
    con.execute("DROP TABLE _lines")
