"""Identifiers of imported rows never carry a patient's identity: a NIR (valid key) or a
person's name pattern as ``patient_id``, ``isolate_id``… is rejected with a reason that
does not repeat it, and the rejected row keeps no copy of it; pseudonymous ids, hashes and
lab accession numbers pass. Dispensing dates in the future are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from cratb.engine.identifiers import (
    NAME_IN_IDENTIFIER,
    NIR_IN_IDENTIFIER,
    identity_in_identifier,
)
from cratb.engine.sources import Rejection, import_file
from cratb.engine.tests.sources.conftest import Query, WriteFile
from cratb.engine.tests.sources.test_isolate_formats import GOOD, MSH, _hl7

DISPENSATIONS_HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,setting"
)
ISOLATES_HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir"
)
NIR = "185057800608491"


@pytest.mark.parametrize(
    "value",
    ["P000123", "PAT-2025-000001", "ECBU-0001", "25A0001234", "LBM 75 0001",
     hashlib.sha256(b"x").hexdigest(), "185057800608490", "E. coli"],
)  # fmt: skip
def test_pseudonymous_ids_hashes_and_accession_numbers_pass(value: str) -> None:
    assert identity_in_identifier(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (NIR, NIR_IN_IDENTIFIER),
        ("1 85 05 78 006 084 91", NIR_IN_IDENTIFIER),
        ("NIR:1.85.05.78.006.084.91", NIR_IN_IDENTIFIER),
        ("DUPONT Jean", NAME_IN_IDENTIFIER),
        ("Jean Dupont", NAME_IN_IDENTIFIER),
        ("Dupont, Jean", NAME_IN_IDENTIFIER),
        ("DUPONT,JEAN", NAME_IN_IDENTIFIER),
        ("MARTIN Marie-Claire 1962", NAME_IN_IDENTIFIER),
        ("Éloïse Ménard", NAME_IN_IDENTIFIER),
    ],
)
def test_a_nir_or_a_name_is_not_an_identifier(value: str, reason: str) -> None:
    assert identity_in_identifier(value) == reason


def _raw_rows(query: Query) -> str:
    return json.dumps(query("SELECT raw, reason FROM rejected_rows"), ensure_ascii=False)


def test_dispensations_with_a_nir_or_a_name_as_id_are_rejected_and_not_kept(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-01-03,P1,{NIR},34,F,75,R1,general_practice,3400930000001,2,community
        D2,2025-01-03,P1,DUPONT Jean,34,F,75,R1,general_practice,3400930000001,2,community
        D3,2025-01-03,P1,PAT000123,34,F,75,Jean Martin,general_practice,3400930000001,2,
        D4,2025-01-03,P2,PAT000124,34,F,75,R1,general_practice,3400930000001,2,
        """,
    )
    report = import_file("dispensations", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (4, 1, 3)
    assert report.rejections == [
        Rejection(1, "patient_id", NIR_IN_IDENTIFIER),
        Rejection(2, "patient_id", NAME_IN_IDENTIFIER),
        Rejection(3, "prescriber_id", NAME_IN_IDENTIFIER),
    ]
    kept = _raw_rows(query)
    assert NIR not in kept and "DUPONT" not in kept and "Jean Martin" not in kept


def test_ids_are_checked_before_they_are_hashed(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-01-03,P1,{NIR},34,F,75,R1,general_practice,3400930000001,2,community
        D2,2025-01-03,P1,PAT000123,34,F,75,R1,general_practice,3400930000001,2,community
        """,
    )
    report = import_file("dispensations", path, warehouse=warehouse, id_salt="sel")
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [Rejection(1, "patient_id", NIR_IN_IDENTIFIER)]


def test_isolates_with_a_name_as_isolate_id_are_rejected(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "i.csv",
        f"""
        {ISOLATES_HEADER}
        MARTIN Paul,PAT1,2025-03-01,urine,community,75,LBM1,Escherichia coli,AMX,R
        ECBU-0002,{NIR},2025-03-01,urine,community,75,LBM1,Escherichia coli,AMX,R
        ECBU-0003,PAT3,2025-03-01,urine,community,75,LBM1,Escherichia coli,AMX,R
        """,
    )
    report = import_file("isolates", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (3, 1, 2)
    assert report.rejections == [
        Rejection(1, "isolate_id", NAME_IN_IDENTIFIER),
        Rejection(2, "patient_id", NIR_IN_IDENTIFIER),
    ]
    assert "MARTIN" not in _raw_rows(query) and NIR not in _raw_rows(query)


def test_an_hl7_message_with_a_nir_as_patient_id_is_rejected(
    tmp_path: Path, warehouse: Path, query: Query
) -> None:
    message = [line.replace("PAT123^^^LBM", f"{NIR}^^^NIR") for line in GOOD]
    assert message[0] == MSH.format(id="M1")
    report = import_file("isolates", _hl7(tmp_path, message), warehouse=warehouse)
    assert report.accepted == 0 and report.rejected == report.read == 2
    on_patient = [r for r in report.rejections if r.column == "patient_id"]
    assert [r.reason for r in on_patient] == [NIR_IN_IDENTIFIER] * 2
    assert NIR not in _raw_rows(query)


def test_a_dispensing_date_in_the_future_is_refused(write_csv: WriteFile, warehouse: Path) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,{tomorrow},P1,PAT1,34,F,75,R1,general_practice,3400930000001,2,community
        D2,{dt.date.today().isoformat()},P1,PAT1,34,F,75,R1,general_practice,3400930000001,2,
        """,
    )
    report = import_file("dispensations", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [
        Rejection(1, "dispensed_on", f"date dans le futur : « {tomorrow} »")
    ]


def test_hospital_figures_for_a_year_not_yet_begun_are_refused(
    write_csv: WriteFile, warehouse: Path
) -> None:
    next_year = dt.date.today().year + 1
    path = write_csv(
        "h.csv",
        f"""
        finess,year,sector,patient_days
        750000010,{next_year},acute,1000
        750000010,{next_year - 1},acute,1000
        """,
    )
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections[0].column == "year"
    assert "dans le futur" in report.rejections[0].reason


def test_a_malformed_line_is_kept_without_a_nir(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "d.csv",
        f"""
        {DISPENSATIONS_HEADER}
        D1,2025-01-03,P1,{NIR},34,F,75,R1,general_practice,3400930000001,2,community,extra
        D2,2025-01-03,P2,PAT000124,34,F,75,R1,general_practice,3400930000001,2,
        """,
    )
    report = import_file("dispensations", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)
    assert NIR not in _raw_rows(query)
