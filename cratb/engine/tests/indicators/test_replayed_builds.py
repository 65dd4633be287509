"""A later session reuses the expression an indicator built (``Session.replayed``,
issue #19) only when what the building read gives the same in that session: the same
tables, the same results of its checks. Its queries run in every session."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cratb.engine import reference
from cratb.engine.backends import BUILT, open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import import_file
from cratb.engine.tests.indicators import golden

SET: tuple[tuple[str, Query], ...] = (
    ("community.did", Query(by=("departement", "month"))),
    ("community.prescriptions_per_1000", Query(by=("departement",))),
    ("community.access_share", Query(by=("departement",))),
    ("community.critical_share", Query(by=("prescriber_specialty",))),
    ("community.prescriber_profile", Query()),
    ("community.seasonal_variation", Query(by=("departement",))),
    ("community.did_change_vs_baseline", Query(params={"baseline_year": 2024})),
    ("nursing_home.ddd_per_1000_resident_days", Query(by=("departement",))),
)
UNKNOWN_PRODUCT = "boîtes de produits absents du catalogue"


def _set(warehouse: Path) -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
    with open_session(warehouse=warehouse) as session:
        out = {}
        for indicator, query in SET:
            result = compute(indicator, session, query)
            out[indicator] = (result.table.to_pylist(), result.warnings)
        return out


def test_a_later_session_replays_the_builds_and_gives_the_same_tables(tmp_path: Path) -> None:
    warehouse = golden.build(tmp_path)
    first = _set(warehouse)
    hits = BUILT.hits
    second = _set(warehouse)
    assert second == first
    # Every indicator of the set was replayed, none built again.
    assert BUILT.hits - hits == len(SET)
    assert any(warnings for _, warnings in first.values())


def test_a_check_that_reads_otherwise_builds_again(tmp_path: Path) -> None:
    """Another warehouse with dispensing lines of a product missing from the catalogue:
    the DDD check of ``community.did`` reads another result there, so the indicator is
    built again and warns (a replay of the first build would not)."""
    (tmp_path / "one").mkdir()
    one = golden.build(tmp_path / "one")
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = golden.build(other_folder)
    unknown = other_folder / "dispensations-unknown.csv"
    unknown.write_text(
        f"{golden.HEADER}\n"
        "U01,2024-05-02,RXU,P1,30,F,75,GP1,general_practice,NOTINCATALOGUE,3,community\n",
        encoding="utf-8",
    )
    report = import_file("dispensations", unknown, warehouse=other)
    assert report.rejected == 0, report.rejections
    query = Query(by=("departement",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))

    def did(warehouse: Path) -> list[str]:
        with open_session(warehouse=warehouse) as session:
            return compute("community.did", session, query).warnings

    assert not any(UNKNOWN_PRODUCT in w for w in did(one))
    hits, misses = BUILT.hits, BUILT.misses
    assert any(UNKNOWN_PRODUCT in w for w in did(other))
    assert (BUILT.hits, BUILT.misses) == (hits, misses + 1)
    # Back on the first warehouse: replayed (the build of its own session matches), no
    # warning of the other.
    assert not any(UNKNOWN_PRODUCT in w for w in did(one))


def test_new_reference_tables_build_again(tmp_path: Path) -> None:
    warehouse = golden.build(tmp_path)
    query = Query(by=("departement",))
    with open_session(warehouse=warehouse) as session:
        before = compute("community.did", session, query).table
    misses = BUILT.misses
    reference.clear_caches()
    with open_session(warehouse=warehouse) as session:
        after = compute("community.did", session, query).table
    assert BUILT.misses == misses + 1
    assert after.equals(before)


def test_a_request_that_cannot_be_a_key_is_built_every_time(tmp_path: Path) -> None:
    warehouse = golden.build(tmp_path)
    with open_session(warehouse=warehouse) as session:
        hits, misses = BUILT.hits, BUILT.misses
        first = session.replayed(("test", [1]), lambda: ["built"])
        second = session.replayed(("test", [1]), lambda: ["built again"])
    assert (first, second) == (["built"], ["built again"])
    assert (BUILT.hits, BUILT.misses) == (hits, misses)


def test_a_warehouse_with_another_set_of_tables_builds_again(tmp_path: Path) -> None:
    """The nursing-home indicator leaves out the nursing homes found in the hospital
    consumption when that table was imported: a warehouse with it and one without it
    each build their own expression."""
    (tmp_path / "full").mkdir()
    full = golden.build(tmp_path / "full")
    partial_folder = tmp_path / "partial"
    partial_folder.mkdir()
    partial = partial_folder / "partial.duckdb"
    for kind, text in golden.FILES.items():
        if kind == "hospital_consumption":
            continue
        path = partial_folder / f"{kind}.csv"
        path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
        assert import_file(kind, path, warehouse=partial).rejected == 0
    query = Query(by=("year",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))

    def denominator(warehouse: Path) -> float:
        with open_session(warehouse=warehouse) as session:
            table = compute("nursing_home.ddd_per_1000_resident_days", session, query).table
        (row,) = table.to_pylist()
        return float(row["denominator"])

    misses = BUILT.misses
    # 750000002 has no hospital consumption here: its 1000 resident-days count too.
    assert denominator(partial) == 4.66
    # The build on the partial warehouse read no hospital consumption, only that the
    # table is absent: here it is there, so the indicator builds again.
    assert denominator(full) == 3.66
    assert denominator(partial) == 4.66
    assert BUILT.misses == misses + 3


def test_a_replayed_value_is_a_copy_of_the_one_built(tmp_path: Path) -> None:
    """A value the build remembered and its session changed afterwards is given to a
    later session as it was built."""
    warehouse = golden.build(tmp_path)

    def build(session: Any) -> Any:
        return lambda: tuple(session.remember("test-list", lambda: [1, 2]))

    with open_session(warehouse=warehouse) as one:
        assert one.replayed(("test-copy", str(tmp_path)), build(one)) == (1, 2)
        one.values["test-list"].append(3)
    hits = BUILT.hits
    with open_session(warehouse=warehouse) as two:
        assert two.replayed(("test-copy", str(tmp_path)), build(two)) == (1, 2)
        assert two.values["test-list"] == [1, 2]
    assert BUILT.hits == hits + 1
