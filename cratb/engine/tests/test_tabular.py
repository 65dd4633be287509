"""The one writer of CSV and Excel files: formulas neutralised, numbers kept, two dialects."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from cratb.engine.tabular import (
    CONTRACT,
    FRENCH,
    Sheet,
    csv_bytes,
    csv_text,
    neutralise,
    neutralise_table,
    workbook_bytes,
    write_table,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12", "-12"),
        ("-1,5", "-1,5"),
        ("+3.25e2", "+3.25e2"),
        ("-2+3", "'-2+3"),
        ("Escherichia coli", "Escherichia coli"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_french_and_contract_dialects() -> None:
    rows = [["=HYPERLINK(1)", -5, 1.5, Decimal("2.50"), date(2025, 1, 2), True, None, 1e-7]]
    french = csv_bytes(["a", "b", "c", "d", "e", "f", "g", "h"], rows, dialect=FRENCH)
    assert french.startswith(b"\xef\xbb\xbf")
    assert french.decode("utf-8-sig").splitlines()[1] == (
        "'=HYPERLINK(1);-5;1,5;2,50;2025-01-02;oui;;0,0000001"
    )
    contract = csv_text(["a", "b", "c", "d", "e", "f", "g", "h"], rows, dialect=CONTRACT)
    assert contract.splitlines()[1] == "'=HYPERLINK(1),-5,1.5,2.50,2025-01-02,true,,0.0000001"
    assert csv_text(["x"], [[float("nan")]], dialect=CONTRACT).splitlines()[1] == '""'


def test_workbook_cells_are_never_formulas_and_numbers_stay_numbers() -> None:
    body = workbook_bytes(
        [Sheet("a/b:c", ["=nom", "n"], [['=HYPERLINK("http://x"&A1,"x")', -3], ["ok", 2.5]])]
    )
    book = load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    assert sheet.title == "a-b-c"
    cells = {c.coordinate: c for row in sheet.iter_rows() for c in row}
    assert cells["A1"].data_type == "s" and cells["A1"].quotePrefix
    assert cells["A2"].value == '=HYPERLINK("http://x"&A1,"x")'
    assert cells["A2"].data_type == "s" and cells["A2"].quotePrefix
    assert cells["B2"].value == -3 and cells["B2"].data_type == "n"
    assert cells["A3"].value == "ok" and not cells["A3"].quotePrefix


def test_arrow_tables_are_neutralised_column_by_column() -> None:
    table = pa.table(
        {
            "id": ["=1+1", "-4", None],
            "code": pa.array(["@x", "ok", "@x"]).dictionary_encode(),
            "n": [1, -2, 3],
        }
    )
    assert neutralise_table(table).to_pylist() == [
        {"id": "'=1+1", "code": "'@x", "n": 1},
        {"id": "-4", "code": "ok", "n": -2},
        {"id": None, "code": "'@x", "n": 3},
    ]
    out = io.StringIO()
    write_table(table, out)
    assert out.getvalue().splitlines()[1] == '"\'=1+1","\'@x",1'


def test_workbooks_keep_types_dates_and_many_sheets_and_columns() -> None:
    from datetime import date, datetime, time

    wide = [f"c{i}" for i in range(30)]
    body = workbook_bytes(
        [
            Sheet(
                "valeurs",
                ["quand", "jour", "heure", "oui", "texte", "n"],
                [
                    [
                        datetime(2026, 12, 7, 4, 12),
                        date(2025, 1, 31),
                        time(13, 30),
                        True,
                        "a < b & c\x01",
                        1e-7,
                    ],
                    [None, None, None, False, "", -2],
                ],
            ),
            Sheet("valeurs", wide, [list(range(30))]),
        ]
    )
    book = load_workbook(io.BytesIO(body))
    first, second = book.worksheets
    assert [s.title for s in book.worksheets] == ["valeurs", "valeurs-1"]
    assert first.freeze_panes == "A2" and first["A1"].font.b
    assert first["A2"].value == datetime(2026, 12, 7, 4, 12)
    assert first["B2"].value == datetime(2025, 1, 31) and first["B2"].number_format == "yyyy-mm-dd"
    assert first["C2"].value == time(13, 30)
    assert first["D2"].value is True and first["D3"].value is False
    assert first["E2"].value == "a < b & c"  # a control character XML cannot hold is dropped
    assert first["F2"].value == 1e-7 and first["F3"].value == -2
    assert first["A3"].value is None
    assert second["AD1"].value == "c29" and second["AD2"].value == 29
