"""The CPTS action-sheet figures: boxes of the antibiotics at high risk of resistance and
the share of patients treated with them (the GP pay-for-performance indicator).

Every expected figure is worked out by hand in the comments from the rows built below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cratb.engine import reference
from cratb.engine.backends import open_session
from cratb.engine.indicators import CATALOGUE, Query, compute
from cratb.engine.sources import import_file
from cratb.engine.sources.territories import Cpts, store
from cratb.engine.stats import wilson

POPULATION = """
year,departement,population
2024,75,2000000
2024,92,1600000
"""
PRODUCTS = """
cip13,label,atc,route,units_per_box,amount_per_unit,amount_unit,ddd_per_box
AMX,AMOXICILLINE 1 g B/6,J01CA04,O,6,1,g,
AUG,AMOXICILLINE ACIDE CLAVULANIQUE 1 g B/8,J01CR02,O,8,1,g,
CRO,CEFTRIAXONE 1 g INJ B/1,J01DD04,P,1,1,g,
CPD,CEFPODOXIME 100 mg B/10,J01DD13,O,10,100,mg,
CIP,CIPROFLOXACINE 500 mg B/10,J01MA02,O,10,500,mg,
"""
HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,patient_commune"
)
# (patient, commune, product, boxes); each row is its own prescription line unless said.
ROWS: list[tuple[str, str, str, int]] = [
    *((f"P{n}", "75101", "AMX", 1) for n in range(1, 16)),  # P1…P15: amoxicillin
    *((f"P{n}", "75101", "AUG", 2) for n in (1, 2, 3)),  # high risk: 3 lines, 6 boxes
    ("P4", "75101", "CRO", 1),  # injectable ceftriaxone: not high risk (critical, though)
    *((f"P{n}", "75101", "CIP", 1) for n in (5, 6, 7)),  # high risk: 3 lines, 3 boxes
    *((f"P{n}", "75102", "CPD", 1) for n in range(16, 21)),  # oral C3G: 5 lines, 5 boxes
    ("P16", "75102", "CIP", 3),  # high risk: 1 line, 3 boxes
    ("P20", "75101", "AMX", 1),  # P20 in two communes of CPTS-A: one patient there
    *((f"Q{n}", "92012", "AMX", 1) for n in range(1, 6)),  # CPTS-B: 5 patients
    *((f"Q{n}", "92012", "AUG", 1) for n in (1, 2)),
]
# P21 in 75102: 2 boxes of ciprofloxacin returned (same prescription line, −2): net 0
# boxes, no line, so P21 is no treated patient and adds no box.
RETURNED = [("P21", "75102", "CIP", 2), ("P21", "75102", "CIP", -2)]
CPTS = [
    Cpts("CPTS-A", "CPTS Paris Centre", ("75101", "75102")),
    Cpts("CPTS-B", "CPTS Boucle Nord", ("92012", "92050")),
]
# CPTS-A: treated patients P1…P20 = 20; at high risk P1-3 (AUG), P5-7 (CIP), P16-20 (CPD)
# = 11 → 55 %. High-risk boxes 6 + 3 + 5 + 3 = 17 over 3 + 3 + 5 + 1 = 12 lines (≥ 11).
# Its lines: AMX 16 + AUG 3 + CRO 1 + CIP 4 + CPD 5 = 29, « critical » (J01CR02, J01DD,
# J01MA) 3 + 1 + 4 + 5 = 13: the line share, 44.8 %, is not the patient share.
# CPTS-B: 5 patients (< 11) and 2 high-risk lines (< 11): masked.


def _dispensations() -> str:
    out = [HEADER]
    for n, (patient, commune, product, boxes) in enumerate(ROWS, start=1):
        out.append(
            f"D{n},2024-03-01,RX{n},{patient},40,F,{commune[:2]},GP1,general_practice,"
            f"{product},{boxes},{commune}"
        )
    for n, (patient, commune, product, boxes) in enumerate(RETURNED, start=1):
        out.append(
            f"R{n},2024-03-0{n},RXR,{patient},40,F,{commune[:2]},GP1,general_practice,"
            f"{product},{boxes},{commune}"
        )
    return "\n".join(out)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("high_risk")
    warehouse = folder / "w.duckdb"
    for kind, text in (
        ("population", POPULATION),
        ("products", PRODUCTS),
        ("dispensations", _dispensations()),
    ):
        path = folder / f"{kind}.csv"
        path.write_text("\n".join(x.strip() for x in text.strip().splitlines()) + "\n")
        report = import_file(kind, path, warehouse=warehouse)
        assert report.rejected == 0, report.rejections
    with duckdb.connect(str(warehouse)) as con:
        store(con, CPTS, [])
    return warehouse


Rows = Callable[..., dict[Any, dict[str, Any]]]


@pytest.fixture
def by(warehouse: Path) -> Rows:
    def run(indicator: str, column: str) -> dict[Any, dict[str, Any]]:
        with open_session(warehouse=warehouse, backend="duckdb") as session:
            table = compute(indicator, session, Query(by=(column,))).table
        return {r[column]: r for r in table.to_pylist()}

    return run


def test_high_risk_is_decided_by_agent_and_route() -> None:
    assert reference.is_high_risk("J01CR02", "O")
    assert reference.is_high_risk("J01MA02", "P")
    assert reference.is_high_risk("J01DD13", "O")
    assert not reference.is_high_risk("J01DD04", "P")  # ceftriaxone injected
    assert not reference.is_high_risk("J01CA04", "O")


def test_high_risk_boxes_by_cpts_are_hand_checked(by: Rows) -> None:
    got = by("community.high_risk_boxes", "cpts")
    assert got["CPTS-A"]["numerator"] == 17
    assert got["CPTS-A"]["value"] == pytest.approx(17.0)
    assert got["CPTS-A"]["suppressed"] is False
    assert got["CPTS-B"]["value"] is None and got["CPTS-B"]["suppressed"] is True
    assert by("community.high_risk_boxes", "departement")["92"]["value"] == pytest.approx(2.0)


def test_patient_share_by_cpts_is_hand_checked(by: Rows) -> None:
    a = by("community.high_risk_patient_share", "cpts")["CPTS-A"]
    assert (a["numerator"], a["denominator"]) == (11, 20)
    assert a["value"] == pytest.approx(55.0)
    interval = wilson(11, 20)
    assert interval is not None
    assert a["ci_low"] == pytest.approx(interval[0] * 100)
    assert a["ci_high"] == pytest.approx(interval[1] * 100)
    lines = by("community.critical_share", "cpts")["CPTS-A"]
    assert (lines["numerator"], lines["denominator"]) == (13, 29)


def test_patient_share_masks_small_groups_and_counts_a_patient_once(by: Rows) -> None:
    cpts = by("community.high_risk_patient_share", "cpts")
    assert cpts["CPTS-B"]["value"] is None and cpts["CPTS-B"]["suppressed"] is True
    communes = by("community.high_risk_patient_share", "commune")
    # 75101: P1…P15 and P20 = 16 patients; P1-3 and P5-7 at high risk = 6.
    assert (communes["75101"]["numerator"], communes["75101"]["denominator"]) == (6, 16)
    assert communes["75102"]["value"] is None  # P16…P20: 5 patients
    dep = by("community.high_risk_patient_share", "departement")["92"]
    assert (dep["numerator"], dep["denominator"]) == (2, 5)  # not a fine territory


def test_the_patient_share_carries_the_rosp_targets() -> None:
    targets = {
        t.value: t.comparison for t in CATALOGUE["community.high_risk_patient_share"].targets
    }
    assert targets == {52.0: "<=", 32.0: "<="}


@pytest.mark.slow
def test_patient_share_and_boxes_on_spark_give_the_same_figures(warehouse: Path) -> None:
    with open_session(warehouse=warehouse, backend="spark") as session:
        share = compute("community.high_risk_patient_share", session, Query(by=("cpts",)))
        boxes = compute("community.high_risk_boxes", session, Query(by=("cpts",)))
    a = {r["cpts"]: r for r in share.table.to_pylist()}["CPTS-A"]
    assert (a["numerator"], a["denominator"]) == (11, 20)
    assert {r["cpts"]: r["value"] for r in boxes.table.to_pylist()}["CPTS-A"] == 17.0
