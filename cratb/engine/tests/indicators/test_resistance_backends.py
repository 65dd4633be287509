"""The resistance indicators give the same numbers on DuckDB and Spark (relative
difference below 1e-9) on a demo region's isolates."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from cratb.engine.backends import open_session
from cratb.engine.demo import DemoSpec, generate
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import import_file

REQUESTS = [
    ("resistance.first_isolates", ("setting", "organism", "year")),
    ("resistance.pct_resistant", ("setting", "region")),
    ("resistance.pct_resistant", ("specimen", "month")),
    ("resistance.esbl_share", ("setting", "departement")),
    ("resistance.targeted_reporting", ("lab_id", "month")),
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return bool(a == b)


@pytest.mark.slow
def test_duckdb_and_spark_agree_on_the_demo_region(tmp_path: Path) -> None:
    files = generate(DemoSpec("11", 0.01, 3, 2025), out_dir=tmp_path / "demo")
    warehouse = tmp_path / "w.duckdb"
    import_file("isolates", files.files["isolates"], warehouse=warehouse)
    results: dict[str, list[list[dict[str, Any]]]] = {}
    for backend in ("duckdb", "spark"):
        with open_session(warehouse=warehouse, backend=backend) as session:
            results[backend] = [
                compute(i, session, Query(by=by)).table.to_pylist() for i, by in REQUESTS
            ]
    for (indicator, by), duck, spark in zip(
        REQUESTS, results["duckdb"], results["spark"], strict=True
    ):
        assert len(duck) == len(spark) > 0, indicator
        for row_d, row_s in zip(duck, spark, strict=True):
            assert row_d.keys() == row_s.keys()
            different = [k for k in row_d if not _same(row_d[k], row_s[k])]
            assert different == [], (indicator, by, row_d, row_s)
