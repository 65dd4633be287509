"""Choropleth map of a region's départements, from the project's own GeoJSON outlines
(``cratb/static/maps``, served by the platform, never a tile server or a CDN).

Readable without colour: values are grouped in classes whose ranges the legend writes
out, and every département carries its code and its value (the table's string); those
without a value are hatched and the legend says « pas de données ». Colours: a sequential
blue scale (one hue, so colour-blind safe), département borders in white and the
region's outline in ink.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cratb.charts.core import (
    INK,
    NARROW,
    WIDE,
    Chart,
    Layout,
    base_spec,
    colon,
    semicolon,
    translator,
)
from cratb.charts.numbers import format_number
from cratb.charts.render import HATCH

__all__ = ["MAPS_DIR", "AreaValue", "PlaceValue", "choropleth", "class_breaks", "point_map"]

MAPS_DIR = Path(__file__).resolve().parent.parent / "static" / "maps"
#: Sequential blues (ColorBrewer), light to dark; text on the two darkest is white.
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08306b")
_DARK = frozenset({"#2171b5", "#08306b"})
#: INSEE codes of the overseas regions (drawn with a Mercator projection).
OVERSEAS = frozenset({"01", "02", "03", "04", "06"})


@dataclass(frozen=True)
class AreaValue:
    code: str  # INSEE code of the département
    value: float | None


@functools.cache
def _features(layer: str) -> tuple[dict[str, Any], ...]:
    data = json.loads((MAPS_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))
    return tuple(data["features"])


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    coords = geometry["coordinates"]
    polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
    return [polygon[0] for polygon in polygons]


def _clockwise(geometry: dict[str, Any]) -> dict[str, Any]:
    """The geometry with its rings reversed: the files follow RFC 7946 (outer rings
    counter-clockwise), Vega's d3-geo wants outer rings clockwise, or it fills the rest of
    the globe instead."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    reversed_ = [[ring[::-1] for ring in polygon] for polygon in polygons]
    return {"type": "MultiPolygon", "coordinates": reversed_}


def _label_point(geometry: dict[str, Any]) -> tuple[float, float, float]:
    """The area-weighted centroid of the largest outer ring (lon, lat), and the area of the
    outer rings (square degrees)."""

    def area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if a == 0:
            return 0.0, ring[0][0], ring[0][1]
        return abs(a / 2), cx / (3 * a), cy / (3 * a)

    found = [area_centroid(r) for r in _rings(geometry)]
    _area, x, y = max(found, key=lambda item: item[0])
    return round(x, 4), round(y, 4), sum(item[0] for item in found)


def _callouts(
    points: list[dict[str, Any]], *, east: float, west: float, north: float, south: float
) -> list[dict[str, Any]]:
    """The départements too small for their labels (under 2 % of the region's area, such
    as Paris and its inner ring), labelled beside the map with a leader line; the points
    gain their label's position and text."""
    total = sum(p["area"] for p in points) or 1.0
    small = [p for p in points if p["area"] / total < 0.02]
    if not small:
        return []
    span = max(north - south, 0.3)
    x = east + 0.06 * max(east - west, 0.3)
    middle = sum(p["lat"] for p in small) / len(small)
    gap = span * 0.09
    top = middle + gap * (len(small) - 1) / 2
    for index, point in enumerate(sorted(small, key=lambda p: -p["lat"])):
        point["label_lon"] = round(x, 4)
        point["label_lat"] = round(top - index * gap, 4)
        point["callout"] = f"{point['code']} {point['text']}"
    return small


def class_breaks(values: Sequence[float], *, classes: int, decimals: int) -> list[float]:
    """Upper-open class limits (``classes`` + 1 numbers) at quantiles of ``values``, rounded
    to the shown decimals so the legend's ranges are exactly what it writes."""
    ordered = sorted(values)
    if not ordered:
        return []
    step = 10.0**-decimals
    low = math.floor(ordered[0] / step) * step
    high = math.ceil(ordered[-1] / step) * step
    if high <= low:
        high = low + step
    count = max(1, min(classes, len(set(ordered))))
    inner: list[float] = []
    for i in range(1, count):
        q = ordered[min(len(ordered) - 1, round(i * len(ordered) / count))]
        limit = round(q / step) * step
        if low < limit < high and (not inner or limit > inner[-1]):
            inner.append(limit)
    return [round(b, decimals) for b in (low, *inner, high)]


