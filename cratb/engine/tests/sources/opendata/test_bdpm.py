"""The drug database (BDPM) → products: reading the files, parsing texts, DDD per box."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow.csv as pa_csv
import pytest

from cratb.engine.intermediate.products import product_ddd
from cratb.engine.reference import tables
from cratb.engine.sources import RefusedFile, import_file
from cratb.engine.sources.opendata.bdpm import (
    FILE_NAMES,
    Catalogue,
    build_catalogue,
    read_bdpm,
    read_bdpm_folder,
    read_overrides,
)
from cratb.engine.sources.opendata.bdpm.labels import (
    Amount,
    Basis,
    parse_basis,
    parse_dosage,
    parse_pack,
)
from cratb.engine.tests.sources.opendata import bdpm_files
from cratb.engine.tests.sources.opendata.bdpm_files import ATC_CODES


def _by_cip13(table: Any) -> dict[str, dict[str, Any]]:
    return {row["cip13"]: row for row in table.to_pylist()}


def _ddd_per_box(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """The project's own DDD computation on the built products."""
    products = ibis.memtable(catalogue.products)
    ddd = ibis.memtable(tables.ddd_table())
    return _by_cip13(product_ddd(products, ddd).to_pyarrow())


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path / "bdpm"))
    return build_catalogue(bdpm, atc_codes=ATC_CODES)


# --- texts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "count", "unit", "volume", "mass"),
    [
        ("plaquette(s) thermoformée(s) PVC aluminium de 6 comprimé(s)", 6, "COMPRIME", None, None),
        (
            "3 plaquette(s) thermoformée(s) PVC PVDC aluminium de 21 comprimé(s)",
            63,
            "COMPRIME",
            None,
            None,
        ),
        (
            "film(s) thermosoudé(s) aluminium polyéthylène de 16  comprimé(s)",
            16,
            "COMPRIME",
            None,
            None,
        ),
        (
            "flacon(s) polyéthylène haute densité (PEHD) de 30 comprimé(s)",
            30,
            "COMPRIME",
            None,
            None,
        ),
        ("100 plaquette(s) PVC-Aluminium de 1 gélule(s)", 100, "GELULE", None, None),
        ("boîte de 2 plaquettes de 8 comprimés", 16, "COMPRIME", None, None),
        ("1 flacon(s) en verre de 60 ml avec cuillère-mesure polystyrène", 1, "FLACON", 60, None),
        ("3 sachet(s) papier aluminium polyéthylène de 8 g", 3, "SACHET", None, 8),
        (
            "8 sachet(s)-dose(s) papier aluminium polyéthylène de 1,566 g",
            8,
            "SACHET-DOSE",
            None,
            1.566,
        ),
        ("10 flacon(s) en verre de 1 g - 10 ampoule(s) en verre de 10 ml", 10, "FLACON", None, 1),
        ("30 poche(s) polyoléfine suremballée(s)/surpochée(s) de 100 ml", 30, "POCHE", 100, None),
        ("0,5 g en flacon(s) en verre de 15 ml ; boîte de 25", 25, "FLACON", None, 0.5),
        (
            "1 flacon(s) polyéthylène haute densité (PEHD) avec fermeture de sécurité enfant de"
            " 50 ml avec seringue(s) pour administration orale polyéthylène polystyrène",
            1,
            "FLACON",
            50,
            None,
        ),
        # The 5 ml belongs to the measuring spoon, not to the bottle of 13,3 g of powder.
        (
            "1 flacon(s) en verre de 13,3  g avec mesurette(s) graduée(s) polyéthylène de 5 ml",
            1,
            "FLACON",
            None,
            13.3,
        ),
    ],
)
def test_presentation_labels(
    label: str, count: int, unit: str, volume: float | None, mass: float | None
) -> None:
    pack = parse_pack(label)
    assert not isinstance(pack, str), pack
    assert (pack.count, pack.unit, pack.volume_ml, pack.mass_g) == (count, unit, volume, mass)


def test_a_quantity_written_after_an_accessory_is_not_taken_for_the_bottle() -> None:
    pack = parse_pack("1 flacon(s) en verre avec cuillère-mesure de 90 ml")
    assert not isinstance(pack, str)
    assert (pack.volume_ml, pack.ambiguous_quantity) == (None, True)


