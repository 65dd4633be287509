"""Bar charts: ranked bars with intervals and reference lines, stacked or grouped bars for
breakdowns, and small multiples of ranked bars.

Every number a bar chart writes comes from :mod:`cratb.charts.numbers` with the decimals
the caller gives, i.e. the table's own strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cratb.charts.core import (
    BLUE,
    FILL_COLOURS,
    INK,
    MUTED,
    NARROW,
    TARGET,
    WIDE,
    Chart,
    Layout,
    base_spec,
    colon,
    semicolon,
    translator,
)
from cratb.charts.numbers import format_number, format_range

__all__ = ["Bar", "Reference", "Segment", "ranked_bars", "small_multiples", "stacked_bars"]


@dataclass(frozen=True)
class Bar:
    """One row of a ranked chart (one row of its table)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Reference:
    """A vertical line across the bars: a target or a national/regional value."""

    value: float
    label: str  # « Objectif national », « France »


@dataclass(frozen=True)
class Segment:
    """One count of a stacked or grouped bar: ``category`` (a period), ``series``."""

    category: str
    series: str
    value: float


def _fmt(value: float | None, decimals: int, language: str) -> str:
    return format_number(value, decimals=decimals, language=language)


def _axis_format(count: bool) -> dict[str, Any]:
    # Counts never show fractional ticks; other values get Vega's ticks with the locale.
    return {"format": ",d", "tickMinStep": 1} if count else {}


def _bar_rows(
    bars: Sequence[Bar], *, decimals: int, language: str, unit: str
) -> list[dict[str, Any]]:
    t = translator(language)
    rows = []
    for rank, bar in enumerate(bars):
        if bar.value is None:
            continue
        text = _fmt(bar.value, decimals, language)
        tip = f"{bar.label}{colon(language)}{text} {unit}".strip()
        interval = format_range(bar.low, bar.high, decimals=decimals, language=language)
        if interval:
            tip += " (" + t.gettext("IC 95 %% : %(interval)s") % {"interval": interval} + ")"
        rows.append(
            {
                "rank": rank,
                "label": bar.label,
                "value": bar.value,
                "low": bar.low,
                "high": bar.high,
                "text": text,
                "tip": tip,
            }
        )
    return rows


