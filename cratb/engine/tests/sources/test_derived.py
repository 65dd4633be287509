"""Prescription lines marked at import (``dispensations.line_weight``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cratb.engine.sources import import_file
from cratb.engine.tests.sources.conftest import Query, WriteFile

HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes"
)
ROW = "{id},{day},{rx},PAT,34,F,75,R1,general_practice,{cip},{boxes}"


def _file(write_csv: WriteFile, name: str, rows: list[tuple[str, str, str, str, int]]) -> Path:
    lines = [
        ROW.format(id=i, day=day, rx=rx, cip=cip, boxes=boxes) for i, day, rx, cip, boxes in rows
    ]
    return write_csv(name, "\n".join([HEADER, *lines]))


def _weights(query: Query) -> dict[str, int]:
    return dict(query("SELECT dispensation_id, line_weight FROM dispensations"))


def test_one_line_per_prescription_and_product_on_its_first_positive_row(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = _file(
        write_csv,
        "d.csv",
        [
            # Acne course renewed monthly on one prescription: one line, dated in January.
            ("A3", "2025-03-02", "RX1", "C1", 1),
            ("A1", "2025-01-05", "RX1", "C1", 1),
            ("A2", "2025-02-03", "RX1", "C1", 1),
            # Same prescription, another product: a second line.
            ("B1", "2025-01-05", "RX1", "C2", 2),
            # Dispensed then returned: net zero, no line.
            ("N1", "2025-01-07", "RX2", "C1", 1),
            ("N2", "2025-01-08", "RX2", "C1", -1),
            # A correction recorded before the dispensing it corrects: net 1, the positive
            # row stands for the line.
            ("K1", "2025-01-09", "RX3", "C1", -1),
            ("K2", "2025-01-09", "RX3", "C1", 2),
            # Same day twice: the smaller dispensation_id stands for the line.
            ("S2", "2025-04-01", "RX4", "C1", 1),
            ("S1", "2025-04-01", "RX4", "C1", 1),
        ],
    )
    import_file("dispensations", path, warehouse=warehouse)
    assert _weights(query) == {
        "A1": 1,
        "A2": 0,
        "A3": 0,
        "B1": 1,
        "N1": 0,
        "N2": 0,
        "K1": 0,
        "K2": 1,
        "S1": 1,
        "S2": 0,
    }


def test_a_return_in_a_later_file_removes_the_line(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    first = _file(
        write_csv,
        "q1.csv",
        [("D1", "2025-03-30", "RX1", "C1", 1), ("D2", "2025-03-30", "RX2", "C1", 1)],
    )
    import_file("dispensations", first, warehouse=warehouse)
    assert _weights(query) == {"D1": 1, "D2": 1}
    assert query("SELECT count(*) FROM dispensations WHERE prescriber_key IS NULL") == [(0,)]
    # The next quarter's extract holds the return of RX1 and a renewal of RX2.
    second = _file(
        write_csv,
        "q2.csv",
        [("D3", "2025-04-02", "RX1", "C1", -1), ("D4", "2025-04-28", "RX2", "C1", 1)],
    )
    import_file("dispensations", second, warehouse=warehouse)
    assert _weights(query) == {"D1": 0, "D2": 1, "D3": 0, "D4": 0}


def test_a_warehouse_from_before_the_column_is_upgraded_on_next_import(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    import_file(
        "dispensations",
        _file(write_csv, "a.csv", [("D1", "2025-01-01", "RX1", "C1", 1)]),
        warehouse=warehouse,
    )
    with duckdb.connect(str(warehouse)) as con:
        con.execute("ALTER TABLE dispensations DROP COLUMN line_weight")
        con.execute("ALTER TABLE dispensations DROP COLUMN prescriber_key")
        con.execute("DROP TABLE prescribers")
        con.execute("ALTER TABLE dispensations DROP COLUMN specialty_key")
        con.execute("DROP TABLE prescriber_specialties")
    import_file(
        "dispensations",
        _file(write_csv, "b.csv", [("D2", "2025-01-02", "RX2", "C1", 1)]),
        warehouse=warehouse,
    )
    assert _weights(query) == {"D1": 1, "D2": 1}
    assert query("SELECT count(*) FROM dispensations WHERE prescriber_key IS NULL") == [(0,)]
    assert query(
        "SELECT d.dispensation_id, s.prescriber_specialty FROM dispensations d"
        " JOIN prescriber_specialties s USING (specialty_key) ORDER BY 1"
    ) == [("D1", "general_practice"), ("D2", "general_practice")]


def test_each_prescriber_gets_one_integer_key_across_files(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    header = HEADER
    first = write_csv(
        "a.csv",
        "\n".join(
            [
                header,
                "D1,2025-01-01,RX1,PAT,34,F,75,R-B,general_practice,C1,1",
                "D2,2025-01-01,RX2,PAT,34,F,75,R-A,general_practice,C1,1",
                "D3,2025-01-02,RX3,PAT,34,F,75,R-B,general_practice,C1,1",
            ]
        ),
    )
    second = write_csv(
        "b.csv",
        "\n".join(
            [
                header,
                "D4,2025-02-01,RX4,PAT,34,F,75,R-C,general_practice,C1,1",
                "D5,2025-02-01,RX5,PAT,34,F,75,R-A,general_practice,C1,1",
            ]
        ),
    )
    import_file("dispensations", first, warehouse=warehouse)
    import_file("dispensations", second, warehouse=warehouse)
    keys: dict[object, object] = dict(
        query("SELECT dispensation_id, prescriber_key FROM dispensations")
    )
    assert keys["D1"] == keys["D3"] != keys["D2"] == keys["D5"]
    assert len({keys["D1"], keys["D2"], keys["D4"]}) == 3
    assert query("SELECT prescriber_id, prescriber_key FROM prescribers ORDER BY 2") == [
        ("R-A", 1),
        ("R-B", 2),
        ("R-C", 3),
    ]


def test_each_specialty_gets_one_integer_key_across_files(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    first = write_csv(
        "a.csv",
        "\n".join(
            [
                HEADER,
                "D1,2025-01-01,RX1,PAT,34,F,75,R-A,hospital,C1,1",
                "D2,2025-01-01,RX2,PAT,34,F,75,R-A,general_practice,C1,1",
            ]
        ),
    )
    second = write_csv(
        "b.csv",
        "\n".join(
            [
                HEADER,
                "D3,2025-02-01,RX3,PAT,34,F,75,R-B,dentistry,C1,1",
                "D4,2025-02-01,RX4,PAT,34,F,75,R-B,hospital,C1,1",
            ]
        ),
    )
    import_file("dispensations", first, warehouse=warehouse)
    import_file("dispensations", second, warehouse=warehouse)
    assert query("SELECT specialty_key, prescriber_specialty FROM prescriber_specialties") == [
        (1, "general_practice"),
        (2, "hospital"),
        (3, "dentistry"),
    ]
    assert query(
        "SELECT d.dispensation_id, d.prescriber_specialty = s.prescriber_specialty"
        " FROM dispensations d JOIN prescriber_specialties s USING (specialty_key) ORDER BY 1"
    ) == [("D1", True), ("D2", True), ("D3", True), ("D4", True)]
