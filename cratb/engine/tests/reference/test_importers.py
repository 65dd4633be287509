"""Importing a new WHO edition, on tiny inline files written to a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from cratb.engine import reference
from cratb.engine.reference.importers import RefusedReferenceFile, import_atc_ddd, import_aware

ATC_DDD = """atc_code,atc_name,ddd,uom,adm_r,note
J01,ANTIBACTERIALS FOR SYSTEMIC USE,,,,
J01CA04,amoxicillin,1.5,g,O,
J01CA04,amoxicillin,3,g,P,
J01XX01,fosfomycin,3,g,O,
J01XX01,fosfomycin,12,g,P,
C01AA05,digoxin,0.25,mg,O,
"""

AWARE_CSV = """Antibiotic,Class,ATC code,Category,Listed on EML/EMLc 2025
Amoxicillin,Penicillins,J01CA04,Access,Yes
Fosfomycin_IV,Phosphonics,J01XX01,Reserve,Yes
Fosfomycin_oral,Phosphonics,J01XX01,Access,No
Cefoselis,Cephalosporins,to be assigned,Watch,No
"""


@pytest.fixture
def local_dir(tmp_path: Path) -> Iterator[Path]:
    """A region's own reference folder, searched before the packaged tables."""
    folder = tmp_path / "reference"
    reference.use_local_dir(folder)
    yield folder
    reference.use_local_dir(None)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_atc_ddd_import_writes_an_edition_and_makes_it_current(
    tmp_path: Path, local_dir: Path
) -> None:
    report = import_atc_ddd(_write(tmp_path, "atc.csv", ATC_DDD), edition="2027-01-01")

    assert (report.rows, report.skipped, report.unchanged) == (5, 1, False)
    assert report.path == local_dir / "atc_ddd" / "2027-01-01.csv"
    assert reference.editions()["atc_ddd"] == "2027-01-01"
    assert reference.editions()["aware"] == "2023"  # the packaged choice still applies
    fosfomycin_iv = reference.who_ddd("J01XX01", "P")
    assert fosfomycin_iv is not None and fosfomycin_iv.value == 12.0
    assert reference.who_ddd("C01AA05", "O") is None  # out of the antibacterial scope
    assert reference.who_ddd("J01MA02", "O") is None  # absent from this edition
    assert reference.atc_name("J01") == "ANTIBACTERIALS FOR SYSTEMIC USE"


def test_reimporting_the_same_edition_changes_nothing(tmp_path: Path, local_dir: Path) -> None:
    source = _write(tmp_path, "atc.csv", ATC_DDD)
    import_atc_ddd(source, edition="2027-01-01")

    assert import_atc_ddd(source, edition="2027-01-01").unchanged

    changed = _write(tmp_path, "atc2.csv", ATC_DDD.replace("12,g,P", "16,g,P"))
    with pytest.raises(RefusedReferenceFile, match="existe déjà avec un autre contenu"):
        import_atc_ddd(changed, edition="2027-01-01")


def test_semicolon_and_latin1_files_are_read(tmp_path: Path, local_dir: Path) -> None:
    path = tmp_path / "atc.csv"
    path.write_bytes(
        "atc_code;atc_name;ddd;uom;adm_r;note\nJ01CA04;amoxicilline;1,5;g;O;é\n".encode("cp1252")
    )
    import_atc_ddd(path, edition="latin")
    ddd = reference.who_ddd("J01CA04", "O")
    assert ddd is not None and (ddd.value, ddd.note) == (1.5, "é")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "atc_code,atc_name\nJ01CA04,amoxicillin\n",
            "colonne obligatoire absente : ddd, uom, adm_r",
        ),
        (ATC_DDD.replace("1.5,g,O", "1.5x,g,O"), r"atc\.csv, ligne 2, colonne ddd : « 1\.5x »"),
        (ATC_DDD.replace("3,g,O", "3,kg,O"), r"ligne 4, colonne uom : unité inconnue « kg »"),
        (ATC_DDD.replace("J01CA04,amoxicillin,3", "J1CA04,amoxicillin,3"), r"ligne 3.*« J1CA04 »"),
        ("atc_code,atc_name,ddd,uom,adm_r\nC01AA05,digoxin,0.25,mg,O\n", "aucune DDD"),
        ("", "fichier vide"),
    ],
)
def test_a_bad_atc_file_is_refused_whole_with_one_french_line(
    tmp_path: Path, local_dir: Path, text: str, message: str
) -> None:
    with pytest.raises(RefusedReferenceFile, match=message) as refused:
        import_atc_ddd(_write(tmp_path, "atc.csv", text), edition="2027-01-01")

    assert "\n" not in str(refused.value)
    assert not (local_dir / "atc_ddd").exists()
    assert reference.editions()["atc_ddd"] == "2026-04-25"


def test_aware_csv_import_is_route_aware(tmp_path: Path, local_dir: Path) -> None:
    report = import_aware(_write(tmp_path, "aware.csv", AWARE_CSV), edition="2025")

    assert (report.rows, report.skipped) == (3, 1)
    assert reference.editions()["aware"] == "2025"
    assert reference.aware_category("J01XX01", "O") == "Access"
    assert reference.aware_category("J01XX01", "P") == "Reserve"
    assert reference.aware_category("J01CA04", "O") == "Access"
    assert reference.aware_category("J01DD04") is None  # not in this tiny edition


def test_aware_xlsx_import_finds_the_header_below_a_title(tmp_path: Path, local_dir: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "AWaRe classification 2025"
    sheet.append(["WHO AWaRe antibiotic book classification"])
    sheet.append([])
    for line in AWARE_CSV.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "aware.xlsx"
    workbook.save(path)

    import_aware(path, edition="2025")

    assert reference.aware_category("J01XX01", "P") == "Reserve"
    assert reference.antibacterials()["J01XX01"].aware == {"O": "Access", "P": "Reserve"}


def test_a_bad_aware_file_is_refused(tmp_path: Path, local_dir: Path) -> None:
    bad_category = AWARE_CSV.replace("Penicillins,J01CA04,Access", "Penicillins,J01CA04,Acces")
    with pytest.raises(RefusedReferenceFile, match=r"ligne 1, colonne Category : « Acces »"):
        import_aware(_write(tmp_path, "aware.csv", bad_category), edition="2025")

    contradictory = AWARE_CSV + "Amoxicillin,Penicillins,J01CA04,Watch,Yes\n"
    with pytest.raises(RefusedReferenceFile, match="J01CA04 classé à la fois Access et Watch"):
        import_aware(_write(tmp_path, "aware.csv", contradictory), edition="2025")

    not_a_workbook = _write(tmp_path, "aware.xlsx", "not a spreadsheet")
    with pytest.raises(RefusedReferenceFile, match="classeur xlsx illisible"):
        import_aware(not_a_workbook, edition="2025")
    assert reference.editions()["aware"] == "2023"


def test_edition_names_cannot_escape_the_data_folder(tmp_path: Path, local_dir: Path) -> None:
    with pytest.raises(RefusedReferenceFile, match="édition invalide"):
        import_atc_ddd(_write(tmp_path, "atc.csv", ATC_DDD), edition="../../evil")