def _ranked_layers(
    layout: Layout,
    *,
    order: list[str],
    references: Sequence[tuple[Reference, str, str]],
    has_interval: bool,
    count: bool,
    x_title: str,
) -> list[dict[str, Any]]:
    """The layers of one ranked chart: bars, intervals, value labels, reference lines."""
    y: dict[str, Any] = {"field": "label", "type": "nominal", "sort": order, "title": None}
    x: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": x_title,
        "scale": {"zero": True, "nice": True},
        "axis": {"grid": True, "labelFlush": True, **_axis_format(count)},
    }
    if layout.narrow:
        y["axis"] = None
        # On phones each label stands on its own line, just above its bar.
        bar_mark: dict[str, Any] = {"type": "bar", "color": BLUE, "height": {"band": 0.36}}
    else:
        y["axis"] = {"ticks": False, "domain": False, "labelPadding": 6}
        bar_mark = {"type": "bar", "color": BLUE, "height": {"band": 0.65}}
    layers: list[dict[str, Any]] = [
        {
            "mark": {**bar_mark, "aria": True},
            "encoding": {"y": y, "x": x, "description": {"field": "tip"}},
        }
    ]
    if has_interval:
        layers.append(
            {
                "transform": [{"filter": "isValid(datum.low) && isValid(datum.high)"}],
                "mark": {
                    "type": "errorbar",
                    "ticks": {"size": 8 if not layout.narrow else 6, "color": INK},
                    "color": INK,
                    "thickness": 1.5,
                },
                "encoding": {
                    "y": y,
                    "x": {"field": "low", "type": "quantitative", "title": x_title},
                    "x2": {"field": "high"},
                },
            }
        )
    # The value written beside each bar: the table's string, in a column right of the plot.
    layers.append(
        {
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "middle",
                "fontWeight": "bold",
                "dx": 6,
                "name": "value_labels",
            },
            "encoding": {"y": y, "x": {"value": "width"}, "text": {"field": "text"}},
        }
    )
    if layout.narrow:
        layers.append(
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "bottom",
                    "dy": -round(layout.row_step * 0.18) - 2,
                },
                "encoding": {
                    "y": y,
                    "x": {"value": 0},
                    "text": {"field": "label"},
                },
            }
        )
    for index, (reference, colour, text) in enumerate(references):
        dash = [6, 4] if colour == TARGET else [2, 3]
        layers.append(
            {
                "data": {"values": [{"value": reference.value, "text": text}]},
                "layer": [
                    {
                        "mark": {
                            "type": "rule",
                            "color": colour,
                            "strokeWidth": 2,
                            "strokeDash": dash,
                        },
                        "encoding": {"x": {"field": "value", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "color": INK if colour != TARGET else "#a33f00",
                            "align": "center",
                            "baseline": "bottom",
                            "y": -4 - 16 * index,
                        },
                        "encoding": {
                            "x": {"field": "value", "type": "quantitative"},
                            "text": {"field": "text"},
                        },
                    },
                ],
            }
        )
    return layers


def _reference_texts(
    target: Reference | None,
    reference: Reference | None,
    *,
    decimals: int,
    language: str,
) -> list[tuple[Reference, str, str]]:
    found = []
    if target is not None:
        text = _fmt(target.value, decimals, language)
        found.append((target, TARGET, f"{target.label}{colon(language)}{text}"))
    if reference is not None:
        found.append(
            (
                reference,
                INK,
                f"{reference.label}{colon(language)}{_fmt(reference.value, decimals, language)}",
            )
        )
    return found


def ranked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    decimals: int,
    language: str,
    target: Reference | None = None,
    reference: Reference | None = None,
    count: bool = False,
    sort: bool = True,
    subject: str = "",
) -> Chart:
    """Horizontal bars, highest first (``sort=False`` keeps the given order), each with
    its 95 % interval when it has one, its value written beside it, and the target and
    reference values as vertical lines with their values written above.

    ``subject`` names what the bars are (« départements ») in the text alternative.
    """
    t = translator(language)
    ordered = sorted(bars, key=lambda b: -(b.value or 0.0)) if sort else list(bars)
    rows = _bar_rows(ordered, decimals=decimals, language=language, unit=unit)
    has_interval = any(r["low"] is not None and r["high"] is not None for r in rows)
    references = _reference_texts(target, reference, decimals=decimals, language=language)

    def spec(layout: Layout) -> dict[str, Any]:
        return {
            **base_spec(layout, language),
            "width": layout.width,
            "autosize": {"type": "fit-x", "contains": "padding"},
            "height": {"step": layout.row_step},
            "data": {"values": rows},
            "layer": _ranked_layers(
                layout,
                order=[r["label"] for r in rows],
                references=references,
                has_interval=has_interval,
                count=count,
                x_title=unit,
            ),
        }

    description = _ranking_description(
        rows, subject=subject, unit=unit, sorted_=sort, t=t, language=language
    )
    for _ref, _colour, text in references:
        description += " " + text + "."
    return Chart(
        kind="ranked_bars",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        key=_ranked_key(has_interval, target, reference, t, language),
        labels=tuple(r["text"] for r in rows),
    )


