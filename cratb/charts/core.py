"""What every chart kind shares: the :class:`Chart` itself, the theme, the two widths.

A chart is drawn twice, from one definition: a *wide* variant for screens and paper
(720 units, 13 px text) and a *narrow* one for phones (340 units, 12 px text, labels on
their own lines). The page inlines both and a CSS container query shows one, so text is
never drawn below 11 px: the wide variant is shown only in a container of at least 640 px
(13 × 640 / 720 ≥ 11.5), the narrow one from 320 px (12 × 320 / 340 ≥ 11.2).

Colours: the Okabe–Ito palette. Lines and marks that carry meaning have at least 3:1
contrast against white (WCAG 1.4.11); the lighter Okabe–Ito colours are used only for
filled areas, which get a dark outline.
"""

from __future__ import annotations

import functools
import gettext
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cratb.charts.numbers import language_of, vega_locale
from cratb.charts.render import render_png, render_svg

__all__ = [
    "BLUE",
    "FILL_COLOURS",
    "INK",
    "LINE_COLOURS",
    "MUTED",
    "NARROW",
    "TARGET",
    "WIDE",
    "Chart",
    "Layout",
    "base_spec",
    "colon",
    "nice_bounds",
    "semicolon",
    "translator",
]

INK = "#1b1f24"  # the page's text colour: 16.6:1 on white
MUTED = "#4b5563"  # 7.6:1
AXIS = "#6b7785"  # 4.6:1
GRID = "#e3e6ea"  # decoration only
BLUE = "#0072B2"  # Okabe–Ito blue: 5.2:1
TARGET = "#D55E00"  # Okabe–Ito vermillion: 3.9:1
#: Okabe–Ito colours with ≥ 3:1 on white, for lines and points.
#: Vermillion is kept for targets, so it is not a series colour.
LINE_COLOURS = ("#0072B2", INK, "#009E73", "#CC79A7")
#: The whole palette (then grey) for filled areas, which are outlined in ink.
FILL_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7a7a7a")
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@dataclass(frozen=True)
class Layout:
    name: Literal["wide", "narrow"]
    width: int
    font_size: int
    row_step: int  # height of one bar's row

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"


WIDE = Layout(name="wide", width=720, font_size=13, row_step=26)
NARROW = Layout(name="narrow", width=340, font_size=12, row_step=40)


def colon(language: str) -> str:
    """« : » with the French space before it, « : » alone in English."""
    return ": " if language_of(language) == "en" else " : "


def semicolon(language: str) -> str:
    return "; " if language_of(language) == "en" else " ; "


def _nice_step(span: float) -> float:
    magnitude = 10 ** math.floor(math.log10(span)) if span > 0 else 1.0
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if span / (step * magnitude) <= 5:
            return step * magnitude
    return 10 * magnitude


def nice_bounds(low: float, high: float) -> tuple[float, float]:
    """Round axis ends around ``low`` ≤ ``high`` (five steps or fewer of 1, 2, 2.5 or 5
    times a power of ten), e.g. (0, 23.4) → (0, 25)."""
    if high <= low:
        high = low + 1.0
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step


@functools.cache
def translator(language: str) -> gettext.NullTranslations:
    """The project's own message catalogue (``cratb/locale``), read without Django: the
    chart texts are translated with the rest of the site."""
    return gettext.translation(
        "django", localedir=LOCALE_DIR, languages=[language_of(language)], fallback=True
    )


def base_spec(layout: Layout, language: str) -> dict[str, Any]:
    """The parts of every specification: font, sizes, colours, the number locale."""
    size = layout.font_size
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "config": {
            "font": FONT,
            "locale": vega_locale(language),
            "view": {"stroke": None},
            "aria": False,
            "axis": {
                "labelFontSize": size,
                "titleFontSize": size,
                "labelColor": INK,
                "titleColor": INK,
                "titleFontWeight": "normal",
                "domainColor": AXIS,
                "tickColor": AXIS,
                "gridColor": GRID,
                "labelLimit": 220 if not layout.narrow else 120,
            },
            "legend": {
                "labelFontSize": size,
                "titleFontSize": size,
                "labelColor": INK,
                "titleColor": INK,
                "titleFontWeight": "normal",
                "labelLimit": 260,
                "symbolStrokeColor": INK,
                "symbolStrokeWidth": 1,
            },
            "header": {
                "labelFontSize": size,
                "titleFontSize": size,
                "labelColor": INK,
                "labelFontWeight": "bold",
            },
            "text": {"fontSize": size, "color": INK},
            "title": {"fontSize": size + 1, "color": INK},
        },
        "padding": 4,
    }


def _name_layers(spec: dict[str, Any], *, counter: list[int]) -> None:
    """Layers whose mark says ``"name": "value_labels"`` (the marks that write a value of
    the table) become layers named ``value_labels_<n>``: Vega then gives their SVG group
    that class, by which the tests find the numbers a chart writes."""
    mark = spec.get("mark")
    if isinstance(mark, dict) and "name" in mark:
        counter[0] += 1
        spec["name"] = f"{mark.pop('name')}_{counter[0]}"
    for child in spec.get("layer", []):
        _name_layers(child, counter=counter)
    if isinstance(spec.get("spec"), dict):
        _name_layers(spec["spec"], counter=counter)


@dataclass(frozen=True)
class Chart:
    """A chart ready to draw: its two specifications, its title and text alternative, and
    the key to its symbols (a sentence the page or the document prints under it)."""

    kind: str
    title: str
    description: str
    wide: dict[str, Any]
    narrow: dict[str, Any]
    key: str = ""
    #: The pre-formatted numbers that the chart writes beside its marks (tests compare them
    #: with the table's).
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for spec in (self.wide, self.narrow):
            _name_layers(spec, counter=[0])

    def svg(self, variant: Literal["wide", "narrow"] = "wide") -> str:
        spec = self.wide if variant == "wide" else self.narrow
        return render_svg(
            spec,
            title=self.title,
            description=self.description,
            css_class=f"chart chart--{variant}",
        )

    def html(self) -> str:
        """Both variants, for a page: the CSS shows the one that fits its container."""
        return f'<div class="chart-box">{self.svg("wide")}{self.svg("narrow")}</div>'

    def png(self, *, scale: float = 2.0) -> bytes:
        """The wide variant as a PNG (for word-processor documents)."""
        return render_png(self.wide, title=self.title, description=self.description, scale=scale)
