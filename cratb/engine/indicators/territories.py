"""Territories finer than the département: communes, CPTS, GHT, and the small-count rule.

- ``commune``: the patient's commune (INSEE code) of a dispensing line, or the commune of
  a rapid test's place;
- ``cpts``: the CPTS whose territory holds that commune, from the directory's copy in the
  warehouse (``sources/territories.py``, table ``territory_communes``); communes in no
  CPTS are left out of a grouping by CPTS;
- ``ght``: the GHT of an establishment (table ``establishment_ght``).

Small counts (French open-data practice, statistical secrecy): a group of a grouping by
commune or CPTS that counts fewer than ``SMALL_COUNT`` events (prescription lines,
tests) keeps its --by columns but has its numerator, denominator, value and interval
left empty, and a warning says how many groups were masked.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine.context import Context
from cratb.engine.sources.territories import ESTABLISHMENT_GHT, TERRITORY_COMMUNES

__all__ = [
    "FINE_COLUMNS",
    "SMALL_COUNT",
    "cpts_communes",
    "establishment_ght",
    "fine",
    "none_from_aggregate",
    "suppress_small",
    "with_cpts",
]

FINE_COLUMNS = ("commune", "cpts")
#: Groups counting fewer events than this are masked (1 to 10 events: never shown).
SMALL_COUNT = 11
MASKED = ("numerator", "denominator", "value", "ci_low", "ci_high")


def fine(by: tuple[str, ...] | list[str]) -> bool:
    """Whether a grouping asks for a territory finer than the département."""
    return any(c in FINE_COLUMNS for c in by)


def cpts_communes(ctx: Context) -> ir.Table:
    """One row per CPTS × commune: ``cpts``, ``commune`` (none, with a warning, when the
    directory's copy was never written to the warehouse)."""
    if not ctx.session.has(TERRITORY_COMMUNES):
        ctx.warn(
            "aucune CPTS dans l'entrepôt (table territory_communes absente) : les communes des"
            " CPTS viennent de l'annuaire, copiées à chaque publication des indicateurs"
        )
        return ctx.memtable(
            pa.table({"cpts": pa.array([], pa.string()), "commune": pa.array([], pa.string())})
        )
    t = ctx.table(TERRITORY_COMMUNES)
    return t.select("cpts", "commune")


def establishment_ght(ctx: Context) -> ir.Table:
    """One row per establishment: ``finess``, ``ght``."""
    if not ctx.session.has(ESTABLISHMENT_GHT):
        ctx.warn(
            "aucun GHT dans l'entrepôt (table establishment_ght absente) : les GHT des"
            " établissements viennent de l'annuaire, copiés à chaque publication des indicateurs"
        )
        return ctx.memtable(
            pa.table({"finess": pa.array([], pa.string()), "ght": pa.array([], pa.string())})
        )
    return ctx.table(ESTABLISHMENT_GHT).select("finess", "ght")


def with_cpts(ctx: Context, t: ir.Table) -> ir.Table:
    """``t`` (with a ``commune`` column) with the ``cpts`` of its commune, when the
    grouping asks for it; rows whose commune is in no CPTS are left out."""
    if "cpts" not in ctx.by:
        return t
    mapping = cpts_communes(ctx)
    return t.join(mapping, t.commune == mapping.commune).select(t, mapping.cpts)


def suppress_small(ctx: Context, t: ir.Table, *, events: str) -> ir.Table:
    """Mask the groups of ``t`` whose ``events`` column counts fewer than ``SMALL_COUNT``,
    when the grouping is by commune or CPTS (see the module's docstring); ``events`` is
    dropped. Adds a ``suppressed`` boolean column."""
    if not fine(ctx.by):
        return t.mutate(suppressed=ibis.literal(False)).drop(events)
    small = t[events].fill_null(0) < SMALL_COUNT
    masked = ctx.rows(t.aggregate(n=small.ifelse(1, 0).sum()))[0]["n"] or 0
    if masked:
        ctx.warn(
            f"{masked} groupe(s) de moins de {SMALL_COUNT} événements masqué(s) (secret"
            " statistique : valeurs laissées vides)"
        )
    changes = {c: small.ifelse(ibis.null(t[c].type()), t[c]) for c in MASKED if c in t.columns}
    return t.mutate(**changes, suppressed=small).drop(events)


def none_from_aggregate(ctx: Context, *, proportion: bool) -> ir.Table:
    """No group, and a warning: aggregated dispensing (Open Medic…) has no commune, so a
    grouping by commune or CPTS needs the dispensing lines (a publication from an
    aggregate goes on without these groups)."""
    ctx.warn(
        "la source agrégée (Open Medic…) ne donne pas la commune : les chiffres par commune"
        " et par CPTS demandent les lignes de délivrance (colonne patient_commune)"
    )
    columns: dict[str, pa.Array] = {
        c: pa.array([], pa.int32() if c == "year" else pa.string()) for c in ctx.by
    }
    values = ["numerator", "denominator", "value"]
    values += ["ci_low", "ci_high"] if proportion else []
    columns.update({c: pa.array([], pa.float64()) for c in values})
    return ctx.memtable(pa.table(columns))
