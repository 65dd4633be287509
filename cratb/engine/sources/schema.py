"""The input files of CONTRACTS.md section 1: columns, rules and unique keys per kind.

Each kind is declared once here; the readers of other layouts (wide, WHONET, HL7: see
``formats``) and the isolate-level table (``isolate_heads``) take their columns from
these declarations (``isolate_columns``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from cratb.engine import reference
from cratb.engine.reference import organisms
from cratb.engine.sources.rules import (
    FINESS,
    Choice,
    CodeSet,
    Commune,
    Departement,
    Integer,
    IsoDate,
    LabAntibiotic,
    Number,
    Organism,
    Pattern,
    Rule,
    Text,
    Year,
)

__all__ = [
    "COMMAND_LINE_KINDS",
    "KINDS",
    "RESULT_COLUMNS",
    "Column",
    "Kind",
    "RowCheck",
    "isolate_columns",
    "kind_spec",
    "with_lab_codes",
]

KINDS = (
    "dispensations",
    "products",
    "population",
    "hospital_consumption",
    "patient_days",
    "isolates",
    "rapid_tests",
    "rapid_test_kits",
    "rapid_test_places",
)
#: Kinds imported from the command line only (not yet offered by the web import page).
COMMAND_LINE_KINDS = ("aggregated_dispensations",)

PRESCRIBER_SPECIALTIES = (
    "general_practice",
    "dentistry",
    "hospital",
    "other_specialty",
    "midwifery",
    "other",
)
#: The sectors of ``patient_days`` and, optional, of ``hospital_consumption``: the five of
#: the first contract, then the SPARES-style sectors that split short stay (médecine,
#: chirurgie, réanimation, pédiatrie, gynécologie-obstétrique).
HOSPITAL_SECTORS = (
    "acute",
    "rehabilitation",
    "psychiatry",
    "long_term",
    "nursing_home",
    "medicine",
    "surgery",
    "intensive_care",
    "paediatrics",
    "gynaecology_obstetrics",
)
SPECIMENS = ("urine", "blood", "respiratory", "skin", "other")
ROUTES = ("O", "P", "R", "Inhal")
SEXES = ("F", "M")
YES_NO = ("Y", "N")
#: Point-of-care tests: rapid strep A test (TROD angine) and urine dipstick (bandelette).
RAPID_TESTS = ("strep_a", "urine_strip")
RAPID_RESULTS = ("positive", "negative", "invalid")
TEST_PLACES = ("pharmacy", "practice", "other")
#: The département of a commune code: three characters overseas (971…976), two elsewhere.
COMMUNE_DEPARTEMENT = "CASE WHEN {c} LIKE '97%' THEN left({c}, 3) ELSE left({c}, 2) END"
#: The columns of an isolates file that give one antibiotic's result; the others
#: describe the isolate itself, the same on each of its rows.
RESULT_COLUMNS = ("antibiotic", "sir")


@dataclass(frozen=True)
class Column:
    name: str
    rule: Rule
    required: bool = True
    # Canonical value stored when an optional cell is empty.
    default: str | None = None
    # Pseudonymous identifiers: hashed with the operator's secret salt on request.
    pseudonymous: bool = False
    # An identifier of a row or a person: refused when it looks like a patient's identity
    # (a NIR, a person's name: ``rules.identity_reason``), checked before any hashing.
    identifier: bool = False


@dataclass(frozen=True)
class RowCheck:
    """A check across cells of one row; ``condition`` sees the trimmed cells as ``v_<name>``."""

    column: str
    condition: str
    reason: str


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    # A later row with the same key (in the file or already stored) is rejected as a duplicate.
    key: tuple[str, ...]
    row_checks: tuple[RowCheck, ...] = field(default=())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _departement() -> Departement:
    return Departement(codes=frozenset(reference.departements()))


def _commune() -> Commune:
    return Commune(
        codes=frozenset(reference.communes()),
        edition=reference.editions().get("communes", ""),
    )


def _place_checks() -> tuple[RowCheck, ...]:
    """A rapid-test row is placed by its commune or its département; both must agree."""
    commune = Commune().value("v_commune")
    departement = Departement().value("v_departement")
    return (
        RowCheck(
            "departement",
            "v_commune IS NULL AND v_departement IS NULL",
            "commune ou département obligatoire (les deux sont vides)",
        ),
        RowCheck(
            "departement",
            f"v_commune IS NOT NULL AND v_departement IS NOT NULL"
            f" AND ({COMMUNE_DEPARTEMENT.format(c=commune)}) <> {departement}",
            "le département ne correspond pas au code de la commune",
        ),
    )


def _atc() -> CodeSet:
    edition = reference.editions().get("atc_ddd", "")
    return CodeSet(
        codes=frozenset(reference.antibacterials()),
        shape="[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}",
        shape_reason="code ATC de niveau 5 attendu (ex. J01CA04), lu",
        unknown_reason=f"code ATC absent du référentiel des antibactériens (édition {edition}) :",
    )


def _organism() -> Organism:
    keys = organisms.organism_keys()
    return Organism(names=frozenset(organisms.organisms()), keys=keys)


def _whonet() -> LabAntibiotic:
    """WHONET codes; ``with_lab_codes`` adds each lab's own codes at import time."""
    codes = frozenset(a.whonet for a in reference.antibacterials().values() if a.whonet)
    return LabAntibiotic(
        codes=codes,
        shape="[A-Z]{3}",
        shape_reason=(
            "code antibiotique WHONET à 3 lettres attendu (ex. AMX), ni code du laboratoire"
            " connu de la table de correspondance (cratb lab-codes), lu"
        ),
        unknown_reason="code antibiotique WHONET inconnu :",
    )


