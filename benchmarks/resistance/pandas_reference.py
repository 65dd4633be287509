"""A pandas implementation of first isolates and % resistant, the comparison point of the
benchmark (and a second, independent computation of the same numbers: the benchmark
checks that both agree group by group), written as a good pandas user writes it: the
episode rule is applied to whole arrays, one round per episode, not in a Python loop
over the isolates (issue #19; ``first_isolates_loop`` keeps the loop, to check both)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["isolate_id", "patient_id", "sampled_on", "setting", "organism", "antibiotic", "sir"]


def pct_resistant(df: pd.DataFrame, *, episode_days: int = 365) -> pd.DataFrame:
    """One row per organism × antibiotic × setting × year: first isolates tested and
    resistant. ``df`` holds the long rows (``COLUMNS``), ``sampled_on`` as datetime64."""
    heads = df[["isolate_id", "patient_id", "organism", "sampled_on"]].drop_duplicates("isolate_id")
    heads = heads.sort_values(["patient_id", "organism", "sampled_on", "isolate_id"])
    first = first_isolates(heads, episode_days=episode_days)
    firsts = heads["isolate_id"][first]
    rows = df[df["isolate_id"].isin(firsts)]
    rows = rows.assign(year=rows["sampled_on"].dt.year, resistant=rows["sir"].eq("R"))
    out = rows.groupby(["organism", "antibiotic", "setting", "year"], as_index=False).agg(
        tested=("resistant", "size"), resistant=("resistant", "sum")
    )
    return out


def first_isolates(heads: pd.DataFrame, *, episode_days: int = 365) -> np.ndarray:
    """Which isolates of ``heads`` (sorted by patient, organism, day, isolate) open an
    episode. Each round takes, in every patient × organism group, the earliest isolate
    not yet covered as an episode's first and covers the isolates of the group fewer
    than ``episode_days`` after it; as many rounds as the most episodes in one group."""
    group = heads.groupby(["patient_id", "organism"], sort=False, observed=True).ngroup()
    key = group.to_numpy()
    day = heads["sampled_on"].to_numpy().astype("datetime64[D]").astype(np.int64)
    first = np.zeros(len(heads), dtype=bool)
    remaining = np.arange(len(heads))
    while len(remaining):
        g = key[remaining]
        opens = np.empty(len(remaining), dtype=bool)
        opens[:1] = True
        opens[1:] = g[1:] != g[:-1]
        first[remaining[opens]] = True
        start = day[remaining[opens]][np.cumsum(opens) - 1]
        remaining = remaining[day[remaining] - start >= episode_days]
    return first


def first_isolates_loop(heads: pd.DataFrame, *, episode_days: int = 365) -> np.ndarray:
    """The same rule in a Python loop over the isolates (the earlier reference)."""
    first = np.zeros(len(heads), dtype=bool)
    previous: tuple[str, str] | None = None
    start = None
    limit = pd.Timedelta(days=episode_days)
    for i, (patient, organism, day) in enumerate(
        zip(heads["patient_id"], heads["organism"], heads["sampled_on"], strict=True)
    ):
        if (patient, organism) != previous:
            previous, start, first[i] = (patient, organism), day, True
        elif day - start >= limit:
            start, first[i] = day, True
    return first
