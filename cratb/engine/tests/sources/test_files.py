"""File formats: delimiters, encodings, Parquet, malformed lines, files refused as a whole."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cratb.engine.sources import RefusedFile, Rejection, import_file
from cratb.engine.sources.importer import _number_rows
from cratb.engine.tests.sources.conftest import Query, WriteFile

PRODUCTS = """
cip13;label;atc;route;units_per_box;amount_per_unit;amount_unit
3400930000001;Amoxicilline 500 mg gélule, cœur de gamme;J01CA04;O;12;500;mg
3400930000002;Céfixime 200 mg;J01DD08;O;8;0,2;g
"""


def test_semicolon_and_windows_1252_are_detected(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv("p.csv", PRODUCTS, encoding="cp1252")
    report = import_file("products", path, warehouse=warehouse)
    assert (report.encoding, report.delimiter, report.accepted) == ("windows-1252", ";", 2)
    assert query("SELECT label, amount_per_unit FROM products ORDER BY cip13") == [
        ("Amoxicilline 500 mg gélule, cœur de gamme", 500.0),
        ("Céfixime 200 mg", 0.2),
    ]


def test_latin_1_bytes_undefined_in_windows_1252_are_kept(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv("p.csv", PRODUCTS.replace("cœur", "c\x81ur"), encoding="latin-1")
    import_file("products", path, warehouse=warehouse)
    assert query("SELECT label FROM products WHERE cip13 = '3400930000001'") == [
        ("Amoxicilline 500 mg gélule, c\x81ur de gamme",)
    ]


def test_utf8_with_byte_order_mark_and_tabs(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv("p.tsv", "\ufeff" + PRODUCTS.strip().replace(";", "\t"))
    report = import_file("products", path, warehouse=warehouse)
    assert (report.encoding, report.delimiter, report.accepted) == ("utf-8", "\t", 2)


def test_column_names_ignore_case_and_extra_columns_are_listed(
    write_csv: WriteFile, warehouse: Path
) -> None:
    path = write_csv(
        "pd.csv",
        """
        FINESS,Year,SECTOR,Patient_Days,Comment
        750000011,2024,acute,35000,hello
        """,
    )
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.accepted, report.ignored_columns) == (1, ["Comment"])


def test_quoted_fields_keep_delimiters_and_line_breaks(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "p.csv",
        """
        cip13,label,atc,route,units_per_box
        3400930000001,"AMOXICILLINE, ""Biogaran""
        500 mg",J01CA04,O,12
        3400930000002,BAD,J01CA04,O,-1
        """,
    )
    report = import_file("products", path, warehouse=warehouse)
    assert query("SELECT label FROM products") == [('AMOXICILLINE, "Biogaran"\n500 mg',)]
    assert report.rejections == [
        Rejection(2, "units_per_box", "doit être strictement positif : « -1 »")
    ]


def test_malformed_lines_are_rejected_and_later_rows_keep_their_numbers(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    path = write_csv(
        "pd.csv",
        """
        finess,year,sector,patient_days
        750000011,2024,acute,100
        750000011,2024
        750000011,2024,psychiatry,200,extra
        750000011,2024,long_term,x
        750000011,2024,rehabilitation,300
        """,
    )
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (5, 2, 3)
    assert report.rejections == [
        Rejection(2, None, "ligne mal formée : des champs manquent (4 attendus)"),
        Rejection(3, None, "ligne mal formée : trop de champs (4 attendus)"),
        Rejection(4, "patient_days", "nombre entier attendu, lu « x »"),
    ]
    assert query('SELECT raw FROM rejected_rows WHERE "row" = 3') == [
        ('"750000011,2024,psychiatry,200,extra"',)
    ]


def test_parquet_with_typed_columns(tmp_path: Path, warehouse: Path, query: Query) -> None:
    path = tmp_path / "pd.parquet"
    pq.write_table(
        pa.table(
            {
                "FINESS": ["750000011", "750000011", "750000011"],
                "year": pa.array([2024, 2024, 2025], pa.int32()),
                "sector": ["acute", "acute", "psychiatry"],
                "patient_days": pa.array([100, 50, None], pa.int64()),
            }
        ),
        path,
    )
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.format, report.read, report.accepted) == ("parquet", 3, 1)
    assert report.rejections == [
        Rejection(2, None, "doublon de la ligne de données 1 (même finess, year, sector)"),
        Rejection(3, "patient_days", "valeur obligatoire manquante"),
    ]
    assert query("SELECT year, patient_days FROM patient_days") == [(2024, 100)]


def test_parquet_dates(tmp_path: Path, warehouse: Path, query: Query) -> None:
    import datetime as dt

    path = tmp_path / "i.parquet"
    pq.write_table(
        pa.table(
            {
                "isolate_id": ["I1"],
                "patient_id": ["PAT1"],
                "sampled_on": [dt.date(2025, 3, 1)],
                "specimen": ["urine"],
                "setting": ["community"],
                "departement": ["93"],
                "lab_id": ["L1"],
                "organism": ["Escherichia coli"],
                "antibiotic": ["AMX"],
                "sir": ["R"],
            }
        ),
        path,
    )
    assert import_file("isolates", path, warehouse=warehouse).accepted == 1
    assert query("SELECT sampled_on FROM isolates") == [(dt.date(2025, 3, 1),)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "fichier vide"),
        (b"finess,year,sector,patient_days\n", "aucune ligne de données après l'en-tête"),
        (b"\n\n", "la première ligne (en-tête des colonnes) est vide"),
        (
            b"finess,year,sector\n750000011,2024,acute\n",
            "colonne obligatoire absente pour « patient_days » : patient_days",
        ),
        (
            b"finess,year\n750000011,2024\n",
            "colonnes obligatoires absentes pour « patient_days » : sector, patient_days",
        ),
        (b"finess,year,sector,patient_days,YEAR\n1,2,3,4,5\n", "colonne en double « YEAR »"),
        (b"\x00\x01\x02binary", "fichier binaire"),
        (b"PAR1not really parquet", "Parquet illisible"),
        # A separator other than comma, semicolon or tab: one column only, named after
        # the whole header line.
        (
            b"finess|year|sector|patient_days\n750000011|2024|acute|35000\n",
            "colonnes obligatoires absentes pour « patient_days » : finess, year, sector,"
            " patient_days (une seule colonne lue : séparateur non reconnu, attendu virgule,"
            " point-virgule ou tabulation)",
        ),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_stored(
    tmp_path: Path, warehouse: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(RefusedFile, match=re.escape(message)) as refusal:
        import_file("patient_days", path, warehouse=warehouse)
    assert "\n" not in str(refusal.value)
    assert not path.with_name("f.csv.report.json").exists()
    if warehouse.exists():
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_a_spreadsheet_is_refused_with_advice(tmp_path: Path, warehouse: Path) -> None:
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(RefusedFile, match=r"classeur Excel.*l'enregistrer au format CSV"):
        import_file("products", path, warehouse=warehouse)


def test_missing_file_and_unknown_kind_are_refused(tmp_path: Path, warehouse: Path) -> None:
    with pytest.raises(RefusedFile, match="fichier introuvable"):
        import_file("products", tmp_path / "absent.csv", warehouse=warehouse)
    path = tmp_path / "p.csv"
    path.write_text("a\n1\n")
    with pytest.raises(RefusedFile, match="type de fichier inconnu « prescriptions »"):
        import_file("prescriptions", path, warehouse=warehouse)


def test_rows_of_a_large_file_keep_their_numbers(tmp_path: Path, warehouse: Path) -> None:
    """Rows are numbered by their order in the staged table, not in the scan: on a file
    of several DuckDB row groups, read by several threads, every rejected row and every
    duplicate still names its own line, before and after lines set aside."""
    lines = ["finess,year,sector,patient_days"]
    for i in range(1, 300_001):
        lines.append(f"75{i:07d},2024,acute,{i % 1000}")
    lines[5] = "750000005,2024,acute,x"
    lines[130_000] = "750130000,2024"  # set aside: fields missing
    lines[130_001] = "750130001,2024,acute,1,extra"  # set aside: too many fields
    lines[250_000] = "750250000,2024,nowhere,1"
    lines[260_000] = "750260000"  # set aside
    lines[299_999] = "750000001,2024,acute,7"  # the key of data row 1
    lines[300_000] = "750300000,2024,acute,-1"
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (300_000, 299_993, 7)
    assert [(r.row, r.column) for r in report.rejections] == [
        (5, "patient_days"),
        (130_000, None),
        (130_001, None),
        (250_000, "sector"),
        (260_000, None),
        (299_999, None),
        (300_000, "patient_days"),
    ]
    assert report.rejections[5].reason == (
        "doublon de la ligne de données 1 (même finess, year, sector)"
    )


def test_cells_are_trimmed_of_unicode_spaces_only(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    """Spaces and no-break spaces around a cell are not part of it (trimming is skipped on
    plain ASCII cells without a space at either end); a tab is a character of the cell."""
    nbsp, narrow = "\u00a0", "\u202f"
    path = write_csv(
        "pd.csv",
        f"""
        finess,year,sector,patient_days
        750000011 ,2024,  acute,{nbsp}100{narrow}
        750000012,2024,acute,200
        750000013,2024,acute,\t300
        """,
    )
    report = import_file("patient_days", path, warehouse=warehouse)
    assert (report.accepted, report.rejected) == (2, 1)
    assert query("SELECT finess, sector, patient_days FROM patient_days ORDER BY finess") == [
        ("750000011", "acute", 100),
        ("750000012", "acute", 200),
    ]
    assert [(r.row, r.column) for r in report.rejections] == [(3, "patient_days")]


def test_rows_are_numbered_in_order_when_row_ids_have_gaps() -> None:
    """The staged rows' ``rowid`` numbers them when it counts without gaps; with gaps
    (never seen from a scan, made here by a deletion) the rows are still numbered 1…n in
    their order."""
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE _staged_cells AS SELECT i AS v FROM range(10) t(i)")
    con.execute("DELETE FROM _staged_cells WHERE v IN (0, 4)")
    _number_rows(con, 0)
    rows = con.execute("SELECT _row, _source_row, v FROM _staged ORDER BY _row").fetchall()
    assert rows == [(k + 1, k + 1, v) for k, v in enumerate([1, 2, 3, 5, 6, 7, 8, 9])]
