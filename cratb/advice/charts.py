"""The advice desk's figures as charts, drawn by the charts package (``cratb.charts``:
Vega-Lite rendered to inline SVG on the server: no script, no CDN, readable when printed).

Each chart has a ``<title>`` and a ``<desc>`` for screen readers; the page shows the same
numbers, written by the same formatter, in a table next to it.
"""

from __future__ import annotations

from datetime import date

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.advice.figures import BreakdownRow, Series
from cratb.charts import Bar, Chart, Segment, ranked_bars, stacked_bars
from cratb.charts.numbers import format_month

#: The largest dimension values get their own colour; the others are grouped.
MAX_SERIES = 6
MAX_BARS = 15


def period_label(day: date, *, period: str, language: str) -> str:
    """« janv. 2025 » for a month, « 06/01 » for the week starting that day."""
    if period == "month":
        return format_month(day, language=language)
    return day.strftime("%d/%m")


def stacked_bars_chart(series: Series, *, period: str, title: str) -> SafeString:
    """Requests per period, stacked by the largest dimension values (others grouped),
    each bar with its total."""
    chart = series_chart(series, period=period, title=title)
    if chart is None:
        return SafeString("")
    return mark_safe(chart.html())  # noqa: S308 - rendered and escaped by cratb.charts


def series_chart(series: Series, *, period: str, title: str) -> Chart | None:
    """The chart of :func:`stacked_bars_chart` (also printed by the annual report)."""
    language = get_language() or "fr"
    if not any(series.total(day) for day in series.periods):
        return None
    shown = series.codes[:MAX_SERIES]
    others = series.codes[MAX_SERIES:]
    names = [series.labels.get(code, code) for code in shown]
    if others:
        names.append(_("Autres"))
    categories = [period_label(day, period=period, language=language) for day in series.periods]
    segments = []
    for day, category in zip(series.periods, categories, strict=True):
        counts = series.counts.get(day, {})
        for code, name in zip(shown, names, strict=False):
            segments.append(Segment(category, name, counts.get(code, 0)))
        if others:
            segments.append(Segment(category, names[-1], sum(counts.get(c, 0) for c in others)))
    return stacked_bars(
        segments,
        categories=categories,
        series=names,
        title=title,
        unit=_("demandes"),
        language=language,
    )


def horizontal_bars(rows: list[BreakdownRow], *, title: str) -> SafeString:
    """Requests per dimension value, largest first, each bar with its count."""
    chart = breakdown_chart(rows, title=title)
    if chart is None:
        return SafeString("")
    return mark_safe(chart.html())  # noqa: S308 - rendered and escaped by cratb.charts


def breakdown_chart(rows: list[BreakdownRow], *, title: str) -> Chart | None:
    """The chart of :func:`horizontal_bars` (also printed by the annual report)."""
    if not rows:
        return None
    return ranked_bars(
        [Bar(row.label, row.measures.total) for row in rows[:MAX_BARS]],
        title=title,
        unit=_("demandes"),
        decimals=0,
        count=True,
        language=get_language() or "fr",
    )
