"""``cratb demo`` and issue #4: sample files in every layout, a lab code table, the
adoption of targeted reporting, the demo lab's API token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from cratb.cli import main
from cratb.demo.resistance import DEMO_TOKEN
from cratb.engine.backends import open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import lab_codes
from cratb.resistance.models import LabAccount


@pytest.mark.django_db
def test_demo_resistance_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], client: Client, settings: object
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    args = ["demo", "--scale", "0.002", "--seed", "3", "--out", str(tmp_path / "files")]
    assert main([*args, "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "isolats HL7 (isolates_hl7.hl7) : 900 lignes lues, 900 acceptées, 0 rejetées" in out
    assert "isolats WHONET (isolates_whonet.txt) : 900 lignes lues, 900 acceptées" in out
    assert f"jeton d'API {DEMO_TOKEN}" in out
    # The demo lab's results contrary to expected resistant phenotypes: K. pneumoniae ×
    # AMX S, S, I; P. mirabilis × NIT S; P. aeruginosa × CTX S = 5.
    assert "5 résultats contraires aux résistances naturelles" in out
    for name in ("lab_codes.csv", "isolates_hl7.hl7", "isolates_whonet.txt", "ast_targeted.csv"):
        assert (tmp_path / "files" / name).stat().st_size > 0
    assert lab_codes.read_current(warehouse).translate("LBM-HL7-01", "AMOX") == "AMX"
    with open_session(warehouse=warehouse) as session:
        adoption = compute(
            "resistance.targeted_reporting", session, Query(by=("month",))
        ).table.to_pylist()
    by_month = {r["month"]: r["numerator"] for r in adoption}
    assert by_month["2025-01"] == 0 and by_month["2025-12"] > 0

    assert main([*args, "--warehouse", str(warehouse)]) == 0
    assert "rendus ciblés des laboratoires : déjà simulés" in capsys.readouterr().out

    account = LabAccount.objects.get(user__username="demo-laboratoire")
    settings.CRATB_WAREHOUSE = warehouse  # type: ignore[attr-defined]
    response = client.post(
        "/api/v1/ast/target",
        json.dumps(
            {
                "isolate_id": "DEMO-1",
                "sampled_on": "2025-06-01",
                "specimen": "urine",
                "organism": "E. coli",
                "patient_age": 40,
                "patient_sex": "F",
                "clinical_context": "simple_cystitis",
                "results": [{"antibiotic": "FOS", "sir": "S"}, {"antibiotic": "CIP", "sir": "S"}],
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Token {DEMO_TOKEN}"},
    )
    assert response.status_code == 200
    assert response.json()["lab_id"] == account.lab_id == "LBM-75-01"
