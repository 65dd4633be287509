"""Each kind of CONTRACTS.md section 1: good rows stored typed, bad rows with their reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cratb.engine.sources import ImportReport, Rejection, import_file
from cratb.engine.tests.sources.conftest import Query, WriteFile

DISPENSATIONS_HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,setting"
)


def _import(kind: str, path: Path, warehouse: Path) -> ImportReport:
    return import_file(kind, path, warehouse=warehouse)


def test_dispensations_good_rows_are_stored_typed(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-01-03,P1,PAT1,34,F,75,R1,general_practice,3400930000001,2,community
        D2,2025-02-28,P1,PAT1,34,f,2a,R1,dentistry,3400930000002,-1,
        D3,2025-12-31,P2,PAT2,0,M,971,R2,midwifery,3400930000001,1,nursing_home
        """,
    )
    report = _import("dispensations", path, warehouse)
    assert (report.read, report.accepted, report.rejected) == (3, 3, 0)
    assert query(
        "SELECT dispensation_id, dispensed_on, patient_age, patient_sex, patient_departement,"
        " boxes, setting, import_id FROM dispensations ORDER BY dispensation_id"
    ) == [
        ("D1", dt.date(2025, 1, 3), 34, "F", "75", 2, "community", 1),
        # Case is normalised, the missing setting defaults to community, returns are kept.
        ("D2", dt.date(2025, 2, 28), 34, "F", "2A", -1, "community", 1),
        ("D3", dt.date(2025, 12, 31), 0, "M", "971", 1, "nursing_home", 1),
    ]


def test_dispensations_bad_rows_give_every_reason(write_csv: WriteFile, warehouse: Path) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-1-3,P1,PAT1,121,X,99,R1,gp,3400930000001,1.5,hospital
        D2,2025-02-30,,PAT1,-1,F,75,R1,general_practice,3400930000001,x,
        D3,1989-12-31,P1,PAT1,40,F,75,R1,general_practice,3400930000001,1,
        """,
    )
    report = _import("dispensations", path, warehouse)
    assert (report.read, report.accepted, report.rejected) == (3, 0, 3)
    assert report.rejections == [
        Rejection(1, "dispensed_on", "date attendue au format AAAA-MM-JJ, lu « 2025-1-3 »"),
        Rejection(1, "patient_age", "hors de l'intervalle 0–120 : « 121 »"),
        Rejection(1, "patient_sex", "valeur inconnue « X » ; valeurs admises : F, M"),
        Rejection(
            1,
            "patient_departement",
            "code département inconnu « 99 » (code INSEE attendu : 01…95, 2A, 2B, 971…976)",
        ),
        Rejection(
            1,
            "prescriber_specialty",
            "valeur inconnue « gp » ; valeurs admises : general_practice, dentistry, hospital,"
            " other_specialty, midwifery, other",
        ),
        Rejection(1, "boxes", "nombre entier attendu, lu « 1.5 »"),
        Rejection(
            1, "setting", "valeur inconnue « hospital » ; valeurs admises : community, nursing_home"
        ),
        Rejection(2, "dispensed_on", "date attendue au format AAAA-MM-JJ, lu « 2025-02-30 »"),
        Rejection(2, "prescription_id", "valeur obligatoire manquante"),
        Rejection(2, "patient_age", "hors de l'intervalle 0–120 : « -1 »"),
        Rejection(2, "boxes", "nombre entier attendu, lu « x »"),
        Rejection(
            3,
            "dispensed_on",
            f"date hors de la période plausible 1990–{dt.date.today().year + 1} : « 1989-12-31 »",
        ),
    ]


def test_a_repeated_dispensation_id_is_rejected_after_its_first_row(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-01-03,P1,PAT1,34,F,75,R1,general_practice,3400930000001,2,
        D1,2025-01-04,P1,PAT1,34,F,75,R1,general_practice,3400930000001,1,
        """,
    )
    report = _import("dispensations", path, warehouse)
    assert report.rejections == [
        Rejection(2, "dispensation_id", "doublon de la ligne de données 1 (même dispensation_id)")
    ]
    assert query("SELECT dispensed_on FROM dispensations") == [(dt.date(2025, 1, 3),)]


def test_products_atc_route_and_amounts(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "p.csv",
        """
        CIP13,Label,ATC,Route,Units_per_box,amount_per_unit,amount_unit,ddd_per_box
        3400930000001,AMOXICILLINE 1 g cp,j01ca04,o,6,1,G,
        3400930000002,TOBRAMYCINE inhal,J01GB01,INHAL,56,"0,3",g,
        3400930000003,PARACETAMOL,N02BE01,O,8,1,g,
        3400930000004,AMOX,J01C,O,6,1,g,
        3400930000005,AMOX,J01CA04,IV,0,1,,2
        """,
    )
    report = _import("products", path, warehouse)
    assert (report.read, report.accepted, report.rejected) == (5, 2, 3)
    assert query("SELECT cip13, atc, route, amount_per_unit, amount_unit FROM products") == [
        ("3400930000001", "J01CA04", "O", 1.0, "g"),
        ("3400930000002", "J01GB01", "Inhal", 0.3, "g"),
    ]
    edition = report.rejections[0].reason.split("édition ")[1].split(")")[0]
    assert report.rejections == [
        Rejection(
            3,
            "atc",
            f"code ATC absent du référentiel des antibactériens (édition {edition}) : « N02BE01 »",
        ),
        Rejection(4, "atc", "code ATC de niveau 5 attendu (ex. J01CA04), lu « J01C »"),
        Rejection(5, "route", "valeur inconnue « IV » ; valeurs admises : O, P, R, Inhal"),
        Rejection(5, "units_per_box", "doit être strictement positif : « 0 »"),
        Rejection(5, "amount_unit", "unité obligatoire quand amount_per_unit est renseigné"),
    ]


