"""The peers of the benchmarks compute what the engine computes (issue #19)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.resistance.pandas_reference import first_isolates, first_isolates_loop


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_episode_rule_gives_the_loop_s_first_isolates(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    heads = pd.DataFrame(
        {
            "isolate_id": [f"I{i:05d}" for i in range(n)],
            "patient_id": rng.choice([f"P{i}" for i in range(200)], n),
            "organism": rng.choice(["Escherichia coli", "Klebsiella pneumoniae"], n),
            "sampled_on": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
        }
    ).sort_values(["patient_id", "organism", "sampled_on", "isolate_id"])
    vectorised = first_isolates(heads, episode_days=365)
    looped = first_isolates_loop(heads, episode_days=365)
    assert vectorised.tolist() == looped.tolist()
    # Several episodes per group occur, so the rounds are exercised.
    assert 0 < vectorised.sum() < n
    groups = heads.assign(first=vectorised).groupby(["patient_id", "organism"])["first"].sum()
    assert groups.max() > 1


def test_an_isolate_a_year_later_opens_a_new_episode() -> None:
    heads = pd.DataFrame(
        {
            "isolate_id": ["a", "b", "c", "d"],
            "patient_id": ["P1"] * 4,
            "organism": ["Escherichia coli"] * 4,
            "sampled_on": pd.to_datetime(["2024-01-01", "2024-12-30", "2024-12-31", "2025-06-01"]),
        }
    )
    # 2024-12-30 is 364 days after the first: same episode; 2024-12-31 is 365 days after:
    # a new one, which then covers 2025-06-01.
    assert first_isolates(heads).tolist() == [True, False, True, False]