@pytest.mark.parametrize(
    "label",
    [
        "flacon(s) en verre de 500 mg",  # how many vials?
        "14 plaquette(s) thermoformée(s) PVC PVDC aluminium pour délivrance à l'unité",
        "",
    ],
)
def test_labels_that_say_too_little_are_not_guessed(label: str) -> None:
    assert isinstance(parse_pack(label), str)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("500 mg", Amount(500, "mg")),
        ("1 g", Amount(1, "g")),
        ("1000,00 mg", Amount(1000, "mg")),
        ("0,2 g", Amount(0.2, "g")),
        ("1 000 000 UI", Amount(1, "MU")),
        ("1 000 000 U.I.", Amount(1, "MU")),
        ("1,5 M.UI", Amount(1.5, "MU")),
        ("3 MILLIONS U I", Amount(3, "MU")),
        ("800 microgrammes", Amount(0.8, "mg")),
        ("5 %", None),
        ("", None),
    ],
)
def test_dosages(text: str, amount: Amount | None) -> None:
    assert parse_dosage(text) == amount


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("un comprimé", Basis(unit="COMPRIME")),
        ("une gélule", Basis(unit="GELULE")),
        ("un flacon de poudre", Basis(unit="FLACON")),
        ("un sachet de 8 g", Basis(unit="SACHET")),
        ("une poche de 100 ml", Basis(unit="POCHE", volume_ml=100)),
        ("5 ml de suspension reconstituée", Basis(volume_ml=5)),
        ("une cuillère-mesure de 5 ml de suspension reconstituée", Basis(volume_ml=5)),
        ("une dose de 5 ml", Basis(volume_ml=5)),
        ("un 1 ml de suspension reconstituée", Basis(volume_ml=1)),
        ("100 g", Basis(mass_g=100)),
        ("10 ml (sous forme de phenoxymethylpenicilline benzathine)", Basis(volume_ml=10)),
        ("un dispositif", None),
    ],
)
def test_dosage_references(text: str, basis: Basis | None) -> None:
    assert parse_basis(text) == basis


# --- files ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8"])
def test_both_encodings_are_read_alike(tmp_path: Path, encoding: str) -> None:
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path, encoding=encoding))
    expected = "utf-8" if encoding == "utf-8" else "windows-1252"
    assert set(bdpm.encodings.values()) == {expected}
    assert bdpm.components["60000001"][1].substance == "AMOXICILLINE TRIHYDRATÉE"
    assert bdpm.specialities["60000004"].routes == ("intramusculaire",)
    assert bdpm.specialities["60000006"].routes == ("intramusculaire", "intraveineuse")
    assert len(bdpm.presentations) == len(bdpm_files.PRESENTATIONS)
    assert bdpm.rejections == []


def test_utf8_byte_order_mark_and_unix_line_ends(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path, encoding="utf-8-sig", newline="\n")
    bdpm = read_bdpm_folder(folder)
    assert "60000001" in bdpm.specialities


def test_files_are_found_by_their_published_names_in_any_case(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path)
    (folder / FILE_NAMES["compositions"]).rename(folder / "cis_compo_bdpm.TXT")
    assert len(read_bdpm_folder(folder).components) == 15


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path)
    (folder / "CIS_CIP_bdpm.txt").unlink()
    with pytest.raises(RefusedFile, match=r"fichier CIS_CIP_bdpm\.txt manquant"):
        read_bdpm_folder(folder)


def test_a_file_of_the_wrong_kind_is_refused_with_its_name(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path)
    with pytest.raises(RefusedFile) as refused:
        read_bdpm(
            specialities=folder / "CIS_bdpm.txt",
            presentations=folder / "CIS_CIP_bdpm.txt",
            compositions=folder / "CIS_CIP_bdpm.txt",
        )
    assert str(refused.value) == (
        "CIS_CIP_bdpm.txt : ce fichier contient des présentations (CIS_CIP_bdpm.txt),"
        " pas des compositions attendues (CIS_COMPO_bdpm.txt)"
    )


