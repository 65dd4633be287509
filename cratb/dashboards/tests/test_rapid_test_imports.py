"""Rapid tests imported from the web imports page, with the rules of every import."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.dashboards.models import DataImport

URL = "/surveillance/imports/"
RAPID_TESTS = (
    "test_id;tested_on;place_code;commune;departement;test;result;antibiotic_dispensed\n"
    "T1;2025-01-10;PH1;18033;;strep_a;negative;N\n"
    "T2;2025-01-10;PH1;99999;;strep_a;positive;Y\n"
    "T3;2025-01-11;PH1;;;urine_strip;positive;Y\n"
)


@pytest.fixture(autouse=True)
def immediate_jobs(settings: Settings, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_rapid_test_file_is_imported_with_its_rejections(
    client: Client, coordinator: User, settings: Settings
) -> None:
    client.force_login(coordinator)
    assert "Tests rapides : TROD angine" in client.get(URL).content.decode()
    client.post(
        URL,
        {"kind": "rapid_tests", "file": SimpleUploadedFile("trod.csv", RAPID_TESTS.encode())},
    )
    data_import = DataImport.objects.get()
    assert (data_import.read, data_import.accepted, data_import.rejected) == (3, 1, 2)
    html = client.get(f"/surveillance/imports/{data_import.pk}/").content.decode()
    assert "code commune inconnu du référentiel des communes « 99999 »" in html
    assert "commune ou département obligatoire" in html
    with duckdb.connect(str(settings.CRATB_WAREHOUSE), read_only=True) as con:
        assert con.execute("SELECT test_id, commune FROM rapid_tests").fetchall() == [
            ("T1", "18033")
        ]
