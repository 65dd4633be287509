"""Large directory files never hold a web worker (issue #13 point 5): a workbook is counted
before it is read and read row by row, and the file waits for its confirmation on disk,
never in the session."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.network import bulk
from cratb.network.models import Organization
from cratb.network.tests.test_bulk import ORGS_CSV

pytestmark = pytest.mark.django_db

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
        '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
        '.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
        '/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="orgs" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def big_workbook(path: Path, *, rows: int) -> Path:
    """A workbook of ``rows`` organisations that does not declare its size (as openpyxl's
    own write-only mode writes them), made in a second."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    lines = [f'<row r="1">{cell("A1", "name")}{cell("B1", "kind")}</row>']
    lines += [
        f'<row r="{i}">{cell(f"A{i}", f"Etablissement {i}")}{cell(f"B{i}", "hospital")}</row>'
        for i in range(2, rows + 2)
    ]
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{"".join(lines)}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text)
    return path


def test_a_workbook_of_many_rows_is_refused_at_once_in_little_memory(tmp_path: Path) -> None:
    path = big_workbook(tmp_path / "orgs.xlsx", rows=150_000)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(bulk.BulkFileError, match="plus de 20000 lignes"):
            bulk.read_table(path, filename="orgs.xlsx")
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert took < 5, f"{took:.1f} s"
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} Mo"


def test_the_workbook_counted_is_the_one_read(tmp_path: Path) -> None:
    rows = bulk.read_table(big_workbook(tmp_path / "orgs.xlsx", rows=3), filename="orgs.xlsx")
    assert rows[-1] == {"name": "Etablissement 4", "kind": "hospital"}


def test_reading_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets whose rows cannot be counted first, and CSV files, are read row by row and
    refused as soon as the limit is passed."""
    monkeypatch.setattr(bulk, "MAX_ROWS", 50)
    monkeypatch.setattr(bulk, "_sheet_rows", lambda content: 0)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "kind"])
    for i in range(60):
        sheet.append([f"Etablissement {i}", "hospital"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(bulk.BulkFileError, match="plus de 50 lignes"):
        bulk.read_table(out.getvalue(), filename="orgs.xlsx")
    text = "name,kind\n" + "".join(f"E{i},hospital\n" for i in range(51))
    with pytest.raises(bulk.BulkFileError, match="plus de 50 lignes"):
        bulk.read_table(text.encode(), filename="orgs.csv")
    assert len(bulk.read_table(text.encode()[: text.rindex("E50")], filename="o.csv")) == 50


@pytest.mark.usefixtures("departement")
def test_the_file_waits_on_disk_not_in_the_session(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    upload = SimpleUploadedFile("orgs.csv", ORGS_CSV.encode(), content_type="text/csv")
    client.post("/reseau/import/", {"kind": "organizations", "file": upload})
    waiting = client.session["network-import"]
    assert set(waiting) == {"token", "kind", "filename"}
    kept = tmp_path / "pending-imports" / waiting["token"]
    assert kept.read_bytes() == ORGS_CSV.encode()
    client.post("/reseau/import/", {"confirm": "1"})
    assert Organization.objects.count() == 2
    assert not kept.exists()
    assert "network-import" not in client.session


def test_a_refused_file_is_not_kept(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    upload = SimpleUploadedFile("orgs.csv", b"nom;type\nA;B\n", content_type="text/csv")
    response = client.post("/reseau/import/", {"kind": "organizations", "file": upload})
    assert "Colonne obligatoire absente" in response.content.decode()
    assert list((tmp_path / "pending-imports").iterdir()) == []


def test_an_expired_file_cannot_be_confirmed(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CRATB_PENDING_IMPORT_MINUTES = 0
    client.force_login(coordinator)
    upload = SimpleUploadedFile("orgs.csv", ORGS_CSV.encode(), content_type="text/csv")
    client.post("/reseau/import/", {"kind": "organizations", "file": upload})
    time.sleep(0.01)
    response = client.post("/reseau/import/", {"confirm": "1"}, follow=True)
    assert "Aucun fichier en attente" in response.content.decode()
    assert Organization.objects.count() == 0
