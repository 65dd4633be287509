"""DuckDB and Spark give the same values on a demo region (relative difference < 1e-9)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from cratb.engine.backends import open_session
from cratb.engine.demo import IMPORT_ORDER, DemoSpec, generate
from cratb.engine.indicators import CATALOGUE, Query, compute
from cratb.engine.sources import import_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    files = generate(DemoSpec(region_code="53", scale=0.02, seed=7, year=2025), out_dir=folder)
    warehouse = folder / "w.duckdb"
    for kind in IMPORT_ORDER:
        if kind in files.files:
            import_file(kind, files.files[kind], warehouse=warehouse)
    return warehouse


def _key(row: dict[str, Any], by: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row[c] for c in by)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


@pytest.mark.parametrize(
    "indicator",
    [
        i
        for i, d in CATALOGUE.items()
        # The demo region has dispensing lines, not aggregated dispensing (Open Medic).
        if i.split(".")[0] != "resistance" and "aggregated_dispensations" not in d.tables
    ],
)
def test_duckdb_and_spark_agree(demo_warehouse: Path, indicator: str) -> None:
    declaration = CATALOGUE[indicator]
    groupings = declaration.publish_groupings()
    richest = max(groupings, key=len)
    results = {}
    for backend in ("duckdb", "spark"):
        with open_session(warehouse=demo_warehouse, backend=backend) as session:
            results[backend] = compute(indicator, session, Query(by=richest)).table.to_pylist()
    duck, spark = results["duckdb"], results["spark"]
    assert len(duck) == len(spark) > 0
    by = tuple(declaration.always_by) + tuple(c for c in richest if c not in declaration.always_by)
    spark_by_key = {_key(r, by): r for r in spark}
    for row in duck:
        other = spark_by_key[_key(row, by)]
        different = {c: (row[c], other[c]) for c in row if not _same(row[c], other[c])}
        assert not different, (indicator, _key(row, by), different)
