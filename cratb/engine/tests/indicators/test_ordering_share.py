"""The share of places ordering rapid strep A test kits, against the register of places.

Every expected figure is worked out by hand in the comments from the rows below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from cratb.engine.backends import open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import ImportReport, import_file
from cratb.engine.sources.territories import Cpts, store

# CPTS-A (75101, 75102): 12 practices (PR1-PR8 in 75101, PR9-PR12 in 75102) and
# 3 pharmacies; CPTS-B (92012): 4 practices.
PLACES = "\n".join(
    [
        "place_code,place_kind,commune,departement",
        *(f"PR{n},practice,75101," for n in range(1, 9)),
        *(f"PR{n},practice,75102," for n in range(9, 13)),
        *(f"PH{n},pharmacy,75101," for n in range(1, 4)),
        *(f"PB{n},practice,92012," for n in range(1, 5)),
    ]
)
KITS = """
place_code,ordered_on,place_kind,commune,departement,test,kits
PR1,2024-02-01,practice,75101,,strep_a,2
PR1,2024-06-01,practice,75101,,strep_a,1
PR2,2024-03-01,practice,75101,,strep_a,1
PR3,2024-03-01,practice,75101,,urine_strip,4
PR4,2024-03-01,practice,75101,,strep_a,0
PH1,2024-03-01,pharmacy,75101,,strep_a,5
PR9,2024-04-01,practice,75102,,strep_a,1
XX99,2024-04-01,practice,75101,,strep_a,3
PB1,2024-04-01,practice,92012,,strep_a,1
"""
# Ordering strep A kits (kits > 0): PR1 (twice: once), PR2, PH1, PR9, PB1; PR3 ordered
# dipsticks only, PR4 none; XX99 is not in the register (warned, not counted).
# CPTS-A: 4 of 15 places; its practices 3 of 12 = 25 %; its pharmacies 1 of 3 (masked).
# CPTS-B: 1 of 4 (masked); département 92: 1 of 4 = 25 % (not a fine territory).
CPTS = [
    Cpts("CPTS-A", "CPTS Paris Centre", ("75101", "75102")),
    Cpts("CPTS-B", "CPTS Boucle Nord", ("92012",)),
]


def _import(folder: Path, kind: str, text: str, warehouse: Path) -> ImportReport:
    path = folder / f"{kind}.csv"
    path.write_text("\n".join(x.strip() for x in text.strip().splitlines()) + "\n")
    return import_file(kind, path, warehouse=warehouse)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("places")
    warehouse = folder / "w.duckdb"
    for kind, text in (("rapid_test_places", PLACES), ("rapid_test_kits", KITS)):
        report = _import(folder, kind, text, warehouse)
        assert report.rejected == 0, report.rejections
    with duckdb.connect(str(warehouse)) as con:
        store(con, CPTS, [])
    return warehouse


def _rows(warehouse: Path, *by: str) -> tuple[dict[Any, dict[str, Any]], list[str]]:
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        result = compute("rapid_tests.ordering_share", session, Query(by=by))
    rows = result.table.to_pylist()
    return {tuple(r[c] for c in by): r for r in rows}, result.warnings


def test_share_of_practices_ordering_by_cpts_is_hand_checked(warehouse: Path) -> None:
    got, warnings = _rows(warehouse, "cpts", "place_kind")
    practices = got[("CPTS-A", "practice")]
    assert (practices["numerator"], practices["denominator"]) == (3, 12)
    assert practices["value"] == pytest.approx(25.0)
    assert practices["suppressed"] is False
    assert got[("CPTS-A", "pharmacy")]["value"] is None  # 3 places
    assert got[("CPTS-B", "practice")]["suppressed"] is True  # 4 places
    assert any("1 lieu(x) ayant commandé des kits absent(s) du répertoire" in w for w in warnings)


def test_share_by_cpts_and_year_and_departement(warehouse: Path) -> None:
    by_cpts, _ = _rows(warehouse, "year", "cpts")
    a = by_cpts[(2024, "CPTS-A")]
    assert (a["numerator"], a["denominator"]) == (4, 15)
    dep, _ = _rows(warehouse, "departement", "place_kind")
    assert (dep[("92", "practice")]["numerator"], dep[("92", "practice")]["denominator"]) == (1, 4)
    assert dep[("92", "practice")]["value"] == pytest.approx(25.0)


def test_an_unknown_place_kind_in_the_register_is_rejected(tmp_path: Path) -> None:
    text = "place_code,place_kind,commune,departement\nP1,hospital,75101,\nP2,practice,,\n"
    report = _import(tmp_path, "rapid_test_places", text, tmp_path / "w.duckdb")
    assert (report.read, report.accepted, report.rejected) == (2, 0, 2)
    reasons = " ".join(r.reason for r in report.rejections)
    assert "valeur inconnue « hospital »" in reasons
    assert "commune ou département obligatoire" in reasons


@pytest.mark.slow
def test_ordering_share_on_spark_gives_the_same_figures(warehouse: Path) -> None:
    with open_session(warehouse=warehouse, backend="spark") as session:
        result = compute("rapid_tests.ordering_share", session, Query(by=("year", "cpts")))
    a = {(r["year"], r["cpts"]): r for r in result.table.to_pylist()}[(2024, "CPTS-A")]
    assert (a["numerator"], a["denominator"]) == (4, 15)
