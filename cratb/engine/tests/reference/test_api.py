"""The reference API as the indicators and the importers use it."""

from __future__ import annotations

import pytest

from cratb.engine import reference
from cratb.engine.reference import Ddd, ReferenceError

# CONTRACTS.md 1.5: antibiotic codes every isolate file may use.
CONTRACT_CODES = (
    "AMX AMC MEC FOS NIT SXT TMP CIP OFX LVX CTX CRO CAZ CFM FEP TEM ETP MEM IPM GEN AMK "
    "TZP CXM CZO"
).split()


def test_fosfomycin_is_watch_by_mouth_and_reserve_intravenously() -> None:
    assert reference.aware_category("J01XX01", "O") == "Watch"
    assert reference.aware_category("J01XX01", "P") == "Reserve"
    # Without a route the two WHO entries disagree: no category rather than a guess.
    assert reference.aware_category("J01XX01") is None
    assert reference.antibacterials()["J01XX01"].aware == {"O": "Watch", "P": "Reserve"}


def test_aware_for_agents_classified_for_every_route() -> None:
    assert reference.aware_category("J01CA04") == "Access"
    assert reference.aware_category("J01CA04", "P") == "Access"
    assert reference.aware_category("J01DD04", "P") == "Watch"
    assert reference.aware_category("J01XX08", "O") == "Reserve"
    # Vancomycin: WHO lists J01XA01 for IV use only; the category holds for the code.
    assert reference.aware_category("J01XA01") == "Watch"
    assert reference.aware_category("J01XX05") is None  # methenamine: not in AWaRe 2023


@pytest.mark.parametrize(
    ("atc", "expected"),
    [
        ("J01CR02", True),
        ("J01DD04", True),
        ("J01DD08", True),
        ("J01DE01", True),
        ("J01MA02", True),
        (" j01ma12 ", True),
        ("J01CA04", False),
        ("J01CR05", False),
        ("J01DC02", False),  # cefuroxime is 2nd generation
        ("J01MB02", False),  # nalidixic acid is not a fluoroquinolone (J01MB)
        ("J01XX01", False),
    ],
)
def test_is_critical_follows_the_contract_definition(atc: str, expected: bool) -> None:
    assert reference.is_critical(atc) is expected


def test_critical_flag_on_the_table_matches_is_critical() -> None:
    critical = {atc for atc, ab in reference.antibacterials().items() if ab.critical}
    assert "J01CR02" in critical and "J01DD04" in critical and "J01MA02" in critical
    assert all(atc == "J01CR02" or atc[:5] in ("J01DD", "J01DE", "J01MA") for atc in critical)


@pytest.mark.parametrize("code", CONTRACT_CODES)
def test_every_whonet_code_of_the_contract_resolves(code: str) -> None:
    agent = reference.by_whonet(code)
    assert agent is not None
    assert agent.whonet == code
    assert agent.atc.startswith("J01")


def test_by_whonet_is_case_insensitive_and_precise() -> None:
    amc = reference.by_whonet(" amc ")
    assert amc is not None and amc.atc == "J01CR02"
    assert amc.name_fr.startswith("amoxicilline")
    mec = reference.by_whonet("MEC")
    assert mec is not None and mec.atc == "J01CA11"
    ipm = reference.by_whonet("IPM")
    assert ipm is not None and ipm.atc == "J01DH51"
    assert reference.by_whonet("XYZ") is None


def test_whonet_codes_are_unique() -> None:
    codes = [ab.whonet for ab in reference.antibacterials().values() if ab.whonet]
    assert len(codes) == len(set(codes))