def test_population_pads_departement_codes_and_keys_on_sex_and_age_band(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "pop.csv",
        """
        year,departement,population,sex,age_band
        2024,1,650000,,
        2024,01,650000,,
        2024,01,330000,F,
        2024,01,1000,F,85+
        2024,75,abc,M,0-4
        1850,75,100,,
        2024,75,100,,4 ans
        """,
    )
    report = _import("population", path, warehouse)
    assert (report.read, report.accepted, report.rejected) == (7, 3, 4)
    assert query("SELECT departement, population, sex, age_band FROM population") == [
        ("01", 650000, None, None),
        ("01", 330000, "F", None),
        ("01", 1000, "F", "85+"),
    ]
    last_year = dt.date.today().year + 1
    assert report.rejections == [
        Rejection(
            2,
            None,
            "doublon de la ligne de données 1 (même year, departement, sex, age_band)",
        ),
        Rejection(5, "population", "nombre entier attendu, lu « abc »"),
        Rejection(6, "year", f"hors de l'intervalle 1990–{last_year} : « 1850 »"),
        Rejection(7, "age_band", "tranche d'âge attendue sous la forme 0-4 ou 85+, lu « 4 ans »"),
    ]


def test_hospital_consumption_finess_and_quantity(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "h.csv",
        """
        finess,year,atc,route,ddd,grams
        750000011,2024,J01CA04,P,1200.5,
        2A0000012,2024,J01CA04,O,,300
        75000001,2024,J01CA04,O,10,
        750000011,2024,J01DD04,P,,
        """,
    )
    report = _import("hospital_consumption", path, warehouse)
    assert query("SELECT finess, ddd, grams FROM hospital_consumption ORDER BY finess") == [
        ("2A0000012", None, 300.0),
        ("750000011", 1200.5, None),
    ]
    assert report.rejections == [
        Rejection(
            3,
            "finess",
            "FINESS invalide : 9 caractères attendus (chiffres ; 2A ou 2B en tête pour la Corse),"
            " lu « 75000001 »",
        ),
        Rejection(4, "ddd", "ddd ou grams obligatoire (les deux sont vides)"),
    ]


def test_patient_days_sectors(write_csv: WriteFile, warehouse: Path, query: Query) -> None:
    path = write_csv(
        "pd.csv",
        """
        finess,year,sector,patient_days
        750000011,2024,ACUTE,35000
        750000011,2024,maternity,100
        750000011,2024,psychiatry,-5
        """,
    )
    report = _import("patient_days", path, warehouse)
    assert query("SELECT sector, patient_days FROM patient_days") == [("acute", 35000)]
    assert report.rejections == [
        Rejection(
            2,
            "sector",
            "valeur inconnue « maternity » ; valeurs admises : acute, rehabilitation, psychiatry,"
            " long_term, nursing_home, medicine, surgery, intensive_care, paediatrics,"
            " gynaecology_obstetrics",
        ),
        Rejection(3, "patient_days", "doit être supérieur ou égal à 0 : « -5 »"),
    ]


def test_isolates_organisms_and_antibiotic_codes(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "i.csv",
        """
        isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir,esbl
        I1,PAT1,2025-03-01,urine,community,93,L1,E. coli,amx,r,Y
        I1,PAT1,2025-03-01,urine,community,93,L1,E.coli,CTX,S,Y
        I2,PAT2,2025-03-02,Blood,hospital,93,L1,klebsiella PNEUMONIAE,CIP,I,
        I3,PAT3,2025-03-02,urine,community,93,L1,X. foo,XYZ,S,
        I1,PAT1,2025-03-01,urine,community,93,L1,E. coli,AMX,S,Y
        I4,PAT4,2025-03-03,urine,community,93,L1,escherichia  coli,AMX,S,
        I5,PAT5,2025-03-03,urine,community,93,L1,E coli,AMX,S,
        I6,PAT6,2025-03-03,urine,community,93,L1,eco,AMX,S,
        I7,PAT7,2025-03-03,urine,community,93,L1,Enterobacter aerogenes,AMX,R,
        I8,PAT8,2025-03-03,urine,community,93,L1,Escherichia colli,AMX,S,
        """,
    )
    report = _import("isolates", path, warehouse)
    assert query(
        "SELECT isolate_id, specimen, organism, antibiotic, sir, esbl FROM isolates"
        " ORDER BY isolate_id, antibiotic"
    ) == [
        ("I1", "urine", "Escherichia coli", "AMX", "R", "Y"),
        ("I1", "urine", "Escherichia coli", "CTX", "S", "Y"),
        ("I2", "blood", "Klebsiella pneumoniae", "CIP", "I", None),
        # Every spelling of one species is stored as its scientific name; a former name
        # (Enterobacter aerogenes) is stored as the current one.
        ("I4", "urine", "Escherichia coli", "AMX", "S", None),
        ("I5", "urine", "Escherichia coli", "AMX", "S", None),
        ("I6", "urine", "Escherichia coli", "AMX", "S", None),
        ("I7", "urine", "Klebsiella aerogenes", "AMX", "R", None),
    ]
    unknown = (
        " : absent du référentiel des organismes (écrire le nom scientifique, ex. Escherichia coli)"
    )
    assert report.rejections == [
        Rejection(4, "organism", f"organisme inconnu « X. foo »{unknown}"),
        Rejection(4, "antibiotic", "code antibiotique WHONET inconnu : « XYZ »"),
        Rejection(5, None, "doublon de la ligne de données 1 (même isolate_id, antibiotic)"),
        # A misspelt species is refused, not guessed.
        Rejection(10, "organism", f"organisme inconnu « Escherichia colli »{unknown}"),
    ]
