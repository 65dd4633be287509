"""Indicator values as an inline SVG bar chart, drawn on the server (no script, no CDN).

The chart has a ``<title>`` and a ``<desc>`` for screen readers; the page shows the same
values in its table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

BAR_COLOUR = "#0072B2"  # Okabe–Ito blue: contrast 5.2:1 on white
TARGET_COLOUR = "#D55E00"
INTERVAL_COLOUR = "#1b1f24"
MAX_BARS = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None
    high: float | None = None


def _f(value: float) -> str:
    return f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = float(10 ** len(str(int(value))))  # a power of ten above the value
    for step in (0.1, 0.2, 0.25, 0.5, 1.0):
        if step * magnitude >= value:
            return step * magnitude
    return float(value)


def bar_chart(
    bars: list[Bar], *, title: str, unit: str, target: tuple[float, str] | None = None
) -> SafeString:
    """Horizontal bars, one per value, with their 95 % interval when they have one and a
    dashed line at the target when given as (value, label)."""
    bars = [b for b in bars if b.value is not None][:MAX_BARS]
    if not bars:
        return SafeString("")
    label_w, value_w, row_h, top, bottom = 220, 70, 24, 8, 30
    plot_w = 460
    width = label_w + plot_w + value_w
    height = top + row_h * len(bars) + bottom
    peak = max(max(b.high or b.value for b in bars), target[0] if target else 0.0)
    scale = plot_w / _nice_max(peak)
    rows = []
    for i, b in enumerate(bars):
        y = top + i * row_h
        length = max(b.value, 0.0) * scale
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} : {}</title></rect>'
                '<text x="{}" y="{}" class="chart__value">{}</text>',
                _f(label_w - 8),
                _f(y + row_h * 0.7),
                b.label[:34],
                _f(label_w),
                _f(y + 4),
                _f(length),
                _f(row_h - 8),
                BAR_COLOUR,
                b.label,
                number_format(b.value, 1),
                _f(label_w + plot_w + 6),
                _f(y + row_h * 0.7),
                number_format(b.value, 1),
            )
        )
        if b.low is not None and b.high is not None:
            rows.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                    _f(label_w + b.low * scale),
                    _f(label_w + b.high * scale),
                    _f(y + row_h / 2),
                    _f(y + row_h / 2),
                    INTERVAL_COLOUR,
                )
            )
    axis_y = top + row_h * len(bars)
    extra = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#6b7785"/>'
        '<text x="{}" y="{}" class="chart__axis">0</text>'
        '<text x="{}" y="{}" text-anchor="end" class="chart__axis">{} {}</text>',
        _f(label_w), _f(label_w + plot_w), _f(axis_y), _f(axis_y),
        _f(label_w), _f(axis_y + 18),
        _f(label_w + plot_w), _f(axis_y + 18), number_format(_nice_max(peak), 1), unit,
    )  # fmt: skip
    if target is not None:
        x = label_w + target[0] * scale
        extra += format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"'
            ' stroke-dasharray="6 4"><title>{}</title></line>',
            _f(x), _f(x), _f(top - 4), _f(axis_y), TARGET_COLOUR, target[1],
        )  # fmt: skip
    description = _("%(count)s valeurs, de %(low)s à %(high)s %(unit)s.") % {
        "count": len(bars),
        "low": number_format(min(b.value for b in bars), 1),
        "high": number_format(max(b.value for b in bars), 1),
        "unit": unit,
    }
    if target is not None:
        description += " " + target[1]
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title'
        ' chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title>'
        '<desc id="chart-desc">{}</desc>{}{}</svg>',
        width, height, title, description,
        format_html_join("", "{}", ((r,) for r in rows)), extra,
    )  # fmt: skip
