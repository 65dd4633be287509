"""National reference values of the resistance indicators (France).

``national_resistance.csv`` (searched in ``CRATB_REFERENCE_DIR`` first, like every
reference table) holds the published national figures a regional value is read against:
PRIMO (community labs, urinary E. coli: ESBL, resistance to 3rd-generation
cephalosporins and to fluoroquinolones) and bloodstream isolates. Each row names the
indicator, the organism, the agents it stands for (``CTX CRO CAZ``: resistance to a
3rd-generation cephalosporin), the specimen and setting it was measured on (empty: all),
the year, the value (%) and its source. ``reference_for`` finds the latest value of a
year or before, never a later one.

``national_consumption.csv`` holds the national community figures published by Santé
publique France (consumption in DDD per 1000 inhabitants per day, prescriptions per 1000
inhabitants per year), one row per indicator and year with its source and edition;
``consumption_for`` finds the latest of a year or before.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cratb.engine.reference import storage

__all__ = [
    "CONSUMPTION_FILE",
    "FILE",
    "NationalConsumption",
    "NationalValue",
    "clear",
    "consumption_for",
    "national_consumption",
    "national_resistance",
    "reference_for",
]

FILE = "national_resistance.csv"
CONSUMPTION_FILE = "national_consumption.csv"


@dataclass(frozen=True)
class NationalValue:
    indicator: str
    organism: str
    antibiotics: tuple[str, ...]
    specimen: str | None
    setting: str | None
    year: int
    value: float
    label_fr: str
    label_en: str
    source: str

    def label(self, language: str | None = None) -> str:
        english = (language or "").lower().startswith("en")
        return f"{self.label_en if english else self.label_fr} {self.year}"


@functools.cache
def national_resistance() -> tuple[NationalValue, ...]:
    out = []
    for row in storage.read_rows(storage.find(FILE)):
        out.append(
            NationalValue(
                indicator=row["indicator"],
                organism=row["organism"],
                antibiotics=tuple(row["antibiotics"].split()),
                specimen=row["specimen"] or None,
                setting=row["setting"] or None,
                year=int(row["year"]),
                value=float(row["value"]),
                label_fr=row["label_fr"],
                label_en=row["label_en"],
                source=row["source"],
            )
        )
    return tuple(out)


def reference_for(
    indicator: str,
    *,
    organism: str,
    year: int,
    antibiotic: str | None = None,
    specimen: str | None = None,
    setting: str | None = None,
) -> NationalValue | None:
    """The latest national value of ``year`` or before for that indicator, organism,
    agent (one of the row's agents), specimen and setting; a row measured on all
    specimens (settings) matches any."""
    found = [
        v
        for v in national_resistance()
        if v.indicator == indicator
        and v.organism == organism
        and v.year <= year
        and (antibiotic is None or antibiotic in v.antibiotics)
        and (antibiotic is not None or not v.antibiotics)
        and v.specimen in (None, specimen)
        and v.setting in (None, setting)
    ]
    return max(found, key=lambda v: v.year) if found else None


@dataclass(frozen=True)
class NationalConsumption:
    indicator: str
    year: int
    value: float
    source: str
    edition: str


@functools.cache
def national_consumption() -> tuple[NationalConsumption, ...]:
    return tuple(
        NationalConsumption(
            indicator=row["indicator"],
            year=int(row["year"]),
            value=float(row["value"]),
            source=row["source"],
            edition=row["edition"],
        )
        for row in storage.read_rows(storage.find(CONSUMPTION_FILE))
    )


def consumption_for(indicator: str, year: int) -> NationalConsumption | None:
    """The latest national value of ``indicator`` of ``year`` or before (never a later
    one), or ``None``."""
    found = [v for v in national_consumption() if v.indicator == indicator and v.year <= year]
    return max(found, key=lambda v: v.year) if found else None


def clear() -> None:
    national_resistance.cache_clear()
    national_consumption.cache_clear()
