"""INSEE population estimates → population rows (CONTRACTS.md 1.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cratb.engine.sources import RefusedFile
from cratb.engine.sources.opendata.insee import POPULATION_SCHEMA, age_band, read_population
from cratb.engine.tests.sources.opendata.insee_files import (
    DEPARTEMENTS,
    QUINQUENNAL,
    quinquennal,
    write_workbook,
)


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("0 à 19 ans", "0-19"),
        ("75 ans et plus", "75+"),
        ("95 ans et plus", "95+"),
        ("5 à 9 ans", "5-9"),
        ("Moins de 20 ans", "0-19"),
        ("Total", None),
    ],
)
def test_age_band_labels(label: str, band: str | None) -> None:
    assert age_band(label) == band


def test_every_year_sheet_by_sex_and_age_band(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "estim-pop-dep-sexe-gca-1975-2024.xlsx", {2024: True, 2023: False}
    )
    result = read_population(path)
    assert (result.level, result.sheets, result.ignored_sheets) == (
        "departement",
        ["2024", "2023"],
        ["À savoir"],
    )
    assert (result.read, result.accepted, result.rejected) == (14, 14, 0)
    assert result.table.schema == POPULATION_SCHEMA
    rows = result.table.to_pylist()
    assert len(rows) == 2 * 7 * 2 * 5  # years × départements × sexes × bands
    ain_women_75 = [
        r
        for r in rows
        if (r["year"], r["departement"], r["sex"], r["age_band"]) == (2024, "01", "F", "75+")
    ]
    assert ain_women_75 == [
        {
            "year": 2024,
            "departement": "01",
            "region": "84",
            "sex": "F",
            "age_band": "75+",
            "population": 38000,
            "provisional": True,
        }
    ]
    assert {r["provisional"] for r in rows if r["year"] == 2023} == {False}
    assert {r["departement"] for r in rows} == {"01", "02", "2A", "2B", "75", "971", "976"}
    assert {r["region"] for r in rows if r["departement"] in ("2A", "2B")} == {"94"}
    total_2024 = sum(r["population"] for r in rows if r["year"] == 2024)
    assert total_2024 == sum(sum(m) + sum(w) for _, _, m, w in DEPARTEMENTS)


def test_total_rows_and_footnotes_are_skipped_and_listed(tmp_path: Path) -> None:
    result = read_population(write_workbook(tmp_path / "p.xlsx", {2024: True}))
    texts = [text for _, _, text in result.skipped]
    assert texts[0].startswith("France métropolitaine 782000 1013000")
    assert any(t.startswith("DOM ") for t in texts)
    assert any(t.startswith("France métropolitaine et DOM") for t in texts)
    assert any(t.startswith("Source : Insee") for t in texts)


def test_five_year_bands(tmp_path: Path) -> None:
    rows = quinquennal()
    path = write_workbook(tmp_path / "aq.xlsx", {2022: False}, bands=QUINQUENNAL, rows=rows)
    result = read_population(path)
    table = result.table.to_pylist()
    assert sorted(
        {r["age_band"] for r in table}, key=lambda b: int(b.split("-")[0].rstrip("+"))
    ) == [
        *(f"{a}-{a + 4}" for a in range(0, 95, 5)),
        "95+",
    ]
    assert sum(r["population"] for r in table) == sum(sum(m) + sum(w) for _, _, m, w in rows)


def test_a_file_by_region(tmp_path: Path) -> None:
    regions = [
        (
            "84",
            "Auvergne-Rhône-Alpes",
            [1000, 2000, 3000, 4000, 500],
            [1100, 2100, 3100, 4100, 600],
        ),
        ("94", "Corse", [10, 20, 30, 40, 5], [11, 21, 31, 41, 6]),
    ]
    path = write_workbook(tmp_path / "nreg.xlsx", {2024: True}, rows=regions, level="Régions")
    result = read_population(path)
    assert result.level == "region"
    assert {(r["region"], r["departement"]) for r in result.table.to_pylist()} == {
        ("84", None),
        ("94", None),
    }


def test_rows_that_do_not_add_up_or_are_unknown_are_rejected(tmp_path: Path) -> None:
    bad_total = ["03", "Allier", *[1] * 5, 999, *[1] * 5, 5, *[0] * 5, 0]  # Ensemble total wrong
    text_cell = ["04", "Alpes-de-Haute-Provence", "n.d.", *[1] * 17]
    unknown = ["20", "Corse (ancien code)", *[0] * 18]
    repeated = ["01", "Ain", *[0] * 18]
    path = write_workbook(
        tmp_path / "p.xlsx", {2024: True}, extra_rows=[bad_total, text_cell, unknown, repeated]
    )
    result = read_population(path)
    assert (result.read, result.accepted, result.rejected) == (11, 7, 4)
    reasons = [(r.row, r.column, r.reason) for r in result.rejections]
    assert (10, "Ensemble Total", "total 999 ≠ somme des tranches d'âge 5") in reasons
    assert (10, "Ensemble Total", "ensemble 999 ≠ hommes + femmes 5") in reasons
    assert (11, "Ensemble 0 à 19 ans", "nombre entier positif attendu, lu « n.d. »") in reasons
    assert (12, None, "code département INSEE inconnu « 20 »") in reasons
    assert (13, None, "département 01 déjà lu ligne 5") in reasons


def test_only_the_years_asked(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "p.xlsx", {2024: True, 2023: False, 2022: False})
    result = read_population(path, years=[2023])
    assert {r["year"] for r in result.table.to_pylist()} == {2023}


def test_files_that_are_not_estimates_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "estim-pop.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(RefusedFile, match=r"\.xls\) : l'enregistrer au format \.xlsx"):
        read_population(xls)
    csv = tmp_path / "p.csv"
    csv.write_text("year,departement,population\n")
    with pytest.raises(RefusedFile, match=r"pas un classeur \.xlsx"):
        read_population(csv)
    path = write_workbook(tmp_path / "p.xlsx", {2024: True})
    with pytest.raises(RefusedFile, match="aucune feuille nommée par une année"):
        read_population(path, years=[1990])
    import openpyxl

    other = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "2024"
    sheet.append(["code", "population"])
    workbook.save(other)
    with pytest.raises(RefusedFile, match="feuille 2024 : en-tête introuvable"):
        read_population(other)