def with_lab_codes(spec: Kind, mapping: Mapping[tuple[str, str], str]) -> Kind:
    """``spec`` whose antibiotic column translates the labs' own codes with ``mapping``."""
    if not mapping or "antibiotic" not in {c.name for c in spec.columns}:
        return spec
    columns = tuple(
        replace(c, rule=replace(c.rule, mapping=dict(mapping)))
        if c.name == "antibiotic" and isinstance(c.rule, LabAntibiotic)
        else c
        for c in spec.columns
    )
    return replace(spec, columns=columns)


@functools.cache
def kind_spec(name: str) -> Kind:
    """The specification of one kind of file (``name`` must be one of ``KINDS``)."""
    return _specs()[name]


def isolate_columns() -> tuple[str, ...]:
    """The columns of the isolates kind that describe the isolate (all but
    ``RESULT_COLUMNS``), in the contract's order."""
    return tuple(c.name for c in kind_spec("isolates").columns if c.name not in RESULT_COLUMNS)


def _specs() -> dict[str, Kind]:
    text = Text()
    pseudonym = Column("patient_id", text, pseudonymous=True, identifier=True)
    specs = [
        Kind(
            "dispensations",
            (
                Column("dispensation_id", text, identifier=True),
                Column("dispensed_on", IsoDate(not_future=True)),
                Column("prescription_id", text, identifier=True),
                pseudonym,
                Column("patient_age", Integer(minimum=0, maximum=120)),
                Column("patient_sex", Choice(values=SEXES)),
                Column("patient_departement", _departement()),
                Column("prescriber_id", text, pseudonymous=True, identifier=True),
                Column("prescriber_specialty", Choice(values=PRESCRIBER_SPECIALTIES)),
                Column("cip13", text),
                # Negative boxes are returns and corrections; indicators use net sums.
                Column("boxes", Integer()),
                Column(
                    "setting",
                    Choice(values=("community", "nursing_home")),
                    required=False,
                    default="community",
                ),
                # Finer territories (optional): the patient's and the prescriber's commune.
                Column("patient_commune", _commune(), required=False),
                Column("prescriber_commune", _commune(), required=False),
            ),
            key=("dispensation_id",),
        ),
        Kind(
            "products",
            (
                Column("cip13", text),
                Column("label", Text(max_length=500)),
                Column("atc", _atc()),
                Column("route", Choice(values=ROUTES)),
                Column("units_per_box", Number()),
                Column("amount_per_unit", Number(), required=False),
                Column("amount_unit", Choice(values=("g", "mg", "MU")), required=False),
                Column("ddd_per_box", Number(), required=False),
            ),
            key=("cip13",),
            row_checks=(
                RowCheck(
                    "amount_unit",
                    "v_amount_per_unit IS NOT NULL AND v_amount_unit IS NULL",
                    "unité obligatoire quand amount_per_unit est renseigné",
                ),
            ),
        ),
        Kind(
            "population",
            (
                Column("year", Year()),
                Column("departement", _departement()),
                Column("population", Integer(minimum=0)),
                Column("sex", Choice(values=SEXES), required=False),
                Column(
                    "age_band",
                    Pattern(
                        shape="[0-9]{1,3}(-[0-9]{1,3}|\\+)",
                        shape_reason="tranche d'âge attendue sous la forme 0-4 ou 85+, lu",
                    ),
                    required=False,
                ),
            ),
            key=("year", "departement", "sex", "age_band"),
        ),
        Kind(
            "hospital_consumption",
            (
                Column("finess", FINESS),
                Column("year", Year(not_future=True)),
                Column("atc", _atc()),
                Column("route", Choice(values=ROUTES)),
                Column("ddd", Number(zero_allowed=True), required=False),
                Column("grams", Number(zero_allowed=True), required=False),
                # Optional: the sector that consumed (empty: the whole establishment).
                Column("sector", Choice(values=HOSPITAL_SECTORS), required=False),
            ),
            key=("finess", "year", "atc", "route", "sector"),
            row_checks=(
                RowCheck(
                    "ddd",
                    "v_ddd IS NULL AND v_grams IS NULL",
                    "ddd ou grams obligatoire (les deux sont vides)",
                ),
            ),
        ),
        Kind(
            "patient_days",
            (
                Column("finess", FINESS),
                Column("year", Year(not_future=True)),
                Column("sector", Choice(values=HOSPITAL_SECTORS)),
                Column("patient_days", Integer(minimum=0)),
            ),
            key=("finess", "year", "sector"),
        ),
        Kind(
            "isolates",
            (
                Column("isolate_id", text, identifier=True),
                pseudonym,
                Column("sampled_on", IsoDate(not_future=True)),
                Column("specimen", Choice(values=SPECIMENS)),
                Column("setting", Choice(values=("community", "nursing_home", "hospital"))),
                Column("departement", _departement()),
                Column("lab_id", text),
                Column("organism", _organism()),
                Column("antibiotic", _whonet()),
                Column("sir", Choice(values=("S", "I", "R"))),
                Column("esbl", Choice(values=YES_NO), required=False),
                Column("patient_age", Integer(minimum=0, maximum=120), required=False),
                Column("patient_sex", Choice(values=SEXES), required=False),
            ),
            key=("isolate_id", "antibiotic"),
        ),
        Kind(
            "rapid_tests",
            (
                Column("test_id", text, identifier=True),
                Column("tested_on", IsoDate(not_future=True)),
                Column("place_code", text),
                Column("place_kind", Choice(values=TEST_PLACES), required=False),
                Column("commune", _commune(), required=False),
                Column("departement", _departement(), required=False),
                Column("test", Choice(values=RAPID_TESTS)),
                Column("result", Choice(values=RAPID_RESULTS)),
                Column("antibiotic_dispensed", Choice(values=YES_NO)),
            ),
            key=("test_id",),
            row_checks=_place_checks(),
        ),
        Kind(
            "rapid_test_kits",
            (
                Column("place_code", text),
                Column("ordered_on", IsoDate(not_future=True)),
                Column("place_kind", Choice(values=TEST_PLACES), required=False),
                Column("commune", _commune(), required=False),
                Column("departement", _departement(), required=False),
                Column("test", Choice(values=RAPID_TESTS), required=False, default="strep_a"),
                Column("kits", Integer(minimum=0)),
            ),
            key=("place_code", "ordered_on", "test"),
            row_checks=_place_checks(),
        ),
        # The register of the places that may order kits (pharmacies from FINESS,
        # practices from the Annuaire santé…): the denominator of the share of places
        # ordering, which the orders alone cannot give.
        Kind(
            "rapid_test_places",
            (
                Column("place_code", text),
                Column("place_kind", Choice(values=TEST_PLACES)),
                Column("commune", _commune(), required=False),
                Column("departement", _departement(), required=False),
            ),
            key=("place_code",),
            row_checks=_place_checks(),
        ),
    ]
    specs.append(_aggregated_dispensations())
    return {k.name: k for k in specs}


