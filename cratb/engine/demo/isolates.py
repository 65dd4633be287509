"""Lab susceptibility results (CONTRACTS.md 1.5, long format).

Community and nursing-home urine and skin samples go to town labs; hospital
samples to the establishment's lab. Resistance is drawn per isolate from a
few latent mechanisms (ESBL, chromosomal cephalosporinase, fluoroquinolone
resistance, MRSA) so that phenotypes are coherent: an ESBL E. coli is
resistant to amoxicillin and to third-generation cephalosporins, a MRSA to
cefoxitin. Rates follow French surveillance (PRIMO 2019 for community E.
coli: ESBL 3.0 %, C3G-R 3.4 %, FQ-R 11.4 %; bloodstream 2021: K. pneumoniae
C3G-R 25.4 %). Some patients are sampled again within the year with the same
strain, so first-isolate rules change the figures, as they do in real data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cratb.engine.demo.codes import prefixed
from cratb.engine.demo.hospital import Establishment

ECOLI = "Escherichia coli"
KPNEU = "Klebsiella pneumoniae"
PMIRA = "Proteus mirabilis"
SAUR = "Staphylococcus aureus"
SETTINGS = ("community", "nursing_home", "hospital")
SPECIMENS = ("urine", "blood", "respiratory", "skin", "other")

# Isolates per 1000 simulated inhabitants per year, by (setting, organism,
# specimen): town labs see mostly urinary E. coli.
TOWN_RATES: tuple[tuple[str, str, str, float], ...] = (
    ("community", ECOLI, "urine", 20.0),
    ("community", KPNEU, "urine", 2.5),
    ("community", PMIRA, "urine", 1.5),
    ("community", SAUR, "skin", 1.5),
    ("nursing_home", ECOLI, "urine", 2.5),
    ("nursing_home", KPNEU, "urine", 0.6),
    ("nursing_home", PMIRA, "urine", 0.5),
    ("nursing_home", SAUR, "skin", 0.3),
)
# Hospital isolates per 1000 patient-days, by sector.
HOSPITAL_ISOLATES_PER_1000_DAYS = {
    "acute": 15.0,
    "rehabilitation": 5.0,
    "long_term": 5.0,
    "nursing_home": 3.0,
    "psychiatry": 1.0,
}
HOSPITAL_ORGANISMS = ((ECOLI, 0.5), (KPNEU, 0.15), (PMIRA, 0.08), (SAUR, 0.27))
HOSPITAL_SPECIMENS = {
    "gram_negative": (0.7, 0.12, 0.06, 0.0, 0.12),
    SAUR: (0.0, 0.15, 0.25, 0.45, 0.15),
}
INHABITANTS_PER_TOWN_LAB = 60_000
CHUNK_ISOLATES = 200_000

# Marker prevalence (ESBL for Enterobacterales, MRSA for S. aureus) by setting.
MARKER = {
    ECOLI: {"community": 0.03, "nursing_home": 0.10, "hospital": 0.08},
    KPNEU: {"community": 0.07, "nursing_home": 0.15, "hospital": 0.24},
    PMIRA: {"community": 0.015, "nursing_home": 0.04, "hospital": 0.03},
    SAUR: {"community": 0.10, "nursing_home": 0.20, "hospital": 0.13},
}
# Fluoroquinolone resistance among isolates without the marker, by setting.
FQ_WITHOUT_MARKER = {
    ECOLI: {"community": 0.095, "nursing_home": 0.16, "hospital": 0.13},
    KPNEU: {"community": 0.08, "nursing_home": 0.15, "hospital": 0.15},
    PMIRA: {"community": 0.08, "nursing_home": 0.14, "hospital": 0.12},
}
# Repeat samples of the same patient and strain within the year.
REPEAT_SHARE = 0.15
REPEAT_SHARE_RESISTANT = 0.35

TOWN_PANEL = ("AMX", "AMC", "MEC", "TEM", "CXM", "CFM", "CTX", "CAZ", "FOS", "NIT", "SXT",
              "OFX", "CIP", "GEN", "ETP")  # fmt: skip
HOSPITAL_PANEL = ("AMX", "AMC", "TZP", "TEM", "CXM", "CTX", "CRO", "CAZ", "FEP", "ETP", "MEM",
                  "IPM", "CIP", "LVX", "GEN", "AMK", "SXT")  # fmt: skip
URINE_EXTRA = ("FOS", "NIT")
STAPH_PANEL = ("PEN", "FOX", "ERY", "CLI", "SXT", "LVX", "GEN", "RIF", "FUS", "VAN", "LNZ")

SIR_S, SIR_I, SIR_R = 0, 1, 2


@dataclass
class _Isolates:
    """Isolate-level columns (one entry per isolate), before the panel is exploded."""

    organism: np.ndarray  # index in ORGANISMS
    setting: np.ndarray  # index in SETTINGS
    specimen: np.ndarray  # index in SPECIMENS
    departement: np.ndarray  # index in the region's départements
    lab: np.ndarray  # index in the lab list
    day: np.ndarray  # day of the year, 0-based
    age: np.ndarray
    female: np.ndarray
    patient: np.ndarray  # patient number (repeats share it)


ORGANISMS = (ECOLI, KPNEU, PMIRA, SAUR)


def _sir(rng: np.random.Generator, p_r: np.ndarray | float, n: int, p_i: float = 0.0) -> np.ndarray:
    u = rng.random(n)
    return np.where(u < p_r, SIR_R, np.where(u < np.asarray(p_r) + p_i, SIR_I, SIR_S)).astype(
        np.int8
    )


def _enterobacterales(
    rng: np.random.Generator, organism: str, setting: str, n: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    esbl = rng.random(n) < MARKER[organism][setting]
    ampc = ~esbl & (rng.random(n) < 0.005)
    c3g = esbl | ampc
    if organism == KPNEU:
        amx = np.ones(n, dtype=bool)  # intrinsic
    else:
        amx = c3g | (rng.random(n) < (0.42 if organism == ECOLI else 0.3))
    amc = ampc | (amx & (rng.random(n) < np.where(esbl, 0.6, 0.5 if organism != KPNEU else 0.15)))
    fq = rng.random(n) < np.where(esbl, 0.6, FQ_WITHOUT_MARKER[organism][setting])
    sxt = rng.random(n) < np.where(esbl, 0.55, np.where(amx & (organism != KPNEU), 0.25, 0.07))
    m = esbl.astype(float)
    sir: dict[str, np.ndarray] = {
        "AMX": np.where(amx, SIR_R, SIR_S).astype(np.int8),
        "AMC": np.where(amc, SIR_R, SIR_S).astype(np.int8),
        "TZP": _sir(rng, 0.03 + 0.22 * m, n),
        "MEC": _sir(rng, 0.06 + 0.09 * m, n),
        "TEM": _sir(rng, 0.03 + 0.07 * m, n),
        "CXM": np.where(c3g, SIR_R, _sir(rng, 0.04, n)).astype(np.int8),
        "CFM": np.where(c3g, SIR_R, SIR_S).astype(np.int8),
        "CTX": np.where(c3g, SIR_R, SIR_S).astype(np.int8),
        "CRO": np.where(c3g, SIR_R, SIR_S).astype(np.int8),
        # CTX-M enzymes spare ceftazidime and cefepime more often than cefotaxime.
        "CAZ": np.where(c3g, _sir(rng, 0.7, n, 0.2), SIR_S).astype(np.int8),
        "FEP": np.where(esbl, _sir(rng, 0.6, n, 0.25), SIR_S).astype(np.int8),
        "ETP": _sir(rng, (0.002 if organism != KPNEU else 0.005) + 0.01 * m, n),
        "MEM": _sir(rng, 0.0005 + 0.005 * m, n),
        "IPM": _sir(rng, 0.001 + 0.005 * m, n),
        "CIP": np.where(fq, SIR_R, SIR_S).astype(np.int8),
        "OFX": np.where(fq, SIR_R, _sir(rng, 0.01, n)).astype(np.int8),
        "LVX": np.where(fq, SIR_R, SIR_S).astype(np.int8),
        "GEN": _sir(rng, 0.03 + 0.22 * m, n),
        "AMK": _sir(rng, 0.005 + 0.045 * m, n),
        "SXT": np.where(sxt, SIR_R, SIR_S).astype(np.int8),
        "FOS": _sir(rng, (0.15 if organism == KPNEU else 0.015) + 0.025 * m, n),
        "NIT": (
            np.full(n, SIR_R, dtype=np.int8)  # intrinsic in Proteus
            if organism == PMIRA
            else _sir(rng, 0.3 if organism == KPNEU else 0.015 + 0.015 * m, n)
        ),
    }
    return esbl, sir


def _staphylococcus(
    rng: np.random.Generator, setting: str, n: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    mrsa = rng.random(n) < MARKER[SAUR][setting]
    m = mrsa.astype(float)
    sir: dict[str, np.ndarray] = {
        "PEN": np.where(mrsa, SIR_R, _sir(rng, 0.85, n)).astype(np.int8),
        "FOX": np.where(mrsa, SIR_R, SIR_S).astype(np.int8),
        "ERY": _sir(rng, 0.2 + 0.25 * m, n),
        "CLI": _sir(rng, 0.12 + 0.08 * m, n),
        "SXT": _sir(rng, 0.02, n),
        "LVX": _sir(rng, 0.07 + 0.68 * m, n),
        "GEN": _sir(rng, 0.01 + 0.04 * m, n),
        "RIF": _sir(rng, 0.01 + 0.01 * m, n),
        "FUS": _sir(rng, 0.08 + 0.02 * m, n),
        "VAN": np.full(n, SIR_S, dtype=np.int8),
        "LNZ": np.full(n, SIR_S, dtype=np.int8),
    }
    return mrsa, sir


def _ages(rng: np.random.Generator, setting: str, n: int) -> np.ndarray:
    if setting == "nursing_home":
        return rng.integers(75, 101, n)
    if setting == "community":
        bands = ((0, 14, 0.06), (15, 44, 0.30), (45, 64, 0.22), (65, 79, 0.22), (80, 100, 0.20))
    else:
        bands = ((0, 14, 0.05), (15, 44, 0.15), (45, 64, 0.22), (65, 79, 0.28), (80, 100, 0.30))
    p = np.array([b[2] for b in bands])
    band = rng.choice(len(bands), n, p=p / p.sum())
    low = np.array([b[0] for b in bands])[band]
    span = np.array([b[1] - b[0] + 1 for b in bands])[band]
    return low + (rng.random(n) * span).astype(np.int64)


def generate_isolates(
    *,
    departements: tuple[str, ...],
    simulated_population: np.ndarray,
    establishments: list[Establishment],
    year: int,
    tag: str,
    rng: np.random.Generator,
) -> Iterator[pa.Table]:
    """Isolate × antibiotic rows, one table per group of at most CHUNK_ISOLATES isolates.

    Within a table rows are ordered by sampling date then isolate, and isolate
    numbers run on from one table to the next; memory stays bounded whatever
    the scale.
    """
    dep_index = {d: i for i, d in enumerate(departements)}
    # Town labs: a few per département, named after it.
    labs: list[str] = []
    lab_count = np.array(
        [max(1, round(float(p) / INHABITANTS_PER_TOWN_LAB)) for p in simulated_population]
    )
    first_lab = np.concatenate([[0], np.cumsum(lab_count)[:-1]])
    for d, count in zip(departements, lab_count, strict=True):
        labs += [f"LBM-{d}-{k:02d}" for k in range(1, int(count) + 1)]
    groups: list[tuple[str, str, str, int, np.ndarray, np.ndarray]] = []
    for setting, organism, specimen, rate in TOWN_RATES:
        counts = rng.poisson(simulated_population * rate / 1000)
        dep = np.repeat(np.arange(len(departements)), counts)
        lab = first_lab[dep] + rng.integers(0, 1 << 30, len(dep)) % lab_count[dep]
        groups.append((setting, organism, specimen, len(dep), dep, lab))
    for e in establishments:
        expected = sum(
            days * HOSPITAL_ISOLATES_PER_1000_DAYS[s] / 1000
            for s, days in e.sector_patient_days.items()
        )
        lab_index = len(labs)
        labs.append(f"LAB-{e.finess}")
        for organism, share in HOSPITAL_ORGANISMS:
            n_org = int(rng.poisson(expected * share))
            key = SAUR if organism == SAUR else "gram_negative"
            p = np.array(HOSPITAL_SPECIMENS[key])
            spec = rng.choice(len(SPECIMENS), n_org, p=p / p.sum())
            for s_i, specimen in enumerate(SPECIMENS):
                n = int((spec == s_i).sum())
                if n:
                    dep = np.full(n, dep_index[e.departement])
                    groups.append(("hospital", organism, specimen, n, dep, np.full(n, lab_index)))

    n_days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    chunks = [
        (setting, organism, specimen, min(CHUNK_ISOLATES, n - start),
         dep[start : start + CHUNK_ISOLATES], lab[start : start + CHUNK_ISOLATES])
        for setting, organism, specimen, n, dep, lab in groups
        for start in range(0, n, CHUNK_ISOLATES)
    ]  # fmt: skip
    next_patient = 0
    next_isolate = 0
    for setting, organism, specimen, n, dep, lab in chunks:
        panel: tuple[str, ...]
        if organism == SAUR:
            marker, sir = _staphylococcus(rng, setting, n)
            panel = STAPH_PANEL
        else:
            marker, sir = _enterobacterales(rng, organism, setting, n)
            if setting == "hospital":
                panel = HOSPITAL_PANEL + (URINE_EXTRA if specimen == "urine" else ())
            else:
                panel = TOWN_PANEL
        female_share = 0.85 if specimen == "urine" and setting == "community" else 0.55
        resistant = marker | (sir.get("CIP", np.zeros(n, dtype=np.int8)) == SIR_R)
        repeats = 1 + np.where(
            rng.random(n) < np.where(resistant, REPEAT_SHARE_RESISTANT, REPEAT_SHARE),
            1 + (rng.random(n) < 0.4),
            0,
        )
        first_day = rng.integers(0, n_days, n)
        src = np.repeat(np.arange(n), repeats)
        rank = np.concatenate([np.arange(k) for k in repeats]) if n else src
        day = first_day[src] + np.where(rank > 0, rng.integers(2, 200, len(src)), 0) * rank
        keep = day < n_days
        src, day = src[keep], day[keep]
        iso = _Isolates(
            organism=np.full(len(src), ORGANISMS.index(organism)),
            setting=np.full(len(src), SETTINGS.index(setting)),
            specimen=np.full(len(src), SPECIMENS.index(specimen)),
            departement=dep[src],
            lab=lab[src],
            day=day,
            age=_ages(rng, setting, n)[src],
            female=(rng.random(n) < female_share)[src],
            patient=next_patient + src,
        )
        next_patient += n
        has_marker = organism != SAUR
        part = (iso, np.where(marker, 1, 0)[src] if has_marker else np.full(len(src), -1),
                {ab: sir[ab][src] for ab in panel}, panel)  # fmt: skip
        yield _explode(
            [part],
            departements=departements,
            labs=labs,
            year=year,
            tag=tag,
            first_isolate=next_isolate,
        )
        next_isolate += len(src)


def _explode(
    parts: list[tuple[_Isolates, np.ndarray, dict[str, np.ndarray], tuple[str, ...]]],
    *,
    departements: tuple[str, ...],
    labs: list[str],
    year: int,
    tag: str,
    first_isolate: int,
) -> pa.Table:
    """Isolate-level parts → one row per isolate × antibiotic, numbered by date."""
    codes = sorted({ab for _, _, _, panel in parts for ab in panel})
    code_index = {c: i for i, c in enumerate(codes)}
    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "iso", "organism", "setting", "specimen", "departement", "lab", "day", "age", "female",
        "patient", "esbl", "ab", "sir")}  # fmt: skip
    offset = 0
    for iso, esbl, sir, panel in parts:
        n = len(iso.day)
        k = len(panel)
        ids = offset + np.arange(n)
        offset += n
        cols["iso"].append(np.repeat(ids, k))
        for name in ("organism", "setting", "specimen", "departement", "lab", "day", "age",
                     "female", "patient"):  # fmt: skip
            cols[name].append(np.repeat(getattr(iso, name), k))
        cols["esbl"].append(np.repeat(esbl, k))
        cols["ab"].append(np.tile(np.array([code_index[a] for a in panel]), n))
        cols["sir"].append(np.stack([sir[a] for a in panel], axis=1).reshape(-1))
    data = {k: np.concatenate(v) for k, v in cols.items()}
    # Isolate numbers follow the sampling date, so the file reads like a lab export.
    iso_count = offset
    iso_day = np.zeros(iso_count, dtype=np.int64)
    iso_day[data["iso"]] = data["day"]
    iso_rank = np.empty(iso_count, dtype=np.int64)
    iso_rank[np.lexsort((np.arange(iso_count), iso_day))] = np.arange(iso_count)
    number = iso_rank[data["iso"]]
    order = np.lexsort((data["ab"], number))
    data = {k: v[order] for k, v in data.items()}
    number = number[order]
    epoch = (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days
    esbl = data["esbl"]
    return pa.table(
        {
            "isolate_id": prefixed(f"I{tag}", first_isolate + number + 1, width=9),
            "patient_id": prefixed(f"L{tag}", data["patient"] + 1, width=8),
            "sampled_on": pa.array((data["day"] + epoch).astype(np.int32)).cast(pa.date32()),
            "specimen": pa.array(SPECIMENS).take(pa.array(data["specimen"])),
            "setting": pa.array(SETTINGS).take(pa.array(data["setting"])),
            "departement": pa.array(departements).take(pa.array(data["departement"])),
            "lab_id": pa.array(labs).take(pa.array(data["lab"])),
            "organism": pa.array(ORGANISMS).take(pa.array(data["organism"])),
            "antibiotic": pa.array(codes).take(pa.array(data["ab"])),
            "sir": pa.array(["S", "I", "R"]).take(pa.array(data["sir"])),
            "esbl": pa.array(["N", "Y"]).take(pa.array(np.maximum(esbl, 0), mask=esbl < 0)),
            "patient_age": pa.array(data["age"].astype(np.int16)),
            "patient_sex": pa.array(["M", "F"]).take(pa.array(data["female"].astype(np.int8))),
        }
    )
