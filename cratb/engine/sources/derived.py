"""Columns the importer derives and stores beside the imported rows of ``dispensations``.

``line_weight`` marks the prescription lines of CONTRACTS.md
(``community.prescriptions_per_1000``: distinct prescription_id × cip13 with net boxes
> 0). A line may span several rows (a renewal dispensed month by month, a return later
in the year, possibly in a later file): the row that stands for the line is its first
dispensing row (first positive row by date, then by dispensation_id), and it carries
``line_weight = 1`` when the line's net boxes, over all its rows, are positive; every
other row carries 0. A prescription line is therefore dated by its first dispensing.

``prescriber_key`` is a small integer standing for ``prescriber_id`` (table
``prescribers``): grouping ten million rows by an integer is several times faster than
by text, and the prescriber profile groups every row by prescriber. ``specialty_key``
likewise stands for ``prescriber_specialty`` (table ``prescriber_specialties``): the
prescriber profile groups by prescriber and specialty, and the text of the specialty in
that grouping's key cost about a third of its time (issue #19).

Keeping these at import time means the indicators count prescription lines with a plain
sum in the same scan as the DDD, instead of a distinct count over the whole table at
every computation (see benchmarks/community). ``line_weight`` is recomputed for every
line an import touches, including lines whose rows came in earlier files.
"""

# ruff: noqa: S608 - table and column names are the module's own constants.
from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = [
    "create_sql",
    "insert_columns",
    "insert_joins",
    "prepare",
    "refresh",
    "register_keys",
    "upgrade",
]

KIND = "dispensations"
LINE_KEY = ("prescription_id", "cip13")
LINE_ORDER = "(boxes > 0) DESC, dispensed_on, dispensation_id"
ROW_KEY = "dispensation_id"
PRESCRIBERS = "prescribers"
SPECIALTIES = "prescriber_specialties"
PREPARED = "_derived"


@dataclass(frozen=True)
class _Keys:
    """A text column of the rows given small integer keys, kept in a table of its own."""

    table: str
    key: str
    column: str
    sql_type: str


#: The prescriber and the specialty (in this order: the prescriber's key came first).
KEYS = (
    _Keys(PRESCRIBERS, "prescriber_key", "prescriber_id", "INTEGER"),
    _Keys(SPECIALTIES, "specialty_key", "prescriber_specialty", "SMALLINT"),
)


def _line_weight_sql() -> str:
    partition = ", ".join(LINE_KEY)
    return (
        f"CASE WHEN row_number() OVER (PARTITION BY {partition} ORDER BY {LINE_ORDER}) = 1"
        f" AND sum(boxes) OVER (PARTITION BY {partition}) > 0 THEN 1 ELSE 0 END"
    )


def create_sql(kind: str) -> str:
    """The derived columns' definitions, to append to the kind's CREATE TABLE."""
    if kind != KIND:
        return ""
    return ", line_weight TINYINT DEFAULT 0" + "".join(f", {k.key} {k.sql_type}" for k in KEYS)


def insert_columns(kind: str) -> list[tuple[str, str]]:
    """(column, SQL expression over the accepted rows of ``_staged``, aliased ``s``) for
    the INSERT; ``insert_joins`` gives the tables the expressions read."""
    if kind != KIND:
        return []
    return [
        ("line_weight", f"CASE WHEN s._row IN (SELECT _row FROM {PREPARED}) THEN 1 ELSE 0 END"),
        *((k.key, f"k{i}.{k.key}") for i, k in enumerate(KEYS)),
    ]


def insert_joins(kind: str) -> str:
    """The joins the expressions of ``insert_columns`` need (after ``FROM _staged s``)."""
    if kind != KIND:
        return ""
    return "".join(
        f" LEFT JOIN {k.table} k{i} ON k{i}.{k.column} = s.{k.column}" for i, k in enumerate(KEYS)
    )


