"""``cratb import open_medic|bdpm|insee_population`` then ``cratb indicators compute`` on
the aggregate: files in the published layouts (cratb/engine/tests/sources/opendata)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from cratb.cli import main
from cratb.engine import reference
from cratb.engine.tests.sources.opendata import bdpm_files, insee_files
from cratb.engine.tests.sources.opendata.open_medic_files import row, write_csv, write_zip

ROWS = [
    row(cip13="3400930000001", atc="J01CA04", boxes="100"),  # amoxicillin, DDD computed
    row(cip13="3400930000001", atc="J01CA04", boxes="50", specialty="2", age="20"),
    row(cip13="3400930000001", atc="J01CA04", boxes="50", specialty="3", age="20"),  # same key
    row(cip13="3400930000003", atc="J01CR02", boxes="40", region="84", sex="1", age="60"),
    row(cip13="3400939999999", atc="J01CA04", boxes="20", label="RETIREE"),  # not in BDPM
    row(cip13="3400938888888", atc="N02BE01", boxes="1000"),  # paracetamol: out of scope
    row(cip13="3400938888888", atc="N02BE01", boxes="5", region="77"),  # unknown region
    row(cip13="3400938888888", atc="N02BE01", boxes="5", specialty="64"),  # unknown specialty
    row(cip13="3400930000001", atc="J01CA04", boxes="7", region="99"),  # unknown region (known)
]


@pytest.fixture
def loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    warehouse = tmp_path / "w.duckdb"
    year = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS)
    archive = write_zip(tmp_path / "OPEN_MEDIC_2023.zip", year)
    year.unlink()
    assert main(["import", "open_medic", str(archive), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "open_medic : 9 lignes lues, 7 acceptées, 2 rejetées." in out
    assert "code région Open Medic inconnu : « 77 »" in out
    assert "code de spécialité du prescripteur Open Medic inconnu : « 64 »" in out
    folder = bdpm_files.write(tmp_path / "bdpm")
    assert main(["import", "bdpm", str(folder), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "bdpm : 3 lignes lues, 2 acceptées, 1 rejetée." in out
    # the CIP13 dispensed but absent from the BDPM: reported with its boxes
    assert "3400939999999 (J01CA04) : 20 boîtes" in out
    assert "Boîtes J01 avec une DDJ" in out
    workbook = insee_files.write_workbook(
        tmp_path / "estim-pop-dep-sexe-gca-1975-2023.xlsx", {2023: True}
    )
    assert main(["import", "insee_population", str(workbook), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "population : 70 lignes lues, 70 acceptées, 0 rejetée." in out
    return warehouse


def _compute(warehouse: Path, tmp_path: Path, ident: str, by: str) -> list[dict[str, str]]:
    out = tmp_path / f"{ident}-{by}.csv"
    args = ["indicators", "compute", ident, "--warehouse", str(warehouse), "--out", str(out)]
    assert main([*args, "--by", by] if by else args) == 0
    text = out.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _number(text: str) -> float:
    return float(text.replace(",", ".").replace("\u202f", ""))


def test_rates_by_region_and_specialty(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(loaded), read_only=True)
    (ddd_per_box,) = con.execute(
        "SELECT units_per_box * amount_per_unit / CASE amount_unit WHEN 'mg' THEN 1000 ELSE 1"
        " END FROM products WHERE cip13 = '3400930000001'"
    ).fetchone() or (None,)
    stored = con.execute(
        "SELECT sum(boxes) FROM aggregated_dispensations WHERE region = '11'"
        " AND prescriber_specialty = 'other_specialty'"
    ).fetchone()
    con.close()
    assert stored == (100,)  # specialties 2 and 3 summed under other_specialty
    rows = _compute(loaded, tmp_path, "community.did", "region")
    by_region = {r["region"]: r for r in rows}
    assert set(by_region) == {"11", "84"}
    # 150 + 50 boxes of amoxicillin 1 g × 14 (DDD 1.5 g) in Île-de-France
    assert ddd_per_box is not None
    assert _number(by_region["11"]["numerator"]) == pytest.approx(200 * ddd_per_box / 1.5)
    value = _number(by_region["11"]["numerator"]) / _number(by_region["11"]["denominator"])
    assert _number(by_region["11"]["value"]) == pytest.approx(value, rel=1e-3)
    err = capsys.readouterr().err
    assert "20 boîtes J01" in err and "absents du catalogue" in err
    assert "sans région connue" in err
    shares = _compute(loaded, tmp_path, "community.critical_share", "region,prescriber_specialty")
    got = {(r["region"], r["prescriber_specialty"]): _number(r["value"]) for r in shares}
    assert got[("84", "general_practice")] == 100.0  # amoxicillin-clavulanate
    assert got[("11", "general_practice")] == 0.0
    assert "calculée sur les boîtes" in capsys.readouterr().err
    access = _compute(loaded, tmp_path, "community.access_share", "")
    assert 0 < _number(access[0]["value"]) <= 100
    by_age = _compute(loaded, tmp_path, "community.did", "age_band,sex")
    assert {(r["age_band"], r["sex"]) for r in by_age} == {
        ("0-19", "F"), ("20-59", "F"), ("60+", "M"),
    }  # fmt: skip
    standardised = _compute(loaded, tmp_path, "community.did_age_standardised", "")
    crude = {r["region"]: _number(r["value"]) for r in rows}
    got_std = {r["region"]: _number(r["value"]) for r in standardised}
    assert set(got_std) == set(crude)
    # Standardised on the population of all the regions: the population-weighted mean of
    # the regions' standardised rates is close to the national one (exact for the crude).
    assert got_std["11"] != pytest.approx(crude["11"])  # the age structures differ
    assert all(v > 0 for v in got_std.values())


def test_indicators_that_need_lines_say_so(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["indicators", "compute", "--warehouse", str(loaded)]
    assert main([*base[:2], "community.prescriptions_per_1000", *base[2:]]) != 0
    assert "ne donne pas le nombre de prescriptions" in capsys.readouterr().err
    assert main([*base[:2], "community.prescriber_profile", *base[2:]]) != 0
    assert "demande les lignes de délivrance" in capsys.readouterr().err
    assert main([*base[:2], "community.did", *base[2:], "--by", "month"]) != 0
    assert "ne donne pas le mois" in capsys.readouterr().err
    assert main([*base[:2], "community.did", *base[2:], "--by", "departement"]) != 0
    assert "ne donne pas le département" in capsys.readouterr().err


def test_same_year_twice_is_refused(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS[:3])
    assert main(["import", "open_medic", str(again), "--warehouse", str(loaded)]) != 0
    assert "déjà dans l'entrepôt" in capsys.readouterr().err


def test_truncated_open_medic_and_wrong_bdpm_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    year = write_csv(tmp_path / "OPEN_MEDIC_2022.CSV", ROWS[:4], final_newline=False)
    year.write_bytes(year.read_bytes()[:-20])  # cut in the middle of the last line
    assert main(["import", "open_medic", str(year), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "4 lignes lues, 3 acceptées, 1 rejetée" in out
    assert "tronqué" in out
    report = json.loads((tmp_path / "OPEN_MEDIC_2022.CSV.report.json").read_text())
    assert report["read"] == report["accepted"] + report["rejected"]
    archive = write_zip(tmp_path / "OPEN_MEDIC_2021.zip", write_csv(tmp_path / "x.CSV", ROWS))
    archive.write_bytes(archive.read_bytes()[:-40])
    assert main(["import", "open_medic", str(archive), "--warehouse", str(warehouse)]) != 0
    assert "illisible ou tronquée" in capsys.readouterr().err
    folder = bdpm_files.write(tmp_path / "bdpm")
    shutil.copy(folder / "CIS_CIP_bdpm.txt", folder / "CIS_COMPO_bdpm.txt")
    assert main(["import", "bdpm", str(folder), "--warehouse", str(warehouse)]) != 0
    assert "pas des compositions" in capsys.readouterr().err


def test_an_aggregate_file_of_the_new_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agregat.csv"
    path.write_text(
        "year;region;age_band;sex;prescriber_specialty;cip13;atc;boxes;ddd;prescriptions\n"
        "2024;84;0-19;F;general_practice;3400930000001;;120;;100\n"
        "2024;93+94;60+;M;dentistry;;J01CA04;15;42,5;\n"
        "2024;84;;;;;;3;;\n"  # neither cip13 nor atc
        "2024;8;0-19;X;nurse;;J01CA04;1;;\n"  # region, sex, specialty, ddd missing
        "2024;84;0-19;F;general_practice;3400930000001;;5;;\n",  # the same key again
        encoding="utf-8",
    )
    warehouse = tmp_path / "w.duckdb"
    assert (
        main(["import", "aggregated_dispensations", str(path), "--warehouse", str(warehouse)]) == 0
    )
    out = capsys.readouterr().out
    assert "5 lignes lues, 2 acceptées, 3 rejetées" in out
    report = json.loads((tmp_path / "agregat.csv.report.json").read_text())
    reasons = " | ".join(r["reason"] for r in report["rejections"])
    assert "cip13 ou atc obligatoire" in reasons
    assert "code région INSEE attendu" in reasons
    assert "ddd obligatoire pour une ligne sans cip13" in reasons
    assert "doublon de la ligne de données 1" in reasons


def test_age_standardised_rate_by_hand(loaded: Path, tmp_path: Path) -> None:
    """Σ over sex × age band of the region's rate × the band's share of the population of
    all the regions of the aggregate (INSEE's bands summed into Open Medic's)."""
    rates = _compute(loaded, tmp_path, "community.did", "region,sex,age_band")
    regions = {r["region"] for r in rates}
    deps = [code for code, d in reference.departements().items() if d.region_code in regions]
    con = duckdb.connect(str(loaded), read_only=True)
    shares = {
        (sex, band): share
        for sex, band, share in con.execute(
            "SELECT sex, CASE WHEN age_band = '0-19' THEN '0-19' WHEN age_band IN"
            " ('20-39', '40-59') THEN '20-59' ELSE '60+' END AS band,"
            " sum(population) / sum(sum(population)) OVER () FROM population"
            " WHERE list_contains(?, departement) GROUP BY sex, band",
            [deps],
        ).fetchall()
    }
    con.close()
    expected: dict[str, float] = {}
    for r in rates:
        weight = shares[(r["sex"], r["age_band"])]
        expected[r["region"]] = expected.get(r["region"], 0.0) + _number(r["value"]) * weight
    standardised = _compute(loaded, tmp_path, "community.did_age_standardised", "")
    got = {r["region"]: _number(r["value"]) for r in standardised}
    assert got == pytest.approx(expected)


def test_ddd_report_counts_the_aggregate_and_says_how_amounts_were_read(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ddd.csv"
    assert main(["ddd", "report", "--warehouse", str(loaded), "--out", str(out)]) == 0
    rows = {r["cip13"]: r for r in csv.DictReader(out.read_text("utf-8-sig").splitlines())}
    assert "3400938888888" not in rows  # paracetamol: not an antibacterial
    assert rows["3400939999999"]["ddd_status"] == "unknown_product"
    assert rows["3400939999999"]["dispensed_boxes"] == "20"
    assert "BDPM : 14 comprimé(s)" in rows["3400930000001"]["ddd_reason"]


def test_population_by_region_or_of_another_kind_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    workbook = insee_files.write_workbook(
        tmp_path / "estim-pop-nreg-sexe-gca-1975-2023.xlsx",
        {2023: True},
        level="Régions",
        rows=[("84", "Auvergne-Rhône-Alpes", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])],
    )
    args = ["--warehouse", str(warehouse)]
    assert main(["import", "insee_population", str(workbook), *args]) != 0
    assert "importer le classeur par département" in capsys.readouterr().err
    other = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS[:2])
    assert main(["import", "insee_population", str(other), *args]) != 0
    assert "fichier refusé" in capsys.readouterr().err


def test_open_medic_and_the_bdpm_alone_give_the_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without an imported population, the reference tables' population is used (and
    said); rates by age band need INSEE's estimates."""
    warehouse = tmp_path / "w.duckdb"
    year = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS)
    assert main(["import", "open_medic", str(year), "--warehouse", str(warehouse)]) == 0
    folder = bdpm_files.write(tmp_path / "bdpm")
    assert main(["import", "bdpm", str(folder), "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    rows = _compute(warehouse, tmp_path, "community.did", "region")
    population = reference.region("11").population
    got = {r["region"]: r for r in rows}
    assert _number(got["11"]["denominator"]) == pytest.approx(population * 365 / 1000)
    assert "population municipale du référentiel" in capsys.readouterr().err
    args = ["indicators", "compute", "community.did", "--warehouse", str(warehouse)]
    assert main([*args, "--by", "age_band"]) != 0
    assert "importer les estimations de l'INSEE" in capsys.readouterr().err
