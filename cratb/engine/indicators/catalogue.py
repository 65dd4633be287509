"""The indicator catalogue: each indicator declared once, computed on any backend.

A declaration holds what a user must know to read a value (id, French and English
title, unit, numerator, denominator, ``lower_is_better``, source, the reference tables
whose edition it depends on, targets), what must be prepared before it runs
(``prepare``) and the function that computes it. The function receives a ``Context``
(``cratb.engine.context``: the session's tables, the ``--by`` columns, the period, the
parameters) and returns an Ibis table with one row per group: the ``--by`` columns,
then ``numerator``, ``denominator``, ``value`` and, for proportions, ``ci_low`` and
``ci_high`` (CONTRACTS.md section 3). ``compute`` checks the request, runs the
expression and returns the rows as Arrow with the editions and warnings.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine import reference
from cratb.engine.backends import Session
from cratb.engine.context import SOURCES, Context, IndicatorError, Query
from cratb.engine.dimensions import GEO_COLUMNS, TIME_COLUMNS

__all__ = [
    "CATALOGUE",
    "GEO_COLUMNS",
    "PREPARATIONS",
    "TIME_COLUMNS",
    "Context",
    "Indicator",
    "IndicatorError",
    "Query",
    "Result",
    "Target",
    "available_years",
    "compute",
    "get",
    "register",
]

STANDARD_GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("departement",),
    ("month",),
    ("month", "departement"),
)
VALUE_COLUMNS = ("numerator", "denominator", "value")
CI_COLUMNS = ("ci_low", "ci_high")
#: What an indicator may need done before it runs, besides its tables being imported
#: (``Indicator.prepare``): work outside the engine, which the caller that has the means
#: (the web platform, for a publication) does first.
PREPARATIONS = {
    "territories": (
        "les communes des CPTS et le GHT des établissements, tenus dans l'annuaire, copiés"
        " dans les tables territory_communes et establishment_ght de l'entrepôt"
    ),
    "targeted_reports": (
        "le journal des rendus ciblés de l'API des laboratoires, tenu dans la base web, copié"
        " dans la table targeted_reports de l'entrepôt (cratb ast sync)"
    ),
}


@dataclass(frozen=True)
class Target:
    """A published target for an indicator's value."""

    label: str  # French, e.g. "Objectif national 2025 : moins de 650"
    value: float
    comparison: str  # "<", "<=", ">=", ">"
    year: int | None
    source: str

    def met(self, value: float) -> bool:
        return {
            "<": value < self.value,
            "<=": value <= self.value,
            ">=": value >= self.value,
            ">": value > self.value,
        }[self.comparison]


@dataclass(frozen=True)
class Indicator:
    id: str
    title_fr: str
    title_en: str
    unit: str
    unit_en: str
    numerator: str
    denominator: str
    lower_is_better: bool | None
    proportion: bool
    by: tuple[str, ...]
    tables: tuple[str, ...]
    editions: tuple[str, ...]
    source: str
    version: int
    function: Callable[[Context], ir.Table]
    always_by: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    # Where the period comes from when the caller gives none: (table, date or year column).
    period_from: tuple[str, str] = ("dispensations", "dispensed_on")
    # Groupings published to the web database besides the standard ones (see
    # ``publish_groupings``).
    publish: tuple[tuple[str, ...], ...] = ()
    # What must be done before it runs (keys of ``PREPARATIONS``).
    prepare: tuple[str, ...] = ()
    # Computable from aggregated dispensing too (``Query.source``): then its tables are
    # ``AGGREGATE_TABLES`` and its period comes from their years.
    aggregate: bool = False

    @property
    def description(self) -> str:
        """The compute function's docstring: it states the grain."""
        return " ".join((self.function.__doc__ or "").split())

    def publish_groupings(self) -> list[tuple[str, ...]]:
        """The --by groupings published for each year: the whole area, each département,
        each month and month × département where the indicator admits them, then the
        indicator's own (``publish``)."""
        admitted = set(self.by) | set(self.always_by)
        out = [g for g in STANDARD_GROUPINGS if set(g) <= admitted]
        return out + [g for g in self.publish if g not in out]

    def columns(self, by: Iterable[str]) -> list[str]:
        out = [*self.always_by, *(c for c in by if c not in self.always_by)]
        out += list(VALUE_COLUMNS)
        if self.proportion:
            out += list(CI_COLUMNS)
        return out + list(self.extra_columns)


