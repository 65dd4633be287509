"""Time series: one line per series with its points, the 95 % interval as a band, the 2019
baseline, the target trajectory, and the COVID-19 years (2020–2021) shaded and named.

Periods are years (an integer axis, never « 2 019 ») or months (« janv. 2025 »).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cratb.charts.core import (
    INK,
    LINE_COLOURS,
    MUTED,
    NARROW,
    TARGET,
    WIDE,
    Chart,
    Layout,
    base_spec,
    colon,
    nice_bounds,
    semicolon,
    translator,
)
from cratb.charts.numbers import format_month, format_number, format_range

__all__ = ["Point", "time_series"]

COVID_YEARS = (2020, 2021)
#: Point shapes of the series, so they differ without colour.
SHAPES = ("circle", "square", "triangle-up", "diamond")
PLOT_HEIGHT = {"wide": 260, "narrow": 220}
BASELINE_YEAR = 2019


@dataclass(frozen=True)
class Point:
    """One value of a series: ``period`` is a year (int) or the first day of a month."""

    period: int | date
    value: float | None
    low: float | None = None
    high: float | None = None
    series: str = ""


def _period_label(period: int | date, language: str) -> str:
    return str(period) if isinstance(period, int) else format_month(period, language=language)


def _x_value(period: int | date) -> Any:
    return period if isinstance(period, int) else period.isoformat()


def time_series(
    points: Sequence[Point],
    *,
    title: str,
    unit: str,
    decimals: int,
    language: str,
    baseline: float | None = None,
    target: Sequence[tuple[int | date, float]] = (),
    target_label: str = "",
    count: bool = False,
    covid: bool = True,
) -> Chart:
    """Lines with points, one per series (in the order first met), each labelled with its
    last value; the interval as a band where points have one.

    ``baseline``: the 2019 value, drawn as a dotted horizontal line; ``target``: the target
    trajectory as (period, value) pairs, drawn as a dashed vermillion line.
    """
    t = translator(language)
    monthly = any(isinstance(p.period, date) for p in points)
    series_names = list(dict.fromkeys(p.series for p in points))
    colours = {name: LINE_COLOURS[i % len(LINE_COLOURS)] for i, name in enumerate(series_names)}
    rows = []
    for p in points:
        if p.value is None:
            continue
        text = format_number(p.value, decimals=decimals, language=language)
        tip = f"{_period_label(p.period, language)}"
        tip += f" — {p.series}" if p.series else ""
        tip += f"{colon(language)}{text} {unit}".rstrip()
        interval = format_range(p.low, p.high, decimals=decimals, language=language)
        if interval:
            tip += " (" + t.gettext("IC 95 %% : %(interval)s") % {"interval": interval} + ")"
        rows.append(
            {
                "x": _x_value(p.period),
                "series": p.series,
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "text": text,
                "tip": tip,
            }
        )
    last: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["series"] not in last or str(row["x"]) >= str(last[row["series"]]["x"]):
            last[row["series"]] = row
    end_labels = [
        {
            **row,
            "label_wide": (f"{row['series']}{colon(language)}" if len(series_names) > 1 else "")
            + row["text"],
            "label_narrow": row["text"],
        }
        for row in last.values()
    ]
    baseline_text = (
        format_number(baseline, decimals=decimals, language=language)
        if baseline is not None
        else ""
    )
    baseline_labels = (
        [
            {
                "value": baseline,
                "label_wide": t.gettext("%(year)s : %(value)s")
                % {"year": BASELINE_YEAR, "value": baseline_text},
            }
        ]
        if baseline is not None
        else []
    )
    for item in baseline_labels:
        item["label_narrow"] = item["label_wide"]
    domain = _domain(rows, baseline=baseline, target=target, count=count)
    _spread([*end_labels, *baseline_labels], domain)
    target_rows = [
        {
            "x": _x_value(period),
            "value": value,
            "text": format_number(value, decimals=decimals, language=language),
        }
        for period, value in target
    ]
    years = [p.period if isinstance(p.period, int) else p.period.year for p in points]
    covid_shown = bool(
        covid and years and min(years) <= COVID_YEARS[1] and max(years) >= COVID_YEARS[0]
    )

    target_text = f"{target_label}{colon(language)}{target_rows[-1]['text']}" if target_rows else ""

    def spec(layout: Layout) -> dict[str, Any]:
        if monthly:
            x: dict[str, Any] = {
                "field": "x",
                "type": "temporal",
                "timeUnit": "utcyearmonth",
                "title": None,
                "axis": {
                    "format": "%b %Y",
                    "labelOverlap": True,
                    "tickCount": {"interval": "month", "step": 3 if layout.narrow else 1},
                    "labelAngle": -45 if layout.narrow else 0,
                    "grid": False,
                },
            }
        else:
            x = {
                "field": "x",
                "type": "quantitative",
                "title": None,
                "scale": {"zero": False, "nice": False, "padding": 12},
                "axis": {"format": "d", "tickMinStep": 1, "grid": False, "labelOverlap": True},
            }
        y: dict[str, Any] = {
            "field": "value",
            "type": "quantitative",
            "title": unit,
            "scale": {"domain": list(domain), "nice": False},
            "axis": {"grid": True, **({"format": ",d", "tickMinStep": 1} if count else {})},
        }
        # On phones the series are named in a legend (colour and shape), not at the line ends.
        legend = (
            {"title": None, "orient": "bottom", "columns": 1}
            if layout.narrow and len(series_names) > 1
            else None
        )
        colour = {
            "field": "series",
            "type": "nominal",
            "scale": {"domain": series_names, "range": [colours[n] for n in series_names]},
            "legend": legend,
        }
        shape = {
            "field": "series",
            "type": "nominal",
            "scale": {"domain": series_names, "range": list(SHAPES[: len(series_names)])},
            "legend": legend,
        }
        layers: list[dict[str, Any]] = []
        if covid_shown:
            start: Any = COVID_YEARS[0] - 0.5
            end: Any = COVID_YEARS[1] + 0.5
            if monthly:
                start, end = f"{COVID_YEARS[0]}-01-01", f"{COVID_YEARS[1]}-12-31"
            layers.append(
                {
                    "data": {"values": [{"start": start, "end": end, "text": "COVID-19"}]},
                    "layer": [
                        {
                            "mark": {"type": "rect", "color": "#eceff3"},
                            "encoding": {
                                "x": {"field": "start", "type": x["type"]},
                                "x2": {"field": "end"},
                            },
                        },
                        {
                            "mark": {
                                "type": "text",
                                "color": MUTED,
                                "baseline": "top",
                                "y": 2,
                                "dx": 4,
                                "align": "left",
                            },
                            "encoding": {
                                "x": {"field": "start", "type": x["type"]},
                                "text": {"field": "text"},
                            },
                        },
                    ],
                }
            )
        if any(r["low"] is not None and r["high"] is not None for r in rows):
            layers.append(
                {
                    "transform": [{"filter": "isValid(datum.low) && isValid(datum.high)"}],
                    # One colour for every band (a colour channel here would merge into the
                    # series' legend and hide it).
                    "mark": {"type": "area", "opacity": 0.2, "color": LINE_COLOURS[0]},
                    "encoding": {
                        "x": x,
                        "y": {"field": "low", "type": "quantitative", "title": unit},
                        "y2": {"field": "high"},
                        "detail": {"field": "series", "type": "nominal"},
                    },
                }
            )
        if baseline is not None:
            layers.append(
                {
                    "data": {"values": baseline_labels},
                    "layer": [
                        {
                            "mark": {"type": "rule", "color": INK, "strokeDash": [2, 3]},
                            "encoding": {"y": {"field": "value", "type": "quantitative"}},
                        },
                        {
                            "mark": {
                                "type": "text",
                                "align": "left",
                                "dx": 8,
                                "name": "value_labels",
                            },
                            "encoding": {
                                "x": {"value": "width"},
                                "y": {
                                    "field": f"y_{layout.name}",
                                    "type": "quantitative",
                                    "scale": None,
                                },
                                "text": {"field": f"label_{layout.name}"},
                            },
                        },
                    ],
                }
            )
        if target_rows:
            layers.append(
                {
                    "data": {"values": target_rows},
                    "layer": [
                        {
                            "mark": {
                                "type": "line",
                                "color": TARGET,
                                "strokeDash": [6, 4],
                                "strokeWidth": 2,
                                "point": {"filled": False, "color": TARGET, "size": 30},
                            },
                            "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}},
                        },
                        {
                            "transform": [
                                {
                                    "window": [{"op": "rank", "as": "r"}],
                                    "sort": [{"field": "x", "order": "descending"}],
                                },
                                {"filter": "datum.r == 1"},
                            ],
                            "mark": {
                                "type": "text",
                                "color": "#a33f00",
                                "align": "right",
                                "baseline": "top",
                                "dy": 6,
                                "name": "value_labels",
                            },
                            "encoding": {
                                "x": x,
                                "y": {"field": "value", "type": "quantitative"},
                                "text": {
                                    "field": "text",
                                }
                                if not target_label
                                else {"value": target_text},
                            },
                        },
                    ],
                }
            )
        layers.append(
            {
                "mark": {
                    "type": "line",
                    "strokeWidth": 2.5,
                    "point": {"filled": True, "size": 50 if not layout.narrow else 40},
                    "aria": True,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "shape": shape,
                    "description": {"field": "tip"},
                },
            }
        )
        layers.append(
            {
                "data": {"values": end_labels},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 8,
                    "fontWeight": "bold",
                    "name": "value_labels",
                },
                "encoding": {
                    "x": {"value": "width"},
                    "y": {"field": f"y_{layout.name}", "type": "quantitative", "scale": None},
                    "text": {"field": f"label_{layout.name}"},
                    "fill": {**colour, "legend": None},
                },
            }
        )
        # Room for the y axis and, on the right, the end labels (estimated from their length).
        longest = max(
            (len(r[f"label_{layout.name}"]) for r in [*end_labels, *baseline_labels]), default=0
        )
        right = int(longest * layout.font_size * 0.6) + 10
        return {
            **base_spec(layout, language),
            "width": layout.width - 60 - right,
            "height": PLOT_HEIGHT[layout.name],
            "data": {"values": rows},
            "layer": layers,
        }

    description = _description(rows, series_names, unit, baseline_text, target_rows, t, language)
    if target_rows and target_label:
        description += f" {target_label}{colon(language)}{target_rows[-1]['text']}."
    labels = [r["text"] for r in end_labels]
    labels += [baseline_text] if baseline is not None else []
    labels += [target_rows[-1]["text"]] if target_rows else []
    return Chart(
        kind="time_series",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        key=_key(rows, baseline is not None, bool(target_rows), covid_shown, t, language),
        labels=tuple(labels),
    )


def _domain(
    rows: list[dict[str, Any]],
    *,
    baseline: float | None,
    target: Sequence[tuple[int | date, float]],
    count: bool,
) -> tuple[float, float]:
    """The y axis' ends: from zero (or the lowest negative value) to a round number above
    every value, interval, baseline and target."""
    values = [r["value"] for r in rows] + [r["high"] for r in rows if r["high"] is not None]
    values += [r["low"] for r in rows if r["low"] is not None]
    values += [baseline] if baseline is not None else []
    values += [v for _p, v in target]
    low, high = nice_bounds(min([*values, 0.0]), max([*values, 0.0]))
    if count and high < 5:
        high = 5.0
    return low, high


def _spread(labels: list[dict[str, Any]], domain: tuple[float, float]) -> None:
    """Pixel heights of the labels written right of the plot, pushed apart where close
    values would make them overlap (the y axis' ends are fixed, so the pixels are exact)."""
    bottom, top = domain
    for layout in (WIDE, NARROW):
        height = PLOT_HEIGHT[layout.name]
        gap = layout.font_size + 2
        previous = None
        for label in sorted(labels, key=lambda r: -r["value"]):
            y = height * (top - label["value"]) / ((top - bottom) or 1.0)
            if previous is not None and y < previous + gap:
                y = previous + gap
            label[f"y_{layout.name}"] = round(y, 1)
            previous = y


def _description(
    rows: list[dict[str, Any]],
    series_names: list[str],
    unit: str,
    baseline_text: str,
    target_rows: list[dict[str, Any]],
    t: Any,
    language: str,
) -> str:
    if not rows:
        return t.gettext("Aucune valeur.")
    parts = []
    for name in series_names:
        mine = [r for r in rows if r["series"] == name]
        if not mine:
            continue
        first, last = mine[0], mine[-1]
        parts.append(
            t.gettext("%(series)sde %(first)s en %(start)s à %(last)s en %(end)s")
            % {
                "series": f"{name}{colon(language)}" if name else "",
                "first": first["text"],
                "start": _label(first["x"], language),
                "last": last["text"],
                "end": _label(last["x"], language),
            }
        )
    text = t.gettext("Évolution, en %(unit)s : %(parts)s.") % {
        "unit": unit,
        "parts": semicolon(language).join(parts),
    }
    if baseline_text:
        text += " " + t.gettext("Valeur de référence %(year)s : %(value)s.") % {
            "year": BASELINE_YEAR,
            "value": baseline_text,
        }
    return text


def _label(x: Any, language: str) -> str:
    return str(x) if isinstance(x, int) else format_month(date.fromisoformat(x), language=language)


def _key(
    rows: list[dict[str, Any]], baseline: bool, target: bool, covid: bool, t: Any, language: str
) -> str:
    parts = []
    if any(r["low"] is not None for r in rows):
        parts.append(t.gettext("bande claire : intervalle de confiance à 95 %"))
    if baseline:
        parts.append(t.gettext("pointillés noirs : valeur de 2019"))
    if target:
        parts.append(t.gettext("tirets orange : trajectoire de l'objectif"))
    if covid:
        parts.append(t.gettext("zone grisée : années COVID-19 (2020–2021)"))
    return semicolon(language).join(parts)
