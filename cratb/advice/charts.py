"""Charts as inline SVG, drawn on the server: no script, no CDN, readable when printed.

Each chart has a ``<title>`` and a ``<desc>`` for screen readers; the page shows the
same numbers in a table next to it.
"""

from __future__ import annotations

from datetime import date

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cratb.advice.figures import BreakdownRow, Series

#: Colour-blind-safe palette (Okabe–Ito), then grey for « others ».
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7a7a7a")
MAX_SERIES = 6
MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def f(value: float) -> str:
    """A coordinate for SVG (format_html escapes its arguments, so no format codes)."""
    return f"{value:.1f}"


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _period_label(day: date, *, period: str) -> str:
    if period == "month":
        return MONTHS[day.month - 1]
    return day.strftime("%d/%m")


def stacked_bars(series: Series, *, period: str, title: str) -> SafeString:
    """Requests per period, stacked by the largest dimension values (others grouped)."""
    shown = series.codes[:MAX_SERIES]
    others = series.codes[MAX_SERIES:]
    keys = [*shown, *(["__others__"] if others else [])]
    labels = {**series.labels, "__others__": _("Autres")}

    def value(day: date, key: str) -> int:
        counts = series.counts.get(day, {})
        if key == "__others__":
            return sum(counts.get(code, 0) for code in others)
        return counts.get(key, 0)

    width, height = 760, 300
    left, right, top, bottom = 48, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    periods = series.periods
    peak = max((series.total(day) for day in periods), default=0)
    ymax = _nice_max(peak)
    slot = plot_w / max(len(periods), 1)
    bar = max(slot * 0.7, 1)
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
            'xmlns="http://www.w3.org/2000/svg">',
            width,
            height + 24 * ((len(keys) + 3) // 4),
            "chart-series",
            "chart-series",
        ),
        format_html('<title id="chart-series-t">{}</title>', title),
        format_html(
            '<desc id="chart-series-d">{}</desc>',
            _("%(n)s demandes au total ; maximum %(peak)s sur une période.")
            % {"n": sum(series.total(d) for d in periods), "peak": peak},
        ),
    ]
    for tick in range(5):
        y_value = ymax * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart__grid"/>'
                '<text x="{}" y="{}" class="chart__tick" text-anchor="end">{}</text>',
                left,
                width - right,
                f(y),
                f(y),
                left - 6,
                f(y + 4),
                f"{y_value:g}",
            )
        )
    label_every = 1 if len(periods) <= 12 else 4
    for index, day in enumerate(periods):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h
        for key_index, key in enumerate(keys):
            n = value(day, key)
            if not n:
                continue
            h = plot_h * n / ymax
            y -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} — {} : {}</title></rect>",
                    f(x),
                    f(y),
                    f(bar),
                    f(h),
                    PALETTE[min(key_index, len(PALETTE) - 1)],
                    _period_label(day, period=period),
                    labels.get(key, key),
                    n,
                )
            )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart__tick" text-anchor="middle">{}</text>',
                    f(x + bar / 2),
                    top + plot_h + 16,
                    _period_label(day, period=period),
                )
            )
    for key_index, key in enumerate(keys):
        column, row = key_index % 4, key_index // 4
        x = left + column * (plot_w / 4)
        y = height + row * 24
        label = labels.get(key, key)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="{}" class="chart__legend">{}</text>',
                f(x),
                y - 10,
                PALETTE[min(key_index, len(PALETTE) - 1)],
                f(x + 16),
                y,
                label if len(label) <= 28 else label[:27] + "…",
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def horizontal_bars(rows: list[BreakdownRow], *, title: str) -> SafeString:
    """Requests per dimension value, largest first."""
    rows = rows[:15]
    width, bar_h, gap, label_w = 760, 18, 6, 260
    height = max(len(rows), 1) * (bar_h + gap) + 8
    peak = max((r.measures.total for r in rows), default=0) or 1
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-bars-t" '
            'xmlns="http://www.w3.org/2000/svg"><title id="chart-bars-t">{}</title>',
            width,
            height,
            title,
        )
    ]
    for index, row in enumerate(rows):
        y = 4 + index * (bar_h + gap)
        w = (width - label_w - 60) * row.measures.total / peak
        label = row.label if len(row.label) <= 40 else row.label[:39] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart__legend" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" class="chart__tick">{}</text>',
                label_w - 8,
                y + 13,
                label,
                label_w,
                y,
                f(w),
                bar_h,
                PALETTE[0],
                f(label_w + w + 6),
                y + 13,
                row.measures.total,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html
