"""The ``backend`` fixture: indicator tests run on DuckDB and, marked slow, on Spark
(local mode, one Spark session per test process), and must give the same numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cratb.engine import reference
from cratb.engine.backends import open_session
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import import_file

BACKENDS = ["duckdb", pytest.param("spark", marks=pytest.mark.slow)]

Compute = Callable[..., pa.Table]


@pytest.fixture(autouse=True)
def packaged_tables_only() -> Iterator[None]:
    reference.use_local_dir(None)
    reference.clear_caches()
    yield
    reference.clear_caches()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def load(tmp_path: Path, warehouse: Path) -> Callable[[str, str], None]:
    """Import ``text`` (a CSV, lines stripped) as ``kind`` with the real importer."""

    def run(kind: str, text: str) -> None:
        path = tmp_path / f"{kind}-{len(list(tmp_path.iterdir()))}.csv"
        lines = [line.strip() for line in text.strip().splitlines()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = import_file(kind, path, warehouse=warehouse)
        assert report.rejected == 0, report.rejections

    return run


@pytest.fixture
def compute_on(backend: str, warehouse: Path) -> Compute:
    """Compute one indicator on the test's backend; returns the Arrow table."""

    def run(indicator: str, *, by: tuple[str, ...] = (), **params: Any) -> pa.Table:
        with open_session(warehouse=warehouse, backend=backend) as session:
            result = compute(indicator, session, Query(by=by, params=params))
        return result.table

    return run


def rows(table: pa.Table, *columns: str) -> list[tuple[Any, ...]]:
    """The table's rows as tuples of ``columns``, floats rounded to 9 digits."""
    data = table.select(list(columns)).to_pylist()
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row.values()) for row in data]
