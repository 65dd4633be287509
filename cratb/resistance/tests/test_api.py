"""The lab API: one isolate in, the targeted report out; every decision logged; bad
requests answered 400 with a French reason per field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
from django.test import Client

from cratb.engine.sources import lab_codes
from cratb.resistance.models import TargetedReport
from cratb.resistance.services import sync_targeted_log

REQUEST = {
    "isolate_id": "ECBU-0001",
    "sampled_on": "2025-05-02",
    "specimen": "urine",
    "organism": "Escherichia coli",
    "patient_age": 34,
    "patient_sex": "F",
    "clinical_context": "simple_cystitis",
    "results": [
        {"antibiotic": "FOS", "sir": "S"},
        {"antibiotic": "AMX", "sir": "R"},
        {"antibiotic": "CIP", "sir": "S"},
        {"antibiotic": "MEC", "sir": "S"},
    ],
}


def post(client: Client, key: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(
        "/api/v1/ast/target",
        json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    data: dict[str, Any] = json.loads(response.content)
    return response.status_code, data


def test_a_targeted_report(client: Client, lab_key: str) -> None:
    status, body = post(client, lab_key, REQUEST)
    assert status == 200
    assert body == {
        "isolate_id": "ECBU-0001",
        "lab_id": "LBM-75-01",
        "mode": "targeted",
        "situation": "simple_cystitis",
        "report_comment": (
            "Antibiogramme ciblé (cystite aiguë simple) : 2 antibiotiques testés non rendus :"
            " amoxicilline, ciprofloxacine. Antibiogramme complet disponible sur demande auprès"
            " du laboratoire. Règles : cratb-derive v1 (dérivation à valider)."
        ),
        "rules": {"ruleset": "cratb-derive", "version": 1, "status": "dérivation à valider"},
        "results": [
            {"antibiotic": "FOS", "whonet": "FOS", "sir": "S", "reported": True},
            {"antibiotic": "AMX", "whonet": "AMX", "sir": "R", "reported": False},
            {"antibiotic": "CIP", "whonet": "CIP", "sir": "S", "reported": False},
            {"antibiotic": "MEC", "whonet": "MEC", "sir": "S", "reported": True},
        ],
    }
    logged = TargetedReport.objects.get()
    assert (logged.lab_id, logged.isolate_id, logged.mode, logged.withheld) == (
        "LBM-75-01",
        "ECBU-0001",
        "targeted",
        2,
    )


def test_the_labs_own_codes_are_translated(client: Client, lab_key: str, warehouse: Path) -> None:
    lab_codes.save(
        warehouse,
        [{"lab_id": "LBM-75-01", "lab_code": "FOSFO", "whonet": "FOS"}],
        changed_by="coordination",
    )
    body = {**REQUEST, "results": [{"antibiotic": "fosfo", "sir": "S"}]}
    status, answer = post(client, lab_key, body)
    assert status == 200
    assert answer["results"] == [
        {"antibiotic": "fosfo", "whonet": "FOS", "sir": "S", "reported": True}
    ]


def test_out_of_scope_and_unknown_situation(client: Client, lab_key: str) -> None:
    status, body = post(client, lab_key, {**REQUEST, "patient_age": 9})
    assert (status, body["mode"]) == (200, "full_out_of_scope")
    assert all(r["reported"] for r in body["results"])
    status, body = post(client, lab_key, {**REQUEST, "clinical_context": None})
    assert (status, body["mode"]) == (200, "full_unknown_situation")


def test_bad_requests_get_a_reason_per_field(client: Client, lab_key: str) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    body = {
        **REQUEST,
        "sampled_on": tomorrow,
        "organism": "Bacterium imaginarium",
        "patient_age": 130,
        "pregnant": "peut-être",
        "results": [
            {"antibiotic": "AMX", "sir": "X"},
            {"antibiotic": "ZZZ", "sir": "S"},
            {"antibiotic": "AMX", "sir": "S"},
        ],
    }
    status, answer = post(client, lab_key, body)
    assert status == 400
    assert answer == {
        "errors": {
            "sampled_on": f"date dans le futur : « {tomorrow} »",
            "organism": "organisme inconnu « Bacterium imaginarium » : absent du référentiel"
            " des organismes",
            "patient_age": "hors de l'intervalle 0–120 : « 130 »",
            "pregnant": "valeur inconnue « peut-être » ; valeurs admises : true, false, Y, N",
            "results[0].sir": "valeur inconnue « X » ; valeurs admises : S, I, R",
            "results[1].antibiotic": "code antibiotique inconnu « ZZZ » : ni code WHONET, ni code"
            " du laboratoire dans la table de correspondance",
            "results[2].antibiotic": "antibiotique en double : AMX",
        }
    }
    assert TargetedReport.objects.count() == 0
    assert post(client, lab_key, b"{pas du json")[1] == {"errors": {"": "corps JSON illisible"}}
    assert post(client, lab_key, [1, 2])[0] == 400
    status, answer = post(client, lab_key, {"results": []})
    assert set(answer["errors"]) == {"isolate_id", "sampled_on", "specimen", "organism", "results"}


def test_the_log_is_copied_to_the_warehouse_once(
    client: Client, lab_key: str, warehouse: Path
) -> None:
    post(client, lab_key, REQUEST)
    post(client, lab_key, {**REQUEST, "isolate_id": "ECBU-0002", "patient_age": 5})
    assert sync_targeted_log(warehouse=warehouse) == 2
    assert sync_targeted_log(warehouse=warehouse) == 0
    post(client, lab_key, {**REQUEST, "isolate_id": "ECBU-0003"})
    assert sync_targeted_log(warehouse=warehouse) == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT isolate_id, mode, source FROM targeted_reports ORDER BY source_id"
        ).fetchall()
    assert rows == [
        ("ECBU-0001", "targeted", "api"),
        ("ECBU-0002", "full_out_of_scope", "api"),
        ("ECBU-0003", "targeted", "api"),
    ]
