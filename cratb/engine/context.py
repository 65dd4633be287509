"""What an indicator computation works with: the request, its period and its session.

Below the intermediate and indicator layers and above the backends: ``Query`` is what a
caller asks (``--by`` columns, period, parameters); ``Context`` is what an indicator's
compute function receives (the session's tables, the columns, the period, the
parameters, the warnings it gathers), with ``shared`` to keep an intermediate table
once per session and period. ``IndicatorError`` is the error of a request the catalogue
cannot answer. Intermediate steps never receive a ``Context``: the indicator layer hands
them tables and explicit values.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine.backends import Session
from cratb.engine.dimensions import GEO_COLUMNS, TIME_COLUMNS
from cratb.engine.errors import EngineError

__all__ = ["SOURCES", "Context", "IndicatorError", "Query", "months_table"]


class IndicatorError(EngineError, ValueError):
    """A request the catalogue cannot answer (unknown id, column, period); French, one
    line."""


@dataclass(frozen=True)
class Query:
    """What a caller asks: grouping columns, period (inclusive dates), parameters."""

    by: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    # Where the community consumption comes from: "lines" (the dispensing lines),
    # "aggregate" (aggregated dispensing: Open Medic…), None: the lines when imported,
    # else the aggregate (docs/open-data.md).
    source: str | None = None


SOURCES = ("lines", "aggregate")


@dataclass
class Context:
    """What a compute function works with: the session, the request and the period."""

    session: Session
    by: tuple[str, ...]
    date_from: date
    date_to: date
    params: Mapping[str, float]
    warnings: list[str] = field(default_factory=list)
    # Without --from/--to, the months (YYYYMM) of the years that hold data: a period
    # spanning years without any data (a 2019 baseline and the current year) must not
    # count them as zero.
    data_months: frozenset[int] | None = None
    # "lines" or "aggregate" (``Query.source``, decided by ``compute``).
    source: str = "lines"

    def param(self, name: str) -> float:
        return self.params[name]

    def table(self, name: str) -> ir.Table:
        return self.session.table(name)

    def memtable(self, data: pa.Table) -> ir.Table:
        return self.session.memtable(data)

    def shared(self, key: str, build: Callable[[], ir.Table]) -> ir.Table:
        """``build()``, materialised once per session and period (see ``Session.shared``)."""
        months = "all" if self.data_months is None else hash(self.data_months)
        return self.session.shared(f"{key}:{self.date_from}:{self.date_to}:{months}", build)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run a small expression now (e.g. the population years) and return its rows."""
        # The same expression in the same session gives the same rows (the warehouse is
        # opened read-only): checks that several indicators make run once.
        rows: list[dict[str, Any]] = self.session.remember(
            ("rows", expr.op()), lambda: self.session.to_arrow(expr).to_pylist()
        )
        return [dict(row) for row in rows]

    @property
    def time_by(self) -> list[str]:
        return [c for c in self.by if c in TIME_COLUMNS]

    @property
    def geo_by(self) -> list[str]:
        return [c for c in self.by if c in GEO_COLUMNS]

    def months(self) -> ir.Table:
        """One row per calendar month of the period: ``year``, ``month`` ('YYYY-MM'),
        ``days`` (the days of that month inside the period)."""
        return self.memtable(self.month_rows())

    def month_rows(self) -> pa.Table:
        months = months_table(self.date_from, self.date_to)
        if self.data_months is None:
            return months
        keys = [int(m.replace("-", "")) for m in months["month"].to_pylist()]
        return months.filter(pa.array([k in self.data_months for k in keys]))

    def years(self) -> list[int]:
        return sorted({int(y) for y in self.month_rows()["year"].to_pylist()})


def months_table(date_from: date, date_to: date) -> pa.Table:
    """One row per calendar month from ``date_from`` to ``date_to``: ``year``, ``month``
    ('YYYY-MM'), ``days`` (the days of that month inside the period)."""
    years, months, days = [], [], []
    current = date(date_from.year, date_from.month, 1)
    while current <= date_to:
        last = date(current.year, current.month, calendar.monthrange(*_ym(current))[1])
        start, end = max(current, date_from), min(last, date_to)
        years.append(current.year)
        months.append(f"{current.year:04d}-{current.month:02d}")
        days.append((end - start).days + 1)
        current = last + timedelta(days=1)
    return pa.table(
        {"year": pa.array(years, pa.int32()), "month": months, "days": pa.array(days, pa.int64())}
    )


def _ym(day: date) -> tuple[int, int]:
    return day.year, day.month
