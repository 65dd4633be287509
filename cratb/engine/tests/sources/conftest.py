"""Fixtures for the import tests: a fresh warehouse and tiny inline files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

WriteFile = Callable[..., Path]
Query = Callable[[str], list[tuple[Any, ...]]]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteFile:
    """Write ``text`` (dedented lines) as a CSV file in the test's folder."""

    def write(name: str, text: str, *, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        lines = [line.strip() for line in text.strip().splitlines()]
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        return path

    return write


@pytest.fixture
def query(warehouse: Path) -> Query:
    """Run a query on the warehouse (read-only, closed after)."""

    def run(sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    return run
