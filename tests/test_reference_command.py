"""``cratb reference``: the command line over the reference importers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cratb import cli
from cratb.engine import reference
from cratb.engine.config import REFERENCE_DIR_VARIABLE

AWARE_CSV = """Antibiotic,Class,ATC code,Category,Listed on EML/EMLc 2025
Amoxicillin,Penicillins,J01CA04,Access,Yes
Fosfomycin_IV,Phosphonics,J01XX01,Reserve,Yes
Fosfomycin_oral,Phosphonics,J01XX01,Access,No
Cefoselis,Cephalosporins,to be assigned,Watch,No
"""


@pytest.fixture
def local_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "reference"
    monkeypatch.setenv(REFERENCE_DIR_VARIABLE, str(folder))
    reference.clear_caches()
    yield folder
    monkeypatch.delenv(REFERENCE_DIR_VARIABLE)
    reference.use_local_dir(None)
    reference.clear_caches()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_import_and_show(
    tmp_path: Path, local_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, "aware.csv", AWARE_CSV)
    assert cli.main(["reference", "import-aware", str(source), "--edition", "2025"]) == 0
    assert "édition 2025 écrite (3 lignes, 1 hors champ)" in capsys.readouterr().out

    assert cli.main(["reference", "show"]) == 0
    shown = capsys.readouterr().out
    assert "Classification AWaRe de l'OMS : édition 2025" in shown
    assert "18 régions, 101 départements" in shown

    bad = _write(tmp_path, "bad.csv", "atc_code,atc_name\nJ01CA04,amoxicillin\n")
    assert cli.main(["reference", "import-atc-ddd", str(bad), "--edition", "x"]) == 2
    error = capsys.readouterr().err
    assert error == "cratb : bad.csv : colonne obligatoire absente : ddd, uom, adm_r\n"
