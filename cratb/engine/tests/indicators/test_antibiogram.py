"""The cumulative antibiogram: first isolates only, % S per organism × antibiotic, low
counts flagged; CSV, Excel and PDF exports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cratb.engine.antibiogram import AntibiogramError, cumulative_antibiogram
from cratb.engine.antibiogram.export import to_csv, to_pdf, to_xlsx, write
from cratb.engine.backends import open_session
from cratb.engine.tabular import FRENCH
from cratb.engine.tests.indicators.test_resistance import _csv

YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture
def golden(load: Callable[[str, str], None]) -> None:
    load("isolates", _csv())


@pytest.mark.usefixtures("golden")
def test_community_antibiogram_of_2024(backend: str, warehouse: Path) -> None:
    with open_session(warehouse=warehouse, backend=backend) as session:
        ab = cumulative_antibiogram(
            session, setting="community", date_from=YEAR[0], date_to=YEAR[1], min_isolates=3
        )
    # Community 2024, first isolates: E. coli I05 I08 I10; K. pneumoniae I09; S. aureus I07.
    assert ab.first_isolates == {
        "Escherichia coli": 3,
        "Klebsiella pneumoniae": 1,
        "Staphylococcus aureus": 1,
    }
    assert ab.organisms[0] == "Escherichia coli"
    amx = ab.cell("Escherichia coli", "AMX")
    assert amx is not None
    # I05 S, I08 R, I10 S (I06, same day as I05, is not a first isolate).
    assert (amx.tested, amx.susceptible, amx.intermediate, amx.resistant) == (3, 2, 0, 1)
    assert round(amx.pct_susceptible, 6) == round(200 / 3, 6)
    assert not amx.low_count
    fox = ab.cell("Staphylococcus aureus", "FOX")
    assert fox is not None and fox.low_count and fox.resistant == 1
    assert ab.cell("Escherichia coli", "FOX") is None
    # In ATC order: penicillins, then cephalosporins by generation.
    assert ab.antibiotics == ["AMX", "FOX", "CTX", "CAZ", "CRO"]


@pytest.mark.usefixtures("golden")
def test_exports(warehouse: Path, tmp_path: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        ab = cumulative_antibiogram(
            session, setting="hospital", date_from=dt.date(2024, 1, 1), date_to=dt.date(2026, 1, 31)
        )
    text = to_csv(ab).decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("setting,specimen,date_from,date_to,organism,first_isolates,")
    # Hospital: P1's I01 (2024) and I03 (2025) are first isolates; I02, I04 are not.
    # AMX: I01 R, I03 I. « I » is susceptible (increased exposure, EUCAST): % S = 1/2 =
    # 50 %, of which I 50 %; Wilson 95 % of 1/2: centre 0.5, half-width
    # 1.96·sqrt(0.125 + 1.96²/16)/(1 + 1.96²/2) = 0.4055 → 9.5–90.5 %; % R 50.
    assert (
        "hospital,,2024-01-01,2026-01-31,Escherichia coli,2,AMX,amoxicilline,2,0,1,1,50.0,50.0,"
        "true,9.5,90.5,50.0,false,episode" in lines
    )
    french = to_csv(ab, dialect=FRENCH).decode("utf-8")
    assert french.startswith("\ufeffsetting;specimen;")
    assert (
        "hospital;;2024-01-01;2026-01-31;Escherichia coli;2;AMX;amoxicilline;2;0;1;1;50,0;50,0;"
        "oui;9,5;90,5;50,0;non;episode" in french
    )
    book = load_workbook(io.BytesIO(to_xlsx(ab)))
    sheet = book["Antibiogramme"]
    assert sheet["A1"].value == "Antibiogramme cumulé"
    assert sheet["A2"].value == "Établissements de santé, du 01/01/2024 au 31/01/2026"
    assert [c.value for c in sheet[4]][:3] == ["Espèce", "Premiers isolats", "AMX"]
    assert [c.value for c in sheet[5]][:3] == ["Escherichia coli", 2, "50*"]
    pdf = to_pdf(ab)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1
    assert write(ab, tmp_path / "a.pdf") == "pdf"
    with pytest.raises(ValueError, match="format de sortie inconnu"):
        write(ab, tmp_path / "a.docx")


@pytest.mark.usefixtures("golden")
def test_bad_requests(warehouse: Path) -> None:
    with open_session(warehouse=warehouse) as session:
        with pytest.raises(AntibiogramError, match="secteur inconnu"):
            cumulative_antibiogram(session, setting="ville", date_from=YEAR[0], date_to=YEAR[1])
        with pytest.raises(AntibiogramError, match="prélèvement inconnu"):
            cumulative_antibiogram(
                session, setting="hospital", date_from=YEAR[0], date_to=YEAR[1], specimen="x"
            )