def _ranking_description(
    rows: list[dict[str, Any]], *, subject: str, unit: str, sorted_: bool, t: Any, language: str
) -> str:
    if not rows:
        return t.gettext("Aucune valeur.")
    what = subject or t.gettext("valeurs")
    if not sorted_:
        listed = semicolon(language).join(f"{r['label']} {r['text']}" for r in rows[:12])
        more = " …" if len(rows) > 12 else ""
        return t.gettext("%(count)s %(what)s, en %(unit)s : %(list)s.") % {
            "count": len(rows),
            "what": what,
            "unit": unit,
            "list": listed + more,
        }
    high, low = rows[0], rows[-1]
    return t.gettext(
        "Classement de %(count)s %(what)s, en %(unit)s : le plus élevé %(high)s %(high_value)s ;"
        " le plus bas %(low)s %(low_value)s."
    ) % {
        "count": len(rows),
        "what": what,
        "unit": unit,
        "high": high["label"],
        "high_value": high["text"],
        "low": low["label"],
        "low_value": low["text"],
    }


def _ranked_key(
    has_interval: bool,
    target: Reference | None,
    reference: Reference | None,
    t: Any,
    language: str,
) -> str:
    parts = []
    if has_interval:
        parts.append(t.gettext("trait noir : intervalle de confiance à 95 %"))
    if target is not None:
        parts.append(t.gettext("tirets orange : objectif"))
    if reference is not None:
        parts.append(t.gettext("pointillés noirs : valeur de référence"))
    return semicolon(language).join(parts)


def stacked_bars(
    segments: Sequence[Segment],
    *,
    categories: Sequence[str],
    series: Sequence[str],
    title: str,
    unit: str,
    language: str,
    decimals: int = 0,
    count: bool = True,
    mode: Literal["stacked", "grouped"] = "stacked",
    totals: bool = True,
) -> Chart:
    """Vertical bars per category (in the given order), split by series (stacked, or side
    by side when ``mode="grouped"``), with a legend; stacked bars carry their total.

    The first series get the Okabe–Ito colours; areas are outlined in ink so each keeps a
    3:1 boundary whatever its colour.
    """
    t = translator(language)
    rows = [
        {
            "category": s.category,
            "series": s.series,
            "value": s.value,
            "tip": f"{s.category} — {s.series}{colon(language)}{_fmt(s.value, decimals, language)}",
            "order": list(series).index(s.series) if s.series in series else len(series),
        }
        for s in segments
        if s.value
    ]
    sums: dict[str, float] = {}
    for s in segments:
        sums[s.category] = sums.get(s.category, 0.0) + s.value
    total_rows: list[dict[str, Any]] = [
        {
            "category": c,
            "total": sums.get(c, 0.0),
            "text": _fmt(sums.get(c, 0.0), decimals, language),
        }
        for c in categories
        if sums.get(c)
    ]
    colours = [FILL_COLOURS[min(i, len(FILL_COLOURS) - 1)] for i in range(len(series))]

    def spec(layout: Layout) -> dict[str, Any]:
        x: dict[str, Any] = {
            "field": "category",
            "type": "ordinal",
            "sort": list(categories),
            "title": None,
            "axis": {"labelAngle": 0 if len(categories) <= 12 else -45, "labelOverlap": True},
        }
        y: dict[str, Any] = {
            "field": "value",
            "type": "quantitative",
            "title": unit,
            "stack": "zero" if mode == "stacked" else None,
            "axis": {"grid": True, **_axis_format(count)},
        }
        encoding: dict[str, Any] = {
            "x": x,
            "y": y,
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": list(series), "range": colours},
                "sort": list(series),
                "legend": {
                    "title": None,
                    "orient": "bottom",
                    "columns": 1 if layout.narrow else 3,
                    "symbolType": "square",
                },
            },
            "order": {"field": "order", "type": "quantitative", "sort": "descending"},
            "description": {"field": "tip"},
        }
        if mode == "grouped":
            encoding["xOffset"] = {"field": "series", "type": "nominal", "sort": list(series)}
        layers: list[dict[str, Any]] = [
            {
                "mark": {"type": "bar", "stroke": INK, "strokeWidth": 0.75, "aria": True},
                "encoding": encoding,
            }
        ]
        if totals and mode == "stacked" and len(categories) <= (24 if not layout.narrow else 12):
            layers.append(
                {
                    "data": {"values": total_rows},
                    "mark": {
                        "type": "text",
                        "baseline": "bottom",
                        "dy": -3,
                        "color": MUTED,
                        "name": "value_labels",
                    },
                    "encoding": {
                        "x": x,
                        "y": {"field": "total", "type": "quantitative"},
                        "text": {"field": "text"},
                    },
                }
            )
        return {
            **base_spec(layout, language),
            "width": layout.width - 70,
            "height": 240 if not layout.narrow else 220,
            "data": {"values": rows},
            "layer": layers,
        }

    grand = sum(sums.values())
    peak = max(total_rows, key=lambda r: r["total"], default=None)
    description = t.gettext("%(total)s %(unit)s au total sur %(count)s périodes") % {
        "total": _fmt(grand, decimals, language),
        "unit": unit,
        "count": len(categories),
    }
    if peak is not None:
        description += t.gettext(" ; le maximum, %(value)s, en %(category)s") % {
            "value": peak["text"],
            "category": peak["category"],
        }
    description += "."
    return Chart(
        kind="stacked_bars" if mode == "stacked" else "grouped_bars",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        labels=tuple(r["text"] for r in total_rows) if totals and mode == "stacked" else (),
    )


