"""Uploaded files do not linger (issue #13 point 3): the raw file of a web import is deleted
once its import has ended, a command purges what earlier versions left, and the public
advice form caps the files of a request and of a visitor, keeping files for a correction a
short time only."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.advice import uploads
from cratb.advice.models import AdviceRequest
from cratb.advice.tests.helpers import PDF, form_data
from cratb.dashboards.models import DataImport
from cratb.network.models import Territory

IMPORTS = "/surveillance/imports/"
ADVICE_FORM = reverse("advice:request-create")
PATIENT_DAYS = "finess;year;sector;patient_days\n750000011;2024;acute;35000\n"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (PATIENT_DAYS.encode(), DataImport.Status.DONE),
        (b"\x00\x01\x02 not a table", DataImport.Status.REFUSED),
    ],
)
def test_the_raw_file_of_a_web_import_is_deleted_once_imported(
    client: Client, coordinator: User, media: Path, content: bytes, status: str
) -> None:
    client.force_login(coordinator)
    client.post(IMPORTS, {"kind": "patient_days", "file": SimpleUploadedFile("jours.csv", content)})
    data_import = DataImport.objects.get()
    assert data_import.status == status
    assert _files(media / "imports") == []
    assert data_import.file.name == ""
    # The report stays, and says nothing of where the file was on the server.
    page = client.get(f"{IMPORTS}{data_import.pk}/").content.decode()
    assert str(media) not in page and "media/imports" not in page
    if status == DataImport.Status.DONE:
        assert data_import.report["read"] == 1 and data_import.report["file"] == "jours.csv"
    else:
        assert data_import.message.startswith("jours.csv est un fichier binaire")
        assert str(media) not in data_import.message


def test_purge_removes_what_earlier_versions_left(
    coordinator: User, media: Path, settings: Settings
) -> None:
    # An import of an earlier version: done, its raw file and report file still there.
    old = media / "imports" / "2025" / "01" / "dispensations.csv"
    old.parent.mkdir(parents=True)
    old.write_text("dispensation_id\n1\n")
    old.with_name(old.name + ".report.json").write_text("{}")
    done = DataImport.objects.create(
        kind="dispensations",
        file="imports/2025/01/dispensations.csv",
        original_name="dispensations.csv",
        status=DataImport.Status.DONE,
        report={"read": 1},
    )
    # A file no import refers to, and one an import still waiting needs.
    (media / "imports" / "2025" / "01" / "orphan.csv").write_text("x")
    waiting_file = media / "imports" / "2025" / "02" / "queued.csv"
    waiting_file.parent.mkdir(parents=True)
    waiting_file.write_text("x")
    DataImport.objects.create(
        kind="products", file="imports/2025/02/queued.csv", original_name="queued.csv"
    )
    # Files of the directory import and of the advice form, past their time.
    stale = [media / "pending-imports" / ("a" * 32), media / "advice" / "pending" / "x.pdf"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-")
        os.utime(path, (time.time() - 2 * 3600, time.time() - 2 * 3600))

    call_command("purge_import_files", stdout=open(os.devnull, "w"))

    assert _files(media / "imports") == [waiting_file]
    done.refresh_from_db()
    assert done.file.name == "" and done.report == {"read": 1}
    assert not any(path.exists() for path in stale)


@pytest.mark.usefixtures("departement")
def test_a_request_carries_a_limited_number_of_files(client: Client, media: Path) -> None:
    files = [SimpleUploadedFile(f"scan{i}.pdf", PDF + b"0" * 1000) for i in range(10)]
    response = client.post(ADVICE_FORM, {**form_data(), "attachments": files})
    assert response.status_code == 400
    assert "10 fichiers joints : 5 au plus par demande." in html.unescape(response.content.decode())
    assert _files(media) == []
    assert not AdviceRequest.objects.exists()


@pytest.mark.usefixtures("departement")
def test_a_request_carries_a_limited_weight_of_files(
    client: Client, media: Path, settings: Settings
) -> None:
    settings.CRATB_ATTACHMENTS_MAX_TOTAL_MB = 1
    files = [SimpleUploadedFile(f"scan{i}.pdf", PDF + b"0" * 400_000) for i in range(3)]
    response = client.post(ADVICE_FORM, {**form_data(), "attachments": files})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Les pièces jointes pèsent 1 Mo en tout : 1 Mo au plus par demande." in page
    assert _files(media) == []


def test_an_invalid_form_keeps_files_within_the_visitors_allowance(
    client: Client, media: Path, settings: Settings, departement: Territory
) -> None:
    settings.CRATB_PENDING_ATTACHMENTS_MB_PER_VISITOR = 1
    invalid = {**form_data(), "question": ""}
    scan = SimpleUploadedFile("scan.pdf", PDF + b"0" * 600_000)
    response = client.post(ADVICE_FORM, {**invalid, "attachments": scan})
    assert response.status_code == 400
    assert len(_files(media / "advice" / "pending")) == 1
    # The next invalid post from the same address passes the hourly allowance: not kept.
    scan = SimpleUploadedFile("scan2.pdf", PDF + b"0" * 600_000)
    response = client.post(ADVICE_FORM, {**invalid, "attachments": scan})
    assert "Vos fichiers n'ont pas été gardés" in html.unescape(response.content.decode())
    assert len(_files(media / "advice" / "pending")) == 1


def test_pending_files_expire_quickly(media: Path, settings: Settings) -> None:
    settings.CRATB_PENDING_ATTACHMENT_MINUTES = 30
    kept = uploads.stash(
        SimpleUploadedFile("scan.pdf", PDF + b"0"),
        sniffed=uploads.Sniffed("application/pdf", "pdf"),
    )
    token = uploads.sign_pending([kept])
    path = media / kept.path
    assert uploads.read_pending(token) == [kept]
    assert uploads.delete_stale_pending() == 0
    os.utime(path, (time.time() - 31 * 60, time.time() - 31 * 60))
    assert uploads.delete_stale_pending() == 1
    assert uploads.read_pending(token) == []