CATALOGUE: dict[str, Indicator] = {}


def register(**declaration: Any) -> Callable[[Callable[[Context], ir.Table]], Indicator]:
    """Declare an indicator around its compute function: ``@register(id=..., ...)``."""

    def wrap(function: Callable[[Context], ir.Table]) -> Indicator:
        indicator = Indicator(function=function, **declaration)
        if indicator.id in CATALOGUE:
            raise ValueError(f"indicator {indicator.id} declared twice")
        unknown = set(indicator.prepare) - set(PREPARATIONS)
        if unknown:
            raise ValueError(f"indicator {indicator.id}: unknown preparation {sorted(unknown)}")
        CATALOGUE[indicator.id] = indicator
        return indicator

    return wrap


def get(indicator_id: str) -> Indicator:
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise IndicatorError(
            f"indicateur inconnu « {indicator_id} » ; voir « cratb indicators list »"
        ) from None


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    table: pa.Table
    date_from: date
    date_to: date
    editions: dict[str, str]
    warnings: list[str]
    backend: str


def _period(session: Session, indicator: Indicator, query: Query) -> tuple[date, date]:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise IndicatorError(
            f"période vide : --from {query.date_from} est après --to {query.date_to}"
        )
    date_from, date_to = query.date_from, query.date_to
    if date_from is None or date_to is None:
        table_name, column = indicator.period_from
        t = session.table(table_name)
        bounds = session.to_arrow(t.aggregate(low=t[column].min(), high=t[column].max()))
        low, high = bounds["low"][0].as_py(), bounds["high"][0].as_py()
        if low is None:
            raise IndicatorError(f"aucune donnée dans la table « {table_name} »")
        low, high = _as_date(low, start=True), _as_date(high, start=False)
        # Whole months of data: an extract that stops on the 30th still covers its month.
        date_from = date_from or date(low.year, low.month, 1)
        date_to = date_to or date(
            high.year, high.month, calendar.monthrange(high.year, high.month)[1]
        )
    return date_from, date_to


def _data_months(session: Session, indicator: Indicator) -> frozenset[int]:
    """The months (YYYYMM) of the calendar years for which the indicator's main table holds
    data: a year without any data (between a 2019 baseline and the current year) is no
    period of zero consumption."""
    years = available_years(session, indicator)
    return frozenset(y * 100 + m for y in years for m in range(1, 13))


def available_years(session: Session, indicator: Indicator) -> list[int]:
    """The calendar years for which the indicator's main table holds data."""
    table_name, column = indicator.period_from
    if not session.has(table_name):
        return []
    t = session.table(table_name)
    year = t[column] if t[column].type().is_integer() else t[column].year()
    rows = session.to_arrow(t.select(year=year.cast("int32")).distinct().order_by("year"))
    return [int(y) for y in rows["year"].to_pylist() if y is not None]


def _as_date(value: date | int, *, start: bool) -> date:
    """A period bound from a date column, or from a year column (whole years)."""
    if isinstance(value, int):
        return date(value, 1, 1) if start else date(value, 12, 31)
    return value


AGGREGATE = "aggregated_dispensations"
# Without a population table, an aggregate's rates use the reference tables' population
# (indicators/aggregated.py), so that Open Medic and the BDPM alone give the rates.
AGGREGATE_TABLES = (AGGREGATE, "products")
LINES = "dispensations"


