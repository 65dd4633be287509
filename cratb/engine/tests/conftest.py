"""Engine fixtures shared by the indicator tests: the ``backend`` fixture runs a test on
DuckDB and, marked slow, on Spark (local mode), so every indicator test proves both
engines give the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cratb.engine.backends import Session, open_session


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.slow)])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def session_on(warehouse: Path, backend: str) -> Iterator[Session]:
    with open_session(warehouse=warehouse, backend=backend) as session:
        yield session