def _class_of(value: float, breaks: Sequence[float]) -> int:
    for index in range(len(breaks) - 2, -1, -1):
        if value >= breaks[index]:
            return index
    return 0


def choropleth(
    values: Sequence[AreaValue],
    *,
    region: str,
    title: str,
    unit: str,
    decimals: int,
    language: str,
    classes: int = 5,
    breaks: Sequence[float] | None = None,
) -> Chart:
    """The départements of ``region`` (INSEE code), coloured by class of value."""
    t = translator(language)
    by_code = {v.code: v.value for v in values}
    features = [f for f in _features("departements") if f["properties"]["region_code"] == region]
    outline = [
        {**f, "geometry": _clockwise(f["geometry"])}
        for f in _features("regions")
        if f["properties"]["code"] == region
    ]
    known = [v for v in by_code.values() if v is not None]
    limits, palette, labels = _classes(
        known, breaks=breaks, classes=classes, decimals=decimals, language=language
    )

    def fmt(number: float | None) -> str:
        return format_number(number, decimals=decimals, language=language)

    no_data = t.gettext("pas de données")
    shaped = []
    points = []
    for feature in sorted(features, key=lambda f: f["properties"]["code"]):
        code = feature["properties"]["code"]
        name = feature["properties"]["name"]
        value = by_code.get(code)
        if value is None:
            klass, text, colour = no_data, "—", INK
        else:
            index = _class_of(value, limits)
            klass, text = labels[index], fmt(value)
            colour = "#ffffff" if palette[index] in _DARK else INK
        tip = f"{name} ({code}){colon(language)}" + (
            f"{text} {unit}".strip() if value is not None else no_data
        )
        shaped.append(
            {
                "type": "Feature",
                "geometry": _clockwise(feature["geometry"]),
                "properties": {"code": code, "klass": klass, "tip": tip},
            }
        )
        lon, lat, area = _label_point(feature["geometry"])
        points.append(
            {
                "code": code,
                "lon": lon,
                "lat": lat,
                "area": area,
                "text": text,
                "ink": colour,
                "klass": klass,
            }
        )
    all_points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lons = [p[0] for p in all_points] or [0.0]
    lats = [p[1] for p in all_points] or [0.0]
    callouts = _callouts(points, east=max(lons), west=min(lons), north=max(lats), south=min(lats))
    inside = [p for p in points if p not in callouts]
    domain = [*labels, no_data]
    colours = [*palette, HATCH]
    aspect = (max(lats) - min(lats)) / max(
        (max(lons) - min(lons)) * math.cos(math.radians((max(lats) + min(lats)) / 2)), 1e-6
    )
    projection: dict[str, Any] = (
        {"type": "mercator"}
        if region in OVERSEAS
        else {"type": "conicConformal", "parallels": [44, 49], "rotate": [-3, 0]}
    )

    def spec(layout: Layout) -> dict[str, Any]:
        width = layout.width - (120 if not layout.narrow else 70) * bool(callouts)
        height = max(180, min(int(width * aspect), 460 if not layout.narrow else 380))
        colour = {
            "field": "properties.klass",
            "type": "nominal",
            "scale": {"domain": domain, "range": colours},
            "legend": {
                "title": unit,
                "orient": "bottom",
                "direction": "vertical",
                "columns": 1 if layout.narrow else 3,
                "symbolType": "square",
                "symbolSize": 200,
                "symbolStrokeColor": INK,
                "labelLimit": 200,
            },
        }
        return {
            **base_spec(layout, language),
            "width": width,
            "height": height,
            "projection": projection,
            "layer": [
                {
                    "data": {"values": shaped},
                    "mark": {
                        "type": "geoshape",
                        "stroke": "#ffffff",
                        "strokeWidth": 1.2,
                        "aria": True,
                    },
                    "encoding": {"color": colour, "description": {"field": "properties.tip"}},
                },
                {
                    "data": {"values": outline},
                    "mark": {"type": "geoshape", "filled": False, "stroke": INK, "strokeWidth": 2},
                },
                {
                    "data": {"values": callouts},
                    "mark": {"type": "rule", "color": INK, "strokeWidth": 0.75},
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "longitude2": {"field": "label_lon"},
                        "latitude2": {"field": "label_lat"},
                    },
                },
                {
                    "data": {"values": callouts},
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "dx": 3,
                        "fontWeight": "bold",
                        "name": "value_labels",
                    },
                    "encoding": {
                        "longitude": {"field": "label_lon", "type": "quantitative"},
                        "latitude": {"field": "label_lat", "type": "quantitative"},
                        "text": {"field": "callout"},
                    },
                },
                {
                    "data": {"values": inside},
                    "mark": {"type": "text", "dy": -7},
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "text": {"field": "code"},
                        "color": {"field": "ink", "type": "nominal", "scale": None},
                    },
                },
                {
                    "data": {"values": inside},
                    "mark": {"type": "text", "dy": 7, "fontWeight": "bold", "name": "value_labels"},
                    "encoding": {
                        "longitude": {"field": "lon", "type": "quantitative"},
                        "latitude": {"field": "lat", "type": "quantitative"},
                        "text": {"field": "text"},
                        "color": {"field": "ink", "type": "nominal", "scale": None},
                    },
                },
            ],
        }

    shown = sorted(
        (by_code[p["code"]], p["code"]) for p in points if by_code.get(p["code"]) is not None
    )
    names = {f["properties"]["code"]: f["properties"]["name"] for f in features}
    if shown:
        description = t.gettext(
            "Carte de %(count)s départements, en %(unit)s : le plus élevé %(high)s %(high_value)s ;"
            " le plus bas %(low)s %(low_value)s."
        ) % {
            "count": len(points),
            "unit": unit,
            "high": names[shown[-1][1]],
            "high_value": fmt(shown[-1][0]),
            "low": names[shown[0][1]],
            "low_value": fmt(shown[0][0]),
        }
    else:
        description = t.gettext("Aucune valeur.")
    missing = [names[p["code"]] for p in points if by_code.get(p["code"]) is None]
    if missing:
        description += " " + t.gettext("Pas de données : %(names)s.") % {
            "names": ", ".join(missing)
        }
    description += " " + t.gettext("Classes : %(classes)s.") % {
        "classes": semicolon(language).join(labels)
    }
    return Chart(
        kind="choropleth",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        key=t.gettext(
            "chaque département porte son code et sa valeur ; hachures : pas de données ;"
            " trait noir épais : limite de la région"
        ),
        labels=tuple(p["text"] for p in points if p["text"] != "—"),
    )


