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


def _nice(value: float) -> float:
    """A round number at or above ``value`` (≥ 0) for the end of an axis."""
    if value <= 0:
        return 0.0
    magnitude = float(10 ** (len(str(int(value))) - 1)) if value >= 1 else 1.0
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
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
    ends = [v for b in bars for v in (b.value, b.low, b.high) if v is not None]
    ends += [target[0]] if target else []
    low_end, high_end = -_nice(-min(0.0, *ends)), _nice(max(0.0, *ends))
    span = (high_end - low_end) or 1.0
    scale = plot_w / span

    def x(value: float) -> float:
        return label_w + (value - low_end) * scale

    rows = []
    for i, b in enumerate(bars):
        y = top + i * row_h
        start, end = sorted((x(0.0), x(b.value)))
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} : {}</title></rect>'
                '<text x="{}" y="{}" class="chart__value">{}</text>',
                _f(label_w - 8),
                _f(y + row_h * 0.7),
                b.label[:34],
                _f(start),
                _f(y + 4),
                _f(end - start),
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
                    _f(x(b.low)),
                    _f(x(b.high)),
                    _f(y + row_h / 2),
                    _f(y + row_h / 2),
                    INTERVAL_COLOUR,
                )
            )
    axis_y = top + row_h * len(bars)
    extra = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#6b7785"/>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#6b7785"/>'
        '<text x="{}" y="{}" class="chart__axis">{}</text>'
        '<text x="{}" y="{}" text-anchor="end" class="chart__axis">{} {}</text>',
        _f(label_w), _f(label_w + plot_w), _f(axis_y), _f(axis_y),
        _f(x(0.0)), _f(x(0.0)), _f(top), _f(axis_y),
        _f(label_w), _f(axis_y + 18), number_format(low_end, 1),
        _f(label_w + plot_w), _f(axis_y + 18), number_format(high_end, 1), unit,
    )  # fmt: skip
    if target is not None:
        extra += format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"'
            ' stroke-dasharray="6 4"><title>{}</title></line>',
            _f(x(target[0])), _f(x(target[0])), _f(top - 4), _f(axis_y), TARGET_COLOUR,
            target[1],
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
