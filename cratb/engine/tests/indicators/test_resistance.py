"""Resistance indicators on a small data set whose numbers are computed by hand.

Patients and isolates (E. coli unless said; episode_days = 365):

| isolate | patient | sampled | first? | why |
|---|---|---|---|---|
| I01 | P1 | 2024-01-10 | yes | opens P1's first episode |
| I02 | P1 | 2024-06-01 | no  | inside the episode |
| I03 | P1 | 2025-01-09 | yes | 365 days after 2024-01-10 (leap year): a new episode |
| I04 | P1 | 2026-01-08 | no  | 364 days after 2025-01-09, one day short |
| I05 | P2 | 2024-03-01 | yes | same-day tie with I06: the smaller isolate_id wins |
| I06 | P2 | 2024-03-01 | no  | |
| I07 | P2 | 2024-03-01 | yes | S. aureus: another species, its own episode |
| I08 | P3 | 2024-02-01 | yes | |
| I09 | P3 | 2024-02-05 | yes | K. pneumoniae |
| I10 | P4 | 2024-01-01 | yes | |
| I11 | P4 | 2024-12-01 | no  | |
| I12 | P4 | 2025-01-01 | yes | 366 days after the episode start (not after I11) |
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cratb.engine import stats
from cratb.engine.indicators import IndicatorError
from cratb.engine.tests.indicators.conftest import Compute, rows

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,"
    "sir,esbl"
)
# isolate, patient, day, setting, organism, lab ESBL flag, {antibiotic: S/I/R}
ISOLATES = [
    ("I01", "P1", "2024-01-10", "hospital", "E. coli", "Y", {"AMX": "R", "CTX": "R"}),
    ("I02", "P1", "2024-06-01", "hospital", "E. coli", "Y", {"AMX": "R", "CTX": "R"}),
    ("I03", "P1", "2025-01-09", "hospital", "E. coli", "N", {"AMX": "I", "CTX": "R"}),
    ("I04", "P1", "2026-01-08", "hospital", "E. coli", "", {"AMX": "R"}),
    ("I05", "P2", "2024-03-01", "community", "E. coli", "", {"AMX": "S", "CTX": "R"}),
    ("I06", "P2", "2024-03-01", "community", "E. coli", "", {"AMX": "R", "CTX": "R"}),
    ("I07", "P2", "2024-03-01", "community", "S. aureus", "", {"FOX": "R"}),
    ("I08", "P3", "2024-02-01", "community", "E. coli", "", {"AMX": "R", "CRO": "S", "CAZ": "S"}),
    ("I09", "P3", "2024-02-05", "community", "K. pneumoniae", "", {"AMX": "R"}),
    ("I10", "P4", "2024-01-01", "community", "E. coli", "", {"AMX": "S"}),
    ("I11", "P4", "2024-12-01", "community", "E. coli", "", {"AMX": "R"}),
    ("I12", "P4", "2025-01-01", "community", "E. coli", "", {"AMX": "R", "CAZ": "R"}),
]


def _csv() -> str:
    lines = [HEADER]
    for iso, patient, day, setting, organism, esbl, results in ISOLATES:
        for ab, sir in results.items():
            lines.append(
                f"{iso},{patient},{day},urine,{setting},75,L1,{organism},{ab},{sir},{esbl}"
            )
    return "\n".join(lines)


@pytest.fixture
def golden(load: Callable[[str, str], None]) -> None:
    load("isolates", _csv())


def _wilson(k: int, n: int) -> tuple[float, float]:
    interval = stats.wilson(k, n)
    assert interval is not None
    return round(interval[0] * 100, 9), round(interval[1] * 100, 9)


@pytest.mark.usefixtures("golden")
def test_first_isolates_by_organism(compute_on: Compute) -> None:
    table = compute_on("resistance.first_isolates", by=("organism",))
    assert rows(table, "organism", "numerator", "denominator", "low_count") == [
        ("Escherichia coli", 6, 10, True),  # I01 I03 I05 I08 I10 I12 of ten
        ("Klebsiella pneumoniae", 1, 1, True),
        ("Staphylococcus aureus", 1, 1, True),
    ]
    whole = compute_on("resistance.first_isolates")
    assert rows(whole, "numerator", "denominator", "value") == [(8, 12, round(800 / 12, 9))]
    assert rows(whole, "ci_low", "ci_high") == [_wilson(8, 12)]


@pytest.mark.usefixtures("golden")
def test_first_isolates_by_year_and_episode_length(compute_on: Compute) -> None:
    by_year = compute_on("resistance.first_isolates", by=("year",))
    # 2024: I01 I05 I07 I08 I09 I10 of nine; 2025: I03 I12 of two; 2026: I04 is not.
    assert rows(by_year, "year", "numerator", "denominator") == [
        (2024, 6, 9),
        (2025, 2, 2),
        (2026, 0, 1),
    ]
    # With 30-day episodes (26 rounds at most over the period: computed round by round),
    # every isolate but the same-day twin I06 opens an episode.
    short = compute_on("resistance.first_isolates", episode_days=30)
    assert rows(short, "numerator", "denominator") == [(11, 12)]
    # With 400-day episodes, I03 (365 days) and I12 (366 days) are no longer first
    # isolates; I04 (729 days after I01) is: I01 I04 I05 I08 I10.
    long = compute_on("resistance.first_isolates", by=("organism",), episode_days=400)
    assert rows(long, "organism", "numerator")[0] == ("Escherichia coli", 5)


@pytest.mark.usefixtures("golden")
def test_pct_resistant_counts_i_in_the_denominator_only(compute_on: Compute) -> None:
    table = compute_on("resistance.pct_resistant", min_isolates=6)
    amx = [r for r in table.to_pylist() if (r["organism"], r["antibiotic"]) == (
        "Escherichia coli", "AMX")]  # fmt: skip
    # First E. coli isolates tested for AMX: I01 R, I03 I, I05 S, I08 R, I10 S, I12 R.
    assert [(r["numerator"], r["denominator"], r["susceptible"], r["low_count"]) for r in amx] == [
        (3, 6, 2, False)
    ]
    assert round(amx[0]["value"], 9) == 50.0
    assert (round(amx[0]["ci_low"], 9), round(amx[0]["ci_high"], 9)) == _wilson(3, 6)
    assert rows(table, "organism", "antibiotic", "numerator", "denominator", "low_count") == [
        ("Escherichia coli", "AMX", 3, 6, False),
        ("Escherichia coli", "CAZ", 1, 2, True),  # I08 S, I12 R
        ("Escherichia coli", "CRO", 0, 1, True),  # I08 S
        ("Escherichia coli", "CTX", 3, 3, True),  # I01, I03, I05 (I02, I06 are not first)
        ("Klebsiella pneumoniae", "AMX", 1, 1, True),
        ("Staphylococcus aureus", "FOX", 1, 1, True),
    ]


@pytest.mark.usefixtures("golden")
def test_pct_resistant_by_setting_and_year(compute_on: Compute) -> None:
    table = compute_on("resistance.pct_resistant", by=("setting", "year"))
    amx = [
        (r["setting"], r["year"], r["numerator"], r["denominator"])
        for r in table.to_pylist()
        if r["antibiotic"] == "AMX" and r["organism"] == "Escherichia coli"
    ]
    assert amx == [
        ("community", 2024, 1, 3),  # I05 S, I08 R, I10 S
        ("community", 2025, 1, 1),  # I12 R
        ("hospital", 2024, 1, 1),  # I01 R
        ("hospital", 2025, 0, 1),  # I03 I
    ]


@pytest.mark.usefixtures("golden")
def test_esbl_share_lab_flag_else_the_cephalosporin_proxy(compute_on: Compute) -> None:
    # First E. coli isolates: I01 lab Y, I03 lab N, I05 CTX R (proxy Y), I08 CRO/CAZ S
    # (proxy N), I12 CAZ R (proxy Y); I10 has neither flag nor C3G: not classifiable.
    whole = compute_on("resistance.esbl_share")
    assert rows(whole, "numerator", "denominator", "method", "lab_flagged", "proxy") == [
        (3, 5, "mixed", 2, 3)
    ]
    by_setting = compute_on("resistance.esbl_share", by=("setting",), min_isolates=3)
    assert rows(by_setting, "setting", "numerator", "denominator", "method", "low_count") == [
        ("community", 2, 3, "proxy", False),
        ("hospital", 1, 2, "lab", True),
    ]


@pytest.mark.usefixtures("golden")
def test_region_month_and_lab_groupings(compute_on: Compute) -> None:
    table = compute_on("resistance.first_isolates", by=("region", "lab_id", "month"))
    assert rows(table, "region", "lab_id", "month", "numerator", "denominator")[:3] == [
        ("11", "L1", "2024-01", 2, 2),  # I10, I01
        ("11", "L1", "2024-02", 2, 2),  # I08, I09
        ("11", "L1", "2024-03", 2, 3),  # I05, I07 (I06 is not)
    ]


@pytest.mark.usefixtures("golden")
def test_bad_requests_are_refused(compute_on: Compute) -> None:
    with pytest.raises(IndicatorError, match="episode_days"):
        compute_on("resistance.first_isolates", episode_days=0)
    with pytest.raises(IndicatorError, match="non admise"):
        compute_on("resistance.esbl_share", by=("antibiotic",))


def test_targeted_reporting_share_per_lab_and_month(
    load: Callable[[str, str], None], compute_on: Compute, warehouse: object
) -> None:
    from pathlib import Path

    import duckdb

    load(
        "isolates",
        """
        isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir
        U1,P1,2025-05-02,urine,community,75,L1,E. coli,AMX,S
        U1,P1,2025-05-02,urine,community,75,L1,E. coli,FOS,S
        U2,P2,2025-05-03,urine,community,75,L1,K. pneumoniae,FOS,S
        U3,P3,2025-05-04,urine,community,75,L1,E. coli,AMX,R
        U4,P4,2025-05-05,urine,community,75,L1,S. aureus,FOX,S
        U5,P5,2025-05-06,blood,community,75,L1,E. coli,AMX,S
        U6,P6,2025-06-01,urine,community,75,L1,E. coli,AMX,S
        U7,P7,2025-05-02,urine,community,75,L2,E. coli,AMX,S
        """,
    )
    con = duckdb.connect(str(Path(str(warehouse))))
    con.execute("CREATE TABLE targeted_reports (lab_id VARCHAR, isolate_id VARCHAR, mode VARCHAR)")
    con.execute(
        "INSERT INTO targeted_reports VALUES ('L1', 'U1', 'targeted'), ('L1', 'U1', 'targeted'),"
        " ('L1', 'U3', 'full_out_of_scope'), ('L1', 'U2', 'targeted'), ('L2', 'U6', 'targeted')"
    )
    con.close()
    table = compute_on("resistance.targeted_reporting", by=("lab_id", "month"))
    # L1 in May: U1, U2, U3 are urine Enterobacterales (U4 is S. aureus, U5 blood);
    # U1 and U2 were reported with targeted reporting (U1 twice counts once).
    assert rows(table, "lab_id", "month", "numerator", "denominator") == [
        ("L1", "2025-05", 2, 3),
        ("L1", "2025-06", 0, 1),  # L2's log line for U6 is not L1's
        ("L2", "2025-05", 0, 1),
    ]
