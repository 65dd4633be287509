"""Finer territories (communes, CPTS, GHT), the small-count rule and the rapid tests.

Every expected figure is worked out by hand in the comments from the rows built below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cratb.engine.backends import open_session
from cratb.engine.indicators import IndicatorError, Query, compute
from cratb.engine.sources import import_file
from cratb.engine.sources.territories import Cpts, Ght, TerritoryError, check, store
from cratb.engine.stats import wilson

POPULATION = """
year,departement,population
2024,75,2000000
2024,92,1600000
"""
PRODUCTS = """
cip13,label,atc,route,units_per_box,amount_per_unit,amount_unit,ddd_per_box
AMX500,AMOXICILLINE 500 mg B/12,J01CA04,O,12,500,mg,
AUG1G,AMOXICILLINE ACIDE CLAVULANIQUE 1 g B/12,J01CR02,O,12,1,g,
"""
HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,patient_commune,"
    "prescriber_commune"
)
# (commune, product, lines): each line is its own prescription with one box.
LINES = [
    ("75101", "AMX500", 9),  # 75101: 9 + 3 = 12 lines, 3 critical → 25 %
    ("75101", "AUG1G", 3),
    ("75102", "AMX500", 3),  # 75102: 3 lines → masked by commune; in CPTS A
    ("92012", "AMX500", 4),  # 92012: 4 + 1 = 5 lines → masked, and CPTS B too
    ("92012", "AUG1G", 1),
    ("75103", "AUG1G", 11),  # 75103: in no CPTS; 11 lines, all critical → 100 %
    ("", "AMX500", 7),  # no commune: in no grouping by commune or CPTS
]
# CPTS A = 75101 + 75102: 15 lines, 3 critical → 20 %; CPTS B = 92012 + 92050: 5 lines.
CPTS = [
    Cpts("CPTS-A", "CPTS Paris Centre", ("75101", "75102")),
    Cpts("CPTS-B", "CPTS Boucle Nord", ("92012", "92050")),
]

PATIENT_DAYS = """
finess,year,sector,patient_days
750000002,2024,acute,1000
920000003,2024,acute,2000
930000004,2024,acute,4000
"""
HOSPITAL_CONSUMPTION = """
finess,year,atc,route,ddd,grams
750000002,2024,J01CA04,P,100,
920000003,2024,J01MA02,O,50,
930000004,2024,J01CA04,P,40,
"""
# GHT 1 = 750000002 + 920000003: (100 + 50) DDD ÷ (3000 ÷ 1000) = 50;
# GHT 2 = 930000004: 40 ÷ 4 = 10.
GHT = [
    Ght("GHT-1", "GHT Seine", ("750000002", "920000003")),
    Ght("GHT-2", "GHT Est", ("930000004",)),
]

RAPID_HEADER = (
    "test_id,tested_on,place_code,place_kind,commune,departement,test,result,antibiotic_dispensed"
)
# (commune, result, antibiotic, count) of rapid strep tests in pharmacies.
TESTS = [
    ("75101", "positive", "Y", 4),  # CPTS A: 4 positive, 7 negative, 1 invalid = 12 tests
    ("75102", "negative", "N", 5),
    ("75102", "negative", "Y", 2),
    ("75101", "invalid", "N", 1),
    ("92012", "negative", "N", 3),  # CPTS B: 3 tests → masked
]
# CPTS A: positive 4 ÷ (4 + 7) valid tests; antibiotic after a negative 2 ÷ 7, but 7
# negative tests < 11 → masked by CPTS, shown by département (75: 2 ÷ 7).


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
    return path


def _dispensations() -> str:
    out, n = [HEADER], 0
    for commune, product, lines in LINES:
        for _ in range(lines):
            n += 1
            dep = commune[:2] if commune else "75"
            out.append(
                f"D{n},2024-03-01,RX{n},P{n},40,F,{dep},GP1,general_practice,{product},1,"
                f"{commune},{commune}"
            )
    return "\n".join(out)


def _tests() -> str:
    out, n = [RAPID_HEADER], 0
    for commune, result, antibiotic, count in TESTS:
        for _ in range(count):
            n += 1
            out.append(
                f"T{n},2024-02-0{1 + n % 5},PH{n % 3},pharmacy,{commune},,strep_a,"
                f"{result},{antibiotic}"
            )
    return "\n".join(out)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("territories")
    warehouse = folder / "w.duckdb"
    files = {
        "population": POPULATION,
        "products": PRODUCTS,
        "dispensations": _dispensations(),
        "patient_days": PATIENT_DAYS,
        "hospital_consumption": HOSPITAL_CONSUMPTION,
        "rapid_tests": _tests(),
    }
    for kind, text in files.items():
        report = import_file(kind, _write(folder, f"{kind}.csv", text), warehouse=warehouse)
        assert report.rejected == 0, report.rejections
    with duckdb.connect(str(warehouse)) as con:
        store(con, CPTS, GHT)
    return warehouse


Rows = Callable[..., dict[Any, dict[str, Any]]]


@pytest.fixture
def by(warehouse: Path) -> Rows:
    def run(indicator: str, *columns: str) -> dict[Any, dict[str, Any]]:
        with open_session(warehouse=warehouse, backend="duckdb") as session:
            table = compute(indicator, session, Query(by=columns)).table
        key = columns[0] if len(columns) == 1 else None
        return {(r[key] if key else tuple(r[c] for c in columns)): r for r in table.to_pylist()}

    return run


def test_critical_share_by_cpts_is_hand_checked(by: Rows) -> None:
    got = by("community.critical_share", "cpts")
    assert set(got) == {"CPTS-A", "CPTS-B"}  # 75103 and the lines without commune: no CPTS
    a = got["CPTS-A"]
    assert (a["numerator"], a["denominator"]) == (3, 15)
    assert a["value"] == pytest.approx(20.0)
    interval = wilson(3, 15)
    assert interval is not None
    low, high = interval
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(low * 100), pytest.approx(high * 100))


def test_small_counts_are_masked_by_cpts_and_commune(by: Rows) -> None:
    b = by("community.critical_share", "cpts")["CPTS-B"]  # 5 lines < 11
    assert [b[c] for c in ("numerator", "denominator", "value", "ci_low", "ci_high")] == [None] * 5
    communes = by("community.critical_share", "commune")
    assert communes["75101"]["value"] == pytest.approx(25.0)  # 3 ÷ 12
    assert communes["75102"]["value"] is None  # 3 lines
    assert communes["75103"]["value"] == pytest.approx(100.0)  # 11 lines: the threshold
    assert communes["75103"]["denominator"] == 11
    assert None not in communes  # lines without a commune make no group


def test_access_share_by_commune_masks_on_prescription_lines(by: Rows) -> None:
    got = by("community.access_share", "commune")
    # 75101: amoxicillin (9 boxes × 4 DDD) and amoxicillin-clavulanate (3 × 8) are both
    # Access agents (AWaRe 2023): 60 DDD of 60 → 100 %.
    assert (got["75101"]["numerator"], got["75101"]["value"]) == (60.0, 100.0)
    assert got["92012"]["value"] is None


def test_the_departement_grouping_is_never_masked(by: Rows) -> None:
    got = by("community.critical_share", "departement")
    # 92: 5 lines, 1 critical; not a fine territory, so shown.
    assert got["92"]["value"] == pytest.approx(20.0)


def test_commune_cannot_be_combined_with_prescriber(warehouse: Path) -> None:
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        with pytest.raises(IndicatorError, match="prescriber_id"):
            compute("community.critical_share", session, Query(by=("commune", "prescriber_id")))


def test_hospital_consumption_by_ght_is_hand_checked(by: Rows) -> None:
    got = by("hospital.ddd_per_1000_patient_days", "ght")
    assert got["GHT-1"]["numerator"] == pytest.approx(150.0)
    assert got["GHT-1"]["denominator"] == pytest.approx(3.0)
    assert got["GHT-1"]["value"] == pytest.approx(50.0)
    assert got["GHT-2"]["value"] == pytest.approx(10.0)


def test_rapid_tests_by_cpts(by: Rows) -> None:
    done = by("rapid_tests.tests_done", "cpts")
    assert done["CPTS-A"]["value"] == 12
    assert done["CPTS-B"]["value"] is None and done["CPTS-B"]["suppressed"] is True
    positive = by("rapid_tests.positive_share", "cpts")["CPTS-A"]
    assert (positive["numerator"], positive["denominator"]) == (4, 11)
    assert positive["value"] == pytest.approx(400 / 11)
    after = by("rapid_tests.antibiotic_after_negative", "cpts")["CPTS-A"]
    assert after["value"] is None and after["suppressed"] is True  # 7 negative tests
    by_dep = by("rapid_tests.antibiotic_after_negative", "departement")["75"]
    assert (by_dep["numerator"], by_dep["denominator"]) == (2, 7)
    assert by_dep["suppressed"] is False


def test_an_overlapping_cpts_is_refused_with_the_commune_named() -> None:
    overlapping = [*CPTS, Cpts("CPTS-C", "CPTS Rive droite", ("75102", "75104"))]
    with pytest.raises(TerritoryError, match=r"75102 \(.*\) est dans deux CPTS"):
        check(overlapping)


def test_an_unknown_commune_in_a_cpts_is_refused() -> None:
    with pytest.raises(TerritoryError, match="inconnu du référentiel « 99999 »"):
        check([Cpts("X", "CPTS X", ("99999",))])


def test_a_refused_mapping_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        store(con, CPTS)
        with pytest.raises(TerritoryError):
            store(con, [Cpts("X", "X", ("75101",)), Cpts("Y", "Y", ("75101",))])
        assert con.execute("SELECT count(*) FROM territory_communes").fetchone() == (4,)


def test_dispensing_communes_are_checked_against_the_reference(tmp_path: Path) -> None:
    text = "\n".join(
        [
            HEADER,
            "D1,2024-03-01,RX1,P1,40,F,75,GP1,general_practice,AMX500,1,75101,",
            "D2,2024-03-01,RX2,P2,40,F,75,GP1,general_practice,AMX500,1,99999,",
            "D3,2024-03-01,RX3,P3,40,F,75,GP1,general_practice,AMX500,1,,751",
            "D4,2024-03-01,RX4,P4,40,F,01,GP1,general_practice,AMX500,1,1004,",
        ]
    )
    report = import_file("dispensations", _write(tmp_path, "d.csv", text), warehouse=tmp_path / "w")
    assert (report.read, report.accepted, report.rejected) == (4, 2, 2)
    reasons = {(r.column, r.reason) for r in report.rejections}
    assert any(
        c == "patient_commune" and "code commune inconnu du référentiel des communes « 99999 »" in r
        for c, r in reasons
    )
    assert any(c == "prescriber_commune" and "5 caractères" in r for c, r in reasons)
    with duckdb.connect(str(tmp_path / "w"), read_only=True) as con:
        # A four-digit code lost its leading zero in a spreadsheet: padded.
        assert con.execute(
            "SELECT patient_commune FROM dispensations WHERE dispensation_id = 'D4'"
        ).fetchone() == ("01004",)


def test_rapid_tests_import_keeps_reasons_and_commits_nothing_partly(tmp_path: Path) -> None:
    text = "\n".join(
        [
            RAPID_HEADER,
            "T1,2024-02-01,PH1,pharmacy,75101,75,strep_a,positive,N",
            "T2,2024-02-01,PH1,pharmacy,,33,urine_strip,negative,Y",
            "T3,2024-02-01,PH1,pharmacy,99999,,strep_a,positive,N",
            "T4,2024-02-01,PH1,pharmacy,,,strep_a,positive,N",
            "T5,2024-02-01,PH1,pharmacy,75101,92,strep_a,positive,N",
            "T6,2024-02-01,PH1,pharmacy,75101,,strep_a,maybe,N",
            "T1,2024-02-02,PH1,pharmacy,75101,,strep_a,negative,N",
        ]
    )
    report = import_file("rapid_tests", _write(tmp_path, "t.csv", text), warehouse=tmp_path / "w")
    assert report.read == report.accepted + report.rejected == 7
    assert report.accepted == 2
    reasons = [r.reason for r in report.rejections]
    assert any("code commune inconnu" in r for r in reasons)
    assert any("commune ou département obligatoire" in r for r in reasons)
    assert any("ne correspond pas" in r for r in reasons)
    assert any("valeur inconnue « maybe »" in r for r in reasons)


def test_a_warehouse_from_before_the_communes_gains_them(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    for kind, text in (("population", POPULATION), ("products", PRODUCTS)):
        import_file(kind, _write(tmp_path, f"{kind}.csv", text), warehouse=warehouse)
    old = HEADER.rsplit(",", 2)[0]
    first = f"{old}\nD1,2024-03-01,RX1,P1,40,F,75,GP1,general_practice,AUG1G,1"
    import_file("dispensations", _write(tmp_path, "old.csv", first), warehouse=warehouse)
    with duckdb.connect(str(warehouse)) as con:  # as an earlier version left it
        con.execute("ALTER TABLE dispensations DROP COLUMN patient_commune")
        con.execute("ALTER TABLE dispensations DROP COLUMN prescriber_commune")
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        # Without the columns, the département figures are computed as before.
        row = compute("community.critical_share", session, Query()).table.to_pylist()[0]
        assert (row["numerator"], row["denominator"]) == (1, 1)
    second = f"{HEADER}\nD2,2024-03-02,RX2,P2,40,F,75,GP1,general_practice,AMX500,1,75101,"
    report = import_file("dispensations", _write(tmp_path, "new.csv", second), warehouse=warehouse)
    assert report.accepted == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "SELECT dispensation_id, patient_commune FROM dispensations ORDER BY 1"
        ).fetchall() == [("D1", None), ("D2", "75101")]
