"""Intermediate tables of the resistance indicators: isolates, first isolates (Table → Table).

First isolate (CONTRACTS.md section 3; CLSI M39, episode-based): per patient × organism,
in date order, the earliest isolate opens an episode; a later isolate is a first isolate
only if it was sampled at least ``episode_days`` days after the start of the current
episode, and then opens a new one. Same-day ties are broken by ``isolate_id``. The rule
is applied to the isolates of the period asked (the analysis period of CLSI M39).

How it is computed, on any backend: most patients have one isolate of a species, and
each of those is a first isolate. Only the patient × organism groups with several
isolates in the period (``repeated_heads``, found among the isolates the importer marks
``repeated``, ``sources.isolate_heads``) go through the episode rounds: round 1
(``earliest``) takes each group's earliest isolate; round k + 1 (``next_episodes``) the
earliest isolate at least ``episode_days`` after round k's. A period of D days holds at
most ``episode_rounds`` = D // episode_days + 1 episodes, which bounds the rounds
without running anything. ``non_first`` is then the small table of isolates that are
*not* first isolates; indicators keep the result rows of the other isolates (an
anti-join), so the large table of results is read once. The indicator layer runs the
rounds (``indicators/resistance.py``): it decides which round is materialised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from cratb.engine.context import IndicatorError
from cratb.engine.staging import resistance as stg

__all__ = [
    "ISOLATE_BY",
    "RESULT_BY",
    "UNROLLED_ROUNDS",
    "earliest",
    "episode_days",
    "episode_rounds",
    "first_isolate_heads",
    "first_isolate_rows",
    "next_episodes",
    "non_first",
    "phenotype_firsts",
    "phenotype_points",
    "repeated_heads",
    "with_calendar",
]

ISOLATE_BY = (
    "year",
    "month",
    "departement",
    "region",
    "setting",
    "specimen",
    "lab_id",
    "organism",
    "age_band",
    "sex",
)
RESULT_BY = (*ISOLATE_BY, "antibiotic")
# Above this many rounds, each round is materialised and the rounds stop when one finds
# no new episode (a short episode_days over a long period).
UNROLLED_ROUNDS = 12
MAX_EPISODE_DAYS = 36_500


def episode_days(value: float) -> int:
    """The episode length in days, checked: a whole number from 1 to 100 years."""
    if value != int(value) or not 1 <= value <= MAX_EPISODE_DAYS:
        raise IndicatorError(
            f"episode_days doit être un nombre entier de jours entre 1 et {MAX_EPISODE_DAYS}"
            f" (lu : {value:g})"
        )
    return int(value)


def episode_rounds(*, date_from: date, date_to: date, episode_days: int) -> int:
    """The most episodes a patient × organism can open in the period."""
    return (date_to - date_from).days // episode_days + 1


DAY_DIGITS = 8


def repeated_heads(heads: ir.Table) -> ir.Table:
    """The isolates (``staging.resistance.isolate_heads``) of patients with another
    isolate of the species (kept by the importer): ``isolate_id``, ``patient_id``,
    ``organism``, ``day``. The others are first isolates whatever the period and the
    episode length. A patient whose other isolates fall outside the period goes through
    the rounds all the same (round 1 makes its isolate a first isolate): cheaper than
    checking."""
    return heads.filter(heads.repeated).select("isolate_id", "patient_id", "organism", "day")


def earliest(t: ir.Table) -> ir.Table:
    """Per patient × organism: the earliest isolate, same-day ties broken by the smaller
    isolate_id, in one aggregation: the minimum of "day (zero-padded) | isolate_id"
    orders by day, then by isolate_id."""
    key = t.day.cast("string").lpad(DAY_DIGITS, "0") + "|" + t.isolate_id
    first = t.group_by(["patient_id", "organism"]).aggregate(key=key.min())
    return first.select(
        "patient_id",
        "organism",
        day=first.key.left(DAY_DIGITS).cast("int64"),
        isolate_id=first.key.substr(DAY_DIGITS + 1),
    )


def next_episodes(repeated: ir.Table, starts: ir.Table, *, episode_days: int) -> ir.Table:
    """The next round: per patient × organism, the earliest isolate of ``repeated``
    sampled at least ``episode_days`` after the start of the episode in ``starts`` (the
    previous round)."""
    previous = starts.select("patient_id", "organism", start_day="day")
    later = repeated.join(previous, ["patient_id", "organism"]).filter(
        lambda j: j.day >= j.start_day + episode_days
    )
    return earliest(later.select("isolate_id", "patient_id", "organism", "day"))


def non_first(repeated: ir.Table, rounds: Sequence[ir.Table]) -> ir.Table:
    """One row per isolate of ``repeated`` that opens no episode in any of ``rounds``:
    ``isolate_id``, the isolates that are not first isolates."""
    found = [r.select("isolate_id") for r in rounds]
    firsts = found[0].union(*found[1:]) if len(found) > 1 else found[0]
    return repeated.anti_join(firsts, "isolate_id").select("isolate_id")


def first_isolate_heads(heads: ir.Table, non_first: ir.Table) -> ir.Table:
    """``heads`` with ``first_isolate`` (boolean)."""
    nf = non_first.mutate(not_first=ibis.literal(True))
    joined = heads.left_join(nf, "isolate_id").select(heads, nf.not_first)
    return joined.mutate(first_isolate=joined.not_first.isnull()).drop("not_first")


def first_isolate_rows(rows: ir.Table, non_first: ir.Table) -> ir.Table:
    """The result rows (isolate × antibiotic) of first isolates only."""
    return rows.anti_join(non_first, "isolate_id")


def with_calendar(t: ir.Table, *, by: Iterable[str], departements: ir.Table) -> ir.Table:
    """``year``, ``month``, ``region``, ``age_band`` and ``sex`` added when ``by`` asks for
    them; ``departements`` is the reference table of départements."""
    by = set(by)
    t = stg.calendar(t, year="year" in by, month="month" in by)
    t = stg.demographics(t, age_band="age_band" in by, sex="sex" in by)
    if "region" in by:
        t = t.left_join(departements, t.departement == departements.departement).select(
            t, departements.region
        )
    return t


MAX_PHENOTYPE_POINTS = 100.0
#: Points of a difference between two results of one agent (AMR package, type "points").
_POINTS = {
    frozenset(("S", "R")): 1.0,
    frozenset(("S", "I")): 0.5,
    frozenset(("I", "R")): 0.5,
}


def phenotype_points(value: float) -> float:
    """The points threshold of the phenotype-based rule, checked: 0 (rule off) to 100."""
    if not 0 <= value <= MAX_PHENOTYPE_POINTS:
        raise IndicatorError(
            "phenotype_points doit être compris entre 0 (règle de l'épisode seule) et"
            f" {MAX_PHENOTYPE_POINTS:g} (lu : {value:g})"
        )
    return float(value)


def pattern_distance(a: Mapping[str, str], b: Mapping[str, str]) -> float:
    """Points between two susceptibility patterns (antibiotic → S/I/R): 1 per S↔R, 0.5 per
    I↔S or I↔R, over the agents tested on both."""
    return sum(_POINTS.get(frozenset((a[k], b[k])), 0.0) for k in a.keys() & b.keys())


def phenotype_firsts(
    isolates: Iterable[Mapping[str, Any]],
    results: Iterable[Mapping[str, Any]],
    *,
    episode_days: int,
    points: float,
) -> set[str]:
    """The phenotype-based first isolates that the episode rule alone does not keep.

    ``isolates``: ``isolate_id``, ``patient_id``, ``organism``, ``day`` (the repeated
    isolates of the period); ``results``: ``isolate_id``, ``antibiotic``, ``sir``. Per
    patient × organism, in (day, isolate_id) order, the episodes are those of the episode
    rule; within an episode, a later isolate whose pattern differs by more than
    ``points`` from *each* first isolate already kept in the episode is a first isolate
    too (so a pattern that comes back is not counted twice)."""
    patterns: dict[str, dict[str, str]] = defaultdict(dict)
    for r in results:
        patterns[str(r["isolate_id"])][str(r["antibiotic"])] = str(r["sir"])
    groups: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for i in isolates:
        groups[(str(i["patient_id"]), str(i["organism"]))].append(
            (int(i["day"]), str(i["isolate_id"]))
        )
    rescued: set[str] = set()
    for members in groups.values():
        members.sort()
        start: int | None = None
        kept: list[dict[str, str]] = []
        for day, isolate in members:
            pattern = patterns.get(isolate, {})
            if start is None or day >= start + episode_days:
                start, kept = day, [pattern]
            elif all(pattern_distance(pattern, k) > points for k in kept):
                rescued.add(isolate)
                kept.append(pattern)
    return rescued
