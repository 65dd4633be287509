"""A straightforward pandas implementation of first isolates and % resistant, the
comparison point of the benchmark (and a second, independent computation of the same
numbers: the benchmark checks that both agree group by group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["isolate_id", "patient_id", "sampled_on", "setting", "organism", "antibiotic", "sir"]


def pct_resistant(df: pd.DataFrame, *, episode_days: int = 365) -> pd.DataFrame:
    """One row per organism × antibiotic × setting × year: first isolates tested and
    resistant. ``df`` holds the long rows (``COLUMNS``), ``sampled_on`` as datetime64."""
    heads = df[["isolate_id", "patient_id", "organism", "sampled_on"]].drop_duplicates("isolate_id")
    heads = heads.sort_values(["patient_id", "organism", "sampled_on", "isolate_id"])
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
    firsts = heads["isolate_id"][first]
    rows = df[df["isolate_id"].isin(firsts)]
    rows = rows.assign(year=rows["sampled_on"].dt.year, resistant=rows["sir"].eq("R"))
    out = rows.groupby(["organism", "antibiotic", "setting", "year"], as_index=False).agg(
        tested=("resistant", "size"), resistant=("resistant", "sum")
    )
    return out
