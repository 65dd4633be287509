"""Hospital consumption by sector: the optional ``sector`` column of
``hospital_consumption`` and ``--by sector``.

Every expected figure is worked out by hand in the comments from the rows below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cratb.engine.backends import open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import ImportReport, import_file

PATIENT_DAYS = """
finess,year,sector,patient_days
750000002,2024,medicine,1000
750000002,2024,surgery,2000
750000002,2024,intensive_care,500
920000003,2024,acute,4000
"""
# 750000002 gives its sectors; J01CA04 P appears in two sectors: no duplicate.
# Paediatrics has no patient-days: its 10 DDD are left out by sector (kept overall).
# 920000003 gives no sector (a file of the first contract).
CONSUMPTION = """
finess,year,atc,route,ddd,sector
750000002,2024,J01CA04,P,100,medicine
750000002,2024,J01CR02,P,50,medicine
750000002,2024,J01CA04,P,60,surgery
750000002,2024,J01DD04,P,200,intensive_care
750000002,2024,J01MA02,O,10,paediatrics
920000003,2024,J01CA04,P,400,
"""
# By sector: medicine (100 + 50) ÷ (1000 ÷ 1000) = 150; surgery 60 ÷ 2 = 30;
# intensive care 200 ÷ 0.5 = 400. Whole region, sectors or not:
# (100 + 50 + 60 + 200 + 10 + 400) ÷ ((1000 + 2000 + 500 + 4000) ÷ 1000) = 820 ÷ 7.5.


def _import(folder: Path, kind: str, text: str, warehouse: Path) -> ImportReport:
    path = folder / f"{kind}.csv"
    path.write_text("\n".join(x.strip() for x in text.strip().splitlines()) + "\n")
    return import_file(kind, path, warehouse=warehouse)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sectors")
    warehouse = folder / "w.duckdb"
    for kind, text in (("patient_days", PATIENT_DAYS), ("hospital_consumption", CONSUMPTION)):
        report = _import(folder, kind, text, warehouse)
        assert report.rejected == 0, report.rejections
    return warehouse


def _rows(warehouse: Path, *by: str) -> tuple[list[dict[str, object]], list[str]]:
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        result = compute("hospital.ddd_per_1000_patient_days", session, Query(by=by))
    return result.table.to_pylist(), result.warnings


def test_ddd_per_1000_patient_days_by_sector_is_hand_checked(warehouse: Path) -> None:
    rows, warnings = _rows(warehouse, "sector")
    got = {r["sector"]: r for r in rows}
    assert set(got) == {"medicine", "surgery", "intensive_care"}
    assert (got["medicine"]["numerator"], got["medicine"]["denominator"]) == (150.0, 1.0)
    assert got["medicine"]["value"] == pytest.approx(150.0)
    assert got["surgery"]["value"] == pytest.approx(30.0)
    assert got["intensive_care"]["value"] == pytest.approx(400.0)
    assert any("1 établissement(s) sans secteur" in w for w in warnings)
    assert any("1 ligne(s) de consommation d'un secteur sans journées" in w for w in warnings)


def test_by_establishment_and_sector_and_overall(warehouse: Path) -> None:
    rows, _ = _rows(warehouse, "finess", "sector")
    assert {(r["finess"], r["sector"]) for r in rows} == {
        ("750000002", "medicine"),
        ("750000002", "surgery"),
        ("750000002", "intensive_care"),
    }
    overall, _ = _rows(warehouse)
    assert overall[0]["value"] == pytest.approx(820 / 7.5)  # sectors change nothing overall


def test_an_unknown_sector_is_a_rejected_row_with_its_reason(tmp_path: Path) -> None:
    text = """
    finess,year,atc,route,ddd,sector
    750000002,2024,J01CA04,P,100,cardiology
    750000002,2024,J01CA04,P,100,medicine
    750000002,2024,J01CA04,P,100,
    """
    report = _import(tmp_path, "hospital_consumption", text, tmp_path / "w.duckdb")
    assert (report.read, report.accepted, report.rejected) == (3, 2, 1)
    (rejection,) = report.rejections
    assert rejection.column == "sector"
    assert "cardiology" in rejection.reason and "medicine" in rejection.reason


@pytest.mark.slow
def test_by_sector_on_spark_gives_the_same_figures(warehouse: Path) -> None:
    with open_session(warehouse=warehouse, backend="spark") as session:
        rows = compute("hospital.ddd_per_1000_patient_days", session, Query(by=("sector",)))
    got = {r["sector"]: r["value"] for r in rows.table.to_pylist()}
    assert got == {
        "medicine": pytest.approx(150.0),
        "surgery": pytest.approx(30.0),
        "intensive_care": pytest.approx(400.0),
    }
