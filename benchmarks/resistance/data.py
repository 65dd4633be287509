"""Benchmark data: N isolates × 15 antibiotics (the demo's town panel), two years.

Built from the demo generator's resistance model (``cratb.engine.demo.isolates``:
latent ESBL, cephalosporinase and fluoroquinolone resistance, so phenotypes are
coherent) with one difference that matters here: every isolate is tested for the same
15 agents, so N isolates give exactly 15 × N result rows. 15 % of isolates are a repeat
sample of an earlier patient with the same species (within two years), so the
first-isolate rule has work to do. Deterministic for (N, seed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cratb.engine import reference
from cratb.engine.demo.codes import prefixed
from cratb.engine.demo.isolates import (
    ECOLI,
    KPNEU,
    PMIRA,
    SETTINGS,
    TOWN_PANEL,
    _ages,
    _enterobacterales,
)

ORGANISMS = (ECOLI, KPNEU, PMIRA)
ORGANISM_SHARES = (0.75, 0.15, 0.10)
SETTING_SHARES = (0.70, 0.10, 0.20)
SPECIMENS = ("urine", "blood", "other")
SPECIMEN_SHARES = (0.85, 0.10, 0.05)
CONTEXTS = (
    "simple_cystitis",
    "complicated_cystitis",
    "pyelonephritis",
    "male_uti",
    "pregnancy",
    "unknown",
)
CONTEXT_SHARES = (0.30, 0.25, 0.10, 0.05, 0.05, 0.25)
REPEAT_SHARE = 0.15
DAYS = 731  # 2024 (leap) and 2025
FIRST_DAY = dt.date(2024, 1, 1)
LABS = 40


def generate(n: int, *, seed: int = 1) -> pa.Table:
    """The long rows (CONTRACTS.md 1.5, plus clinical_context for targeted reporting)."""
    rng = np.random.default_rng(seed)
    organism = rng.choice(len(ORGANISMS), n, p=ORGANISM_SHARES)
    setting = rng.choice(len(SETTINGS), n, p=SETTING_SHARES)
    patient = np.arange(n)
    repeat = rng.random(n) < REPEAT_SHARE
    source = rng.integers(0, n, n)
    patient[repeat] = source[repeat]
    organism[repeat] = organism[source[repeat]]
    day = rng.integers(0, DAYS, n)
    esbl = np.zeros(n, dtype=bool)
    sir = {ab: np.zeros(n, dtype=np.int8) for ab in TOWN_PANEL}
    age = np.zeros(n, dtype=np.int64)
    for o, name in enumerate(ORGANISMS):
        for s, setting_name in enumerate(SETTINGS):
            mask = (organism == o) & (setting == s)
            count = int(mask.sum())
            marker, results = _enterobacterales(rng, name, setting_name, count)
            esbl[mask] = marker
            for ab in TOWN_PANEL:
                sir[ab][mask] = results[ab]
            age[mask] = _ages(rng, setting_name, count)
    female = rng.random(n) < 0.8
    specimen = rng.choice(len(SPECIMENS), n, p=SPECIMEN_SHARES)
    context = rng.choice(len(CONTEXTS), n, p=CONTEXT_SHARES)
    departements = [d.code for d in reference.departements_of("11")]
    departement = rng.integers(0, len(departements), n)
    lab = rng.integers(0, LABS, n)
    # Isolate numbers follow the date, like a lab's export.
    number = np.empty(n, dtype=np.int64)
    number[np.lexsort((np.arange(n), day))] = np.arange(n)
    k = len(TOWN_PANEL)
    iso = np.repeat(np.arange(n), k)
    epoch = (FIRST_DAY - dt.date(1970, 1, 1)).days

    def per_row(values: pa.Array) -> pa.Array:
        return values.take(pa.array(iso))

    return pa.table(
        {
            "isolate_id": per_row(prefixed("B", number + 1, width=9)),
            "patient_id": per_row(prefixed("P", patient + 1, width=8)),
            "sampled_on": per_row(pa.array((day + epoch).astype(np.int32)).cast(pa.date32())),
            "specimen": per_row(pa.array(SPECIMENS).take(pa.array(specimen))),
            "setting": per_row(pa.array(SETTINGS).take(pa.array(setting))),
            "departement": per_row(pa.array(departements).take(pa.array(departement))),
            "lab_id": per_row(prefixed("LBM-", lab + 1, width=3)),
            "organism": per_row(pa.array(ORGANISMS).take(pa.array(organism))),
            "antibiotic": pa.array(list(TOWN_PANEL)).take(pa.array(np.tile(np.arange(k), n))),
            "sir": pa.array(["S", "I", "R"]).take(
                pa.array(np.stack([sir[a] for a in TOWN_PANEL], axis=1).reshape(-1))
            ),
            "esbl": per_row(pa.array(["N", "Y"]).take(pa.array(esbl.astype(np.int8)))),
            "patient_age": per_row(pa.array(age)),
            "patient_sex": per_row(pa.array(["M", "F"]).take(pa.array(female.astype(np.int8)))),
            "clinical_context": per_row(pa.array(CONTEXTS).take(pa.array(context))),
        }
    )


def write(n: int, path: Path, *, seed: int = 1) -> int:
    table = generate(n, seed=seed)
    pq.write_table(table, path)
    rows: int = table.num_rows
    return rows
