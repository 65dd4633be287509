"""Row numbers of a large file whose validation checks vocabularies (issue #19, fifth pass).

The rows of a CSV are numbered by their order in the staged table (its ``rowid``), which
holds only when the validation statement's plan keeps the file's order. DuckDB planned
the long ``IN`` lists of the vocabularies (départements, communes) as joins, which do
not: on a file of a few million lines the rejected rows carried other rows' numbers.
The vocabularies are now checked by a cast (``rules.is_in``) and the importer looks at
the plan (``importer._keeps_order``), numbering the rows in the scan when the plan has
an operator that may reorder them.
"""

# ruff: noqa: S608 - the SQL is the test's own, with its temporary paths.
from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest

from cratb.engine.sources import import_file, importer
from cratb.engine.sources.report import ImportReport
from cratb.engine.sources.rules import is_in, not_in
from cratb.engine.tests.sources.conftest import Query

HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,setting"
)


def test_rows_of_a_large_file_with_vocabularies_keep_their_numbers(
    tmp_path: Path, warehouse: Path, query: Query
) -> None:
    """Two million lines (several row groups, both threads, the département check on
    every row), one bad cell every 9 973 rows: each rejected row names its own line."""
    lines, bad = 2_000_000, 9_973
    path = tmp_path / "big.csv"
    duckdb.connect().execute(
        f"COPY (SELECT 'D' || i AS dispensation_id, '2025-03-0' || (1 + i % 9) AS dispensed_on,"
        " 'O' || i // 2 AS prescription_id, 'P' || i % 1000 AS patient_id,"
        f" CASE WHEN i % {bad} = 0 THEN 'abc' ELSE CAST(i % 90 AS VARCHAR) END AS patient_age,"
        " 'F' AS patient_sex, ['75', '2A', '01', '971'][1 + i % 4] AS patient_departement,"
        " 'R' || i % 500 AS prescriber_id, 'general_practice' AS prescriber_specialty,"
        " '3400930000001' AS cip13, '1' AS boxes, 'community' AS setting"
        f" FROM range(1, {lines + 1}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"
    )
    report = import_file("dispensations", path, warehouse=warehouse)
    expected = lines // bad
    assert (report.read, report.rejected) == (lines, expected)
    wrong = query(
        "SELECT count(*) FROM rejected_rows"
        " WHERE 'D' || \"row\" <> json_extract_string(raw, '$.dispensation_id')"
    )
    assert wrong == [(0,)]
    assert [r.row for r in report.rejections] == [bad * k for k in range(1, expected + 1)][
        : len(report.rejections)
    ]


