"""Every rule of the default set, on isolates whose expected reports are written by hand.

Each case is one urine isolate of E. coli (unless said) with its clinical situation, the
patient and the results; the expectation is the set of agents shown to the prescriber,
the mode and what the comment must say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pytest

from cratb.engine.ast.batch import target_table
from cratb.engine.ast.rules import load_rules

RULES_LABEL = "Règles : cratb-derive v1 (dérivation à valider)."


@dataclass
class Case:
    results: dict[str, str]
    context: str = "simple_cystitis"
    sex: str = "F"
    age: str = "30"
    pregnant: str = ""
    esbl: str = ""
    organism: str = "Escherichia coli"
    specimen: str = "urine"


@dataclass
class Report:
    shown: set[str]
    mode: str
    situation: str | None
    comment: str
    withheld: int = field(default=0)


def run(*cases: Case) -> list[Report]:
    rows: dict[str, list[str]] = {
        k: []
        for k in (
            "isolate_id", "patient_id", "sampled_on", "specimen", "setting", "departement",
            "lab_id", "organism", "antibiotic", "sir", "esbl", "patient_age", "patient_sex",
            "clinical_context", "pregnant",
        )
    }  # fmt: skip
    for number, case in enumerate(cases, start=1):
        for ab, sir in case.results.items():
            values = {
                "isolate_id": f"I{number}", "patient_id": f"P{number}",
                "sampled_on": "2025-05-02", "specimen": case.specimen, "setting": "community",
                "departement": "75", "lab_id": "L1", "organism": case.organism,
                "antibiotic": ab, "sir": sir, "esbl": case.esbl, "patient_age": case.age,
                "patient_sex": case.sex, "clinical_context": case.context,
                "pregnant": case.pregnant,
            }  # fmt: skip
            for k, v in values.items():
                rows[k].append(v)
    result = target_table(pa.table(rows), rules=load_rules())
    out = result.table.to_pylist()
    isolates = result.isolates.to_pylist()
    reports = []
    for number, isolate in enumerate(isolates, start=1):
        mine = [r for r in out if r["isolate_id"] == f"I{number}"]
        reports.append(
            Report(
                shown={r["antibiotic"] for r in mine if r["reported"] == "Y"},
                mode=isolate["mode"],
                situation=isolate["situation"],
                comment=mine[0]["report_comment"],
                withheld=isolate["withheld"],
            )
        )
        assert {r["report_comment"] for r in mine} == {mine[0]["report_comment"]}
    return reports


def one(case: Case) -> Report:
    return run(case)[0]


# --- simple cystitis: fosfomycin, pivmecillinam (HAS) -----------------------------------


def test_simple_cystitis_shows_fosfomycin_and_mecillinam_only() -> None:
    report = one(Case({"FOS": "S", "MEC": "S", "AMX": "S", "CIP": "S", "SXT": "R"}))
    assert report.shown == {"FOS", "MEC"}
    assert (report.mode, report.situation, report.withheld) == ("targeted", "simple_cystitis", 3)
    assert report.comment == (
        "Antibiogramme ciblé (cystite aiguë simple) : 3 antibiotiques testés non rendus :"
        " amoxicilline, ciprofloxacine, cotrimoxazole. Antibiogramme complet disponible sur"
        f" demande auprès du laboratoire. {RULES_LABEL}"
    )


def test_a_resistant_first_line_agent_is_shown_beside_a_susceptible_one() -> None:
    report = one(Case({"FOS": "R", "MEC": "S", "AMX": "S"}))
    assert report.shown == {"FOS", "MEC"}


def test_i_counts_as_susceptible() -> None:
    # EUCAST I: susceptible at increased exposure: the cascade stops at the first tier.
    report = one(Case({"FOS": "I", "MEC": "R", "AMX": "S"}))
    assert report.shown == {"FOS", "MEC"}


def test_simple_cystitis_cascades_to_the_complicated_cystitis_tiers() -> None:
    report = one(Case({"FOS": "R", "MEC": "R", "AMX": "S", "NIT": "R", "CIP": "S"}))
    assert report.shown == {"FOS", "MEC", "AMX", "NIT"}
    assert report.mode == "targeted"
    assert (
        "Les agents recommandés en première intention sont résistants : rendu étendu aux"
        " recommandations de la situation « cystite à risque de complication »."
    ) in report.comment
    assert "1 antibiotique testé non rendu : ciprofloxacine." in report.comment


def test_after_75_a_simple_cystitis_is_at_risk_of_complication() -> None:
    report = one(Case({"AMX": "S", "FOS": "S", "CIP": "S"}, age="76"))
    assert (report.situation, report.shown) == ("complicated_cystitis", {"AMX"})
    assert one(Case({"AMX": "S", "FOS": "S"}, age="75")).situation == "simple_cystitis"


# --- cystitis at risk of complication (SPILF 2018) --------------------------------------


def test_complicated_cystitis_first_tier() -> None:
    report = one(
        Case({"AMX": "R", "MEC": "S", "NIT": "S", "AMC": "S", "FOS": "S"}, "complicated_cystitis")
    )
    assert report.shown == {"AMX", "MEC", "NIT"}


def test_complicated_cystitis_second_tier_when_the_first_is_resistant() -> None:
    report = one(
        Case(
            {"AMX": "R", "MEC": "R", "NIT": "R", "AMC": "S", "CIP": "S", "FOS": "S"},
            "complicated_cystitis",
        )
    )
    assert report.shown == {"AMX", "MEC", "NIT", "AMC", "CIP"}
    assert "fosfomycine" in report.comment


def test_an_untested_tier_is_passed_over() -> None:
    # Only amoxicillin of tier 1 was tested, and it is resistant: tier 2 is shown.
    report = one(Case({"AMX": "R", "CIP": "S", "FOS": "S"}, "complicated_cystitis"))
    assert report.shown == {"AMX", "CIP"}


def test_complicated_cystitis_third_tier_fosfomycin() -> None:
    results = dict.fromkeys(("AMX", "MEC", "NIT", "AMC", "CFM", "OFX", "CIP", "SXT"), "R")
    report = one(Case({**results, "FOS": "S", "ETP": "S"}, "complicated_cystitis"))
    assert report.shown == {*results, "FOS"}
    assert "ertapénem" in report.comment


def test_complicated_cystitis_goes_on_to_the_pyelonephritis_tiers() -> None:
    results = dict.fromkeys(("AMX", "MEC", "NIT", "AMC", "CFM", "OFX", "CIP", "SXT", "FOS"), "R")
    report = one(Case({**results, "CTX": "S", "ETP": "S"}, "complicated_cystitis"))
    assert report.shown == {*results, "CTX"}
    assert "« pyélonéphrite aiguë »" in report.comment


# --- never resistant agents only --------------------------------------------------------


def test_no_susceptible_recommended_agent_gives_the_full_result() -> None:
    results = {"FOS": "R", "MEC": "R", "AMX": "R", "CIP": "R", "GEN": "S", "ETP": "S"}
    report = one(Case(results))
    assert report.shown == set(results)
    assert report.mode == "full_no_susceptible"
    assert report.comment == (
        "Aucun antibiotique recommandé (cystite aiguë simple) n'est sensible : antibiogramme"
        f" complet rendu. {RULES_LABEL}"
    )


# --- pyelonephritis ---------------------------------------------------------------------


def test_pyelonephritis_amoxicillin_first() -> None:
    report = one(Case({"AMX": "S", "AMC": "S", "CIP": "S", "CTX": "S"}, "pyelonephritis"))
    assert report.shown == {"AMX"}


def test_pyelonephritis_second_tier_and_the_esbl_note() -> None:
    report = one(
        Case(
            {"AMX": "R", "AMC": "R", "CTX": "R", "CIP": "S", "ETP": "S", "FOS": "S"},
            "pyelonephritis",
            esbl="Y",
        )
    )
    assert report.shown == {"AMX", "AMC", "CTX", "CIP"}
    assert "BLSE : avis spécialisé recommandé (infectiologue référent ou CRAtb)." in report.comment


# --- men -----------------------------------------------------------------------------------


def test_a_mans_urinary_infection_follows_the_male_rules() -> None:
    report = one(
        Case({"OFX": "S", "CIP": "S", "SXT": "R", "CTX": "S", "AMX": "S"}, sex="M", age="40")
    )
    assert (report.situation, report.shown) == ("male_uti", {"OFX", "CIP", "SXT"})


def test_male_rules_second_tier() -> None:
    report = one(
        Case(
            {"OFX": "R", "CIP": "R", "LVX": "R", "SXT": "R", "CRO": "S", "AMX": "S"},
            "male_uti",
            sex="M",
            age="70",
        )
    )
    assert report.shown == {"OFX", "CIP", "LVX", "SXT", "CRO"}


# --- pregnancy ------------------------------------------------------------------------------


def test_a_pregnant_womans_cystitis_follows_the_pregnancy_rules() -> None:
    report = one(Case({"AMX": "R", "MEC": "S", "FOS": "S", "NIT": "S"}, pregnant="Y", age="28"))
    assert (report.situation, report.shown) == ("pregnancy", {"AMX", "MEC", "FOS"})


def test_pregnancy_context_and_the_last_tiers() -> None:
    resistant = dict.fromkeys(("AMX", "MEC", "FOS", "TMP", "NIT", "SXT", "AMC"), "R")
    report = one(Case({**resistant, "CFM": "S", "CIP": "S", "ETP": "S"}, "pregnancy"))
    assert report.shown == {*resistant, "CFM", "CIP"}


def test_pregnancy_tier_three_trimethoprim() -> None:
    report = one(Case({"AMX": "R", "MEC": "R", "FOS": "R", "TMP": "S", "NIT": "S"}, "pregnancy"))
    assert report.shown == {"AMX", "MEC", "FOS", "TMP"}


def test_a_pregnant_womans_pyelonephritis_follows_the_pyelonephritis_rules() -> None:
    report = one(Case({"AMX": "S", "FOS": "S"}, "pyelonephritis", pregnant="Y"))
    assert report.situation == "pyelonephritis"


def test_pregnancy_without_a_situation_follows_the_pregnancy_rules() -> None:
    assert one(Case({"AMX": "S"}, "unknown", pregnant="Y")).situation == "pregnancy"


# --- full result: unknown situation, out of scope ----------------------------------------


def test_an_unknown_situation_gets_the_full_result() -> None:
    for context in ("unknown", ""):
        report = one(Case({"FOS": "S", "AMX": "S"}, context))
        assert report.shown == {"FOS", "AMX"}
        assert report.mode == "full_unknown_situation"
        assert report.comment == "Situation clinique non renseignée : antibiogramme complet rendu."


@pytest.mark.parametrize(
    ("case", "why"),
    [
        (Case({"FOS": "S", "AMX": "S"}, sex="F", age="11"), "fille de moins de 12 ans"),
        (Case({"FOS": "S", "AMX": "S"}, sex="M", age="15"), "garçon de moins de 16 ans"),
        (Case({"FOS": "S", "AMX": "S"}, specimen="blood"), "prélèvement autre qu'urinaire"),
        (
            Case({"FOS": "S", "AMX": "S"}, organism="Staphylococcus aureus"),
            "germe autre qu'une entérobactérie",
        ),
        (Case({"FOS": "S", "AMX": "S"}, age=""), "âge ou sexe du patient non renseigné"),
        (Case({"FOS": "S", "AMX": "S"}, sex=""), "âge ou sexe du patient non renseigné"),
    ],
)
def test_out_of_scope_patients_get_the_full_result(case: Case, why: str) -> None:
    report = one(case)
    assert report.shown == {"FOS", "AMX"}
    assert report.mode == "full_out_of_scope"
    assert report.comment == (
        f"Hors du champ de l'antibiogramme ciblé ({why}) : antibiogramme complet rendu."
    )


def test_the_age_limits_are_inclusive() -> None:
    girl, boy = run(
        Case({"FOS": "S", "AMX": "S"}, age="12"),
        Case({"OFX": "S", "AMX": "S"}, sex="M", age="16"),
    )
    assert (girl.mode, girl.shown) == ("targeted", {"FOS"})
    assert (boy.mode, boy.shown) == ("targeted", {"OFX"})


def test_an_unreadable_row_gives_its_isolate_the_full_result() -> None:
    report, other = run(Case({"FOS": "S", "AMX": "X"}), Case({"FOS": "S", "AMX": "S"}))
    assert report.shown == {"FOS", "AMX"}
    assert report.mode == "full_invalid"
    assert report.comment == (
        "Données illisibles (ligne 2, sir : valeur inconnue « X » ; valeurs admises : S, I, R) :"
        " antibiogramme complet rendu."
    )
    assert (other.mode, other.shown) == ("targeted", {"FOS"})