@dataclass(frozen=True)
class PlaceValue:
    """A unit drawn as a point (a CPTS at the centroid of its communes)."""

    code: str
    name: str
    lon: float
    lat: float
    value: float | None
    #: Left empty by the small-count rule (fewer than 11 events): drawn hollow.
    masked: bool = False


#: One shape per class (readable without colour); masked values are hatched circles.
SHAPES = ("square", "triangle-up", "diamond", "triangle-down", "triangle-right")


def _place_labels(
    points: Sequence[dict[str, Any]],
    *,
    width: float,
    height: float,
    west: float,
    north: float,
    scale: float,
    cos: float,
) -> dict[str, list[dict[str, Any]]]:
    """Each point's value label beside it, right, left, above or below: the first side
    where it overlaps neither another label nor a point (approximate boxes in pixels of
    the drawn map). The points gain ``label_lon``/``label_lat``, grouped by alignment."""

    def pixels(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * cos * scale, (north - lat) * scale

    def degrees(x: float, y: float) -> tuple[float, float]:
        return round(west + x / (cos * scale), 5), round(north - y / scale, 5)

    marks = [pixels(p["lon"], p["lat"]) for p in points]
    taken = [(x - 7, y - 7, x + 7, y + 7) for x, y in marks]
    out: dict[str, list[dict[str, Any]]] = {"left": [], "right": [], "center": []}
    for point, (x, y) in zip(points, marks, strict=True):
        w, h = 7.0 * len(point["text"]), 14.0
        sides = (
            ("left", x + 10, y, (x + 10, y - h / 2, x + 10 + w, y + h / 2)),
            ("right", x - 10, y, (x - 10 - w, y - h / 2, x - 10, y + h / 2)),
            ("center", x, y - 16, (x - w / 2, y - 16 - h / 2, x + w / 2, y - 16 + h / 2)),
            ("center", x, y + 16, (x - w / 2, y + 16 - h / 2, x + w / 2, y + 16 + h / 2)),
            # Crowded places (a city's CPTS or GHT): diagonally, then further out.
            *(
                (align, x + dx, y + dy, (left, y + dy - h / 2, left + w, y + dy + h / 2))
                for dy in (-14.0, 14.0, -28.0, 28.0)
                for align, dx, left in (("left", 10.0, x + 10), ("right", -10.0, x - 10 - w))
            ),
        )

        def free(box: tuple[float, float, float, float]) -> bool:
            inside = 0 <= box[0] and box[2] <= width and 0 <= box[1] and box[3] <= height
            return inside and not any(
                box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken
            )

        align, lx, ly, box = next((side for side in sides if free(side[3])), sides[0])
        taken.append(box)
        lon, lat = degrees(lx, ly)
        out[align].append({**point, "label_lon": lon, "label_lat": lat})
    return out


def point_map(
    places: Sequence[PlaceValue],
    *,
    region: str,
    title: str,
    unit: str,
    decimals: int,
    language: str,
    classes: int = 5,
    breaks: Sequence[float] | None = None,
    key: str | None = None,
) -> Chart:
    """The places (e.g. CPTS) as points over the outlines of ``region``'s départements,
    filled with the classes of :func:`choropleth`, a shape per class and the value written
    beside each point; masked values are hatched circles with « masqué » beside them.
    ``key`` says where the points stand (by default: at the centre of their communes)."""
    t = translator(language)
    features = [
        {**f, "geometry": _clockwise(f["geometry"])}
        for f in _features("departements")
        if f["properties"]["region_code"] == region
    ]
    known = [p.value for p in places if p.value is not None]
    limits, palette, labels = _classes(
        known, breaks=breaks, classes=classes, decimals=decimals, language=language
    )
    count = len(palette)

    def fmt(number: float | None) -> str:
        return format_number(number, decimals=decimals, language=language)

    masked_label = t.gettext("masqué (moins de 11)")
    no_data = t.gettext("pas de données")
    domain = [*labels, masked_label, no_data]
    fills = [*palette, HATCH, HATCH]
    shapes = [*(SHAPES[i % len(SHAPES)] for i in range(count)), "circle", "cross"]
    points: list[dict[str, Any]] = []
    for place in sorted(places, key=lambda p: (-p.lat, p.code)):
        if place.value is not None:
            klass, text = labels[_class_of(place.value, limits)], fmt(place.value)
        elif place.masked:
            klass, text = masked_label, t.gettext("masqué")
        else:
            klass, text = no_data, "—"
        points.append(
            {
                "code": place.code,
                "lon": place.lon,
                "lat": place.lat,
                "klass": klass,
                "text": text,
                "tip": f"{place.name} ({place.code}){colon(language)}"
                + (f"{text} {unit}".strip() if place.value is not None else klass),
            }
        )
    all_points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lons = [p[0] for p in all_points] or [p["lon"] for p in points] or [0.0]
    lats = [p[1] for p in all_points] or [p["lat"] for p in points] or [0.0]
    cos = math.cos(math.radians((max(lats) + min(lats)) / 2))
    lon_span = (max(lons) - min(lons)) * cos
    aspect = (max(lats) - min(lats)) / max(lon_span, 1e-6)
    projection: dict[str, Any] = (
        {"type": "mercator"}
        if region in OVERSEAS
        else {"type": "conicConformal", "parallels": [44, 49], "rotate": [-3, 0]}
    )

    def spec(layout: Layout) -> dict[str, Any]:
        width = layout.width
        height = max(180, min(int(width * aspect), 460 if not layout.narrow else 380))
        klass = {
            "field": "klass",
            "type": "nominal",
            "scale": {"domain": domain, "range": fills},
            "legend": {
                "title": unit,
                "orient": "bottom",
                "direction": "vertical",
                "columns": 1 if layout.narrow else 3,
                "symbolSize": 160,
                "symbolStrokeColor": INK,
                "symbolStrokeWidth": 1.2,
                "labelLimit": 200,
                "titleLimit": layout.width,
            },
        }
        position = {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
        }
        placed = _place_labels(
            points, width=width, height=height, west=min(lons), north=max(lats),
            scale=min(width / max(lon_span, 1e-6), height / max(max(lats) - min(lats), 1e-6)),
            cos=cos,
        )  # fmt: skip
        return {
            **base_spec(layout, language),
            "width": width,
            "height": height,
            "projection": projection,
            "layer": [
                {
                    "data": {"values": features},
                    "mark": {
                        "type": "geoshape",
                        "fill": "#f4f4f4",
                        "stroke": "#9a9a9a",
                        "strokeWidth": 1,
                    },
                },
                {
                    "data": {"values": points},
                    "mark": {
                        "type": "point",
                        "filled": True,
                        "size": 150,
                        "stroke": INK,
                        "strokeWidth": 1.2,
                        "opacity": 1,
                        "aria": True,
                    },
                    "encoding": {
                        **position,
                        "fill": klass,
                        "shape": {
                            "field": "klass",
                            "type": "nominal",
                            "scale": {"domain": domain, "range": shapes},
                            "legend": klass["legend"],
                        },
                        "description": {"field": "tip"},
                    },
                },
                *(
                    {
                        "data": {"values": group},
                        "mark": {
                            "type": "text",
                            "align": align,
                            "baseline": "middle",
                            "fontWeight": "bold",
                            "name": "value_labels",
                        },
                        "encoding": {
                            "longitude": {"field": "label_lon", "type": "quantitative"},
                            "latitude": {"field": "label_lat", "type": "quantitative"},
                            "text": {"field": "text"},
                        },
                    }
                    for align, group in placed.items()
                    if group
                ),
            ],
        }

    shown = sorted((p.value, p.name) for p in places if p.value is not None)
    if shown:
        description = t.gettext(
            "Carte de %(count)s territoires, en %(unit)s : le plus élevé %(high)s %(high_value)s ;"
            " le plus bas %(low)s %(low_value)s."
        ) % {
            "count": len(places),
            "unit": unit,
            "high": shown[-1][1],
            "high_value": fmt(shown[-1][0]),
            "low": shown[0][1],
            "low_value": fmt(shown[0][0]),
        }
    else:
        description = t.gettext("Aucune valeur.")
    hidden = [p.name for p in places if p.value is None and p.masked]
    if hidden:
        description += " " + t.gettext("Masqué (moins de 11) : %(names)s.") % {
            "names": ", ".join(hidden)
        }
    if labels:
        description += " " + t.gettext("Classes : %(classes)s.") % {
            "classes": semicolon(language).join(labels)
        }
    return Chart(
        kind="point_map",
        title=title,
        description=description,
        wide=spec(WIDE),
        narrow=spec(NARROW),
        key=key
        or t.gettext(
            "chaque territoire est un point au centre de ses communes (pondéré par la"
            " population), sa valeur écrite à côté ; une forme par classe ; rond hachuré :"
            " valeur masquée (moins de 11) ; traits gris : départements"
        ),
        labels=tuple(p["text"] for p in points if p["klass"] in labels),
    )


def _classes(
    known: list[float],
    *,
    breaks: Sequence[float] | None,
    classes: int,
    decimals: int,
    language: str,
) -> tuple[list[float], list[str], list[str]]:
    """The class limits of a map (given, or from the values), a blue per class, and each
    class's legend label (« 1,0 à < 2,0 », the last one closed: « 2,0 à 3,0 »)."""
    t = translator(language)
    limits = list(breaks) if breaks else class_breaks(known, classes=classes, decimals=decimals)
    count = max(len(limits) - 1, 0)
    palette = [BLUES[round(i * (len(BLUES) - 1) / max(count - 1, 1))] for i in range(count)]

    def fmt(number: float | None) -> str:
        return format_number(number, decimals=decimals, language=language)

    labels = []
    for index in range(count):
        last = index == count - 1
        labels.append(
            (t.gettext("%(low)s à %(high)s") if last else t.gettext("%(low)s à < %(high)s"))
            % {"low": fmt(limits[index]), "high": fmt(limits[index + 1])}
        )
    return limits, palette, labels
