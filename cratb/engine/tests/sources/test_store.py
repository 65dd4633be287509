"""The warehouse side: idempotence, duplicates across files, atomicity, hashed ids, reports."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cratb.engine.sources import ImportReport, RefusedFile, Rejection, import_file, importer
from cratb.engine.tests.sources.conftest import Query, WriteFile

HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes"
)
FIRST = f"""
{HEADER}
D1,2025-01-03,P1,PAT-alice,34,F,75,R1,general_practice,3400930000001,2
D2,2025-01-03,P1,PAT-alice,34,F,75,R1,general_practice,3400930000002,1
D3,2025-01-04,P2,PAT-bob,340,M,75,R1,general_practice,3400930000001,1
"""
SECOND = f"""
{HEADER}
D2,2025-01-03,P1,PAT-alice,34,F,75,R1,general_practice,3400930000002,1
D4,2025-01-05,P3,PAT-carol,50,F,93,R2,dentistry,3400930000001,1
"""


def _state(query: Query) -> list[list[tuple[object, ...]]]:
    return [
        query("SELECT * FROM dispensations ORDER BY ALL"),
        query("SELECT * FROM rejected_rows ORDER BY ALL"),
        query("SELECT id, kind, sha256, read, accepted, rejected FROM imports ORDER BY id"),
    ]


def test_the_same_file_twice_stores_nothing_new(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv("d.csv", FIRST)
    first = import_file("dispensations", path, warehouse=warehouse)
    before = _state(query)
    again = import_file("dispensations", path, warehouse=warehouse)
    assert not first.already_imported
    assert again.already_imported
    assert (again.import_id, again.read, again.accepted, again.rejected) == (1, 3, 2, 1)
    assert again.rejections == first.rejections
    assert _state(query) == before
    assert query("SELECT count(*) FROM imports") == [(1,)]


def test_an_id_already_stored_by_another_file_is_rejected(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    import_file("dispensations", write_csv("d1.csv", FIRST), warehouse=warehouse)
    report = import_file("dispensations", write_csv("d2.csv", SECOND), warehouse=warehouse)
    assert (report.import_id, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejections == [
        Rejection(
            1,
            "dispensation_id",
            "déjà présent dans l’entrepôt (même dispensation_id, import n° 1)",
        )
    ]
    assert query("SELECT dispensation_id, import_id FROM dispensations ORDER BY 1") == [
        ("D1", 1),
        ("D2", 1),
        ("D4", 2),
    ]


def test_rejected_rows_are_stored_with_their_raw_content(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    import_file("dispensations", write_csv("d.csv", FIRST), warehouse=warehouse)
    [(import_id, row, column, reason, raw)] = query(
        'SELECT import_id, "row", "column", reason, raw FROM rejected_rows'
    )
    assert (import_id, row, column, reason) == (
        1,
        3,
        "patient_age",
        "hors de l'intervalle 0–120 : « 340 »",
    )
    assert json.loads(raw)["patient_age"] == "340"


def test_a_failure_before_commit_leaves_the_warehouse_as_it_was(
    write_csv: WriteFile, warehouse: Path, query: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file("dispensations", write_csv("d1.csv", FIRST), warehouse=warehouse)
    before = _state(query)

    def crash(report: ImportReport, path: Path) -> None:
        raise OSError("disque plein")

    # The report is written last, after every insert and just before the commit.
    monkeypatch.setattr(importer, "_write_report", crash)
    with pytest.raises(OSError, match="disque plein"):
        import_file("dispensations", write_csv("d2.csv", SECOND), warehouse=warehouse)
    assert _state(query) == before


def test_a_process_killed_mid_import_leaves_the_warehouse_as_it_was(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    import_file("dispensations", write_csv("d1.csv", FIRST), warehouse=warehouse)
    before = _state(query)
    second = write_csv("d2.csv", SECOND)
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from cratb.engine.sources import import_file, importer
        importer._write_report = lambda report, path: os._exit(3)
        import_file("dispensations", Path({str(second)!r}), warehouse=Path({str(warehouse)!r}))
        """
    )
    finished = subprocess.run([sys.executable, "-c", script], check=False)  # noqa: S603
    assert finished.returncode == 3
    assert _state(query) == before
    # The warehouse still works: the same file imports normally afterwards.
    assert import_file("dispensations", second, warehouse=warehouse).accepted == 1


def test_hashed_ids_never_reach_the_warehouse(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    salt = "un sel secret"
    report = import_file(
        "dispensations", write_csv("d.csv", FIRST), warehouse=warehouse, id_salt=salt
    )
    assert report.rejected == 1
    expected = hashlib.sha256((salt + "PAT-alice").encode()).hexdigest()
    assert query("SELECT DISTINCT patient_id FROM dispensations") == [(expected,)]
    prescriber = hashlib.sha256((salt + "R1").encode()).hexdigest()
    assert query("SELECT DISTINCT prescriber_id FROM dispensations") == [(prescriber,)]
    stored = warehouse.read_bytes()
    for clear in (b"PAT-alice", b"PAT-bob"):
        assert clear not in stored
    [(raw,)] = query("SELECT raw FROM rejected_rows")
    assert "PAT-bob" not in raw


def test_an_empty_salt_is_refused(write_csv: WriteFile, warehouse: Path) -> None:
    with pytest.raises(RefusedFile, match="sel"):
        import_file("dispensations", write_csv("d.csv", FIRST), warehouse=warehouse, id_salt=" ")


def test_the_report_is_written_beside_the_file_or_where_asked(
    write_csv: WriteFile, warehouse: Path, tmp_path: Path
) -> None:
    path = write_csv("d.csv", FIRST)
    report = import_file("dispensations", path, warehouse=warehouse)
    written = json.loads((tmp_path / "d.csv.report.json").read_text(encoding="utf-8"))
    assert written["read"] == written["accepted"] + written["rejected"] == 3
    assert written["rejections"] == [
        {"row": 3, "column": "patient_age", "reason": "hors de l'intervalle 0–120 : « 340 »"}
    ]
    assert written == json.loads(report.to_json())
    elsewhere = tmp_path / "reports" / "d.json"
    elsewhere.parent.mkdir()
    import_file("dispensations", path, warehouse=warehouse, report_path=elsewhere)
    assert json.loads(elsewhere.read_text(encoding="utf-8"))["already_imported"] is True


def test_counts_that_do_not_add_up_are_an_error() -> None:
    with pytest.raises(AssertionError, match="3 read != 2 accepted"):
        ImportReport("products", "f.csv", "0" * 64, 3, 2, 0, [], already_imported=False)
