"""Server-side SVG maps of a region's départements, from the committed GeoJSON outlines.

Projected in Python (equirectangular, longitudes shrunk by the cosine of the region's
middle latitude, which is close enough at the scale of a region), so the map needs no
JavaScript and no tile server. Each area carries a ``<title>`` and the same figures are
always given in a table beside the map.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAPS_DIR = Path(__file__).resolve().parent.parent / "static" / "maps"
WIDTH = 600.0
MARGIN = 12.0

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    path: str
    label_x: float
    label_y: float
    fill: str
    title: str
    pattern: bool = False
    texture: str = ""


@dataclass(frozen=True)
class Symbol:
    x: float
    y: float
    fill: str
    title: str
    shape: str  # "circle", "square", "triangle" or "diamond"
    texture: str = ""


@dataclass(frozen=True)
class SvgMap:
    width: float
    height: float
    areas: list[Area]
    symbols: list[Symbol]


@functools.cache
def _outlines(layer: str) -> dict[str, tuple[str, list[list[Ring]]]]:
    """code → (name, polygons) of ``departements`` or ``regions``."""
    data = json.loads((MAPS_DIR / f"{layer}.geojson").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, list[list[Ring]]]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        coords: Any = geometry["coordinates"]
        polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
        rings = [
            [[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons
        ]
        out[feature["properties"]["code"]] = (feature["properties"]["name"], rings)
    return out


def departement_centre(code: str) -> tuple[float, float] | None:
    """Longitude and latitude of the centre of a département's largest outline."""
    found = _outlines("departements").get(code)
    if found is None:
        return None
    biggest = max((polygon[0] for polygon in found[1]), key=len)
    xs = [p[0] for p in biggest]
    ys = [p[1] for p in biggest]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


class Projection:
    def __init__(self, points: Iterable[tuple[float, float]]) -> None:
        xs, ys = zip(*points, strict=True)
        self.min_lon, self.max_lon = min(xs), max(xs)
        self.min_lat, self.max_lat = min(ys), max(ys)
        self.kx = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        span_x = max((self.max_lon - self.min_lon) * self.kx, 1e-6)
        span_y = max(self.max_lat - self.min_lat, 1e-6)
        self.scale = (WIDTH - 2 * MARGIN) / span_x
        self.height = span_y * self.scale + 2 * MARGIN

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.min_lon) * self.kx * self.scale
        y = MARGIN + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


def _path(polygons: list[list[Ring]], project: Projection) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [project(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
    return "".join(parts)


def _label_point(polygons: list[list[Ring]], project: Projection) -> tuple[float, float]:
    """The centre of the largest outer ring's bounding box: good enough for a label."""
    biggest = max((polygon[0] for polygon in polygons), key=len)
    xs = [p[0] for p in biggest]
    ys = [p[1] for p in biggest]
    return project((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)


@dataclass(frozen=True)
class Fill:
    colour: str
    title: str
    pattern: bool = False
    #: A texture drawn over the colour (``TEXTURES``), so that a class is told apart
    #: without seeing colours; "" for a plain fill.
    texture: str = ""


#: The textures of the map's classes: SVG patterns defined once in the page
#: (templates/network/includes/map_textures.svg), the same in the legend.
TEXTURES = ("cross", "lines", "dots")


def departement_map(
    codes: Sequence[str],
    fills: dict[str, Fill],
    *,
    points: Sequence[
        tuple[float, float, str, str, str] | tuple[float, float, str, str, str, str]
    ] = (),
) -> SvgMap:
    """The départements ``codes`` coloured by ``fills``; ``points`` are (lon, lat, fill,
    title, shape[, texture]) symbols drawn on top (CPTS, GHT)."""
    outlines = _outlines("departements")
    chosen = [(code, *outlines[code]) for code in codes if code in outlines]
    all_points = [pt for _c, _n, polys in chosen for poly in polys for pt in poly[0]]
    all_points += [(lon, lat) for lon, lat, *_rest in points]
    if not all_points:
        return SvgMap(width=WIDTH, height=WIDTH / 2, areas=[], symbols=[])
    project = Projection(all_points)
    areas = []
    for code, name, polygons in chosen:
        fill = fills.get(code, Fill("#ffffff", name))
        x, y = _label_point(polygons, project)
        areas.append(
            Area(
                code=code,
                name=name,
                path=_path(polygons, project),
                label_x=x,
                label_y=y,
                fill=fill.colour,
                title=fill.title,
                pattern=fill.pattern,
                texture=fill.texture,
            )
        )
    symbols = []
    for lon, lat, colour, title, shape, *texture in points:
        x, y = project(lon, lat)
        symbols.append(
            Symbol(x=x, y=y, fill=colour, title=title, shape=shape, texture="".join(texture[:1]))
        )
    return SvgMap(width=WIDTH, height=round(project.height, 1), areas=areas, symbols=symbols)