def test_who_ddd_by_route() -> None:
    assert reference.who_ddd("J01CA04", "O") == Ddd(route="O", value=1.5, unit="g", note="")
    assert reference.who_ddd("J01CA04", "P") == Ddd(route="P", value=3.0, unit="g", note="")
    amc = reference.who_ddd("J01CR02", "O")
    assert amc is not None and amc.note == "Refers to amoxicillin"
    assert reference.who_ddd("J01MA02", "P") == Ddd(route="P", value=0.8, unit="g", note="")
    colistin = reference.who_ddd("J01XB01", "P")
    assert colistin is not None and (colistin.value, colistin.unit) == (9.0, "MU")
    assert reference.who_ddd("J01DD04", "O") is None


def test_who_ddd_when_who_gives_several_for_one_route() -> None:
    # Erythromycin: 1 g in general, 2 g for ethylsuccinate tablets (noted).
    erythromycin = reference.who_ddd("J01FA01", "O")
    assert erythromycin is not None and erythromycin.value == 1.0
    # Methenamine: hippurate and mandelate differ and both carry a note.
    assert reference.who_ddd("J01XX05", "O") is None
    # Aztreonam has one inhaled DDD; colistin has two (powder, solution), equal here but
    # still two presentations, so "Inhal" alone is ambiguous for colistin only.
    aztreonam = reference.who_ddd("J01DF01", "Inhal")
    assert aztreonam is not None and aztreonam.route == "Inhal.solution"
    assert reference.who_ddd("J01XB01", "Inhal") is None


def test_antibacterial_carries_atc_levels_and_names() -> None:
    cipro = reference.antibacterial("J01MA02")
    assert (cipro.atc_level1, cipro.atc_level2, cipro.atc_level3, cipro.atc_level4) == (
        "J",
        "J01",
        "J01M",
        "J01MA",
    )
    assert (cipro.name_fr, cipro.name_en, cipro.whonet) == (
        "ciprofloxacine",
        "ciprofloxacin",
        "CIP",
    )
    assert cipro.source
    assert reference.atc_name("J01MA02") == "ciprofloxacin"


def test_unknown_atc_is_a_french_reference_error() -> None:
    with pytest.raises(ReferenceError, match=r"code ATC inconnu.*J99ZZ99"):
        reference.antibacterial("J99ZZ99")


def test_editions_are_reported() -> None:
    assert reference.editions() == {
        "atc_ddd": "2026-04-25",
        "aware": "2023",
        "population": "2017",
    }


def test_eighteen_regions_and_one_hundred_and_one_departements() -> None:
    assert len(reference.regions()) == 18
    assert len(reference.departements()) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(reference.departements())
    assert "20" not in reference.departements()


def test_ile_de_france_has_eight_departements() -> None:
    assert [d.code for d in reference.departements_of("11")] == [
        "75",
        "77",
        "78",
        "91",
        "92",
        "93",
        "94",
        "95",
    ]
    assert reference.region("11").name == "Île-de-France"


def test_overseas_regions_have_one_departement_each() -> None:
    for region_code, dep_code in (("01", "971"), ("02", "972"), ("03", "973"), ("04", "974")):
        assert [d.code for d in reference.departements_of(region_code)] == [dep_code]
    assert [d.code for d in reference.departements_of("06")] == ["976"]


def test_populations_are_plausible_and_consistent() -> None:
    total = sum(r.population for r in reference.regions().values())
    # France counted about 66.8 million inhabitants in 2017 and 68 million in 2024.
    assert 64_000_000 < total < 70_000_000
    for code, region in reference.regions().items():
        assert region.population == sum(d.population for d in reference.departements_of(code))
    assert 2_000_000 < reference.departement("75").population < 2_300_000
    assert 70_000 < reference.departement("48").population < 80_000  # Lozère, the smallest
    years = {d.population_year for d in reference.departements().values()}
    assert years == {int(reference.editions()["population"])}


def test_unknown_region_is_a_french_reference_error() -> None:
    with pytest.raises(ReferenceError, match=r"région INSEE inconnu.*« 99 »"):
        reference.departements_of("99")
    with pytest.raises(ReferenceError, match="département INSEE inconnu"):
        reference.departement("20")
