"""``cratb indicators list|compute|publish`` and ``cratb ddd report`` as a user runs them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from cratb.cli import main
from cratb.dashboards.models import IndicatorValue, Publication
from cratb.engine.indicators import CATALOGUE
from cratb.engine.tests.indicators import golden

CONTRACT_INDICATORS = (
    "community.did",
    "community.prescriptions_per_1000",
    "community.access_share",
    "community.critical_share",
    "hospital.ddd_per_1000_patient_days",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return golden.build(tmp_path_factory.mktemp("golden"))


def test_list_shows_every_contract_indicator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "list"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    assert header.split()[:2] == ["id", "titre"]
    for indicator in CONTRACT_INDICATORS:
        assert indicator in out
    line = next(x for x in out.splitlines() if x.startswith("community.access_share"))
    assert "% des DDJ" in line and line.rstrip().endswith("non")  # higher is better


def test_list_as_csv_and_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "list", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {r["id"] for r in rows} >= set(CONTRACT_INDICATORS)
    assert {r["lower_is_better"] for r in rows} <= {"true", "false", ""}
    assert main(["indicators", "list", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "numérateur : DDJ dispensées (nettes des retours)" in out
    assert "objectif : Objectif de l'Union européenne pour 2030" in out


def test_the_catalogue_table_of_the_docs_is_the_catalogue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["indicators", "list", "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert table.count("\n") == len(CATALOGUE) + 2
    assert "| `community.access_share` | Share of Access antibiotics (AWaRe), community |" in table
    docs = (Path(__file__).resolve().parent.parent / "docs" / "indicators.md").read_text()
    generated = re.search(r"-->\n(\| id \|.*?)<!-- end of the generated table -->", docs, re.S)
    assert generated is not None, "docs/indicators.md: the generated table is missing"
    assert generated.group(1) == table, (
        "docs/indicators.md differs from the catalogue: paste the output of"
        " « cratb indicators list --format markdown »"
    )


def test_compute_prints_a_table(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "indicators", "compute", "community.did", "--by", "year,departement",
            "--warehouse", str(warehouse),
        ]
    )  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "période 2024-01-01 – 2025-12-31" in captured.out
    assert captured.out.splitlines()[1].split() == [
        "year", "departement", "numerator", "denominator", "value",
    ]  # fmt: skip
    # The boxes left out of the DDD are said on stderr, never silently.
    assert "sans DDJ calculable" in captured.err


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_compute_writes_csv_parquet_and_excel(
    warehouse: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"critical{suffix}"
    code = main(
        [
            "indicators", "compute", "community.critical_share", "--from", "2024-01-01",
            "--to", "2024-12-31", "--out", str(out), "--warehouse", str(warehouse),
        ]
    )  # fmt: skip
    assert code == 0
    assert "1 ligne(s)" in capsys.readouterr().out
    if suffix == ".csv":
        (row,) = list(csv.DictReader(out.read_text().splitlines()))
    elif suffix == ".parquet":
        (row,) = pq.read_table(out).to_pylist()
    else:
        sheet = openpyxl.load_workbook(out).active
        assert sheet is not None
        header, *values = list(sheet.iter_rows(values_only=True))
        (row,) = [dict(zip(header, v, strict=True)) for v in values]
    assert list(row) == ["numerator", "denominator", "value", "ci_low", "ci_high"]
    assert float(row["numerator"]) == 3 and float(row["denominator"]) == 7


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["community.nothing"], "indicateur inconnu « community.nothing »"),
        (["community.did", "--by", "organism"], "colonne --by « organism » non admise"),
        (["community.did", "--from", "2024-13-01"], "--from 2024-13-01 : date attendue"),
        (["community.did", "--param", "x"], "--param x : NOM=NOMBRE attendu"),
        (["community.did", "--out", "x.txt"], "extension .csv, .parquet ou .xlsx attendue"),
    ],
)
def test_bad_requests_get_one_french_line(
    warehouse: Path, arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["indicators", "compute", *arguments, "--warehouse", str(warehouse)])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_compute_without_the_data_it_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.duckdb"
    assert main(["indicators", "compute", "community.did", "--warehouse", str(missing)]) == 1
    assert "entrepôt introuvable" in capsys.readouterr().err
    only_products = tmp_path / "products.duckdb"
    products = tmp_path / "products.csv"
    products.write_text(golden.PRODUCTS.strip().replace("    ", "") + "\n")
    assert main(["import", "products", str(products), "--warehouse", str(only_products)]) == 0
    capsys.readouterr()
    code = main(["indicators", "compute", "community.did", "--warehouse", str(only_products)])
    assert code == 2
    assert "la table « dispensations » est absente" in capsys.readouterr().err


def test_ddd_report_lists_every_product_with_its_reason(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ddd", "report", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "9 produit(s), dont 3 sans DDJ calculable" in out
    assert "produit d'association sans DDJ OMS" in out
    assert "unité MU incompatible avec la DDJ OMS exprimée en g" in out
    assert "code CIP absent du catalogue" in out
    out_file = tmp_path / "ddd.csv"
    assert main(["ddd", "report", "--warehouse", str(warehouse), "--out", str(out_file)]) == 0
    rows = {r["cip13"]: r for r in csv.DictReader(out_file.read_text().splitlines())}
    assert float(rows["AMX500"]["ddd_per_box"]) == pytest.approx(4)
    assert rows["AMX500"]["ddd_status"] == "computed"
    assert float(rows["SXTF"]["ddd_per_box"]) == 5 and rows["SXTF"]["ddd_status"] == "override"
    assert rows["SXTS"]["ddd_per_box"] == "" and rows["SXTS"]["ddd_status"] == "not_computable"
    assert rows["UNKNOWN1"]["ddd_status"] == "unknown_product"
    assert rows["UNKNOWN1"]["dispensed_boxes"] == "4"


@pytest.mark.django_db(transaction=True)
def test_publish_stores_the_values_with_their_editions(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", "publish", "--year", "2024", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "Publication n° " in out and "pour 2024" in out
    publication = Publication.objects.get()
    assert publication.status == Publication.Status.DONE
    assert publication.editions["atc_ddd"] == "2026-04-25"
    did = IndicatorValue.objects.get(indicator="community.did", grouping="", year=2024)
    assert did.value == pytest.approx(48 / 549, rel=1e-12)
    assert did.period_start.isoformat() == "2024-01-01"
    by_dep = IndicatorValue.objects.filter(indicator="community.did", grouping="departement")
    assert {v.departement for v in by_dep} == {"75", "92"}
    # Publishing again replaces the values: no duplicates.
    assert main(["indicators", "publish", "--year", "2024", "--warehouse", str(warehouse)]) == 0
    assert IndicatorValue.objects.filter(indicator="community.did", grouping="").count() == 1


@pytest.mark.django_db(transaction=True)
def test_publish_refuses_an_unknown_indicator_and_a_missing_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["indicators", "publish", "--indicator", "community.nothing"]) == 2
    assert "indicateur inconnu : community.nothing" in capsys.readouterr().err
    missing = tmp_path / "none.duckdb"
    assert main(["indicators", "publish", "--warehouse", str(missing)]) == 1
    assert "entrepôt introuvable" in capsys.readouterr().err
    assert Publication.objects.get().status == Publication.Status.FAILED


@pytest.mark.slow
def test_compute_on_spark_gives_the_duckdb_numbers(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / f"did-{backend}.csv"
        code = main(
            [
                "indicators", "compute", "community.did", "--by", "year,departement",
                "--backend", backend, "--out", str(out), "--warehouse", str(warehouse),
            ]
        )  # fmt: skip
        assert code == 0
        outputs[backend] = list(csv.DictReader(out.read_text().splitlines()))
    assert len(outputs["spark"]) == len(outputs["duckdb"]) == 4
    for a, b in zip(outputs["duckdb"], outputs["spark"], strict=True):
        assert (a["year"], a["departement"]) == (b["year"], b["departement"])
        assert float(a["value"]) == pytest.approx(float(b["value"]), rel=1e-9)
