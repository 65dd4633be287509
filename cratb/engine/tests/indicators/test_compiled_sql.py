"""The SQL an indicator compiles to is kept for the process (issue #19), never its data:
a later session asking the same indicator reuses the SQL, and reads its own warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
