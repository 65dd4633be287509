"""Funnel plot: each unit's value against its size, with the 95 % and 99.8 % control limits
around the mean; units beyond the 99.8 % limits are marked by shape and colour and named.

The limits are computed by the caller (``cratb.engine.stats.funnel_limit``) and given as
points of the curves: this package computes nothing of the indicator itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cratb.charts.core import (
    BLUE,
    INK,
    MUTED,
    NARROW,
    TARGET,
    WIDE,
    Chart,
    Layout,
    base_spec,
    colon,
    translator,
)
from cratb.charts.numbers import format_count, format_number

__all__ = ["FunnelPoint", "Limits", "funnel_plot"]


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    size: float  # the denominator: isolates tested, patient-days…
    value: float


@dataclass(frozen=True)
class Limits:
    """The control limits at one size."""

    size: float
    low95: float
    high95: float
    low998: float
    high998: float


def _limit_at(limits: Sequence[Limits], size: float) -> Limits | None:
    """The limits at ``size``, interpolated linearly between the given points."""
    ordered = sorted(limits, key=lambda limit: limit.size)
    for before, after in itertools.pairwise(ordered):
        if before.size <= size <= after.size:
            span = (after.size - before.size) or 1.0
            w = (size - before.size) / span
            return Limits(
                size,
                *(
                    getattr(before, f) * (1 - w) + getattr(after, f) * w
                    for f in ("low95", "high95", "low998", "high998")
                ),
            )
    return None


def funnel_plot(
    points: Sequence[FunnelPoint],
    limits: Sequence[Limits],
    *,
    mean: float,
    title: str,
    unit: str,
    size_title: str,
    decimals: int,
    language: str,
    subject: str = "",
    clip: tuple[float, float] | None = None,
    max_names: int | None = None,
) -> Chart:
    """Points (size, value), the mean as a line, the limits as lines (95 % dashed, 99.8 %
    solid); a point beyond the 99.8 % limits is a vermillion diamond with its name.

    ``clip``: the possible range of the value, e.g. (0, 100) for a percentage: limits are
    drawn within it."""
    t = translator(language)
    mean_text = format_number(mean, decimals=decimals, language=language)
    mean_label = t.gettext("moyenne %(value)s") % {"value": mean_text}
    low_clip, high_clip = clip if clip is not None else (-math.inf, math.inf)
    rows: list[dict[str, Any]] = []
    for p in points:
        limit = _limit_at(limits, p.size)
        outside = limit is not None and not (limit.low998 <= p.value <= limit.high998)
        text = format_number(p.value, decimals=decimals, language=language)
        rows.append(
            {
                "label": p.label,
                "size": p.size,
                "value": p.value,
                "text": text,
                "status": "outside" if outside else "inside",
                "name": f"{p.label}{colon(language)}{text}" if outside else "",
                "tip": f"{p.label}{colon(language)}{text} {unit} ({size_title}{colon(language)}"
                f"{format_count(p.size, language=language)})",
            }
        )
    if max_names is not None:
        # Only the points farthest beyond their limits are named (the others stay
        # diamonds): hundreds of names would cover the plot.
        def distance(row: dict[str, Any]) -> float:
            limit = _limit_at(limits, row["size"])
            if limit is None:
                return 0.0
            half = (limit.high998 - limit.low998) / 2 or 1.0
            return abs(row["value"] - (limit.high998 + limit.low998) / 2) / half

        outside_rows = sorted(
            (r for r in rows if r["status"] == "outside"), key=distance, reverse=True
        )
        for row in outside_rows[max_names:]:
            row["name"] = ""
    curve = [
        {
            "size": limit.size,
            "limit": name,
            "value": min(max(getattr(limit, field), low_clip), high_clip),
        }
        for limit in sorted(limits, key=lambda limit: limit.size)
        for name, field in (
            ("95 % bas", "low95"),
            ("95 % haut", "high95"),
            ("99,8 % bas", "low998"),
            ("99,8 % haut", "high998"),
        )
    ]

    def drawn(layout: Layout) -> list[dict[str, Any]]:
        """``rows`` with the names that would overlap an earlier one left out (the point
        stays a diamond, the description and the table still name it): the names are
        placed right of their points, most extreme first, in the layout's pixels."""
        named = [r for r in rows if r["name"]]
        if len(named) < 2:
            return rows
        width = plot_width(layout)
        height = plot_height(layout)
        values = [r["value"] for r in rows] + [c["value"] for c in curve] + [mean]
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        widest = max(r["size"] for r in rows) or 1.0
        line = layout.font_size + 2
        boxes: list[tuple[float, float, float, float]] = []
        kept: set[int] = set()
        order = sorted(named, key=lambda r: -abs(r["value"] - mean))
        for row in order:
            left = width * row["size"] / widest + 8
            right = left + len(row["name"]) * layout.font_size * 0.62
            middle = height * (high - row["value"]) / span
            box = (left, right, middle - line / 2, middle + line / 2)
            if any(
                box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in boxes
            ):
                continue
            boxes.append(box)
            kept.add(id(row))
        return [r if id(r) in kept or not r["name"] else {**r, "name": ""} for r in rows]

    def plot_width(layout: Layout) -> int:
        return layout.width - 70 - len(mean_label) * 7

    def plot_height(layout: Layout) -> int:
        return 300 if not layout.narrow else 260

    def spec(layout: Layout, shown: list[dict[str, Any]]) -> dict[str, Any]:
        x = {
            "field": "size",
            "type": "quantitative",
            "title": size_title,
            "axis": {"format": ",d", "tickMinStep": 1, "grid": False},
        }
        y = {
            "field": "value",
            "type": "quantitative",
            "title": unit,
            "scale": {"zero": False, "nice": True},
            "axis": {"grid": True},
        }
        return {
            **base_spec(layout, language),
            "width": plot_width(layout),
            "height": plot_height(layout),
            "layer": [
                {
                    "data": {"values": curve},
                    "mark": {"type": "line", "color": MUTED, "strokeWidth": 1.5},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "detail": {"field": "limit", "type": "nominal"},
                        "strokeDash": {
                            "field": "limit",
                            "type": "nominal",
                            "scale": {
                                "domain": ["95 % bas", "95 % haut", "99,8 % bas", "99,8 % haut"],
                                "range": [[5, 4], [5, 4], [1, 0], [1, 0]],
                            },
                            "legend": None,
                        },
                    },
                },
                {
                    "data": {"values": [{"value": mean, "text": mean_label}]},
                    "layer": [
                        {
                            "mark": {"type": "rule", "color": INK, "strokeWidth": 1.5},
                            "encoding": {"y": {"field": "value", "type": "quantitative"}},
                        },
                        {
                            # Right of the plot, where no point can hide it.
                            "mark": {
                                "type": "text",
                                "align": "left",
                                "dx": 4,
                                "name": "value_labels",
                            },
                            "encoding": {
                                "x": {"value": "width"},
                                "y": {"field": "value", "type": "quantitative"},
                                "text": {"field": "text"},
                            },
                        },
                    ],
                },
                {
                    "data": {"values": rows},
                    "mark": {
                        "type": "point",
                        "filled": True,
                        "opacity": 1,
                        "size": 55,
                        "aria": True,
                    },
                    "encoding": {
                        "x": x,
                        "y": y,
                        "shape": {
                            "field": "status",
                            "type": "nominal",
                            "scale": {
                                "domain": ["inside", "outside"],
                                "range": ["circle", "diamond"],
                            },
                            "legend": None,
                        },
                        "color": {
                            "field": "status",
                            "type": "nominal",
                            "scale": {"domain": ["inside", "outside"], "range": [BLUE, TARGET]},
                            "legend": None,
                        },
                        "stroke": {"value": INK},
                        "strokeWidth": {"value": 0.5},
                        "description": {"field": "tip"},
                    },
                },
                {
                    "data": {"values": shown},
                    "transform": [{"filter": "datum.status == 'outside' && datum.name != ''"}],
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "dx": 8,
                        "fontWeight": "bold",
                        "name": "value_labels",
                    },
                    "encoding": {"x": x, "y": y, "text": {"field": "name"}},
                },
            ],
        }

    beyond = [r for r in rows if r["status"] == "outside"]
    description = t.gettext(
        "%(count)s %(what)s ; moyenne %(mean)s %(unit)s ; %(outside)s au-delà des limites à 99,8 %%"
    ) % {
        "count": len(rows),
        "what": subject or t.gettext("unités"),
        "mean": mean_text,
        "unit": unit,
        "outside": len(beyond),
    }
    named = [r for r in beyond if r["name"]]
    if named:
        description += colon(language) + ", ".join(r["name"] for r in named)
        if len(named) < len(beyond):
            description += t.gettext(" et %(n)s autres") % {"n": len(beyond) - len(named)}
    description += "."
    wide_rows = drawn(WIDE)
    return Chart(
        kind="funnel_plot",
        title=title,
        description=description,
        wide=spec(WIDE, wide_rows),
        narrow=spec(NARROW, drawn(NARROW)),
        key=t.gettext(
            "trait noir : moyenne ; tirets : limites à 95 % ; traits gris : limites à 99,8 % ;"
            " losanges orange : au-delà des limites à 99,8 %"
        ),
        labels=(mean_text, *(r["text"] for r in wide_rows if r["name"])),
    )
