"""``cratb demo`` end to end: files, import, web accounts, second run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cratb.cli import main
from cratb.commands.demo import default_demo_dir, format_logins
from cratb.demo.reports import TEXTS
from cratb.engine.config import EngineConfig
from cratb.engine.demo import IMPORT_ORDER, DemoSpec


def _args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "demo",
        "--scale",
        "0.002",
        "--seed",
        "3",
        "--out",
        str(tmp_path / "files"),
        "--warehouse",
        str(tmp_path / "warehouse.duckdb"),
        *extra,
    ]


def test_files_only_writes_the_files_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(tmp_path, "--files-only")) == 0
    for kind in IMPORT_ORDER:
        assert (tmp_path / "files" / f"{kind}.csv").stat().st_size > 0
    assert not (tmp_path / "warehouse.duckdb").exists()
    assert "Import" not in capsys.readouterr().out


def test_bad_scale_is_one_french_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_args(tmp_path), "--scale", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cratb : échelle -1 invalide")
    assert err.count("\n") == 1
    assert not (tmp_path / "files").exists()


def test_default_folder_follows_cratb_var_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRATB_VAR_DIR", str(tmp_path))
    spec = DemoSpec(region_code="11", scale=0.01, seed=1, year=2025)
    var_dir = EngineConfig.from_environ().var_dir
    assert default_demo_dir(spec, var_dir=var_dir) == tmp_path / "demo" / "11-0.01-1-2025"


def test_logins_table() -> None:
    table = format_logins([("demo-ema", "ema-demo-2025", "Équipe multidisciplinaire")])
    assert table.splitlines() == [
        "+-------------+---------------+---------------------------+",
        "| Identifiant | Mot de passe  | Rôle                      |",
        "+-------------+---------------+---------------------------+",
        "| demo-ema    | ema-demo-2025 | Équipe multidisciplinaire |",
        "+-------------+---------------+---------------------------+",
    ]


@pytest.mark.django_db
def test_demo_imports_everything_then_nothing_new_on_a_second_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(tmp_path)) == 0
    first = capsys.readouterr().out
    # The demo year's files, then the 2019 baseline's (population and dispensing).
    for kind in (*IMPORT_ORDER, "population-2019", "dispensations-2019"):
        line = next(x for x in first.splitlines() if x.startswith(f"  {kind} :"))
        assert re.search(r", 0 rejetée \(importé\)$", line), line
    assert "| Identifiant" in first
    assert "demo-coordination" in first
    # One text version per section the demo writes (cratb/demo/reports.py).
    assert f"rapport annuel : projet de rapport annuel 2025 ({len(TEXTS)} versions" in first
    assert re.search(r"rapports de retour : \d+ laboratoires d'établissement, [23] envois", first)

    assert main(_args(tmp_path)) == 0
    second = capsys.readouterr().out
    assert second.count("(déjà importé, rien de nouveau)") == len(IMPORT_ORDER) + 2
    assert "demo-coordination" in second
    assert "rapport annuel : rapport annuel 2025 déjà présent" in second
    assert "rapports de retour : envois de rapports déjà faits" in second


def test_no_web_stops_after_the_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(tmp_path, "--no-web")) == 0
    out = capsys.readouterr().out
    assert "Identifiant" not in out
    assert (tmp_path / "warehouse.duckdb").exists()