def test_a_file_of_no_known_layout_is_refused_with_the_columns_expected(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path)
    (folder / "CIS_COMPO_bdpm.txt").write_text("cis;substance;dosage\n60000001;X;1 g\n")
    with pytest.raises(RefusedFile) as refused:
        read_bdpm_folder(folder)
    message = str(refused.value)
    assert message.startswith("CIS_COMPO_bdpm.txt : pas le fichier des compositions de la BDPM")
    assert "8 colonnes" in message and "la ligne 1 en a 1" in message
    assert "\n" not in message


def test_empty_and_zip_files_are_refused(tmp_path: Path) -> None:
    folder = bdpm_files.write(tmp_path)
    (folder / "CIS_bdpm.txt").write_bytes(b"\r\n")
    with pytest.raises(RefusedFile, match=r"^CIS_bdpm\.txt : fichier vide$"):
        read_bdpm_folder(folder)
    (folder / "CIS_bdpm.txt").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(RefusedFile, match="archive ZIP"):
        read_bdpm_folder(folder)


def test_malformed_lines_are_rejected_and_empty_lines_skipped(tmp_path: Path) -> None:
    compositions = [*bdpm_files.COMPOSITIONS]
    compositions.insert(3, "")
    compositions.append("60000013\tcomprimé\tAMOXICILLINE\t500 mg")
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path, compositions=compositions))
    last_line = len(compositions)  # the empty line is counted by the file, skipped by us
    assert [(r.file, r.line) for r in bdpm.rejections] == [("CIS_COMPO_bdpm.txt", last_line)]
    assert "ligne mal formée : 4 colonnes lues" in bdpm.rejections[0].reason
    assert bdpm.lines_read["CIS_COMPO_bdpm.txt"] == len(bdpm_files.COMPOSITIONS) + 1
    components = sum(len(c) for c in bdpm.components.values())
    assert components + len(bdpm.rejections) == bdpm.lines_read["CIS_COMPO_bdpm.txt"]


# --- products ------------------------------------------------------------------------


def test_tablets_amount_and_reason(catalogue: Catalogue) -> None:
    row = _by_cip13(catalogue.products)["3400930000001"]
    assert {k: row[k] for k in ("atc", "route", "units_per_box", "amount_per_unit")} == {
        "atc": "J01CA04",
        "route": "O",
        "units_per_box": 14,
        "amount_per_unit": 1000,
    }
    assert (row["amount_unit"], row["ddd_per_box"], row["amount_basis"]) == ("mg", None, "ft")
    assert row["label"] == (
        "AMOXICILLINE EXEMPLE 1 g, comprimé dispersible — plaquette(s) thermoformée(s) PVC"
        " PVDC aluminium de 14 comprimé(s)"
    )
    assert row["reason"] == (
        "14 comprimé(s) × 1000 mg (FT « AMOXICILLINE ANHYDRE » 1000,00 mg pour « un comprimé »)"
    )
    assert _by_cip13(catalogue.products)["3400930000002"]["units_per_box"] == 18


def test_ddd_per_box_checked_by_hand_against_the_who_ddd(catalogue: Catalogue) -> None:
    """WHO DDD (index 2026-04-25): amoxicillin and amoxicillin-clavulanate O 1.5 g (the
    latter refers to amoxicillin), ceftriaxone P 2 g, colistin P 9 MU, erythromycin
    ethylsuccinate tablets 2 g, metronidazole P01AB01 O 2 g."""
    ddd = _ddd_per_box(catalogue)
    expected = {
        "3400930000001": 14 * 1 / 1.5,  # 14 tablets of 1 g → 9.333
        "3400930000002": 18 * 1 / 1.5,  # 3 blisters of 6
        "3400930000003": 12 * 1 / 1.5,  # 12 sachets of amoxicillin 1 g + clavulanate
        "3400930000004": 60 / 5 * 0.25 / 1.5,  # 60 ml of 250 mg / 5 ml = 3 g → 2
        "3400930000005": 1 / 2,  # 1 vial of 1 g, reconstituted with its 3.5 ml solvent
        "3400930000006": 20 * 0.5 / 2,  # ethylsuccinate tablets: DDD 2 g, not 1 g
        "3400930000007": 10 * 1 / 9,  # 10 vials of 1 MU
        "3400930000013": 20 * 0.5 / 2,  # 2 blisters of 10 tablets of 500 mg
    }
    got = {cip13: ddd[cip13]["ddd_per_box"] for cip13 in expected}
    assert got == pytest.approx(expected)
    assert ddd["3400930000001"]["ddd_per_box"] == pytest.approx(9.333, abs=1e-3)
    assert ddd["3400930000006"]["ddd_status"] == "override"