def test_a_plan_that_may_reorder_numbers_the_rows_in_the_scan(
    write_csv: object, tmp_path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statements are checked, not trusted: a validation plan with a join numbers
    the rows in the scan."""
    seen: list[bool] = []
    original = importer._keeps_order

    def spy(*args: object) -> bool:
        keeps = original(*args)  # type: ignore[arg-type]
        seen.append(keeps)
        return keeps

    monkeypatch.setattr(importer, "_keeps_order", spy)
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "\nD1,2025-01-03,O1,P1,34,F,75,R1,general_practice,1,2,\n")
    import_file("dispensations", path, warehouse=warehouse)
    assert seen == [True]
    con = duckdb.connect()
    scan = f"read_csv('{path}', all_varchar = true)"
    joined = f"CREATE TEMP TABLE t AS SELECT * FROM {scan} WHERE boxes IN (SELECT '1')"
    assert original(con, joined, None) is False
    plain = f"CREATE TEMP TABLE t AS SELECT upper(patient_id) AS p FROM {scan}"
    assert original(con, plain, None) is True


SPACES = ["", " ", "\u00a0", "\u202f", "  "]


def _cell(rng: random.Random, good: str, bad: list[str]) -> str:
    value = rng.choice(bad) if rng.random() < 0.08 else good
    if rng.random() < 0.1:
        value = rng.choice(SPACES) + value + rng.choice(SPACES)
    if rng.random() < 0.05 and '"' not in value:
        value = f'"{value}"'
    return value


def _messy_file(path: Path, rng: random.Random, lines: int) -> None:
    """Bad cells of every column, spaces and no-break spaces, quoted fields, decimal
    commas, lines of the wrong length, duplicates in the file and across files."""
    out = [HEADER]
    for i in range(1, lines + 1):
        key = f"D{rng.randrange(lines * 3 // 2)}" if rng.random() < 0.05 else f"D{i}"
        if rng.random() < 0.03:
            out.append(f"{key},2025-01-02,O{i}")  # fields missing
            continue
        if rng.random() < 0.02:
            out.append(f"{key},2025-01-02,O{i},P1,3,F,75,R1,other,1,1,community,extra")
            continue
        cells = [
            _cell(rng, key, ["", "1 78 05 75 123 456 78", "DUPONT Jean"]),
            _cell(rng, f"2025-0{1 + i % 9}-1{i % 10}", ["2025-02-30", "2025-1-3", "3.1.2025", ""]),
            _cell(rng, f"O{i // 3}", [""]),
            _cell(rng, f"P{i % 17}", ["", "Jean, DUPONT"]),
            _cell(rng, str(i % 121), ["abc", "-1", "121", "1,5", "1.5", "1e2", "1_0", "+7"]),
            _cell(rng, rng.choice(["F", "M", "f"]), ["X", ""]),
            _cell(rng, rng.choice(["75", "2A", "2b", "1", "01", "971"]), ["00", "2C", "999"]),
            _cell(rng, f"R{i % 13}", [""]),
            _cell(rng, rng.choice(["general_practice", "Dentistry"]), ["gp", ""]),
            _cell(rng, f"340093000000{i % 7}", ["", "x" * 201]),
            _cell(rng, rng.choice(["1", "2", "-1", "0"]), ["1,5", "x", "", "2.0"]),
            _cell(rng, rng.choice(["community", "nursing_home", ""]), ["home"]),
        ]
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _outcome(report: ImportReport, warehouse: Path) -> tuple[object, ...]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejected = con.execute(
            'SELECT import_id, "row", "column", reason, raw FROM rejected_rows ORDER BY ALL'
        ).fetchall()
        stored = con.execute("SELECT * FROM dispensations ORDER BY ALL").fetchall()
    shown = json.loads(report.to_json())
    return shown, rejected, stored


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_rows_numbered_by_order_or_in_the_scan_give_the_same_import(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two ways of numbering rows (by the staged table's order; in the scan, kept for
    plans that may reorder) give the same reports, rejected rows, reasons, row numbers
    and tables, file after file, on messy files."""
    rng = random.Random(seed)
    files = []
    for n in range(2):
        path = tmp_path / f"f{n}.csv"
        _messy_file(path, rng, 400)
        files.append(path)
    outcomes = []
    for way in ("order", "scan"):
        if way == "scan":
            monkeypatch.setattr(importer, "_keeps_order", lambda *args: False)
        warehouse = tmp_path / f"{way}.duckdb"
        outcome = []
        for path in files:
            report = import_file(
                "dispensations", path, warehouse=warehouse, report_path=tmp_path / "r.json"
            )
            assert report.rejected > 0
            outcome.append(_outcome(report, warehouse))
        outcomes.append(outcome)
    assert outcomes[0] == outcomes[1]


def test_membership_without_in_lists_is_exact() -> None:
    """``rules.is_in``: the same answer as Python's ``in`` (and NULL for NULL), whatever
    the codes hold: regular expressions' special characters, spaces, accents, quotes."""
    codes = {"01", "2A", "971", "E. coli", "a+b", "(x)", "c|d", "l'été", "[z]", "\\", "q?", "^$"}
    cells = [*codes, "", "1", "2a", "E  coli", "Ex coli", "ab", "x", "c", "d", "l'ete", "z"]
    cells += ["01 ", " 01", "0", "97", "9711", "a+bb", "aab", "\\\\", "q", "^", "$"]
    con = duckdb.connect()
    for cell in cells:
        got = con.execute(f"SELECT {is_in('$c', codes)}, {not_in('$c', codes)}", {"c": cell})
        assert got.fetchone() == (cell in codes, cell not in codes), cell
    assert con.execute(f"SELECT {is_in('NULL::VARCHAR', codes)}").fetchone() == (None,)
    assert con.execute(f"SELECT {is_in('$c', set())}", {"c": "x"}).fetchone() == (False,)
