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

import duckdb

__all__ = [
    "create_sql",
    "insert_columns",
    "insert_joins",
    "prepare",
    "refresh",
    "register_keys",
    "register_specialties",
    "upgrade",
]

KIND = "dispensations"
LINE_KEY = ("prescription_id", "cip13")
LINE_ORDER = "(boxes > 0) DESC, dispensed_on, dispensation_id"
ROW_KEY = "dispensation_id"
PRESCRIBERS = "prescribers"
SPECIALTIES = "prescriber_specialties"
PREPARED = "_derived"


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
    return ", line_weight TINYINT DEFAULT 0, prescriber_key INTEGER, specialty_key SMALLINT"


def insert_columns(kind: str) -> list[tuple[str, str]]:
    """(column, SQL expression over the accepted rows of ``_staged``, aliased ``s``) for
    the INSERT; ``insert_joins`` gives the tables the expressions read."""
    if kind != KIND:
        return []
    return [
        ("line_weight", f"CASE WHEN s._row IN (SELECT _row FROM {PREPARED}) THEN 1 ELSE 0 END"),
        ("prescriber_key", "k.prescriber_key"),
        ("specialty_key", "sk.specialty_key"),
    ]


def insert_joins(kind: str) -> str:
    """The joins the expressions of ``insert_columns`` need (after ``FROM _staged s``)."""
    if kind != KIND:
        return ""
    return (
        f" LEFT JOIN {PRESCRIBERS} k ON k.prescriber_id = s.prescriber_id"
        f" LEFT JOIN {SPECIALTIES} sk ON sk.prescriber_specialty = s.prescriber_specialty"
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
    register_specialties(con, kind, accepted)
    key = ", ".join(LINE_KEY)
    # LINE_ORDER as a sort key: positive boxes first (false sorts before true).
    first = f"arg_min(_row, (boxes <= 0, dispensed_on, {ROW_KEY}))"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PREPARED} AS SELECT {first} AS _row "
        f"FROM (SELECT _row, {key}, boxes, dispensed_on, {ROW_KEY} FROM ({accepted})) "
        f"GROUP BY {key} HAVING sum(boxes) > 0"
    )


def _create_prescribers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PRESCRIBERS} (prescriber_key INTEGER PRIMARY KEY,"
        " prescriber_id VARCHAR NOT NULL UNIQUE)"
    )


def _create_specialties(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {SPECIALTIES} (specialty_key SMALLINT PRIMARY KEY,"
        " prescriber_specialty VARCHAR NOT NULL UNIQUE)"
    )


def register_keys(con: duckdb.DuckDBPyConnection, kind: str, accepted: str) -> None:
    """Give a key to the prescribers of the rows ``accepted`` (a SQL query) not seen yet."""
    if kind != KIND:
        return
    _create_prescribers(con)
    con.execute(
        f"INSERT INTO {PRESCRIBERS} SELECT"
        f" (SELECT coalesce(max(prescriber_key), 0) FROM {PRESCRIBERS})"
        " + row_number() OVER (ORDER BY prescriber_id), prescriber_id"
        f" FROM (SELECT DISTINCT prescriber_id FROM ({accepted}))"
        f" WHERE prescriber_id NOT IN (SELECT prescriber_id FROM {PRESCRIBERS})"
    )


def register_specialties(con: duckdb.DuckDBPyConnection, kind: str, accepted: str) -> None:
    """Give a key to the specialties of the rows ``accepted`` (a SQL query) not seen yet."""
    if kind != KIND:
        return
    _create_specialties(con)
    con.execute(
        f"INSERT INTO {SPECIALTIES} SELECT"
        f" (SELECT coalesce(max(specialty_key), 0) FROM {SPECIALTIES})"
        " + row_number() OVER (ORDER BY prescriber_specialty), prescriber_specialty"
        f" FROM (SELECT DISTINCT prescriber_specialty FROM ({accepted})"
        " WHERE prescriber_specialty IS NOT NULL)"
        f" WHERE prescriber_specialty NOT IN (SELECT prescriber_specialty FROM {SPECIALTIES})"
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
    if not _has_column(con, kind, "prescriber_key"):
        register_keys(con, kind, f"SELECT prescriber_id FROM {kind}")
        con.execute(f"ALTER TABLE {kind} ADD COLUMN prescriber_key INTEGER")
        con.execute(
            f"UPDATE {kind} SET prescriber_key = k.prescriber_key FROM {PRESCRIBERS} k"
            f" WHERE {kind}.prescriber_id = k.prescriber_id"
        )
    if not _has_column(con, kind, "specialty_key"):
        register_specialties(con, kind, f"SELECT prescriber_specialty FROM {kind}")
        con.execute(f"ALTER TABLE {kind} ADD COLUMN specialty_key SMALLINT")
        con.execute(
            f"UPDATE {kind} SET specialty_key = k.specialty_key FROM {SPECIALTIES} k"
            f" WHERE {kind}.prescriber_specialty = k.prescriber_specialty"
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