def test_combination_counted_on_its_ddd_substance(catalogue: Catalogue) -> None:
    row = _by_cip13(catalogue.products)["3400930000003"]
    assert (row["amount_per_unit"], row["amount_unit"]) == (1, "g")
    assert "AMOXICILLINE ANHYDRE" in row["reason"] and "CLAVULANIQUE" not in row["reason"]


def test_products_without_an_amount_keep_why(catalogue: Catalogue) -> None:
    products = _by_cip13(catalogue.products)
    bottle = products["3400930000008"]
    assert (bottle["units_per_box"], bottle["amount_per_unit"]) == (1, None)
    assert (
        "le libellé donne la masse de poudre (6,6 g), pas le volume reconstitué"
        in (bottle["reason"])
    )
    assert "association sans DDJ OMS" in products["3400930000014"]["reason"]
    assert catalogue.without_amount.column("cip13").to_pylist() == [
        "3400930000008",
        "3400930000014",
    ]
    ddd = _ddd_per_box(catalogue)
    assert ddd["3400930000008"]["ddd_status"] == "not_computable"
    assert ddd["3400930000014"]["ddd_per_box"] is None


def test_co_trimoxazole_by_the_who_unit_doses(catalogue: Catalogue) -> None:
    """No DDD in the main WHO index; the list of combined products gives 4 UD for the
    400 mg/80 mg tablet, 40 ml of the 200 mg/40 mg per 5 ml suspension and 20 ml of the
    80 mg/16 mg per ml solution (here given per 5 ml ampoule)."""
    products = _by_cip13(catalogue.products)
    tablets, suspension = products["3400930000010"], products["3400930000015"]
    assert (tablets["ddd_per_box"], tablets["amount_per_unit"]) == (20 / 4, None)
    assert tablets["reason"] == (
        "20 comprimé(s) ; DDJ OMS des associations : comprimé de 400 mg/80 mg : 4 UD"
    )
    assert suspension["ddd_per_box"] == 100 / 40
    assert "suspension de 200 mg/40 mg pour 5 ml : 8 UD (40 ml)" in suspension["reason"]
    assert products["3400930000016"]["ddd_per_box"] == 6 * 5 / 20
    ddd = _ddd_per_box(catalogue)
    assert ddd["3400930000010"]["ddd_per_box"] == 5


def test_international_units_against_a_ddd_in_grams_are_reported(catalogue: Catalogue) -> None:
    row = _by_cip13(catalogue.products)["3400930000012"]
    assert (row["amount_per_unit"], row["amount_unit"]) == (1, "MU")
    assert "quantité en MU, DDJ OMS en g" in row["reason"]
    ddd = _ddd_per_box(catalogue)["3400930000012"]
    assert ddd["ddd_per_box"] is None
    assert ddd["ddd_reason"] == "unité MU incompatible avec la DDJ OMS exprimée en g"


def test_a_salt_dosage_without_its_base_is_flagged(catalogue: Catalogue) -> None:
    row = _by_cip13(catalogue.products)["3400930000011"]
    assert (row["amount_per_unit"], row["amount_basis"]) == (100, "salt")
    assert "quantité du sel" in row["reason"]
    assert catalogue.counts["salt"] == 1


def test_what_cannot_be_built_is_listed_with_its_reason(catalogue: Catalogue) -> None:
    unresolved = _by_cip13(catalogue.unresolved)
    assert set(unresolved) == {"3400930000009", "3400939999999", "3400937777777"}
    assert unresolved["3400930000009"]["reason"] == (
        "route manquant : voie non systémique (ophtalmique)"
    )
    assert unresolved["3400939999999"]["reason"] == (
        "label, route, units_per_box manquant : absent de la BDPM"
    )
    assert unresolved["3400937777777"]["reason"] == (
        "code ATC absent du référentiel des antibactériens : « J01XX05 »"
    )
    assert "3400938888888" not in _by_cip13(catalogue.products)  # paracetamol: out of scope
    counts = catalogue.counts
    assert counts["in_scope"] == counts["products"] + counts["unresolved"] == 18


