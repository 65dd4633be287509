"""``cratb import``: summary, exit codes and one-line French errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cratb.cli import main

PATIENT_DAYS = """finess,year,sector,patient_days
750000011,2024,acute,35000
750000011,2024,maternity,100
750000011,2024,psychiatry,1200
"""


@pytest.fixture
def patient_days(tmp_path: Path) -> Path:
    path = tmp_path / "pd.csv"
    path.write_text(PATIENT_DAYS, encoding="utf-8")
    return path


def _import(path: Path, tmp_path: Path, *extra: str) -> int:
    warehouse = tmp_path / "w.duckdb"
    return main(["import", "patient_days", str(path), "--warehouse", str(warehouse), *extra])


def test_import_prints_counts_reasons_and_report(
    patient_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(patient_days, tmp_path) == 0
    out = capsys.readouterr().out
    assert "patient_days : 3 lignes lues, 2 acceptées, 1 rejetée." in out
    assert "ligne de données 2, colonne sector : valeur inconnue « maternity »" in out
    assert f"Rapport : {patient_days}.report.json" in out
    assert (tmp_path / "pd.csv.report.json").exists()


def test_a_second_import_says_nothing_new(
    patient_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(patient_days, tmp_path) == 0
    capsys.readouterr()
    assert _import(patient_days, tmp_path, "--report", str(tmp_path / "again.json")) == 0
    out = capsys.readouterr().out
    assert "déjà importé (import n° 1), rien de nouveau n'a été enregistré" in out
    assert (tmp_path / "again.json").exists()


def test_the_warehouse_defaults_to_the_environment(
    patient_days: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CRATB_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert main(["import", "patient_days", str(patient_days)]) == 0
    assert (tmp_path / "env.duckdb").exists()


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("patient_days", "finess,year\n1,2\n", "colonnes obligatoires absentes"),
        ("patient_days", "", "fichier vide"),
        ("stays", PATIENT_DAYS, "type de fichier inconnu « stays »"),
    ],
)
def test_a_refused_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, content: str, message: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(content, encoding="utf-8")
    code = main(["import", kind, str(path), "--warehouse", str(tmp_path / "w.duckdb")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("cratb : fichier refusé, rien n'a été importé : ")
    assert message in captured.err


def test_hash_ids_needs_the_salt(
    patient_days: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("CRATB_ID_SALT", raising=False)
    assert _import(patient_days, tmp_path, "--hash-ids") == 2
    assert "CRATB_ID_SALT" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()
    monkeypatch.setenv("CRATB_ID_SALT", "sel")
    assert _import(patient_days, tmp_path, "--hash-ids") == 0


def test_an_unreadable_warehouse_is_one_line_and_exit_1(
    patient_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_text("not a duckdb file")
    assert _import(patient_days, tmp_path) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"cratb : entrepôt {warehouse} illisible")
    assert err.count("\n") == 1


def test_a_warehouse_in_use_by_another_process_is_one_line_and_exit_1(
    patient_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}); print('ok', flush=True);"
            " sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ok\n"
        assert _import(patient_days, tmp_path) == 1
    finally:
        holder.communicate("")
    err = capsys.readouterr().err
    assert err == (
        f"cratb : entrepôt {warehouse} occupé par un autre processus (import en cours ?) ;"
        " réessayer quand il aura fini\n"
    )


def test_the_help_names_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """The KIND help is written out (the command line does not import the engine to show
    its help): it must name every kind the importer takes."""
    from cratb.engine.sources.schema import COMMAND_LINE_KINDS, KINDS

    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for kind in (*KINDS, *COMMAND_LINE_KINDS, "open_medic", "bdpm", "insee_population"):
        assert kind in text, kind
