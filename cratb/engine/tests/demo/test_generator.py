from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from cratb.engine.demo import IMPORT_ORDER, DemoError, DemoFiles, DemoSpec, generate
from cratb.engine.demo.codes import cip13, ean13_check_digit, finess, luhn_check_digit


def _digests(files: DemoFiles) -> dict[str, str]:
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in files.files.items()}


def _tiny(seed: int, out: Path) -> DemoFiles:
    return generate(DemoSpec(region_code="11", scale=0.002, seed=seed, year=2024), out_dir=out)


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    first = _digests(_tiny(7, tmp_path / "a"))
    second = _digests(_tiny(7, tmp_path / "b"))
    assert first == second
    assert list(first) == list(IMPORT_ORDER)


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    first = _digests(_tiny(7, tmp_path / "a"))
    other = _digests(_tiny(8, tmp_path / "b"))
    # The catalogue and the population do not depend on the seed; the draws do.
    assert first["products"] == other["products"]
    assert first["population"] == other["population"]
    for kind in ("dispensations", "hospital_consumption", "isolates"):
        assert first[kind] != other[kind], kind


def test_population_file_is_the_scaled_real_population(demo_idf: DemoFiles) -> None:
    with demo_idf.files["population"].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["departement"] for r in rows] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert {r["year"] for r in rows} == {"2025"}
    total = sum(int(r["population"]) for r in rows)
    # 1 % of Île-de-France, about 12.2 million inhabitants.
    assert 115_000 < total < 130_000


def test_identifiers_of_two_data_sets_never_collide(tmp_path: Path) -> None:
    def first_id(files: DemoFiles) -> str:
        with files.files["dispensations"].open(encoding="utf-8") as fh:
            return next(csv.DictReader(fh))["dispensation_id"]

    assert first_id(_tiny(7, tmp_path / "a"))[:7] != first_id(_tiny(8, tmp_path / "b"))[:7]


def test_any_region_works_corsica_included(tmp_path: Path) -> None:
    files = generate(DemoSpec(region_code="94", scale=0.01, seed=1, year=2025), out_dir=tmp_path)
    with files.files["population"].open(encoding="utf-8") as fh:
        assert [r["departement"] for r in csv.DictReader(fh)] == ["2A", "2B"]
    with files.files["patient_days"].open(encoding="utf-8") as fh:
        assert all(r["finess"][:2] in {"2A", "2B"} for r in csv.DictReader(fh))
    assert files.rows["dispensations"] > 2_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.0}, "échelle 0 invalide"),
        ({"scale": 50.0}, "échelle 50 invalide"),
        ({"year": 1990}, "année 1990 invalide"),
        ({"seed": -1}, "graine -1 invalide"),
    ],
)
def test_bad_arguments_are_refused_in_french(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, object] = {"region_code": "11", "scale": 0.01, "seed": 1, "year": 2025}
    args.update(kwargs)
    with pytest.raises(DemoError, match=message):
        DemoSpec(**args)  # type: ignore[arg-type]


def test_unknown_region_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="région « 99 » inconnue"):
        generate(DemoSpec(region_code="99", scale=0.01, seed=1, year=2025), out_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_check_digits_match_hand_computation() -> None:
    # 3·1 + 4·3 + 0 + 0 + 9·1 + 3·3 + 0 + 0 + 0 + 0 + 0 + 1·3 = 36 → 4
    assert ean13_check_digit("340093000001") == "4"
    assert cip13("3000001") == "3400930000014"
    # The textbook Luhn example: 7992739871 → 3.
    assert luhn_check_digit("7992739871") == "3"
    # 75001000, doubling every second digit from the right: 0+0+0+1+0+0+(10→1)+7 = 9 → 1.
    assert finess("75", 1000) == "750010001"
    assert len(finess("971", 12)) == 9


def test_a_baseline_year_adds_its_own_files_and_leaves_the_demo_year_alone(
    tmp_path: Path, demo_idf: DemoFiles
) -> None:
    import duckdb

    from cratb.engine.demo.catalogue import BASELINE_DID, NATIONAL_DID

    spec = DemoSpec(region_code="11", scale=0.01, seed=1, year=2025)
    files = generate(spec, out_dir=tmp_path, baseline_year=2019)
    assert set(files.baseline) == {"population", "dispensations"}
    for kind, path in demo_idf.files.items():
        assert files.files[kind].read_bytes() == path.read_bytes(), kind
    con = duckdb.connect()
    dispensing: dict[str, tuple[int, int, int]] = {}
    sources = (("base", files.baseline["dispensations"]), ("year", files.files["dispensations"]))
    for name, path in sources:
        # Names and paths are the test's own.
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}')"  # noqa: S608
        )
        query = f"SELECT count(*), min(year(dispensed_on)), max(year(dispensed_on)) FROM {name}"  # noqa: S608
        row = con.execute(query).fetchone()
        assert row is not None
        dispensing[name] = row
    assert dispensing["base"][1:] == (2019, 2019)
    # The same patients' ids never meet: another tag.
    shared = con.execute("SELECT count(*) FROM base JOIN year USING (dispensation_id)").fetchone()
    assert shared == (0,)
    # Scaled on the national consumption of 2019 against the demo year's.
    ratio = dispensing["base"][0] / dispensing["year"][0]
    assert abs(ratio - BASELINE_DID / NATIONAL_DID) < 0.03
    with pytest.raises(DemoError, match="année de référence 2030 invalide"):
        generate(spec, out_dir=tmp_path / "x", baseline_year=2030)
