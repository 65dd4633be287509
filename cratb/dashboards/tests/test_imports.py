"""Importing a file from the web: upload, background job, report, refusals, access."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.dashboards.models import DataImport

URL = "/surveillance/imports/"
PATIENT_DAYS = (
    "finess;year;sector;patient_days\n"
    "750000011;2024;acute;35000\n"
    "750000011;2024;maternity;100\n"
    "75000001;2024;psychiatry;1200\n"
)


@pytest.fixture(autouse=True)
def immediate_jobs(settings: Settings, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client: Client, text: str | bytes, *, kind: str = "patient_days", **extra: str):  # type: ignore[no-untyped-def]
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        URL,
        {"kind": kind, "file": SimpleUploadedFile("jours.csv", content), **extra},
    )


def test_an_uploaded_file_is_imported_with_its_rejections(
    client: Client, coordinator: User, settings: Settings
) -> None:
    client.force_login(coordinator)
    response = _upload(client, PATIENT_DAYS)
    data_import = DataImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/surveillance/imports/{data_import.pk}/"
    assert data_import.status == DataImport.Status.DONE
    assert (data_import.read, data_import.accepted, data_import.rejected) == (3, 1, 2)
    assert data_import.requested_by == coordinator
    html = client.get(response["Location"]).content.decode()
    assert "3 lignes lues, 1 acceptée, 2 rejetées." in html
    assert "valeur inconnue « maternity »" in html
    assert "FINESS invalide" in html
    with duckdb.connect(str(settings.CRATB_WAREHOUSE), read_only=True) as con:
        assert con.execute("SELECT patient_days FROM patient_days").fetchall() == [(35000,)]
    # The same file again stores nothing and says so.
    _upload(client, PATIENT_DAYS)
    again = DataImport.objects.first()
    assert again is not None and again.already_imported
    assert "déjà été importé" in client.get(f"/surveillance/imports/{again.pk}/").content.decode()


def test_a_file_that_is_not_a_table_is_refused_with_its_reason(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    _upload(client, b"\x00\x01\x02 not a table", kind="products")
    data_import = DataImport.objects.get()
    assert data_import.status == DataImport.Status.REFUSED
    assert data_import.message
    html = client.get(f"/surveillance/imports/{data_import.pk}/").content.decode()
    assert "Fichier refusé" in html


def test_hashing_without_the_server_salt_is_refused(
    client: Client, coordinator: User, settings: Settings
) -> None:
    settings.CRATB_ENGINE = replace(settings.CRATB_ENGINE, id_salt="")
    client.force_login(coordinator)
    _upload(client, PATIENT_DAYS, hash_ids="on")
    data_import = DataImport.objects.get()
    assert data_import.status == DataImport.Status.REFUSED
    assert "CRATB_ID_SALT" in data_import.message


def test_a_missing_file_is_a_form_error(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(URL, {"kind": "patient_days"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not DataImport.objects.exists()


def test_imports_are_for_the_coordination(
    client: Client,
    coordinator: User,
    administrator: User,
    ema_responder: User,
    agency_viewer: User,
    requester: User,
) -> None:
    client.force_login(coordinator)
    _upload(client, PATIENT_DAYS)
    url = f"/surveillance/imports/{DataImport.objects.get().pk}/"
    client.logout()
    assert client.get(url).status_code == 302
    for user, status in (
        (coordinator, 200),
        (administrator, 200),
        (ema_responder, 403),
        (agency_viewer, 403),
        (requester, 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user.role
        assert client.post(URL, {}).status_code == (200 if status == 200 else 403)
