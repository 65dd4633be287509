from __future__ import annotations

from cratb.engine import reference
from cratb.engine.reference.communes import fold


def test_every_departement_has_communes_with_its_code() -> None:
    communes = reference.communes()
    assert len(communes) > 34_000
    assert {c.departement for c in communes.values()} == set(reference.departements())
    creteil = reference.commune("94028")
    assert creteil is not None
    assert (creteil.name, creteil.departement, creteil.postal_codes) == (
        "Créteil",
        "94",
        ("94000",),
    )


def test_find_by_name_any_case_or_accent_by_postal_code_and_by_insee_code() -> None:
    assert reference.find_communes("creteil")[0].code == "94028"
    assert reference.find_communes("SAINT ETIENNE")[0].code == "42218"
    assert [c.code for c in reference.find_communes("75011")] == ["75111"]
    assert reference.find_communes("2A004")[0].name == "Ajaccio"
    assert reference.find_communes("") == []
    assert reference.find_communes("zzzz") == []


def test_fold() -> None:
    assert fold("L'Haÿ-les-Roses") == "l hay les roses"
