"""``cratb ast target``, ``cratb ast rules``, ``cratb lab-codes`` and the isolate import
options: summaries, exit codes, one-line French errors."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from cratb.cli import main
from cratb.engine.ast import rules

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,"
    "sir,esbl,patient_age,patient_sex,clinical_context"
)
ROWS = [
    "U1,P1,2025-05-02,urine,community,75,L1,E. coli,FOS,S,N,30,F,simple_cystitis",
    "U1,P1,2025-05-02,urine,community,75,L1,E. coli,AMX,S,N,30,F,simple_cystitis",
    "U2,P2,2025-05-03,urine,community,75,L1,E. coli,AMX,S,N,8,F,simple_cystitis",
    "U3,P3,2025-05-04,urine,community,75,L1,E. coli,AMX,X,N,40,F,simple_cystitis",
]


@pytest.fixture
def isolates(tmp_path: Path) -> Path:
    path = tmp_path / "isolats.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_ast_target_writes_the_rows_with_the_decision_and_logs_them(
    isolates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, warehouse = tmp_path / "rendu.csv", tmp_path / "w.duckdb"
    code = main(["ast", "target", str(isolates), "--out", str(out), "--warehouse", str(warehouse)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Règles : cratb-derive v1 (dérivation à valider)" in printed
    assert "3 isolats (4 lignes)" in printed
    assert "rendu ciblé : 1" in printed
    assert "1 ligne(s) illisible(s)" in printed
    assert "ligne 4, sir : valeur inconnue « X »" in printed
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["isolate_id"], r["antibiotic"], r["reported"]) for r in rows] == [
        ("U1", "FOS", "Y"),
        ("U1", "AMX", "N"),
        ("U2", "AMX", "Y"),
        ("U3", "AMX", "Y"),
    ]
    assert rows[0]["clinical_context"] == "simple_cystitis"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        logged = con.execute(
            "SELECT isolate_id, mode, source FROM targeted_reports ORDER BY 1"
        ).fetchall()
    assert logged == [
        ("U1", "targeted", "cli"),
        ("U2", "full_out_of_scope", "cli"),
        ("U3", "full_invalid", "cli"),
    ]


def test_ast_target_without_log_and_to_parquet(isolates: Path, tmp_path: Path) -> None:
    out, warehouse = tmp_path / "rendu.parquet", tmp_path / "w.duckdb"
    args = ["ast", "target", str(isolates), "--out", str(out), "--no-log"]
    assert main([*args, "--warehouse", str(warehouse)]) == 0
    assert out.read_bytes()[:4] == b"PAR1"
    assert not warehouse.exists()


def test_ast_target_refuses_a_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("isolate_id,organism\nU1,E. coli\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["ast", "target", str(bad), "--out", str(out), "--no-log"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cratb : fichier refusé, rien n'a été écrit :")
    assert "colonnes obligatoires absentes : sampled_on, specimen, lab_id" in err
    assert len(err.splitlines()) == 1
    assert not out.exists()
    assert main(["ast", "target", str(tmp_path / "absent.csv"), "--out", str(out)]) == 2


def test_ast_rules_prints_the_set_and_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ast", "rules"]) == 0
    out = capsys.readouterr().out
    assert "dérivation à valider" in out
    assert "rang 1 : FOS, MEC  [has_cystite]" in out


def test_ast_rules_reads_the_regions_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = (rules.PACKAGED_DIR / rules.RULES_FILE).read_text(encoding="utf-8")
    (tmp_path / rules.RULES_FILE).write_text(
        shipped.replace("status: dérivation à valider", "status: validé par la région"),
        encoding="utf-8",
    )
    monkeypatch.setenv("CRATB_AST_RULES_DIR", str(tmp_path))
    assert main(["ast", "rules"]) == 0
    out = capsys.readouterr().out
    assert "validé par la région" in out
    assert str(tmp_path / rules.RULES_FILE) in out


def test_lab_codes_import_show_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "w.duckdb"
    table = tmp_path / "codes.csv"
    table.write_text("lab_id;lab_code;whonet\nL9;amox;AMX\n*;CIPRO;CIP\n", encoding="utf-8")
    assert main(["lab-codes", "import", str(table), "--warehouse", str(warehouse)]) == 0
    assert "Version 1 enregistrée : 2 codes." in capsys.readouterr().out
    assert main(["lab-codes", "import", str(table), "--warehouse", str(warehouse)]) == 0
    assert "rien de nouveau" in capsys.readouterr().out
    assert main(["lab-codes", "show", "--warehouse", str(warehouse)]) == 0
    assert "L9                   AMOX         → AMX" in capsys.readouterr().out
    exported = tmp_path / "export.csv"
    assert main(["lab-codes", "export", str(exported), "--warehouse", str(warehouse)]) == 0
    assert (
        exported.read_text(encoding="utf-8") == "lab_id,lab_code,whonet\n*,CIPRO,CIP\nL9,AMOX,AMX\n"
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("lab_id,lab_code,whonet\nL9,X,ZZZ\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["lab-codes", "import", str(wrong), "--warehouse", str(warehouse)]) == 2
    assert "code WHONET inconnu « ZZZ »" in capsys.readouterr().err


def test_import_of_a_whonet_export_with_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "whonet.txt"
    path.write_text(
        "PATIENT_ID\tSEX\tAGE\tSPEC_NUM\tSPEC_DATE\tSPEC_TYPE\tORGANISM\tAMX_ND10\tCIP_ND5\n"
        "PA1\tf\t34\tS1\t12/03/2025\tur\teco\tR\tS\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "w.duckdb"
    args = ["import", "isolates", str(path), "--warehouse", str(warehouse)]
    assert main(args) == 2
    assert "colonnes obligatoires absentes" in capsys.readouterr().err
    defaults = ["--lab-id", "LBM-1", "--setting", "community", "--departement", "75"]
    assert main([*args, *defaults]) == 0
    assert "isolates : 2 lignes lues, 2 acceptées, 0 rejetée." in capsys.readouterr().out


def test_antibiogram_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "w.duckdb"
    rows = [
        f"A{i},P{i},2025-03-01,urine,community,75,L1,E. coli,AMX,{'R' if i % 4 else 'S'}"
        for i in range(40)
    ]
    path = tmp_path / "i.csv"
    path.write_text("\n".join([HEADER.rsplit(",", 4)[0], *rows]) + "\n", encoding="utf-8")
    assert main(["import", "isolates", str(path), "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    base = ["antibiogram", "--setting", "community", "--from", "2025-01-01", "--to", "2025-12-31"]
    out = tmp_path / "ab.csv"
    assert main([*base, "--out", str(out), "--warehouse", str(warehouse)]) == 0
    assert "1 espèces, 1 antibiotiques, 1 cases dont 0 à effectif faible" in capsys.readouterr().out
    assert "Escherichia coli,40,AMX,amoxicilline,40,10,0,30,25.0,0.0,false" in out.read_text()
    assert main([*base, "--out", str(tmp_path / "ab.doc"), "--warehouse", str(warehouse)]) == 2
    assert "extension « .doc » inconnue" in capsys.readouterr().err
    assert main([*base[:6], "2024-01-01", "--out", str(out), "--warehouse", str(warehouse)]) == 2
    assert "période vide" in capsys.readouterr().err


def test_antibiogram_command_prints_its_first_isolate_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    # One patient, two E. coli a month apart with opposite patterns (3 points apart).
    rows = [
        f"{iso},P1,{day},urine,community,75,L1,E. coli,{ab},{sir}"
        for iso, day, pattern in (("A1", "2025-03-01", "SSS"), ("A2", "2025-04-01", "RRR"))
        for ab, sir in zip(("AMX", "AMC", "CIP"), pattern, strict=True)
    ]
    path = tmp_path / "i.csv"
    path.write_text("\n".join([HEADER.rsplit(",", 4)[0], *rows]) + "\n", encoding="utf-8")
    assert main(["import", "isolates", str(path), "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    base = ["antibiogram", "--setting", "community", "--from", "2025-01-01", "--to", "2025-12-31"]
    out = tmp_path / "ab.csv"
    assert main([*base, "--out", str(out), "--warehouse", str(warehouse)]) == 0
    assert "Méthode : Premier isolat par patient et par espèce" in capsys.readouterr().out
    assert ",Escherichia coli,1,AMX," in out.read_text()
    assert out.read_text().splitlines()[1].endswith(",episode")
    args = [*base, "--first-isolate", "phenotype", "--out", str(out), "--warehouse", str(warehouse)]
    assert main(args) == 0
    assert "variante phénotypique" in capsys.readouterr().out
    assert ",Escherichia coli,2,AMX," in out.read_text()
    assert out.read_text().splitlines()[1].endswith(",phenotype")
    with pytest.raises(SystemExit) as refused:
        main([*base, "--first-isolate", "x", "--out", str(out)])
    assert refused.value.code == 2