def prepare(con: duckdb.DuckDBPyConnection, kind: str, accepted: str) -> None:
    """Before the rows ``accepted`` (a SQL query with ``_row``) are inserted: register
    their new prescribers and specialties, and find in ``PREPARED`` the ``_row`` of each
    row that stands for a prescription line with positive net boxes (``line_weight = 1``).

    This is the window of ``_line_weight_sql`` written as a grouping on the five columns
    it needs: carried with every column of the row, the window held the whole file in
    memory and took most of an import's time (issue #19)."""
    if kind != KIND:
        return
    register_keys(con, kind, accepted)
    key = ", ".join(LINE_KEY)
    # LINE_ORDER as a sort key: positive boxes first (false sorts before true).
    first = f"arg_min(_row, (boxes <= 0, dispensed_on, {ROW_KEY}))"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PREPARED} AS SELECT {first} AS _row "
        f"FROM (SELECT _row, {key}, boxes, dispensed_on, {ROW_KEY} FROM ({accepted})) "
        f"GROUP BY {key} HAVING sum(boxes) > 0"
    )


def register_keys(con: duckdb.DuckDBPyConnection, kind: str, accepted: str) -> None:
    """Give a key to the prescribers and specialties of the rows ``accepted`` (a SQL
    query) not seen yet."""
    if kind != KIND:
        return
    for keys in KEYS:
        _register(con, keys, accepted)


def _register(con: duckdb.DuckDBPyConnection, keys: _Keys, accepted: str) -> None:
    table, key, column = keys.table, keys.key, keys.column
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ({key} {keys.sql_type} PRIMARY KEY,"
        f" {column} VARCHAR NOT NULL UNIQUE)"
    )
    con.execute(
        f"INSERT INTO {table} SELECT"
        f" (SELECT coalesce(max({key}), 0) FROM {table})"
        f" + row_number() OVER (ORDER BY {column}), {column}"
        f" FROM (SELECT DISTINCT {column} FROM ({accepted}) WHERE {column} IS NOT NULL)"
        f" WHERE {column} NOT IN (SELECT {column} FROM {table})"
    )


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchone()
    return bool(row and row[0])


def upgrade(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Add the derived columns to a table created before they existed, and fill them."""
    if kind != KIND:
        return
    if not _has_column(con, kind, "line_weight"):
        con.execute(f"ALTER TABLE {kind} ADD COLUMN line_weight TINYINT DEFAULT 0")
        _recompute_lines(con, f"SELECT DISTINCT {', '.join(LINE_KEY)} FROM {kind}")
    for keys in KEYS:
        if not _has_column(con, kind, keys.key):
            _register(con, keys, f"SELECT {keys.column} FROM {kind}")
            con.execute(f"ALTER TABLE {kind} ADD COLUMN {keys.key} {keys.sql_type}")
            con.execute(
                f"UPDATE {kind} SET {keys.key} = k.{keys.key} FROM {keys.table} k"
                f" WHERE {kind}.{keys.column} = k.{keys.column}"
            )


def refresh(con: duckdb.DuckDBPyConnection, kind: str, import_id: int) -> None:
    """Recompute ``line_weight`` for the lines that import ``import_id`` shares with
    earlier imports (its rows were inserted with a value computed over its own rows)."""
    if kind != KIND:
        return
    earlier = con.execute(f"SELECT 1 FROM {kind} WHERE import_id <> {import_id} LIMIT 1")
    if earlier.fetchone() is None:
        return  # the first import: no line is shared with earlier rows
    key = ", ".join(LINE_KEY)
    _recompute_lines(
        con,
        f"SELECT DISTINCT {key} FROM {kind} WHERE import_id = {import_id} "
        f"INTERSECT SELECT DISTINCT {key} FROM {kind} WHERE import_id <> {import_id}",
    )


def _recompute_lines(con: duckdb.DuckDBPyConnection, lines: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lines AS {lines}")
    count = con.execute("SELECT count(*) FROM _lines").fetchone()
    if count and count[0]:
        on = " AND ".join(f"t.{k} = l.{k}" for k in LINE_KEY)
        con.execute(
            f"UPDATE {KIND} SET line_weight = n.w FROM ("
            f"SELECT t.{ROW_KEY}, {_line_weight_sql()} AS w FROM {KIND} t SEMI JOIN _lines l"
            f" ON {on}) n WHERE {KIND}.{ROW_KEY} = n.{ROW_KEY}"
        )
    con.execute("DROP TABLE _lines")
