"""Synthetic but realistic data for one French region (``cratb demo``).

``generate`` writes the input files of CONTRACTS.md section 1 for a real
region, deterministic for (region, scale, seed, year): the same arguments
always give byte-identical files. ``scale`` is the share of the region's real
population simulated, and the population file is scaled with it, so every
indicator stays at its real level whatever the size: 0.01 for a quick demo,
1.0 for the whole region (about 13 million dispensing lines for
Île-de-France), more for load tests.

Pure Python on numpy and pyarrow; no Django. The calibration targets and
their sources are in docs/demo.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from cratb.engine import reference
from cratb.engine.demo import catalogue as cat
from cratb.engine.demo.codes import cip13
from cratb.engine.demo.community import (
    CommunityPlan,
    expected_treated_residents,
    generate_dispensations,
    plan_community,
    plan_visits,
    visits_table,
)
from cratb.engine.demo.hospital import (
    consumption_table,
    establishments_table,
    generate_establishments,
    generate_nursing_homes,
    patient_days_table,
)
from cratb.engine.demo.isolates import generate_isolates
from cratb.engine.demo.rapid_tests import generate_rapid_tests
from cratb.engine.errors import EngineError

__all__ = [
    "IMPORT_ORDER",
    "MAX_SCALE",
    "DemoError",
    "DemoFiles",
    "DemoSpec",
    "generate",
    "products_table",
]

# Import order: products before the lines that reference them.
IMPORT_ORDER: tuple[str, ...] = (
    "population",
    "products",
    "dispensations",
    "patient_days",
    "hospital_consumption",
    "isolates",
    "rapid_tests",
    "rapid_test_kits",
    "rapid_test_places",
)
# Four times Île-de-France is about 55 million dispensing lines: enough for
# any benchmark on one machine.
MAX_SCALE = 5.0
ESTABLISHMENTS_FILE = "establishments.csv"
#: The big-prescriber campaign's visits the dispensing lines follow (not an import kind:
#: the web demo records them as the campaign's visits).
VISITS_FILE = "campaign_visits.csv"
MANIFEST_FILE = "manifest.json"

Progress = Callable[[str], None]


class DemoError(EngineError, ValueError):
    """Arguments that cannot produce a demo region; the message is in French, on one line."""


@dataclass(frozen=True)
class DemoSpec:
    region_code: str
    scale: float
    seed: int
    year: int

    def __post_init__(self) -> None:
        if not 0 < self.scale <= MAX_SCALE:
            raise DemoError(
                f"échelle {self.scale:g} invalide : elle doit être comprise entre 0 (exclu) "
                f"et {MAX_SCALE:g} (1 = toute la population de la région)."
            )
        if not 2000 <= self.year <= 2100:
            raise DemoError(f"année {self.year} invalide : attendue entre 2000 et 2100.")
        if self.seed < 0:
            raise DemoError(f"graine {self.seed} invalide : un entier positif ou nul est attendu.")

    @property
    def folder_name(self) -> str:
        return f"{self.region_code}-{self.scale:g}-{self.seed}-{self.year}"

    def _digest(self) -> bytes:
        return hashlib.sha256(
            f"cratb-demo|{self.region_code}|{self.scale!r}|{self.seed}|{self.year}".encode()
        ).digest()

    @property
    def entropy(self) -> int:
        return int.from_bytes(self._digest()[:16], "big")

    @property
    def tag(self) -> str:
        """Six hex digits put in every generated identifier.

        Two demo data sets (another seed, scale or region) never share an
        identifier, so loading both in one warehouse cannot merge their patients.
        """
        return self._digest().hex()[:6]


@dataclass(frozen=True)
class DemoFiles:
    folder: Path
    files: dict[str, Path]  # kind → CSV file, in IMPORT_ORDER
    establishments: Path  # directory side: finess, name, type, departement, beds
    rows: dict[str, int]
    # kind → CSV file of the baseline year (population, dispensations), when asked
    baseline: dict[str, Path] = dataclasses.field(default_factory=dict)
    # The campaign's visits the dispensing lines follow (prescriber_id, visited_on)
    visits: Path | None = None


def products_table() -> pa.Table:
    products = cat.PRODUCTS
    return pa.table(
        {
            "cip13": [cip13(p.cip7) for p in products],
            "label": [p.label for p in products],
            "atc": [p.atc for p in products],
            "route": [p.route for p in products],
            "units_per_box": pa.array([p.units_per_box for p in products], type=pa.float64()),
            "amount_per_unit": pa.array([p.amount_per_unit for p in products], type=pa.float64()),
            "amount_unit": pa.array([p.amount_unit for p in products], type=pa.string()),
            "ddd_per_box": pa.array([p.ddd_per_box for p in products], type=pa.float64()),
        }
    )


def _grams_per_ddd(atc: str, route: str) -> float | None:
    ddd = reference.who_ddd(atc, route)
    if ddd is None:
        return None
    factor = {"g": 1.0, "mg": 0.001}.get(ddd.unit)
    return None if factor is None else ddd.value * factor


def _write_csv(path: Path, tables: Iterable[pa.Table], *, quote: bool = True) -> int:
    """Write tables to ``path`` atomically (a partial file never has the final name).

    ``quote=False`` is for the big files whose values are codes, numbers and
    dates (never a comma nor a quote): a third less to write.
    """
    tmp = path.with_name(path.name + ".part")
    rows = 0
    writer: pacsv.CSVWriter | None = None
    pending: Future[None] | None = None
    # pyarrow writes without the GIL: the next block is generated meanwhile.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            for table in tables:
                if writer is None:
                    style = "needed" if quote else "none"
                    writer = pacsv.CSVWriter(
                        tmp, table.schema, write_options=pacsv.WriteOptions(quoting_style=style)
                    )
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, table)
                rows += table.num_rows
            if pending is not None:
                pending.result()
        finally:
            if writer is not None:
                writer.close()
    os.replace(tmp, path)
    return rows


def _count(n: int) -> str:
    """French digit grouping: 1 234 567."""
    return f"{n:,}".replace(",", " ")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def generate(
    spec: DemoSpec,
    *,
    out_dir: Path,
    progress: Progress | None = None,
    skip: frozenset[str] = frozenset(),
    baseline_year: int | None = None,
) -> DemoFiles:
    """Write the demo region's input files into ``out_dir`` and return where they are.

    ``skip``: kinds not to write (e.g. ``{"isolates"}`` for a consumption benchmark); the
    other files are the same as without it. ``baseline_year``: also write a year of
    dispensing and its population at the national level of 2019, the baseline of the
    national target, in files of their own (``dispensations-2019.csv``…), so the demo
    year's files stay the same."""
    say = progress or (lambda _message: None)
    try:
        region = reference.regions()[spec.region_code]
    except KeyError:
        raise DemoError(
            f"région « {spec.region_code} » inconnue : attendu un code INSEE de région "
            f"({', '.join(sorted(reference.regions()))})."
        ) from None
    deps = reference.departements_of(spec.region_code)
    codes = tuple(d.code for d in deps)
    names = tuple(d.name for d in deps)
    population = np.array([max(1, round(d.population * spec.scale)) for d in deps], dtype=np.int64)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(spec.entropy)
    # A new stream is appended for each new kind of content, so the earlier ones keep
    # their values.
    rng_prescribers, rng_hospital, rng_isolates, rng_nursing_homes, rng_rapid, rng_visits = (
        np.random.default_rng(s) for s in root.spawn(6)
    )
    files = {kind: out_dir / f"{kind}.csv" for kind in IMPORT_ORDER}
    rows: dict[str, int] = {}

    say(
        f"Région {region.code} {region.name} : {_count(int(population.sum()))} habitants "
        f"simulés (échelle {spec.scale:g}, graine {spec.seed}, année {spec.year})"
    )
    rows["population"] = _write_csv(
        files["population"],
        [
            pa.table(
                {
                    "year": pa.array([spec.year] * len(codes), type=pa.int32()),
                    "departement": list(codes),
                    "population": pa.array(population),
                }
            )
        ],
    )
    rows["products"] = _write_csv(files["products"], [products_table()])

    plan = plan_community(
        departements=codes,
        simulated_population=population,
        prescriptions_per_1000=cat.NATIONAL_PRESCRIPTIONS_PER_1000
        * cat.REGIONAL_FACTOR.get(spec.region_code, 1.0),
        year=spec.year,
        tag=spec.tag,
        region_code=spec.region_code,
        rng=rng_prescribers,
    )
    plan = dataclasses.replace(
        plan, visits=plan_visits(plan.prescribers, year=spec.year, rng=rng_visits)
    )

    def dispensations() -> Iterable[pa.Table]:
        done = 0
        for table in generate_dispensations(plan, entropy=spec.entropy):
            done += table.num_rows
            say(f"  délivrances : {_count(done)} lignes")
            yield table

    rows["dispensations"] = _write_csv(files["dispensations"], dispensations(), quote=False)
    visits_path = out_dir / VISITS_FILE
    _write_csv(visits_path, [visits_table(plan)])

    establishments = generate_establishments(
        departements=codes,
        departement_names=names,
        simulated_population=population,
        rng=rng_hospital,
    )
    nursing_homes = generate_nursing_homes(
        departements=codes,
        departement_names=names,
        departement_share=plan.departement_share,
        treated_residents=expected_treated_residents(plan),
        rng=rng_nursing_homes,
    )
    est_path = out_dir / ESTABLISHMENTS_FILE
    _write_csv(est_path, [establishments_table(establishments + nursing_homes)])
    rows["patient_days"] = _write_csv(
        files["patient_days"],
        [patient_days_table(establishments + nursing_homes, year=spec.year)],
    )
    rows["hospital_consumption"] = _write_csv(
        files["hospital_consumption"],
        [
            consumption_table(
                establishments, year=spec.year, grams_per_ddd=_grams_per_ddd, rng=rng_hospital
            )
        ],
    )
    say(f"  établissements de santé : {len(establishments)}, EHPAD : {len(nursing_homes)}")
    if "isolates" in skip:
        del files["isolates"]
    else:
        rows["isolates"] = _write_csv(
            files["isolates"],
            generate_isolates(
                departements=codes,
                simulated_population=population,
                establishments=establishments,
                year=spec.year,
                tag=spec.tag,
                rng=rng_isolates,
            ),
            quote=False,
        )
        say(f"  résultats d'antibiogrammes : {_count(rows['isolates'])} lignes")
    if "rapid_tests" in skip:
        del files["rapid_tests"], files["rapid_test_kits"], files["rapid_test_places"]
    else:
        rapid, kits, places = generate_rapid_tests(
            departements=codes,
            simulated_population=population,
            year=spec.year,
            tag=spec.tag,
            rng=rng_rapid,
        )
        rows["rapid_tests"] = _write_csv(files["rapid_tests"], [rapid])
        rows["rapid_test_kits"] = _write_csv(files["rapid_test_kits"], [kits])
        rows["rapid_test_places"] = _write_csv(files["rapid_test_places"], [places])
        say(
            f"  tests rapides : {_count(rows['rapid_tests'])}, commandes de kits :"
            f" {_count(rows['rapid_test_kits'])}, lieux du répertoire :"
            f" {_count(rows['rapid_test_places'])}"
        )
    baseline: dict[str, Path] = {}
    if baseline_year is not None:
        baseline = _write_baseline(
            spec, plan, population, codes, baseline_year, out_dir=out_dir, rows=rows, say=say
        )
    manifest = {
        "region": spec.region_code,
        "scale": spec.scale,
        "seed": spec.seed,
        "year": spec.year,
        "files": {
            kind: {"file": path.name, "rows": rows[kind], "sha256": _sha256(path)}
            for kind, path in (
                *files.items(),
                *((f"{k}-{baseline_year}", p) for k, p in baseline.items()),
            )
        },
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return DemoFiles(
        folder=out_dir,
        files=files,
        establishments=est_path,
        rows=rows,
        baseline=baseline,
        visits=visits_path,
    )


def _write_baseline(
    spec: DemoSpec,
    plan: CommunityPlan,
    population: np.ndarray,
    codes: tuple[str, ...],
    year: int,
    *,
    out_dir: Path,
    rows: dict[str, int],
    say: Progress,
) -> dict[str, Path]:
    """The baseline year: the same population and prescribers, prescribing at the national
    level of 2019."""
    if not 2000 <= year < spec.year:
        raise DemoError(f"année de référence {year} invalide : attendue avant {spec.year}.")
    base = DemoSpec(region_code=spec.region_code, scale=spec.scale, seed=spec.seed, year=year)
    # Consumption in DDD is what the national target is about: the baseline year is scaled
    # on it (its prescriptions come out at about 1.06 × the demo year's).
    factor = cat.BASELINE_DID / cat.NATIONAL_DID
    baseline_plan = dataclasses.replace(
        plan,
        year=year,
        tag=base.tag,
        treated_patients=max(1, round(plan.treated_patients * factor)),
        target_lines=plan.target_lines * factor,
        visits=None,  # the campaign is in the demo year
    )
    paths = {kind: out_dir / f"{kind}-{year}.csv" for kind in ("population", "dispensations")}
    rows[f"population-{year}"] = _write_csv(
        paths["population"],
        [
            pa.table(
                {
                    "year": pa.array([year] * len(codes), type=pa.int32()),
                    "departement": list(codes),
                    "population": pa.array(population),
                }
            )
        ],
    )
    rows[f"dispensations-{year}"] = _write_csv(
        paths["dispensations"],
        generate_dispensations(baseline_plan, entropy=base.entropy),
        quote=False,
    )
    say(f"  année de référence {year} : {_count(rows[f'dispensations-{year}'])} délivrances")
    return paths
