"""Hospitals of the demo region: establishments, patient-days and consumption.

ConsoRes-like files (CONTRACTS.md 1.4). Establishments get a type, a size and
sectors; consumption follows a per-sector rate of DDD per 1000 patient-days
chosen so that the region lands near the national SPARES level (about 300
DDD/1000 patient-days, 2019-2023), spread over a hospital antibiotic mix.
Some establishments report grams, others DDD, as they do in practice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cratb.engine.demo.codes import finess

SECTORS = ("acute", "rehabilitation", "psychiatry", "long_term", "nursing_home")
# DDD per 1000 patient-days by sector (SPARES orders of magnitude: short-stay
# medicine and surgery far above rehabilitation, psychiatry far below).
DDD_PER_1000_PATIENT_DAYS = {
    "acute": 420.0,
    "rehabilitation": 170.0,
    "psychiatry": 45.0,
    "long_term": 110.0,
    "nursing_home": 65.0,
}
# Short stay of the teaching and general hospitals given by SPARES-style sector: share of
# the acute patient-days, and DDD per 1000 patient-days relative to the acute average
# (intensive care far above, obstetrics below), normalised so that the acute total stays
# DDD_PER_1000_PATIENT_DAYS["acute"]. Their files carry the sector; the other
# establishments' files do not (the first contract), as in a region where both coexist.
ACUTE_SECTORS = {
    "medicine": (0.50, 1.15),
    "surgery": (0.30, 0.80),
    "intensive_care": (0.05, 3.30),
    "paediatrics": (0.07, 0.70),
    "gynaecology_obstetrics": (0.08, 0.45),
}
SECTOR_TYPES = ("chu", "ch")
PATIENT_DAYS_PER_INHABITANT = 1.4
INHABITANTS_PER_ESTABLISHMENT = 30_000
GRAMS_REPORTING_SHARE = 0.4


@dataclass(frozen=True)
class EstablishmentType:
    key: str
    label: str
    probability: float
    median_patient_days: float
    sectors: dict[str, float]


TYPES: tuple[EstablishmentType, ...] = (
    EstablishmentType(
        "chu", "Centre hospitalier universitaire", 0.04, 400_000,
        {"acute": 0.8, "rehabilitation": 0.1, "long_term": 0.05, "psychiatry": 0.05},
    ),
    EstablishmentType(
        "ch", "Centre hospitalier", 0.26, 120_000,
        {"acute": 0.7, "rehabilitation": 0.15, "long_term": 0.1, "nursing_home": 0.05},
    ),
    EstablishmentType("clinic", "Clinique", 0.35, 35_000, {"acute": 1.0}),
    EstablishmentType("rehab", "Centre de soins médicaux et de réadaptation", 0.25, 25_000,
                      {"rehabilitation": 1.0}),
    EstablishmentType("psy", "Établissement de santé mentale", 0.10, 30_000, {"psychiatry": 1.0}),
)  # fmt: skip
# The smallest region still shows one establishment of each common type.
ALWAYS = ("ch", "clinic", "rehab", "psy")

# Share of hospital DDD by (ATC, route): penicillins with inhibitors and
# amoxicillin first, third-generation cephalosporins, fluoroquinolones,
# piperacillin-tazobactam, then a long tail including reserve agents.
HOSPITAL_MIX: tuple[tuple[str, str, float], ...] = (
    ("J01CR02", "O", 12.0), ("J01CR02", "P", 10.0), ("J01CA04", "O", 8.0),
    ("J01CA04", "P", 5.0), ("J01DD04", "P", 8.0), ("J01DD01", "P", 3.0),
    ("J01DD02", "P", 1.0), ("J01DE01", "P", 1.0), ("J01CR05", "P", 4.5),
    ("J01DB04", "P", 3.0), ("J01CF02", "O", 1.0), ("J01CF02", "P", 1.5),
    ("J01MA12", "O", 2.5), ("J01MA12", "P", 1.0), ("J01MA02", "O", 2.0),
    ("J01MA02", "P", 1.0), ("J01MA01", "O", 1.5), ("J01XD01", "P", 2.5),
    ("J01EE01", "O", 3.0), ("J01GB03", "P", 1.5), ("J01GB06", "P", 0.8),
    ("J01XA01", "P", 2.0), ("J01DH02", "P", 1.5), ("J01DH51", "P", 0.5),
    ("J01DH03", "P", 0.5), ("J01FF01", "O", 1.0), ("J01FF01", "P", 1.0),
    ("J01FA09", "O", 1.0), ("J01FA09", "P", 0.5), ("J01FA10", "O", 1.0),
    ("J01FA02", "O", 0.5), ("J01AA02", "O", 1.0), ("J01FG01", "O", 1.0),
    ("J01XX08", "O", 0.4), ("J01XX08", "P", 0.4), ("J01XX09", "P", 0.4),
    ("J01CA17", "P", 0.5), ("J01XX01", "P", 0.2), ("J01XX01", "O", 0.5),
    ("J01XE01", "O", 0.4), ("J01CA08", "O", 0.3), ("J01DD13", "O", 0.5),
    ("J01DC02", "O", 0.5), ("J01DC02", "P", 0.5),
)  # fmt: skip


@dataclass(frozen=True)
class Establishment:
    finess: str
    name: str
    type: str
    departement: str
    beds: int
    sector_patient_days: dict[str, int]


# Nursing homes without a hospital pharmacy (EHPAD sans PUI): their residents' antibiotics
# are dispensed by community pharmacies (dispensations with setting = nursing_home), and
# their resident-days are the denominator of the nursing-home indicator. Residents who
# received at least one antibiotic in the year, among all residents: about half.
TREATED_RESIDENT_SHARE = 0.5
RESIDENTS_PER_NURSING_HOME = 80


def generate_nursing_homes(
    *,
    departements: tuple[str, ...],
    departement_names: tuple[str, ...],
    departement_share: np.ndarray,
    treated_residents: float,
    rng: np.random.Generator,
) -> list[Establishment]:
    """EHPAD without a hospital pharmacy, sized so that their residents are the treated
    nursing-home residents of the dispensing data ÷ TREATED_RESIDENT_SHARE."""
    residents = treated_residents / TREATED_RESIDENT_SHARE
    result: list[Establishment] = []
    for d, (dep, share) in enumerate(zip(departements, departement_share, strict=True)):
        here = residents * float(share)
        count = max(1, round(here / RESIDENTS_PER_NURSING_HOME))
        weights = rng.lognormal(0, 0.3, count)
        for rank, weight in enumerate(weights / weights.sum(), start=1):
            beds = max(10, round(here * float(weight)))
            result.append(
                Establishment(
                    finess=finess(dep, 5000 + len(result)),
                    name=f"EHPAD de démonstration {departement_names[d]} {rank}",
                    type="ehpad",
                    departement=dep,
                    beds=beds,
                    sector_patient_days={"nursing_home": round(beds * 365 * 0.95)},
                )
            )
    return result


# Grams in one DDD of (atc, route), or None when it has no WHO DDD in grams.
GramsPerDdd = Callable[[str, str], float | None]


def generate_establishments(
    *,
    departements: tuple[str, ...],
    departement_names: tuple[str, ...],
    simulated_population: np.ndarray,
    rng: np.random.Generator,
) -> list[Establishment]:
    total_population = float(simulated_population.sum())
    count = max(len(ALWAYS), round(total_population / INHABITANTS_PER_ESTABLISHMENT))
    by_key = {t.key: t for t in TYPES}
    probs = np.array([t.probability for t in TYPES])
    drawn = [TYPES[i] for i in rng.choice(len(TYPES), count - len(ALWAYS), p=probs / probs.sum())]
    types = [by_key[k] for k in ALWAYS] + drawn
    size = np.array([t.median_patient_days for t in types]) * rng.lognormal(0, 0.4, count)
    deps = rng.choice(len(departements), count, p=simulated_population / total_population)
    # Every département has acute-care beds: one without any would show on the coverage
    # map as « no acute-care bed », which no French département is. A local CH is added
    # where the draw left none (no further random draw: the rest of the demo is unchanged).
    served = {int(d) for d, t in zip(deps, types, strict=True) if "acute" in t.sectors}
    missing = [d for d in range(len(departements)) if d not in served]
    if missing:
        types += [by_key["ch"]] * len(missing)
        size = np.concatenate([size, np.full(len(missing), float(np.median(size)))])
        deps = np.concatenate([deps, np.array(missing, dtype=deps.dtype)])
    size *= PATIENT_DAYS_PER_INHABITANT * total_population / size.sum()
    seen: dict[tuple[str, str], int] = {}
    result = []
    for i, (etype, days, d) in enumerate(zip(types, size, deps, strict=True)):
        dep = departements[d]
        rank = seen[(etype.key, dep)] = seen.get((etype.key, dep), 0) + 1
        sectors = {s: max(1, round(days * share)) for s, share in etype.sectors.items()}
        result.append(
            Establishment(
                finess=finess(dep, 1000 + i),
                name=f"{etype.label} de démonstration {departement_names[d]} {rank}",
                type=etype.key,
                departement=dep,
                beds=max(10, round(sum(sectors.values()) / 365 / 0.85)),
                sector_patient_days=sectors,
            )
        )
    return result


def establishments_table(establishments: list[Establishment]) -> pa.Table:
    return pa.table(
        {
            "finess": [e.finess for e in establishments],
            "name": [e.name for e in establishments],
            "type": [e.type for e in establishments],
            "departement": [e.departement for e in establishments],
            "beds": pa.array([e.beds for e in establishments], type=pa.int32()),
        }
    )


def reported_sectors(e: Establishment) -> dict[str, tuple[int, float]]:
    """The sectors an establishment's files give: (patient-days, DDD per 1000
    patient-days) per sector, short stay split by SPARES sector for ``SECTOR_TYPES``."""
    out: dict[str, tuple[int, float]] = {}
    for sector, days in e.sector_patient_days.items():
        rate = DDD_PER_1000_PATIENT_DAYS[sector]
        if sector != "acute" or e.type not in SECTOR_TYPES:
            out[sector] = (days, rate)
            continue
        mean = sum(share * weight for share, weight in ACUTE_SECTORS.values())
        for name, (share, weight) in ACUTE_SECTORS.items():
            out[name] = (max(1, round(days * share)), rate * weight / mean)
    return out


def patient_days_table(establishments: list[Establishment], *, year: int) -> pa.Table:
    rows = [(e.finess, s, d) for e in establishments for s, (d, _) in reported_sectors(e).items()]
    return pa.table(
        {
            "finess": [r[0] for r in rows],
            "year": pa.array([year] * len(rows), type=pa.int32()),
            "sector": [r[1] for r in rows],
            "patient_days": pa.array([r[2] for r in rows], type=pa.int64()),
        }
    )


def consumption_table(
    establishments: list[Establishment],
    *,
    year: int,
    grams_per_ddd: GramsPerDdd,
    rng: np.random.Generator,
) -> pa.Table:
    base = np.array([share for _, _, share in HOSPITAL_MIX])
    base /= base.sum()
    finess_col: list[str] = []
    atc_col: list[str] = []
    route_col: list[str] = []
    ddd_col: list[float | None] = []
    grams_col: list[float | None] = []
    sector_col: list[str | None] = []
    for e in establishments:
        total = sum(
            days * DDD_PER_1000_PATIENT_DAYS[s] / 1000 for s, days in e.sector_patient_days.items()
        ) * rng.lognormal(0, 0.15)
        # Each establishment has its own habits around the regional mix.
        shares = rng.dirichlet(base * 200)
        in_grams = rng.random() < GRAMS_REPORTING_SHARE
        # The sectors' shares of the establishment's DDD (one part, no sector, for the
        # establishments whose files do not give it).
        parts: dict[str | None, float] = {None: 1.0}
        if e.type in SECTOR_TYPES:
            sectors = reported_sectors(e)
            weight = {s: d * r for s, (d, r) in sectors.items()}
            parts = {s: w / sum(weight.values()) for s, w in weight.items()}
        for (atc, route, _), share in zip(HOSPITAL_MIX, shares, strict=True):
            for sector, part in parts.items():
                ddd = round(float(total * share * part), 1)
                if ddd <= 0:
                    continue
                grams = grams_per_ddd(atc, route) if in_grams else None
                finess_col.append(e.finess)
                atc_col.append(atc)
                route_col.append(route)
                ddd_col.append(None if grams is not None else ddd)
                grams_col.append(round(ddd * grams, 1) if grams is not None else None)
                sector_col.append(sector)
    n = len(finess_col)
    return pa.table(
        {
            "finess": finess_col,
            "year": pa.array([year] * n, type=pa.int32()),
            "atc": atc_col,
            "route": route_col,
            "ddd": pa.array(ddd_col, type=pa.float64()),
            "grams": pa.array(grams_col, type=pa.float64()),
            "sector": pa.array(sector_col, type=pa.string()),
        }
    )
