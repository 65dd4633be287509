"""Intermediate tables of the resistance indicators: isolates, first isolates.

First isolate (CONTRACTS.md section 3; CLSI M39, episode-based): per patient × organism,
in date order, the earliest isolate opens an episode; a later isolate is a first isolate
only if it was sampled at least ``episode_days`` days after the start of the current
episode, and then opens a new one. Same-day ties are broken by ``isolate_id``. The rule
is applied to the isolates of the period asked (the analysis period of CLSI M39).

How it is computed, on any backend: most patients have one isolate of a species, and
each of those is a first isolate. Only the patient × organism groups with several
isolates in the period (``multi``, found among the isolates the importer marks
``repeated``, ``sources.isolate_heads``) go through the episode rounds: round 1 takes
each group's earliest isolate; round k + 1 the earliest isolate at least
``episode_days`` after round k's.
A period of D days holds at most D // episode_days + 1 episodes, which bounds the rounds
without running anything. The result is the small table of isolates that are *not*
first isolates; indicators keep the result rows of the other isolates (an anti-join),
so the large table of results is read once.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from cratb.engine.indicators.catalogue import Context, IndicatorError
from cratb.engine.reference import tables as ref
from cratb.engine.staging import resistance as stg

__all__ = [
    "ISOLATE_BY",
    "RESULT_BY",
    "first_isolate_heads",
    "first_isolate_rows",
    "heads",
    "non_first",
    "result_rows",
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
)
RESULT_BY = (*ISOLATE_BY, "antibiotic")
# Above this many rounds, each round is materialised and the rounds stop when one finds
# no new episode (a short episode_days over a long period).
UNROLLED_ROUNDS = 12
MAX_EPISODE_DAYS = 36_500


def episode_days(ctx: Context) -> int:
    value = ctx.param("episode_days")
    if value != int(value) or not 1 <= value <= MAX_EPISODE_DAYS:
        raise IndicatorError(
            f"episode_days doit être un nombre entier de jours entre 1 et {MAX_EPISODE_DAYS}"
            f" (lu : {value:g})"
        )
    return int(value)


def result_rows(ctx: Context) -> ir.Table:
    """One row per isolate × antibiotic of the period (``staging.resistance``). Not
    materialised: a projection of the large table is cheaper to read again than to copy."""
    return stg.isolate_rows(ctx.table("isolates"), date_from=ctx.date_from, date_to=ctx.date_to)


def heads(ctx: Context) -> ir.Table:
    """One row per isolate of the period (``staging.resistance.isolate_heads``)."""
    if not ctx.session.has("isolate_heads"):
        raise IndicatorError(
            "la table « isolate_heads » (un isolat par ligne, tenue par l'import des isolats)"
            " manque : l'entrepôt vient d'une version antérieure de cratb ; réimporter les"
            " isolats dans un nouvel entrepôt"
        )
    return stg.isolate_heads(
        ctx.table("isolate_heads"), date_from=ctx.date_from, date_to=ctx.date_to
    )


DAY_DIGITS = 8


def _earliest(t: ir.Table) -> ir.Table:
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


def non_first(ctx: Context) -> ir.Table:
    """One row per isolate of the period that is not a first isolate: ``isolate_id``."""
    days = episode_days(ctx)
    return ctx.shared(f"non_first:{days}", lambda: _non_first(ctx, days))


def _non_first(ctx: Context, days: int) -> ir.Table:
    h = heads(ctx)
    # Isolates of patients with another isolate of the species (kept by the importer):
    # the others are first isolates whatever the period and the episode length. A patient
    # whose other isolates fall outside the period goes through the rounds all the same
    # (round 1 makes its isolate a first isolate): cheaper than checking.
    multi = h.filter(h.repeated).select("isolate_id", "patient_id", "organism", "day")
    bound = (ctx.date_to - ctx.date_from).days // days + 1
    starts = _earliest(multi)
    found = [starts.select("isolate_id")]
    for k in range(1, bound):
        previous = starts.select("patient_id", "organism", start_day="day")
        later = multi.join(previous, ["patient_id", "organism"]).filter(
            lambda j: j.day >= j.start_day + days
        )
        starts = _earliest(later.select("isolate_id", "patient_id", "organism", "day"))
        if bound > UNROLLED_ROUNDS:
            starts = _materialised(ctx, f"resistance_round:{days}:{k}", starts)
            if not ctx.rows(starts.aggregate(n=starts.count()))[0]["n"]:
                break
        found.append(starts.select("isolate_id"))
    firsts = found[0].union(*found[1:]) if len(found) > 1 else found[0]
    return multi.anti_join(firsts, "isolate_id").select("isolate_id")


def _materialised(ctx: Context, key: str, t: ir.Table) -> ir.Table:
    return ctx.shared(key, lambda: t)


def first_isolate_heads(ctx: Context) -> ir.Table:
    """``heads`` with ``first_isolate`` (boolean)."""
    h = heads(ctx)
    nf = non_first(ctx).mutate(not_first=ibis.literal(True))
    joined = h.left_join(nf, "isolate_id").select(h, nf.not_first)
    return joined.mutate(first_isolate=joined.not_first.isnull()).drop("not_first")


def first_isolate_rows(ctx: Context) -> ir.Table:
    """The result rows (isolate × antibiotic) of first isolates only."""
    rows = result_rows(ctx)
    return rows.anti_join(non_first(ctx), "isolate_id")


def with_calendar(ctx: Context, t: ir.Table, by: Iterable[str]) -> ir.Table:
    """``year``, ``month`` and ``region`` added when ``by`` asks for them."""
    by = set(by)
    t = stg.calendar(t, year="year" in by, month="month" in by)
    if "region" in by:
        deps = ctx.memtable(ref.departements_table())
        t = t.left_join(deps, t.departement == deps.departement).select(t, deps.region)
    return t