def small_multiples(
    panels: Sequence[tuple[str, Sequence[Bar]]],
    *,
    title: str,
    unit: str,
    decimals: int,
    language: str,
    count: bool = False,
    target: Reference | None = None,
) -> Chart:
    """One small ranked chart per panel (e.g. per setting), on a shared scale, the bars in
    the order given (the same order in every panel, so eyes can compare)."""
    t = translator(language)
    rows = []
    for panel, bars in panels:
        for row in _bar_rows(bars, decimals=decimals, language=language, unit=unit):
            row["panel"] = panel
            row["tip"] = f"{panel} — {row['tip']}"
            rows.append(row)
    has_interval = any(r["low"] is not None and r["high"] is not None for r in rows)
    references = _reference_texts(target, None, decimals=decimals, language=language)

    def spec(layout: Layout) -> dict[str, Any]:
        columns = 1 if layout.narrow else min(3, max(len(panels), 1))
        inner_width = (layout.width - (60 if layout.narrow else 200)) // columns - (
            0 if layout.narrow else 70
        )
        layers = _ranked_layers(
            layout,
            order=list(dict.fromkeys(r["label"] for r in rows)),
            references=references,
            has_interval=has_interval,
            count=count,
            x_title=unit,
        )
        return {
            **base_spec(layout, language),
            "data": {"values": rows},
            "facet": {
                "field": "panel",
                "type": "nominal",
                "sort": [p for p, _b in panels],
                "title": None,
                "header": {"labelAnchor": "start", "labelFontSize": layout.font_size},
            },
            "columns": columns,
            "spacing": {"row": 24, "column": 16},
            "spec": {
                "width": max(inner_width, 80),
                "height": {"step": layout.row_step},
                "layer": layers,
            },
            "resolve": {"scale": {"y": "independent"}},
        }

    parts = []
    for panel, bars in panels:
        values = [b for b in bars if b.value is not None]
        if values:
            best = max(values, key=lambda b: b.value or 0.0)
            parts.append(
                t.gettext("%(panel)s : le plus élevé %(label)s %(value)s")
                % {
                    "panel": panel,
                    "label": best.label,
                    "value": _fmt(best.value, decimals, language),
                }
            )
    description = (
        t.gettext("%(count)s panneaux, en %(unit)s.") % {"count": len(panels), "unit": unit}
        + " "
        + semicolon(language).join(parts)
        + "."
    )
    return Chart(
        kind="small_multiples",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        key=_ranked_key(has_interval, target, None, t, language),
        labels=tuple(r["text"] for r in rows),
    )
