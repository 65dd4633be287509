"""Indicator values as a chart beside their table, drawn by the charts package
(``cratb.charts``: Vega-Lite rendered to inline SVG on the server, no script, no CDN).

The bars write the table's own strings (one formatter, ``cratb.charts.numbers``, with the
decimals the table uses), draw each value's 95 % interval and the indicator's target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.charts import Bar, Chart, Reference, ranked_bars

__all__ = ["DECIMALS", "MAX_BARS", "Bar", "IndicatorChart", "bar_chart"]

MAX_BARS = 60
#: Decimals of an indicator's value, interval and denominator in the table and the chart.
DECIMALS = 1


@dataclass(frozen=True)
class IndicatorChart:
    """A rendered chart and the sentence that explains its symbols."""

    html: SafeString
    key: str
    chart: Chart


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    target: tuple[float, str] | None = None,
    ranked: bool = True,
    subject: str = "",
) -> IndicatorChart | None:
    """Horizontal bars, one per value (highest first when ``ranked``, else in the order
    given, e.g. periods), with their 95 % interval and the target as a dashed line."""
    shown = [b for b in bars if b.value is not None][:MAX_BARS]
    if not shown:
        return None
    chart = ranked_bars(
        shown,
        title=title,
        unit=unit,
        decimals=DECIMALS,
        language=get_language() or "fr",
        target=Reference(target[0], _("Objectif")) if target is not None else None,
        sort=ranked,
        subject=subject,
    )
    key = chart.key
    if target is not None:
        key += f" ({target[1]})"
    return IndicatorChart(
        html=mark_safe(chart.html()),  # noqa: S308 - rendered and escaped by cratb.charts
        key=key,
        chart=chart,
    )