AGE_BAND = Pattern(
    shape="[0-9]{1,3}(-[0-9]{1,3}|\\+)",
    shape_reason="tranche d'âge attendue sous la forme 0-4 ou 85+, lu",
)


def _aggregated_dispensations() -> Kind:
    """Counts of boxes dispensed (Open Medic, an SNDS extract summed by the health
    insurance…): one row per year × territory × age band × sex × prescriber specialty ×
    product (CIP13, or ATC code with its DDD). ``region`` may join several COG codes
    with « + » (Open Medic gives Provence-Alpes-Côte d'Azur and Corse together: 93+94);
    an empty territory, age band, sex or specialty is « unknown »."""
    text = Text()
    return Kind(
        "aggregated_dispensations",
        (
            Column("year", Year()),
            Column(
                "region",
                Pattern(
                    shape="[0-9]{2}(\\+[0-9]{2})*",
                    shape_reason="code région INSEE attendu (ex. 84, ou 93+94), lu",
                ),
                required=False,
            ),
            Column("departement", _departement(), required=False),
            Column("age_band", AGE_BAND, required=False),
            Column("sex", Choice(values=SEXES), required=False),
            Column("prescriber_specialty", Choice(values=PRESCRIBER_SPECIALTIES), required=False),
            Column("cip13", text, required=False),
            Column(
                "atc",
                Pattern(
                    shape="[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}",
                    shape_reason="code ATC de niveau 5 attendu (ex. J01CA04), lu",
                ),
                required=False,
            ),
            # Negative boxes are returns and corrections; indicators use net sums.
            Column("boxes", Integer()),
            Column("ddd", Number(zero_allowed=True), required=False),
            Column("prescriptions", Integer(minimum=0), required=False),
            Column("patients", Integer(minimum=0), required=False),
            Column("source", text, required=False),
        ),
        key=(
            "year",
            "region",
            "departement",
            "age_band",
            "sex",
            "prescriber_specialty",
            "cip13",
            "atc",
            "source",
        ),
        row_checks=(
            RowCheck(
                "cip13",
                "v_cip13 IS NULL AND v_atc IS NULL",
                "cip13 ou atc obligatoire (les deux sont vides)",
            ),
            RowCheck(
                "ddd",
                "v_cip13 IS NULL AND v_ddd IS NULL",
                "ddd obligatoire pour une ligne sans cip13 (comptée par code ATC)",
            ),
        ),
    )
