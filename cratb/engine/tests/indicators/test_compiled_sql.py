"""The SQL an indicator compiles to is kept for the process (issue #19), never its data:
a later session asking the same indicator reuses the SQL, and reads its own warehouse."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cratb.engine.backends import COMPILED_SQL, open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.tests.indicators import golden

YEAR_2024 = Query(by=("departement",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
SET = (
    "community.did",
    "community.prescriptions_per_1000",
    "community.access_share",
    "community.critical_share",
    "community.prescriber_profile",
)


def _values(warehouse: Path) -> dict[str, list[dict[str, object]]]:
    with open_session(warehouse=warehouse) as session:
        return {
            indicator: compute(
                indicator, session, YEAR_2024 if indicator != SET[4] else Query()
            ).table.to_pylist()
            for indicator in SET
        }


def test_a_second_session_reuses_the_sql_and_gives_the_same_rows(tmp_path: Path) -> None:
    warehouse = golden.build(tmp_path)
    COMPILED_SQL.clear()
    first = _values(warehouse)
    compiled = COMPILED_SQL.misses
    assert compiled > 0
    second = _values(warehouse)
    assert second == first
    # Nothing compiled again: every statement of the second session came from the cache.
    assert COMPILED_SQL.misses == compiled
    assert COMPILED_SQL.hits >= compiled


def test_the_same_sql_on_another_warehouse_reads_that_warehouse(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    one = golden.build(tmp_path / "one")
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = golden.build(other_folder)
    # The other warehouse holds each dispensing line twice (a second import with other
    # dispensation ids): the DDD double, the population does not.
    lines = (other_folder / "dispensations.csv").read_text(encoding="utf-8").splitlines()
    doubled = other_folder / "dispensations-again.csv"
    again = [lines[0], *("X" + line for line in lines[1:] if line)]
    doubled.write_text("\n".join(again) + "\n", encoding="utf-8")
    from cratb.engine.sources import import_file

    report = import_file("dispensations", doubled, warehouse=other)
    assert report.rejected == 0, report.rejections
    COMPILED_SQL.clear()
    did_one = {r["departement"]: r["numerator"] for r in _values(one)["community.did"]}
    compiled = COMPILED_SQL.misses
    did_other = {r["departement"]: r["numerator"] for r in _values(other)["community.did"]}
    assert COMPILED_SQL.misses == compiled
    assert did_one["75"] == pytest.approx(42)
    assert did_other["75"] == pytest.approx(84)


def test_a_session_loads_only_the_compilers_it_uses(tmp_path: Path) -> None:
    """``cratb indicators compute`` does not load the SQL compilers of twenty other
    databases; a compiler asked for later is still found."""
    warehouse = golden.build(tmp_path)
    code = (
        "import sys; from pathlib import Path\n"
        "from cratb.engine.backends import open_session\n"
        "from cratb.engine.indicators import Query, compute\n"
        "with open_session(warehouse=Path(sys.argv[1])) as session:\n"
        "    rows = compute('community.did', session, Query()).table.num_rows\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('ibis.backends.sql.compilers.'))\n"
        "import ibis.backends.sql.compilers as sc\n"
        "print(rows, loaded, sc.SQLiteCompiler.__name__, sc.sqlite.__name__)\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, the test's own code
        [sys.executable, "-c", code, str(warehouse)],
        capture_output=True,
        text=True,
        check=True,
    )
    rows, *rest = result.stdout.split(" ", 1)
    assert int(rows) == 1
    assert "athena" not in rest[0] and "oracle" not in rest[0]
    assert "compilers.duckdb" in rest[0]
    assert rest[0].strip().endswith("SQLiteCompiler ibis.backends.sql.compilers.sqlite")


def test_the_tables_read_at_the_opening_are_those_ibis_describes(tmp_path: Path) -> None:
    # A session reads every table's columns in one query when it opens (issue #19): each
    # table must be the node ibis builds from its own DESCRIBE, or the SQL would differ.
    warehouse = golden.build(tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        # Types that a plain CSV import does not make, and a name in two schemas.
        con.execute(
            "CREATE TABLE targeted_reports (d DECIMAL(18, 3) NOT NULL, t TIMESTAMP,"
            " l INTEGER[], s STRUCT(a VARCHAR, b DOUBLE), h HUGEINT)"
        )
        con.execute("CREATE SCHEMA other")
        con.execute("CREATE TABLE other.product_notes (x INTEGER)")
        con.execute("CREATE TABLE product_notes (y VARCHAR NOT NULL)")
    with open_session(warehouse=warehouse) as session:
        assert {"dispensations", "prescribers", "prescriber_specialties"} <= session.available
        assert "product_notes" not in session.columns
        for name in sorted(session.available):
            assert session.table(name).op() == session.con.table(name).op(), name
