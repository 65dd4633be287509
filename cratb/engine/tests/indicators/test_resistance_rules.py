"""Resistance by age band and sex, EUCAST expected resistant phenotypes, the optional
phenotype-based first-isolate rule, and « I » counted the same way in the antibiogram
and in targeted reporting — on a small data set whose numbers are computed by hand.

All sampled in 2024, département 75, urine unless said:

| isolate | patient | day | setting | organism | age | sex | lab | results |
|---|---|---|---|---|---|---|---|---|
| A01 | Q1 | 01-05 | community | E. coli | 25 | F | L1 | AMX S, CIP S, CTX S |
| A02 | Q2 | 02-05 | community | E. coli (lab ESBL Y) | 70 | F | L1 | AMX R, CIP R, CTX R |
| A03 | Q3 | 03-05 | nursing_home | E. coli | 88 | M | L1 | AMX R, CIP S, CTX R |
| A04 | Q4 | 04-05 | hospital | E. coli | 70 | M | L1 | AMX I, CIP S, CTX S |
| A05 | Q5 | 05-05 | community | K. pneumoniae | 30 | F | L2 | AMX **S**, CIP S |
| A06 | Q6 | 06-05 | hospital | K. pneumoniae | 80 | M | L1 | AMX R, CIP R |
| A07 | Q7 | 06-06 | hospital | P. aeruginosa (respiratory) | 60 | M | L1 | CTX **I**, CAZ S |
| B01 | Q8 | 01-10 | community | E. coli | 50 | F | L1 | AMX S, AMC S, CIP S, SXT S |
| B02 | Q8 | 02-10 | community | E. coli | 50 | F | L1 | AMX R, AMC R, CIP R, SXT S |
| B03 | Q8 | 03-10 | community | E. coli | 50 | F | L1 | AMX R, AMC R, CIP S, SXT S |
| B04 | Q8 | 04-10 | community | E. coli | 50 | F | L1 | AMX S, AMC S, CIP S, SXT R, CTX R |
| B05 | Q8 | 05-10 | community | E. coli | 50 | F | L1 | AMX R, AMC I, CIP R, SXT R |

Episode rule (the default): B01 opens Q8's episode; B02…B05 are inside it.
Phenotype rule (2 points; S↔R 1, I↔S/R 0.5, agents tested on both):
B02 vs B01: AMX, AMC, CIP = 3 > 2 → a first isolate; B03 vs B01 = 2 (not > 2);
B04 vs B01 = 1 (SXT; CTX untested on B01); B05 vs B01 = 1 + 0.5 + 1 + 1 = 3.5 but vs
B02 = 0.5 + 1 = 1.5 → not first (it must differ from *each* kept first isolate).
K. pneumoniae × amoxicillin and P. aeruginosa × cefotaxime are expected resistant
phenotypes (EUCAST v1.2, tables 1 and 2): A05's S and A07's I are contrary results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from cratb.engine.antibiogram import cumulative_antibiogram
from cratb.engine.antibiogram.contrary import contrary_results
from cratb.engine.antibiogram.contrary import to_csv as contrary_csv
from cratb.engine.antibiogram.export import to_csv
from cratb.engine.backends import open_session
from cratb.engine.indicators import IndicatorError
from cratb.engine.intermediate.resistance import pattern_distance, phenotype_firsts
from cratb.engine.reference import expected
from cratb.engine.tabular import FRENCH
from cratb.engine.tests.ast.test_default_rules import Case, one
from cratb.engine.tests.indicators.conftest import Compute, rows

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,"
    "antibiotic,sir,esbl,patient_age,patient_sex"
)
ISOLATES = [
    ("A01", "Q1", "01-05", "urine", "community", "E. coli", "", 25, "F", "L1",
     {"AMX": "S", "CIP": "S", "CTX": "S"}),
    ("A02", "Q2", "02-05", "urine", "community", "E. coli", "Y", 70, "F", "L1",
     {"AMX": "R", "CIP": "R", "CTX": "R"}),
    ("A03", "Q3", "03-05", "urine", "nursing_home", "E. coli", "", 88, "M", "L1",
     {"AMX": "R", "CIP": "S", "CTX": "R"}),
    ("A04", "Q4", "04-05", "urine", "hospital", "E. coli", "", 70, "M", "L1",
     {"AMX": "I", "CIP": "S", "CTX": "S"}),
    ("A05", "Q5", "05-05", "urine", "community", "K. pneumoniae", "", 30, "F", "L2",
     {"AMX": "S", "CIP": "S"}),
    ("A06", "Q6", "06-05", "urine", "hospital", "K. pneumoniae", "", 80, "M", "L1",
     {"AMX": "R", "CIP": "R"}),
    ("A07", "Q7", "06-06", "respiratory", "hospital", "Pseudomonas aeruginosa", "", 60, "M",
     "L1", {"CTX": "I", "CAZ": "S"}),
    ("B01", "Q8", "01-10", "urine", "community", "E. coli", "", 50, "F", "L1",
     {"AMX": "S", "AMC": "S", "CIP": "S", "SXT": "S"}),
    ("B02", "Q8", "02-10", "urine", "community", "E. coli", "", 50, "F", "L1",
     {"AMX": "R", "AMC": "R", "CIP": "R", "SXT": "S"}),
    ("B03", "Q8", "03-10", "urine", "community", "E. coli", "", 50, "F", "L1",
     {"AMX": "R", "AMC": "R", "CIP": "S", "SXT": "S"}),
    ("B04", "Q8", "04-10", "urine", "community", "E. coli", "", 50, "F", "L1",
     {"AMX": "S", "AMC": "S", "CIP": "S", "SXT": "R", "CTX": "R"}),
    ("B05", "Q8", "05-10", "urine", "community", "E. coli", "", 50, "F", "L1",
     {"AMX": "R", "AMC": "I", "CIP": "R", "SXT": "R"}),
]  # fmt: skip
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _csv() -> str:
    lines = [HEADER]
    for iso, patient, day, specimen, setting, organism, esbl, age, sex, lab, results in ISOLATES:
        for ab, sir in results.items():
            lines.append(
                f"{iso},{patient},2024-{day},{specimen},{setting},75,{lab},{organism},{ab},"
                f"{sir},{esbl},{age},{sex}"
            )
    return "\n".join(lines)


@pytest.fixture
def golden(load: Callable[[str, str], None]) -> None:
    load("isolates", _csv())


# --- age band and sex ---------------------------------------------------------------------


@pytest.mark.usefixtures("golden")
def test_pct_resistant_by_age_band_and_sex(compute_on: Compute) -> None:
    table = compute_on("resistance.pct_resistant", by=("age_band",))
    amx = [r for r in rows(table, "organism", "antibiotic", "age_band", "numerator", "denominator")
           if r[:2] == ("Escherichia coli", "AMX")]  # fmt: skip
    # First E. coli isolates: A01 S (25), B01 S (50) → 16-64: 0/2; A02 R, A04 I → 65-74:
    # 1/2; A03 R (88) → 85+: 1/1.
    assert sorted(r[2:] for r in amx) == [("16-64", 0, 2), ("65-74", 1, 2), ("85+", 1, 1)]
    table = compute_on("resistance.pct_resistant", by=("sex",))
    amx = [r for r in rows(table, "organism", "antibiotic", "sex", "numerator", "denominator")
           if r[:2] == ("Escherichia coli", "AMX")]  # fmt: skip
    # F: A01 S, A02 R, B01 S → 1/3; M: A03 R, A04 I → 1/2.
    assert sorted(r[2:] for r in amx) == [("F", 1, 3), ("M", 1, 2)]


@pytest.mark.usefixtures("golden")
def test_esbl_share_by_setting_and_age_band(compute_on: Compute) -> None:
    table = compute_on("resistance.esbl_share", by=("setting",))
    # community: A01 (CTX S) 0, A02 (lab Y) 1; B01 has no flag and no C3G: left out.
    # nursing home: A03 CTX R (proxy) → 1/1; hospital: A04 CTX S → 0/1.
    assert rows(table, "setting", "numerator", "denominator", "method") == [
        ("community", 1, 2, "mixed"),
        ("hospital", 0, 1, "proxy"),
        ("nursing_home", 1, 1, "proxy"),
    ]
    table = compute_on("resistance.esbl_share", by=("age_band", "sex"))
    assert rows(table, "age_band", "sex", "numerator", "denominator") == [
        ("16-64", "F", 0, 1),
        ("65-74", "F", 1, 1),
        ("65-74", "M", 0, 1),
        ("85+", "M", 1, 1),
    ]


@pytest.mark.usefixtures("golden")
def test_patients_without_age_or_sex_form_an_empty_group(
    load: Callable[[str, str], None], compute_on: Compute
) -> None:
    load(
        "isolates",
        "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,"
        "antibiotic,sir\nC01,Q9,2024-07-01,urine,community,75,L1,E. coli,AMX,R",
    )
    table = compute_on("resistance.first_isolates", by=("age_band",))
    assert (None, 1, 1) in rows(table, "age_band", "numerator", "denominator")


# --- EUCAST expected resistant phenotypes ---------------------------------------------------


def test_expected_resistance_table_is_versioned_and_names_known_codes() -> None:
    assert expected.EDITION.startswith("v1.2")
    assert "EUCAST Expected Resistant Phenotypes v1.2" in expected.SOURCE
    assert expected.is_expected_resistant("Klebsiella pneumoniae", "AMX")
    assert expected.is_expected_resistant("Pseudomonas aeruginosa", "AMX")
    assert expected.is_expected_resistant("Proteus mirabilis", "NIT")
    # Enterobacterales header: every species of the group, e.g. E. coli × vancomycin.
    assert expected.is_expected_resistant("Escherichia coli", "VAN")
    assert not expected.is_expected_resistant("Escherichia coli", "AMX")
    assert not expected.is_expected_resistant("Klebsiella pneumoniae", "AMC")
    assert not expected.is_expected_resistant("Pseudomonas aeruginosa", "CAZ")
    assert {r.eucast_table for r in expected.expected_rows()} == {1, 2, 3, 4}


@pytest.mark.usefixtures("golden")
def test_intrinsic_pairs_are_flagged_and_keep_the_contract_rate(compute_on: Compute) -> None:
    table = compute_on("resistance.pct_resistant")
    got = {
        r[:2]: r[2:]
        for r in rows(table, "organism", "antibiotic", "numerator", "denominator",
                      "susceptible", "intrinsic", "value", "ci_low")
    }  # fmt: skip
    # K. pneumoniae × AMX: A05 S, A06 R, as the labs sent them; the contract's value
    # (R ÷ tested) is kept for callers of the indicator, the flag tells pages to show RN.
    assert got[("Klebsiella pneumoniae", "AMX")][:4] == (1, 2, 1, True)
    assert got[("Klebsiella pneumoniae", "AMX")][4] == pytest.approx(50.0)
    assert got[("Pseudomonas aeruginosa", "CTX")][:5] == (0, 1, 0, True, 0.0)
    assert got[("Pseudomonas aeruginosa", "CAZ")][3:5] == (False, 0.0)
    assert got[("Klebsiella pneumoniae", "CIP")][3:5] == (False, 50.0)


@pytest.mark.usefixtures("golden")
def test_antibiogram_shows_intrinsic_cells_as_rn_never_as_a_rate(warehouse: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        ab = cumulative_antibiogram(
            session, setting="hospital", date_from=YEAR[0], date_to=YEAR[1], min_isolates=1
        )
    cell = ab.cell("Klebsiella pneumoniae", "AMX")
    assert cell is not None and cell.intrinsic and cell.contrary == 0
    assert cell.ci != cell.ci  # NaN: no interval for an intrinsic cell
    lines = to_csv(ab).decode().splitlines()
    assert (
        "hospital,,2024-01-01,2024-12-31,Klebsiella pneumoniae,1,AMX,amoxicilline,1,0,0,1,,,"
        "false,,,,true,episode" in lines
    )
    assert any(line.startswith("RN : résistance naturelle") for line in ab.method)


@pytest.mark.usefixtures("golden")
def test_contrary_results_are_listed_for_each_lab(warehouse: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        report = contrary_results(session, date_from=YEAR[0], date_to=YEAR[1])
        only_l2 = contrary_results(session, date_from=YEAR[0], date_to=YEAR[1], lab_id="L2")
    assert [(r.lab_id, r.isolate_id, r.organism, r.antibiotic, r.sir) for r in report.results] == [
        ("L1", "A07", "Pseudomonas aeruginosa", "CTX", "I"),
        ("L2", "A05", "Klebsiella pneumoniae", "AMX", "S"),
    ]
    # L1 sent two results for expected resistant pairs (A06 AMX R, A07 CTX I), L2 one.
    assert report.labs == [("L1", 1, 2), ("L2", 1, 1)]
    assert report.summary[0][3:] in ((0, 1, 1), (1, 0, 1))
    assert [r.isolate_id for r in only_l2.results] == ["A05"]
    text = contrary_csv(only_l2, dialect=FRENCH).decode("utf-8")
    assert text.startswith("\ufefflab_id;isolate_id;sampled_on;")
    assert "L2;A05;2024-05-05;community;urine;Klebsiella pneumoniae;AMX;S;R;" in text


# --- phenotype-based first isolates -------------------------------------------------------


def test_pattern_distance_counts_points_on_agents_tested_on_both() -> None:
    assert pattern_distance({"AMX": "S", "CIP": "R"}, {"AMX": "R", "CIP": "R"}) == 1.0
    assert pattern_distance({"AMX": "S", "AMC": "I"}, {"AMX": "I", "AMC": "R"}) == 1.0
    assert pattern_distance({"AMX": "S"}, {"CTX": "R"}) == 0.0


def test_phenotype_firsts_by_hand() -> None:
    heads = [
        {"isolate_id": f"B0{k}", "patient_id": "Q8", "organism": "E", "day": 10 * k}
        for k in range(1, 6)
    ]
    results = [
        {"isolate_id": iso, "antibiotic": ab, "sir": sir}
        for iso, *_, pattern in ISOLATES
        if iso.startswith("B")
        for ab, sir in pattern.items()
    ]
    assert phenotype_firsts(heads, results, episode_days=365, points=2.0) == {"B02"}
    # 20-day episodes (days 10…50): B01, B03 (day 30) and B05 (day 50) open episodes by
    # the episode rule (not « rescued »); B02 differs from B01 by 3 points, B04 from B03
    # by AMX, AMC, SXT = 3 points: both are phenotype first isolates.
    assert phenotype_firsts(heads, results, episode_days=20, points=2.0) == {"B02", "B04"}
    # A threshold of 3 keeps neither (3 is not more than 3).
    assert phenotype_firsts(heads, results, episode_days=20, points=3.0) == set()


@pytest.mark.usefixtures("golden")
def test_phenotype_rule_is_optional_and_the_episode_rule_the_default(
    compute_on: Compute,
) -> None:
    by = ("organism",)
    default = compute_on("resistance.first_isolates", by=by)
    phenotype = compute_on("resistance.first_isolates", by=by, phenotype_points=2.0)
    # E. coli: 9 isolates; episode rule: A01–A04 and B01; phenotype rule: and B02.
    assert rows(default, "organism", "numerator", "denominator")[0] == ("Escherichia coli", 5, 9)
    assert rows(phenotype, "organism", "numerator", "denominator")[0] == (
        "Escherichia coli", 6, 9,
    )  # fmt: skip
    with pytest.raises(IndicatorError, match="phenotype_points"):
        compute_on("resistance.first_isolates", phenotype_points=-1.0)


@pytest.mark.usefixtures("golden")
def test_antibiogram_prints_its_first_isolate_rule(warehouse: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        episode = cumulative_antibiogram(
            session, setting="community", date_from=YEAR[0], date_to=YEAR[1]
        )
        phenotype = cumulative_antibiogram(
            session, setting="community", date_from=YEAR[0], date_to=YEAR[1],
            first_isolate="phenotype",
        )  # fmt: skip
    assert episode.first_isolates["Escherichia coli"] == 3  # A01, A02, B01
    assert phenotype.first_isolates["Escherichia coli"] == 4  # and B02
    assert "règle de l'épisode" in episode.method[0] and "phénotypique" not in episode.method[0]
    assert "variante phénotypique" in phenotype.method[0]
    assert to_csv(phenotype).decode().splitlines()[1].endswith(",phenotype")


# --- « I »: the same in the antibiogram and in targeted reporting -------------------------


@pytest.mark.usefixtures("golden")
def test_i_is_susceptible_in_the_antibiogram_as_in_targeted_reporting(warehouse: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        ab = cumulative_antibiogram(
            session, setting="hospital", date_from=YEAR[0], date_to=YEAR[1], min_isolates=1
        )
    cell = ab.cell("Escherichia coli", "AMX")  # A04: AMX I
    assert cell is not None
    assert (cell.susceptible, cell.intermediate, cell.pct_susceptible) == (0, 1, 100.0)
    assert cell.pct_susceptible_increased == 100.0
    # The targeted report treats the same I as a susceptible agent: the cascade stops.
    report = one(Case({"FOS": "I", "MEC": "R", "AMX": "S"}))
    assert report.shown == {"FOS", "MEC"}


# --- the community / nursing-home / hospital comparison ----------------------------------


@pytest.mark.usefixtures("golden")
def test_setting_comparison_with_national_references(warehouse: Path) -> None:
    from cratb.engine.antibiogram.comparison import setting_comparison

    with open_session(warehouse=warehouse) as session:
        c = setting_comparison(session, date_from=YEAR[0], date_to=YEAR[1], specimen="urine")
    esbl = {s: (v.numerator, v.denominator, v.method) for s, v in c.esbl.items()}
    assert esbl == {
        "community": (1, 2, "mixed"),
        "nursing_home": (1, 1, "proxy"),
        "hospital": (0, 1, "proxy"),
    }
    amx = {s: (v.numerator, v.denominator) for s, v in c.resistance["AMX"].items()}
    # Urinary first E. coli: community A01 S, A02 R, B01 S; nursing home A03 R;
    # hospital A04 I (not resistant).
    assert amx == {"community": (1, 3), "nursing_home": (1, 1), "hospital": (0, 1)}
    assert c.agents[:3] == ["AMX", "AMC", "CTX"]
    # PRIMO 2019 (the latest of 2024 or before), community urine only.
    esbl_ref = c.reference(None, "community")
    assert esbl_ref is not None and (esbl_ref.year, esbl_ref.value) == (2019, 3.0)
    ctx_ref = c.reference("CTX", "community")
    assert ctx_ref is not None and ctx_ref.value == 3.4
    cip_ref = c.reference("CIP", "community")
    assert cip_ref is not None and cip_ref.value == 11.4
    assert c.reference("CTX", "hospital") is None
    assert c.reference("AMX", "community") is None


# --- the documented rules: ties, blank isolates, the 30-isolate rule ---------------------


def _import(tmp_path: Path, warehouse: Path, lines: list[str]) -> int:
    from cratb.engine.sources import import_file

    path = tmp_path / f"extra-{len(list(tmp_path.iterdir()))}.csv"
    header = "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,"
    path.write_text(header + "antibiotic,sir\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return import_file("isolates", path, warehouse=warehouse).rejected


def test_same_day_ties_go_to_the_smaller_isolate_id_in_text_order(
    tmp_path: Path, warehouse: Path, compute_on: Compute
) -> None:
    # « I10 » comes before « I9 » in text order (1 < 9), whatever the numbers say.
    rows_ = [
        "I9,P1,2024-03-01,urine,community,75,L1,E. coli,AMX,S",
        "I10,P1,2024-03-01,urine,community,75,L1,E. coli,AMX,R",
    ]
    assert _import(tmp_path, warehouse, rows_) == 0
    table = compute_on("resistance.pct_resistant")
    assert rows(table, "organism", "antibiotic", "numerator", "denominator") == [
        ("Escherichia coli", "AMX", 1, 1)  # I10's R, not I9's S
    ]


def test_an_isolate_with_only_blank_results_is_rejected_and_the_next_one_is_first(
    tmp_path: Path, warehouse: Path, compute_on: Compute
) -> None:
    rows_ = [
        "B1,P1,2024-01-01,urine,community,75,L1,E. coli,AMX,",
        "B1,P1,2024-01-01,urine,community,75,L1,E. coli,CIP,",
        "B2,P1,2024-02-01,urine,community,75,L1,E. coli,AMX,R",
    ]
    assert _import(tmp_path, warehouse, rows_) == 2  # B1's two blank results
    table = compute_on("resistance.first_isolates")
    assert rows(table, "numerator", "denominator") == [(1, 1)]  # B2 opens the episode
    table = compute_on("resistance.pct_resistant")
    assert rows(table, "antibiotic", "numerator", "denominator") == [("AMX", 1, 1)]


def test_the_30_isolate_rule_counts_isolates_tested_for_that_agent(
    tmp_path: Path, warehouse: Path
) -> None:
    # 30 first E. coli isolates, all tested for AMX, 29 for CIP.
    rows_ = [f"T{i:02},P{i},2024-05-01,urine,community,75,L1,E. coli,AMX,S" for i in range(30)]
    rows_ += [f"T{i:02},P{i},2024-05-01,urine,community,75,L1,E. coli,CIP,S" for i in range(29)]
    assert _import(tmp_path, warehouse, rows_) == 0
    with open_session(warehouse=warehouse) as session:
        ab = cumulative_antibiogram(
            session, setting="community", date_from=YEAR[0], date_to=YEAR[1]
        )
    amx, cip = ab.cell("Escherichia coli", "AMX"), ab.cell("Escherichia coli", "CIP")
    assert amx is not None and (amx.tested, amx.low_count) == (30, False)
    assert cip is not None and (cip.tested, cip.low_count) == (29, True)
