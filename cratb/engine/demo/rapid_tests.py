"""Rapid tests of the demo region: rapid strep A tests (TROD angine) and urine dipsticks
done in pharmacies, and the rapid-test kits ordered by general practices.

Illustrative levels, not a calibration (docs/demo.md): one pharmacy per 3,000
inhabitants, 70 % of them testing; 10 strep A tests and 5 urine dipsticks per 1,000
inhabitants a year, strep A tests twice as frequent from November to March; 25 % of
strep A tests and 65 % of dipsticks positive, 1 % not interpretable; an antibiotic is
dispensed after 90 % of positive tests and 8 % of negative ones. One general practice
per 1,500 inhabitants, 40 % ordering strep A kits, 1 to 6 orders a year. The register of
places (``rapid_test_places``) lists every pharmacy and practice drawn, ordering or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from cratb.engine.demo.codes import prefixed
from cratb.engine.demo.community import _choose, _departement_communes

__all__ = ["generate_rapid_tests"]

INHABITANTS_PER_PHARMACY = 3_000
TESTING_PHARMACIES = 0.7
TESTS_PER_1000 = {"strep_a": 10.0, "urine_strip": 5.0}
POSITIVE = {"strep_a": 0.25, "urine_strip": 0.65}
INVALID = 0.01
ANTIBIOTIC_AFTER = {"positive": 0.90, "negative": 0.08, "invalid": 0.30}
WINTER_MONTHS = (1, 2, 3, 11, 12)
INHABITANTS_PER_PRACTICE = 1_500
ORDERING_PRACTICES = 0.4


def _days(year: int, *, seasonal: bool) -> np.ndarray:
    start = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - start).days
    months = np.array([(start + dt.timedelta(days=int(d))).month for d in range(n)])
    weights = np.where(np.isin(months, WINTER_MONTHS), 2.0, 1.0) if seasonal else np.ones(n)
    return weights / weights.sum()


def _dates(year: int, day: np.ndarray) -> pa.Array:
    epoch = (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days
    return pa.array((day + epoch).astype(np.int32)).cast(pa.date32())


def generate_rapid_tests(
    *,
    departements: Sequence[str],
    simulated_population: np.ndarray,
    year: int,
    tag: str,
    rng: np.random.Generator,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The ``rapid_tests``, ``rapid_test_kits`` and ``rapid_test_places`` tables of the
    demo region."""
    tests: list[pa.Table] = []
    kits: list[pa.Table] = []
    places: list[pa.Table] = []
    first_test = first_pharmacy = first_practice = 0
    for d, code in enumerate(departements):
        population = float(simulated_population[d])
        codes, share = _departement_communes(code)
        if len(codes) == 0:
            continue
        # Pharmacies and the tests they do.
        n_pharmacies = max(1, round(population / INHABITANTS_PER_PHARMACY))
        pharmacy_commune = codes[_choose(rng, share, n_pharmacies)]
        testing = np.flatnonzero(rng.random(n_pharmacies) < TESTING_PHARMACIES)
        if len(testing) == 0:
            testing = np.array([0])
        for test, per_1000 in TESTS_PER_1000.items():
            n = int(rng.poisson(population * per_1000 / 1000))
            if n == 0:
                continue
            place = testing[rng.integers(0, len(testing), n)]
            day = _choose(rng, _days(year, seasonal=test == "strep_a"), n)
            draw = rng.random(n)
            result = np.where(
                draw < INVALID,
                "invalid",
                np.where(draw < INVALID + POSITIVE[test] * (1 - INVALID), "positive", "negative"),
            )
            after = np.vectorize(ANTIBIOTIC_AFTER.__getitem__)(result)
            antibiotic = np.where(rng.random(n) < after, "Y", "N")
            order = np.lexsort((place, day))
            ids = np.arange(first_test + 1, first_test + n + 1)
            tests.append(
                pa.table(
                    {
                        "test_id": prefixed(f"T{tag}", ids, width=8),
                        "tested_on": _dates(year, day[order]),
                        "place_code": prefixed(
                            f"PH{tag}", first_pharmacy + place[order] + 1, width=5
                        ),
                        "place_kind": pa.array(["pharmacy"] * n),
                        "commune": pa.array(pharmacy_commune[place[order]].tolist()),
                        "departement": pa.array([code] * n),
                        "test": pa.array([test] * n),
                        "result": pa.array(result[order].tolist()),
                        "antibiotic_dispensed": pa.array(antibiotic[order].tolist()),
                    }
                )
            )
            first_test += n
        places.append(_register("pharmacy", f"PH{tag}", first_pharmacy, pharmacy_commune, code))
        first_pharmacy += n_pharmacies
        # General practices ordering strep A kits.
        n_practices = max(1, round(population / INHABITANTS_PER_PRACTICE))
        practice_commune = codes[_choose(rng, share, n_practices)]
        ordering = np.flatnonzero(rng.random(n_practices) < ORDERING_PRACTICES)
        orders = rng.integers(1, 7, len(ordering))
        place = np.repeat(ordering, orders)
        if len(place):
            day = np.sort(rng.integers(0, 365, len(place)))
            # One order per practice and day: the file's key.
            key = place * 1000 + day
            _, keep = np.unique(key, return_index=True)
            place, day = place[keep], day[keep]
            kits.append(
                pa.table(
                    {
                        "place_code": prefixed(f"CAB{tag}", first_practice + place + 1, width=5),
                        "ordered_on": _dates(year, day),
                        "place_kind": pa.array(["practice"] * len(place)),
                        "commune": pa.array(practice_commune[place].tolist()),
                        "departement": pa.array([code] * len(place)),
                        "test": pa.array(["strep_a"] * len(place)),
                        "kits": pa.array(rng.integers(1, 4, len(place)).astype(np.int32)),
                    }
                )
            )
        places.append(_register("practice", f"CAB{tag}", first_practice, practice_commune, code))
        first_practice += n_practices
    return pa.concat_tables(tests), pa.concat_tables(kits), pa.concat_tables(places)


def _register(
    kind: str, prefix: str, first: int, communes: np.ndarray, departement: str
) -> pa.Table:
    """The places of one kind of a département, ordering kits or not."""
    n = len(communes)
    return pa.table(
        {
            "place_code": prefixed(prefix, np.arange(first + 1, first + n + 1), width=5),
            "place_kind": pa.array([kind] * n),
            "commune": pa.array(communes.tolist()),
            "departement": pa.array([departement] * n),
        }
    )
