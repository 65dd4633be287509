"""The engine configuration: each variable of .env.example read once, into plain values."""

from __future__ import annotations

from pathlib import Path

from cratb.engine.config import PROJECT_DIR, EngineConfig, SparkSettings


def test_without_any_variable_everything_is_local() -> None:
    config = EngineConfig.from_environ({})
    assert config.var_dir == PROJECT_DIR / "var"
    assert config.warehouse == PROJECT_DIR / "var" / "warehouse.duckdb"
    assert (config.reference_dir, config.rules_dir, config.duckdb_memory_limit) == (None,) * 3
    assert config.spark == SparkSettings(
        master="local[*]", driver_memory="4g", shuffle_partitions="8"
    )
    assert config.id_salt == ""


def test_each_variable_gives_its_value(tmp_path: Path) -> None:
    config = EngineConfig.from_environ(
        {
            "CRATB_VAR_DIR": str(tmp_path),
            "CRATB_REFERENCE_DIR": str(tmp_path / "ref"),
            "CRATB_AST_RULES_DIR": str(tmp_path / "rules"),
            "CRATB_DUCKDB_MEMORY_LIMIT": " 6GB ",
            "CRATB_SPARK_MASTER": "spark://head:7077",
            "CRATB_SPARK_MEMORY": "16g",
            "CRATB_SPARK_PARTITIONS": "64",
            "CRATB_ID_SALT": "sel",
        }
    )
    assert config.var_dir == tmp_path
    assert config.warehouse == tmp_path / "warehouse.duckdb"  # follows the data folder
    assert config.reference_dir == tmp_path / "ref"
    assert config.rules_dir == tmp_path / "rules"
    assert config.duckdb_memory_limit == "6GB"
    assert config.spark == SparkSettings("spark://head:7077", "16g", "64")
    assert config.id_salt == "sel"
    named = EngineConfig.from_environ({"CRATB_WAREHOUSE": str(tmp_path / "w.duckdb")})
    assert named.warehouse == tmp_path / "w.duckdb"


def test_empty_folders_mean_none() -> None:
    config = EngineConfig.from_environ(
        {"CRATB_REFERENCE_DIR": "", "CRATB_AST_RULES_DIR": "", "CRATB_DUCKDB_MEMORY_LIMIT": " "}
    )
    assert (config.reference_dir, config.rules_dir, config.duckdb_memory_limit) == (None,) * 3