def source_for(session: Session, indicator: Indicator, asked: str | None) -> str:
    """The source an indicator is computed from: the one asked, else the dispensing
    lines when imported (or needed), else the aggregate; IndicatorError when the
    indicator needs lines the warehouse does not hold, or the aggregate is asked of an
    indicator that needs lines."""
    if asked is not None and asked not in SOURCES:
        raise IndicatorError(
            f"source inconnue « {asked} » ; sources admises : {', '.join(SOURCES)}"
        )
    if not indicator.aggregate:
        if asked == "aggregate" or (
            LINES in indicator.tables and not session.has(LINES) and session.has(AGGREGATE)
        ):
            raise IndicatorError(
                f"{indicator.id} demande les lignes de délivrance (dispensations) : des données"
                " agrégées (Open Medic…) ne peuvent pas le donner"
            )
        return "lines"
    if asked is not None:
        return asked
    if LINES in indicator.tables and not session.has(LINES) and session.has(AGGREGATE):
        return "aggregate"
    return "aggregate" if LINES not in indicator.tables else "lines"


def compute(indicator_id: str, session: Session, query: Query | None = None) -> Result:
    """Compute one indicator; raises ``IndicatorError`` for a request it cannot answer."""
    query = query or Query()
    indicator = get(indicator_id)
    source = source_for(session, indicator, query.source)
    if source == "aggregate" and LINES in indicator.tables:
        indicator = replace(indicator, tables=AGGREGATE_TABLES, period_from=(AGGREGATE, "year"))
    unknown = [c for c in query.by if c not in indicator.by and c not in indicator.always_by]
    if unknown:
        raise IndicatorError(
            f"colonne --by « {', '.join(unknown)} » non admise pour {indicator.id} ; "
            f"colonnes admises : {', '.join(indicator.by) or 'aucune'}"
        )
    if len(set(query.by)) != len(query.by):
        raise IndicatorError("colonne --by en double")
    unknown_params = sorted(set(query.params) - set(indicator.parameters))
    if unknown_params:
        raise IndicatorError(
            f"paramètre inconnu pour {indicator.id} : {', '.join(unknown_params)} ; "
            f"paramètres admis : {', '.join(indicator.parameters) or 'aucun'}"
        )
    for name in indicator.tables:
        session.table(name)  # a clear error when a needed table was never imported
    date_from, date_to = _period(session, indicator, query)
    by = tuple(dict.fromkeys((*indicator.always_by, *query.by)))
    defaulted = query.date_from is None and query.date_to is None
    context = Context(
        session=session,
        by=by,
        date_from=date_from,
        date_to=date_to,
        params={**indicator.parameters, **query.params},
        data_months=_data_months(session, indicator) if defaulted else None,
        source=source,
    )
    columns = indicator.columns(by)

    def build() -> tuple[ir.Table, tuple[str, ...]]:
        expr = indicator.function(context).select(*columns)
        if by:
            expr = expr.order_by(*by)
        return expr, tuple(context.warnings)

    # The same request in a later session is the same expression when what its building
    # read gives the same there (Session.replayed): its queries run, its building does not.
    request = (
        "indicator",
        indicator.id,
        indicator.function,
        source,
        by,
        date_from,
        date_to,
        tuple(sorted(context.params.items())),
        context.data_months,
        reference.generation(),
    )
    expr, warnings = session.replayed(request, build)
    context.warnings = list(warnings)
    table = session.to_arrow(expr)
    editions = _editions_used(session, indicator, date_from, date_to)
    return Result(
        indicator=indicator,
        table=table,
        date_from=date_from,
        date_to=date_to,
        editions={k: editions[k] for k in indicator.editions if k in editions},
        warnings=context.warnings,
        backend=session.backend,
    )


def _editions_used(
    session: Session, indicator: Indicator, date_from: date, date_to: date
) -> dict[str, str]:
    """The editions of the reference tables in use; for a population-based rate, the years
    of the imported population table that counted for the period (the reference tables'
    own population, an older census, only draws the maps), e.g. ``{"population": "2025"}``."""
    editions = dict(reference.editions())
    available = session.values.get("population_years")
    if "population" in indicator.editions and available:
        used = {
            max((a for a in available if a <= y), default=available[0])
            for y in range(date_from.year, date_to.year + 1)
        }
        editions["population"] = ", ".join(str(y) for y in sorted(used))
    return editions


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator ÷ denominator, NULL when the denominator is 0 or NULL."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0.0)


def lit(value: float) -> ir.Scalar:
    return ibis.literal(value, type="float64")
