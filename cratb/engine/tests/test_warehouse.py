"""Opening the warehouse: the operator's memory limit, and a clear line when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cratb.engine.config import MEMORY_LIMIT_VARIABLE, EngineConfig
from cratb.engine.warehouse import WarehouseError, connect


def test_the_memory_limit_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "512MB")
    limit = EngineConfig.from_environ().duckdb_memory_limit
    con = connect(tmp_path / "w.duckdb", memory_limit=limit)
    try:
        row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert row is not None and row[0].replace(" ", "") in {"488.2MiB", "512.0MB", "488.2MB"}


def test_a_wrong_memory_limit_is_one_french_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "beaucoup")
    limit = EngineConfig.from_environ().duckdb_memory_limit
    with pytest.raises(WarehouseError, match=r"taille attendue, ex\. 4GB") as error:
        connect(tmp_path / "w.duckdb", memory_limit=limit)
    assert "\n" not in str(error.value)