def test_scope_is_a_parameter(tmp_path: Path) -> None:
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path))
    only_j01 = build_catalogue(bdpm, atc_codes=ATC_CODES, scope=("J01",))
    assert "3400930000013" not in _by_cip13(only_j01.products)  # metronidazole P01AB01


# --- corrections ---------------------------------------------------------------------

OVERRIDES = """cip13;label;atc;route;units_per_box;amount_per_unit;amount_unit;ddd_per_box;reason
3400930000008;;;;;3000;mg;;flacon de 60 ml (RCP, rubrique 6.5)
3400930000014;;;;;;;5;DDJ OMS des associations : 2 UD par comprimé 800/160 mg (liste OMS)
3400939999999;AMOXICILLINE RETIREE 500 mg gélule;;O;12;0,5;g;;présentation retirée de la BDPM
3400930000009;;S01AE03;;;;;;collyre : pas un antibactérien systémique
"""


def test_corrections_win_cell_by_cell_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "bdpm_overrides" / "2025-01-15.csv"
    path.parent.mkdir()
    path.write_text(OVERRIDES, encoding="cp1252")
    overrides = read_overrides(path)
    assert overrides.edition == "2025-01-15"
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path / "bdpm"))
    catalogue = build_catalogue(bdpm, atc_codes=ATC_CODES, overrides=overrides)
    products = _by_cip13(catalogue.products)
    bottle = products["3400930000008"]
    assert (bottle["amount_per_unit"], bottle["amount_unit"], bottle["units_per_box"]) == (
        3000,
        "mg",
        1,
    )
    assert (bottle["source"], bottle["amount_basis"]) == ("bdpm+corrections", "corrections")
    assert bottle["reason"].startswith(
        "correction (édition 2025-01-15, ligne 2) : flacon de 60 ml (RCP, rubrique 6.5) ;"
        " lu dans la BDPM : 1 flacon(s) ;"
    )
    retired = products["3400939999999"]
    assert (retired["source"], retired["atc"], retired["amount_per_unit"]) == (
        "corrections",
        "J01CA04",
        0.5,
    )
    # The corrected ATC code takes the eye drops out of scope.
    assert "3400930000009" not in _by_cip13(catalogue.unresolved)
    ddd = _ddd_per_box(catalogue)
    assert ddd["3400930000008"]["ddd_per_box"] == pytest.approx(3 / 1.5)
    assert ddd["3400930000014"]["ddd_per_box"] == 5
    assert ddd["3400939999999"]["ddd_per_box"] == pytest.approx(12 * 0.5 / 1.5)
    assert catalogue.counts["corrected"] == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("34009300000;;;;;;;;x", "ligne 2, colonne « cip13 » : 13 chiffres attendus"),
        ("3400930000008;;;;;;;;", "ligne 2, colonne « reason » : la raison de la correction"),
        ("3400930000008;;;;;3;kg;;x", "colonne « amount_unit » : valeur inconnue « kg »"),
        ("3400930000008;;;;;3;;;x", "amount_per_unit et amount_unit vont ensemble"),
        ("3400930000008;;;IV;;;;;x", "colonne « route » : valeur inconnue « IV »"),
        ("3400930000008;;;;-2;;;;x", "colonne « units_per_box » : doit être strictement positif"),
        ("3400930000008;;J01;;;;;;x", "colonne « atc » : code ATC de niveau 5 attendu"),
    ],
)
def test_a_bad_correction_refuses_the_whole_file(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "2025-01-15.csv"
    path.write_text(OVERRIDES.splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match=message):
        read_overrides(path)


def test_built_rows_import_as_the_products_of_the_contract(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """The rows go through today's ``cratb import products`` unchanged: every one accepted,
    the extra columns (cis, source, amount_basis, reason) listed as ignored."""
    path = tmp_path / "products.csv"
    pa_csv.write_csv(catalogue.products, path)
    report = import_file("products", path, warehouse=tmp_path / "w.duckdb")
    assert (report.read, report.accepted, report.rejected) == (15, 15, 0)
    assert sorted(report.ignored_columns) == ["amount_basis", "cis", "reason", "source"]
