"""Isolates in every accepted layout (long, wide, WHONET-style, HL7 v2 ORU^R01), the labs'
own antibiotic codes, and the bad inputs of issue #4: each reason points to its place."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cratb.engine.sources import RefusedFile, Rejection, import_file, lab_codes
from cratb.engine.sources.schema import RESULT_COLUMNS, isolate_columns, kind_spec
from cratb.engine.tests.sources.conftest import Query, WriteFile

LONG_HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir"
)
ISOLATE_ROWS = "SELECT isolate_id, organism, antibiotic, sir FROM isolates ORDER BY 1, 3"


# --- bad inputs ------------------------------------------------------------------------


def test_bad_inputs_are_rejected_with_their_reason(write_csv: WriteFile, warehouse: Path) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    path = write_csv(
        "i.csv",
        f"""
        {LONG_HEADER}
        I1,P1,2025-03-01,urine,community,75,L1,Escherichia coli,AMX,S
        I2,P2,2025-03-01,urine,community,75,L1,Bacterium imaginarium,AMX,S
        I3,P3,2025-03-01,urine,community,75,L1,E. coli,AMX,X
        I4,P4,{tomorrow.isoformat()},urine,community,75,L1,E. coli,AMX,S
        """,
    )
    report = import_file("isolates", path, warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (4, 1, 3)
    assert report.rejections == [
        Rejection(
            2,
            "organism",
            "organisme inconnu « Bacterium imaginarium » : absent du référentiel des organismes"
            " (écrire le nom scientifique, ex. Escherichia coli)",
        ),
        Rejection(3, "sir", "valeur inconnue « X » ; valeurs admises : S, I, R"),
        Rejection(4, "sampled_on", f"date dans le futur : « {tomorrow.isoformat()} »"),
    ]


# --- wide ------------------------------------------------------------------------------

WIDE = """
isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,esbl,AMX,amc,CIP,comment
W1,P1,2025-03-01,urine,community,75,L1,E. coli,N,R,S,S,vu
W2,P2,2025-03-02,urine,community,75,L1,K. pneumoniae,,R,,X,
W3,P3,2025-03-02,urine,community,75,L1,E. coli,,,,,
W4,P4,2025-03-02,urine
W5,P5,2025-03-03,blood,hospital,93,L2,Proteus mirabilis,Y,R,R,R,
"""


def test_wide_rows_become_long_rows_and_reasons_point_to_the_cell(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    report = import_file("isolates", write_csv("wide.csv", WIDE), warehouse=warehouse)
    assert report.format == "wide"
    # Counted in stored rows (isolate × antibiotic): 3 + 2 + 1 empty line + 1 malformed + 3.
    assert (report.read, report.accepted, report.rejected) == (10, 7, 3)
    assert report.ignored_columns == ["comment"]
    assert query(ISOLATE_ROWS) == [
        ("W1", "Escherichia coli", "AMC", "S"),
        ("W1", "Escherichia coli", "AMX", "R"),
        ("W1", "Escherichia coli", "CIP", "S"),
        ("W2", "Klebsiella pneumoniae", "AMX", "R"),
        ("W5", "Proteus mirabilis", "AMC", "R"),
        ("W5", "Proteus mirabilis", "AMX", "R"),
        ("W5", "Proteus mirabilis", "CIP", "R"),
    ]
    assert report.rejections == [
        Rejection(
            2,
            "sir",
            "valeur inconnue « X » ; valeurs admises : S, I, R",
            "ligne 2, colonne « CIP »",
        ),
        Rejection(
            3,
            None,
            "aucun résultat d'antibiogramme sur la ligne (toutes les colonnes d'antibiotiques"
            " sont vides)",
            "ligne 3",
        ),
        Rejection(4, None, "ligne mal formée : des champs manquent", "ligne 4"),
    ]
    written = json.loads(Path(f"{report.file}.report.json").read_text(encoding="utf-8"))
    assert written["rejections"][0]["place"] == "ligne 2, colonne « CIP »"
    again = import_file("isolates", Path(report.file), warehouse=warehouse)
    assert again.already_imported
    assert query("SELECT count(*) FROM isolates") == [(7,)]


def test_a_wide_file_without_result_columns_is_read_as_long_and_refused(
    write_csv: WriteFile, warehouse: Path
) -> None:
    path = write_csv("w.csv", "isolate_id,patient_id,organism\nW1,P1,E. coli\n")
    with pytest.raises(RefusedFile, match="colonnes obligatoires absentes"):
        import_file("isolates", path, warehouse=warehouse)
    assert not warehouse.exists() or not _tables(warehouse)


def _tables(warehouse: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]


# --- WHONET ----------------------------------------------------------------------------

WHONET = (
    "LABORATORY\tPATIENT_ID\tSEX\tAGE\tSPEC_NUM\tISOL_NUM\tSPEC_DATE\tSPEC_TYPE\tWARD_TYPE\t"
    "ORGANISM\tESBL\tAMX_ND10\tAMX_EM\tCTX_ED5\tCIP_NM\tNOTE\n"
    "LBM-75-02\tPA1\tf\t34\tS001\t1\t12/03/2025\tur\tout\teco\t-\tR\tS\tS\tR\t\n"
    "LBM-75-02\tPA2\tm\t3m\tS002\t1\t2025-03-13\tbl\tin\tkpn\t+\t\tR\tR\tS\t\n"
    "LBM-75-02\tPA3\tf\t81y\tS003\t\t2025-03-14 10:12\tpus\tnh\tsau\t\tR\t\t\t\tx\n"
)


def test_a_whonet_export_is_read_with_its_own_field_names(
    tmp_path: Path, warehouse: Path, query: Query
) -> None:
    path = tmp_path / "whonet.txt"
    path.write_text(WHONET, encoding="utf-8")
    report = import_file("isolates", path, warehouse=warehouse, defaults={"departement": "75"})
    assert report.format == "whonet"
    assert (report.read, report.accepted, report.rejected) == (7, 7, 0)
    assert report.ignored_columns == ["NOTE"]
    assert query(
        "SELECT isolate_id, patient_id, sampled_on, specimen, setting, departement, lab_id,"
        " organism, antibiotic, sir, esbl, patient_age, patient_sex FROM isolates ORDER BY 1, 9"
    ) == [
        # AMX: the EUCAST test column (AMX_EM) wins over the CLSI one (AMX_ND10).
        ("S001-1", "PA1", dt.date(2025, 3, 12), "urine", "community", "75", "LBM-75-02",
         "Escherichia coli", "AMX", "S", "N", 34, "F"),
        ("S001-1", "PA1", dt.date(2025, 3, 12), "urine", "community", "75", "LBM-75-02",
         "Escherichia coli", "CIP", "R", "N", 34, "F"),
        ("S001-1", "PA1", dt.date(2025, 3, 12), "urine", "community", "75", "LBM-75-02",
         "Escherichia coli", "CTX", "S", "N", 34, "F"),
        ("S002-1", "PA2", dt.date(2025, 3, 13), "blood", "hospital", "75", "LBM-75-02",
         "Klebsiella pneumoniae", "AMX", "R", "Y", 0, "M"),
        ("S002-1", "PA2", dt.date(2025, 3, 13), "blood", "hospital", "75", "LBM-75-02",
         "Klebsiella pneumoniae", "CIP", "S", "Y", 0, "M"),
        ("S002-1", "PA2", dt.date(2025, 3, 13), "blood", "hospital", "75", "LBM-75-02",
         "Klebsiella pneumoniae", "CTX", "R", "Y", 0, "M"),
        ("S003", "PA3", dt.date(2025, 3, 14), "skin", "nursing_home", "75", "LBM-75-02",
         "Staphylococcus aureus", "AMX", "R", None, 81, "F"),
    ]  # fmt: skip


def test_a_whonet_export_without_departement_is_refused_unless_given(
    tmp_path: Path, warehouse: Path
) -> None:
    path = tmp_path / "whonet.txt"
    path.write_text(WHONET, encoding="utf-8")
    with pytest.raises(RefusedFile, match=r"colonne obligatoire absente .* departement"):
        import_file("isolates", path, warehouse=warehouse)


# --- HL7 -------------------------------------------------------------------------------

MSH = "MSH|^~\\&|SIL|LBM-75-03|CRATB|ARS|20250312101500||ORU^R01^ORU_R01|{id}|P|2.5"
GOOD = [
    MSH.format(id="M1"),
    "PID|1||PAT123^^^LBM||DUPONT^JEANNE||19800315|F|||1 rue X^^Paris^^75012^FRA",
    "PV1|1|O",
    "OBR|1|CMD1|ECBU-001|630-4^Culture urine^LN|||20250310083000||||||||UR",
    "OBX|1|CWE|11475-1^Germe identifié^LN|1|112283007^Escherichia coli^SCT||||||F",
    "OBX|2|ST|ESBL^BLSE^L|1|NEG||||||F",
    "OBX|3|NM|AMX^Amoxicilline^WHONET|1|>=32|mg/L||R|||F",
    "OBX|4|NM|CIPRO^Ciprofloxacine^L|1|0.25|mg/L||S|||F",
]
SECOND = [
    MSH.format(id="M2"),
    "PID|1||PAT124^^^LBM||MARTIN^PAUL||19500101|M|||^^Ajaccio^^20100",
    "PV1|1|I",
    "OBR|1|CMD2|ECBU-002|630-4^Culture urine^LN|||20250311",
    "OBX|1|CWE|11475-1^Germe identifié^LN|1|^Klebsiella pneumoniae^SCT||||||F",
    "OBX|2|NM|AMX^Amoxicilline^WHONET|1|>=32|mg/L||R|||F",
    "OBX|3|NM|CTX^Céfotaxime^WHONET|1|0.5|mg/L||S|||F",
]


def _hl7(tmp_path: Path, *messages: list[str], name: str = "m.hl7") -> Path:
    path = tmp_path / name
    path.write_text("\r".join("\r".join(m) for m in messages) + "\r", encoding="utf-8")
    return path


def test_hl7_messages_become_long_rows(tmp_path: Path, warehouse: Path, query: Query) -> None:
    lab_codes.save(
        warehouse, [{"lab_id": "LBM-75-03", "lab_code": "CIPRO", "whonet": "CIP"}], changed_by="t"
    )
    report = import_file("isolates", _hl7(tmp_path, GOOD, SECOND), warehouse=warehouse)
    assert report.format == "hl7"
    assert (report.read, report.accepted, report.rejected) == (4, 4, 0)
    assert report.lab_codes_version == 1
    assert query(
        "SELECT isolate_id, patient_id, sampled_on, specimen, setting, departement, lab_id,"
        " organism, antibiotic, sir, esbl, patient_age, patient_sex FROM isolates ORDER BY 1, 9"
    ) == [
        ("ECBU-001-1", "PAT123", dt.date(2025, 3, 10), "urine", "community", "75", "LBM-75-03",
         "Escherichia coli", "AMX", "R", "N", 44, "F"),
        ("ECBU-001-1", "PAT123", dt.date(2025, 3, 10), "urine", "community", "75", "LBM-75-03",
         "Escherichia coli", "CIP", "S", "N", 44, "F"),
        # The postcode 20100 is in Corse-du-Sud; PV1-2 "I" is an inpatient; without OBR-15
        # the specimen is the one of the order code (LOINC 630-4, urine culture).
        ("ECBU-002-1", "PAT124", dt.date(2025, 3, 11), "urine", "hospital", "2A", "LBM-75-03",
         "Klebsiella pneumoniae", "AMX", "R", None, 75, "M"),
        ("ECBU-002-1", "PAT124", dt.date(2025, 3, 11), "urine", "hospital", "2A", "LBM-75-03",
         "Klebsiella pneumoniae", "CTX", "S", None, 75, "M"),
    ]  # fmt: skip


def test_the_isolate_columns_come_from_the_isolates_contract(
    tmp_path: Path, warehouse: Path, query: Query
) -> None:
    isolate = (
        "isolate_id", "patient_id", "sampled_on", "specimen", "setting", "departement",
        "lab_id", "organism", "esbl", "patient_age", "patient_sex",
    )  # fmt: skip
    assert isolate_columns() == isolate
    assert [c.name for c in kind_spec("isolates").columns] == [
        *isolate[:8],
        *RESULT_COLUMNS,
        *isolate[8:],
    ]
    import_file("isolates", _hl7(tmp_path, GOOD), warehouse=warehouse)
    heads = query(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'isolate_heads'"
        " ORDER BY column_index"
    )
    assert tuple(c for (c,) in heads) == (*isolate, "import_id", "repeated")


def test_an_hl7_message_cut_in_half_is_rejected_with_its_place(
    tmp_path: Path, warehouse: Path, query: Query
) -> None:
    # The second message stops inside its first susceptibility segment; the third stops
    # after the organism.
    lab_codes.save(
        warehouse, [{"lab_id": "*", "lab_code": "CIPRO", "whonet": "CIP"}], changed_by=""
    )
    cut = [*SECOND[:5], "OBX|2|NM|AMX^Amoxi"]
    cut_earlier = [s.replace("M2", "M3").replace("ECBU-002", "ECBU-003") for s in SECOND[:5]]
    report = import_file("isolates", _hl7(tmp_path, GOOD, cut, cut_earlier), warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (4, 2, 2)
    assert report.rejections == [
        Rejection(2, "sir", "valeur obligatoire manquante", "message 2 (MSH-10 M2), segment 6 OBX"),
        Rejection(
            3,
            None,
            "message incomplet : aucun résultat d'antibiogramme (OBX avec interprétation S/I/R) ;"
            " message tronqué ?",
            "message 3 (MSH-10 M3)",
        ),
    ]
    assert query("SELECT DISTINCT isolate_id FROM isolates") == [("ECBU-001-1",)]


def test_other_hl7_messages_are_counted_and_rejected(tmp_path: Path, warehouse: Path) -> None:
    adt = ["MSH|^~\\&|SIL|LBM|CRATB|ARS|20250312||ADT^A01|M9|P|2.5", "PID|1||P9"]
    no_order = [MSH.format(id="M8"), "PID|1||P8"]
    report = import_file("isolates", _hl7(tmp_path, adt, no_order), warehouse=warehouse)
    assert (report.read, report.accepted, report.rejected) == (2, 0, 2)
    assert [(r.row, r.reason) for r in report.rejections] == [
        (1, "message ADT^A01 : seuls les messages de résultats ORU^R01 sont lus"),
        (2, "message incomplet : aucune demande d'examen (segment OBR)"),
    ]


def test_a_file_asked_as_hl7_that_is_not_is_refused(write_csv: WriteFile, warehouse: Path) -> None:
    path = write_csv("i.csv", f"{LONG_HEADER}\n")
    with pytest.raises(RefusedFile, match="HL7 v2 attendu"):
        import_file("isolates", path, warehouse=warehouse, layout="hl7")


def test_a_layout_other_than_long_is_for_isolates_only(
    write_csv: WriteFile, warehouse: Path
) -> None:
    with pytest.raises(RefusedFile, match="ne concerne que"):
        import_file(
            "products", write_csv("p.csv", "cip13\n1\n"), warehouse=warehouse, layout="wide"
        )


# --- lab codes -------------------------------------------------------------------------


def test_lab_codes_translate_each_labs_own_codes(
    write_csv: WriteFile, warehouse: Path, query: Query
) -> None:
    saved = lab_codes.save(
        warehouse,
        [
            {"lab_id": "L9", "lab_code": "amox", "whonet": "amx"},
            {"lab_id": "*", "lab_code": "CIPRO", "whonet": "CIP"},
        ],
        changed_by="coordination",
        note="codes du laboratoire L9",
    )
    assert (saved.version, saved.translate("L9", "Amox"), saved.translate("L1", "AMOX")) == (
        1,
        "AMX",
        "AMOX",
    )
    path = write_csv(
        "i.csv",
        f"""
        {LONG_HEADER}
        X1,P,2025-01-01,urine,community,75,L9,E. coli,AMOX,R
        X1,P,2025-01-01,urine,community,75,L9,E. coli,cipro,S
        X2,P,2025-01-01,urine,community,75,L1,E. coli,AMOX,S
        X3,P,2025-01-01,urine,community,75,L1,E. coli,CIPRO,S
        """,
    )
    report = import_file("isolates", path, warehouse=warehouse)
    assert report.lab_codes_version == 1
    assert query(ISOLATE_ROWS) == [
        ("X1", "Escherichia coli", "AMX", "R"),
        ("X1", "Escherichia coli", "CIP", "S"),
        ("X3", "Escherichia coli", "CIP", "S"),
    ]
    # AMOX is L9's code, not L1's.
    assert [(r.row, r.column) for r in report.rejections] == [(3, "antibiotic")]
    assert "ni code du laboratoire" in report.rejections[0].reason


def test_lab_codes_are_versioned_and_checked(warehouse: Path) -> None:
    first = lab_codes.save(
        warehouse, [{"lab_id": "L9", "lab_code": "AMOX", "whonet": "AMX"}], changed_by="a"
    )
    same = lab_codes.save(
        warehouse, [{"lab_id": "L9", "lab_code": "amox ", "whonet": "AMX"}], changed_by="b"
    )
    assert same.version == first.version == 1
    second = lab_codes.save(warehouse, [], changed_by="c", note="vidée")
    assert second.version == 2 and second.rows == ()
    assert [v.version for v in lab_codes.history(warehouse)] == [2, 1]
    with pytest.raises(lab_codes.LabCodeError, match="code WHONET inconnu « ZZZ »"):
        lab_codes.save(
            warehouse, [{"lab_id": "L", "lab_code": "A", "whonet": "ZZZ"}], changed_by=""
        )
    with pytest.raises(lab_codes.LabCodeError, match="déjà défini"):
        lab_codes.save(
            warehouse,
            [
                {"lab_id": "L", "lab_code": "A", "whonet": "AMX"},
                {"lab_id": "L", "lab_code": "a", "whonet": "AMC"},
            ],
            changed_by="",
        )
    assert lab_codes.read_current(warehouse).version == 2
