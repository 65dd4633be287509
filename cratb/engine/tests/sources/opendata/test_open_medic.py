"""Open Medic → aggregated dispensing rows: layout, codes, rejections, truncated files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cratb.engine.sources import RefusedFile
from cratb.engine.sources.opendata.open_medic import (
    ACCEPTED_SCHEMA,
    REGIONS,
    SPECIALTIES,
    atc_by_cip13,
    read_open_medic,
)
from cratb.engine.tests.sources.opendata.open_medic_files import (
    HEADER,
    row,
    write_csv,
    write_zip,
)

ROWS = [
    row(),
    row(age="20", sex="1", region="93", specialty="90", boxes="1.234", rem="3.456,78"),
    row(age="60", sex="9", region="5", specialty="19", label="AMOXICILLINE L’EXEMPLE 500MG"),
    row(age="99", sex="2", region="99", specialty="98", atc="J01CR02", cip13="3400930000003"),
    row(atc="N02BE01", cip13="3400938888888", label="PARACETAMOL EXEMPLE 1G CPR 8", boxes="-2"),
]


def _read(path: Path, **kwargs: object) -> dict[str, object]:
    result = read_open_medic(path, **kwargs)  # type: ignore[arg-type]
    return {
        "result": result,
        "rows": result.accepted.to_pylist(),
        "rejections": result.rejected.to_pylist(),
    }


def test_the_published_zip_is_read_and_codes_mapped(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS)
    result = read_open_medic(write_zip(tmp_path / "OPEN_MEDIC_2023.zip", csv_path))
    assert (result.year, result.encoding, result.read, result.rejected_rows) == (
        2023,
        "windows-1252",
        5,
        0,
    )
    assert result.accepted.schema == ACCEPTED_SCHEMA
    rows = result.accepted.to_pylist()
    short = [
        (r["region"], r["age_band"], r["sex"], r["prescriber_specialty"], r["boxes"]) for r in rows
    ]
    assert short == [
        ("11", "0-19", "F", "general_practice", 12),
        ("93+94", "20-59", "M", "hospital", 1234),
        ("01+02+03+04+06", "60+", None, "dentistry", 12),
        (None, None, "F", "other", 12),
        ("11", "0-19", "F", "general_practice", -2),
    ]
    first = rows[0]
    assert (first["year"], first["cip13"], first["atc"], first["cip13_label"]) == (
        2023,
        "3400930000001",
        "J01CA04",
        "AMOXICILLINE EXEMPLE 1 G CPR DISP 14",
    )
    assert (first["reimbursed"], first["reimbursement_base"]) == (35.23, 54.2)
    assert rows[1]["reimbursed"] == 3456.78
    assert (rows[1]["source_region"], rows[1]["source_specialty"]) == ("93", "90")
    # Windows-1252 punctuation read through Latin-1 is put back.
    assert rows[2]["cip13_label"] == "AMOXICILLINE L’EXEMPLE 500MG"
    assert result.ignored_columns[:2] == ["ATC1", "l_ATC1"]


def test_csv_gzip_utf8_and_column_case_are_accepted(tmp_path: Path) -> None:
    header = HEADER.replace("age;sexe", "AGE;SEXE").replace("l_cip13", "L_CIP13")
    csv_path = write_csv(tmp_path / "OPEN_MEDIC_2022.CSV", ROWS[:2], header=header)
    assert read_open_medic(csv_path).accepted.num_rows == 2
    utf8 = write_csv(tmp_path / "om-2022.csv", ROWS[2:3], encoding="utf-8", newline="\n")
    result = read_open_medic(utf8)
    assert (result.encoding, result.accepted.column("cip13_label").to_pylist()) == (
        "utf-8",
        ["AMOXICILLINE L’EXEMPLE 500MG"],
    )
    packed = tmp_path / "OPEN_MEDIC_2022.CSV.gz"
    packed.write_bytes(gzip.compress(csv_path.read_bytes()))
    assert read_open_medic(packed).accepted.num_rows == 2


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_zip_in_either_encoding(tmp_path: Path, encoding: str) -> None:
    csv_path = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS, encoding=encoding)
    result = read_open_medic(write_zip(tmp_path / "OPEN_MEDIC_2023.zip", csv_path))
    assert result.encoding == ("utf-8" if encoding == "utf-8" else "windows-1252")
    assert result.accepted.column("cip13_label").to_pylist()[2] == "AMOXICILLINE L’EXEMPLE 500MG"


def test_the_year_comes_from_the_name_or_is_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "open_medic.csv", ROWS[:1])
    with pytest.raises(RefusedFile, match="année introuvable dans le nom du fichier"):
        read_open_medic(path)
    assert read_open_medic(path, year=2021).accepted.column("year").to_pylist() == [2021]


def test_unknown_codes_and_bad_numbers_are_rejected_with_their_reason(tmp_path: Path) -> None:
    rows = [
        row(),
        row(region="94", specialty="57"),  # Corsica alone and 57 are not Open Medic codes
        row(age="45", sex="3"),
        row(boxes="12,5", rem="abc"),
        row(cip13="3,40093E+12", atc="J01"),
        row(boxes=""),
    ]
    result = read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows))
    assert (result.read, result.accepted.num_rows, result.rejected_rows) == (6, 1, 5)
    reasons = [(r["row"], r["column"], r["reason"]) for r in result.rejected.to_pylist()]
    assert reasons == [
        (2, "BEN_REG", "code région Open Medic inconnu : « 94 »"),
        (2, "PSP_SPE", "code de spécialité du prescripteur Open Medic inconnu : « 57 »"),
        (3, "age", "tranche d'âge Open Medic inconnue (codes 0, 20, 60, 99) : « 45 »"),
        (3, "sexe", "code sexe Open Medic inconnu (codes 1, 2, 9) : « 3 »"),
        (4, "BOITES", "nombre entier de boîtes attendu, lu « 12,5 »"),
        (4, "REM", "montant attendu, lu « abc »"),
        (5, "ATC5", "code ATC de niveau 5 attendu (ex. J01CA04), lu « J01 »"),
        (5, "CIP13", "CIP13 de 13 chiffres attendu, lu « 3,40093E+12 »"),
        (6, "BOITES", "valeur obligatoire manquante"),
    ]
    raw = json.loads(result.rejected.to_pylist()[0]["raw"])
    assert (raw["BEN_REG"], raw["PSP_SPE"], raw["CIP13"]) == ("94", "57", "3400930000001")


def test_a_repeated_row_is_rejected_as_a_duplicate(tmp_path: Path) -> None:
    rows = [row(), row(age="20"), row(boxes="3")]
    result = read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows))
    assert result.accepted.column("boxes").to_pylist() == [12, 12]
    assert [r["reason"] for r in result.rejected.to_pylist()] == [
        "doublon de la ligne de données 1 (même CIP13, âge, sexe, région et prescripteur)"
    ]


def test_a_last_line_cut_short_is_rejected_and_said(tmp_path: Path) -> None:
    text = "\r\n".join([HEADER, *ROWS[:3]]) + "\r\n" + ROWS[3][:60]
    path = tmp_path / "OPEN_MEDIC_2023.CSV"
    path.write_bytes(text.encode("cp1252"))
    result = read_open_medic(path)
    assert (result.read, result.accepted.num_rows, result.rejected_rows) == (4, 3, 1)
    rejection = result.rejected.to_pylist()[0]
    assert (rejection["row"], rejection["column"]) == (4, None)
    assert rejection["reason"] == "ligne mal formée : des champs manquent (21 attendus)"
    assert any("fichier tronqué" in w for w in result.warnings)


def test_a_malformed_line_keeps_the_numbering_of_the_next_ones(tmp_path: Path) -> None:
    rows = [row(), "J;X;J01", row(age="20"), row(age="60", region="1")]
    result = read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows))
    assert [(r["row"], r["column"]) for r in result.rejected.to_pylist()] == [
        (2, None),
        (4, "BEN_REG"),
    ]
    assert result.warnings == []


def test_a_truncated_zip_is_refused(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", ROWS * 50)
    archive = write_zip(tmp_path / "OPEN_MEDIC_2023.zip", csv_path)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(RefusedFile, match="archive ZIP illisible ou tronquée"):
        read_open_medic(archive)


def test_a_truncated_gzip_is_refused(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "x.CSV", ROWS * 50)
    packed = tmp_path / "OPEN_MEDIC_2023.CSV.gz"
    data = gzip.compress(csv_path.read_bytes())
    packed.write_bytes(data[: len(data) // 2])
    with pytest.raises(RefusedFile, match="gzip illisible ou tronqué"):
        read_open_medic(packed)


def test_a_file_that_is_not_open_medic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "OPEN_MEDIC_2023.CSV"
    path.write_text("cip13;label;atc\n3400930000001;X;J01CA04\n", encoding="utf-8")
    with pytest.raises(RefusedFile) as refused:
        read_open_medic(path)
    assert str(refused.value).startswith(
        "OPEN_MEDIC_2023.CSV : colonne obligatoire ATC5, AGE, SEXE, BEN_REG, PSP_SPE, BOITES"
        " manquante (pas un fichier Open Medic ? colonnes lues : cip13, label, atc)"
    )
    with pytest.raises(RefusedFile, match="aucune ligne de données"):
        read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2024.CSV", []))


def test_a_zip_must_hold_one_csv(tmp_path: Path) -> None:
    archive = tmp_path / "OPEN_MEDIC_2023.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", HEADER)
        z.writestr("b.csv", HEADER)
    with pytest.raises(RefusedFile, match="un seul fichier CSV attendu dans l'archive"):
        read_open_medic(archive)


def test_every_source_code_is_mapped_to_the_project_vocabulary() -> None:
    vocabulary = {"general_practice", "dentistry", "hospital", "other_specialty", "midwifery"}
    assert {v for v in SPECIALTIES.values() if v} <= vocabulary | {"other"}
    for code in REGIONS.values():
        for part in (code or "").split("+"):
            assert part == "" or len(part) == 2


def test_cip13_to_atc_mapping_and_its_conflicts(tmp_path: Path) -> None:
    rows = [
        row(),
        row(age="20"),
        row(age="60", atc="J01CR02", boxes="1"),  # same CIP13, another ATC code
        row(cip13="3400930000003", atc="J01CR02"),
    ]
    result = read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows))
    mapping, conflicts = atc_by_cip13(result.accepted)
    assert mapping == {"3400930000001": "J01CA04", "3400930000003": "J01CR02"}
    assert conflicts == {"3400930000001": ["J01CA04", "J01CR02"]}
