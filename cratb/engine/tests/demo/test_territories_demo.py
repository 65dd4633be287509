"""The demo region's communes and rapid tests: valid input files with plausible levels."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from cratb.engine import reference
from cratb.engine.backends import open_session
from cratb.engine.demo import DemoFiles, DemoSpec, generate
from cratb.engine.demo.rapid_tests import POSITIVE
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import import_file


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    out: Path = tmp_path_factory.mktemp("demo-territories")
    spec = DemoSpec(region_code="24", scale=0.005, seed=3, year=2025)
    return generate(spec, out_dir=out, skip=frozenset({"isolates"}))


def test_dispensing_lines_carry_communes_of_the_patients_departement(tiny: DemoFiles) -> None:
    t = pacsv.read_csv(tiny.files["dispensations"]).to_pylist()
    communes = reference.communes()
    for row in t[:2000]:
        commune = communes[str(row["patient_commune"]).zfill(5)]
        assert commune.departement == str(row["patient_departement"]).zfill(2)
        assert str(row["prescriber_commune"]).zfill(5) in communes


def test_rapid_test_files_import_without_rejection(tiny: DemoFiles, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    for kind in ("rapid_tests", "rapid_test_kits", "rapid_test_places"):
        report = import_file(kind, tiny.files[kind], warehouse=warehouse)
        assert report.read > 0 and report.rejected == 0, report.rejections[:3]
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        result = compute("rapid_tests.ordering_share", session, Query(by=("place_kind",)))
    shares = {r["place_kind"]: r for r in result.table.to_pylist()}
    # Every ordering practice is in the register (no warning); the share is the files'.
    assert not result.warnings
    register = pacsv.read_csv(tiny.files["rapid_test_places"]).to_pylist()
    practices = {r["place_code"] for r in register if r["place_kind"] == "practice"}
    kits = pacsv.read_csv(tiny.files["rapid_test_kits"]).to_pylist()
    ordering = {r["place_code"] for r in kits if r["test"] == "strep_a" and r["kits"] > 0}
    assert ordering <= practices
    practice = shares["practice"]
    assert (practice["numerator"], practice["denominator"]) == (len(ordering), len(practices))
    assert 0 < practice["value"] < 100
    assert shares["pharmacy"]["numerator"] == 0  # the demo's pharmacies order none


def test_rapid_test_levels_follow_the_stated_assumptions(tiny: DemoFiles) -> None:
    rows = pacsv.read_csv(tiny.files["rapid_tests"]).to_pylist()
    strep = [r for r in rows if r["test"] == "strep_a" and r["result"] != "invalid"]
    positive = sum(r["result"] == "positive" for r in strep) / len(strep)
    assert abs(positive - POSITIVE["strep_a"]) < 0.06
    negative = [r for r in strep if r["result"] == "negative"]
    after = sum(r["antibiotic_dispensed"] == "Y" for r in negative) / len(negative)
    assert 0.02 < after < 0.15
