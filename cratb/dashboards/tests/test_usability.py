"""What a newcomer tripped on in the surveillance pages (issue #14, points 6 and 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.dashboards.models import DataImport
from cratb.dashboards.tests.factories import PublicationFactory
from cratb.engine.sources import import_file

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


def _upload(client: Client, text: str) -> None:
    client.post(
        "/surveillance/imports/",
        {"kind": "patient_days", "file": SimpleUploadedFile("jours.csv", text.encode())},
    )


def test_a_reimport_does_not_claim_rows_were_accepted(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    _upload(client, PATIENT_DAYS)
    _upload(client, PATIENT_DAYS)
    again = DataImport.objects.first()
    assert again is not None and again.already_imported
    html = client.get(f"/surveillance/imports/{again.pk}/").content.decode()
    assert "0 ligne ajoutée" in html
    # The counts of the first import are said to be those of the first import.
    assert "Lors de son premier import : 3 lignes lues, 1 acceptée, 2 rejetées." in html
    assert "2 rejetées.</span>" not in html


def test_counts_agree_in_number(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    _upload(client, PATIENT_DAYS)
    first = DataImport.objects.get()
    html = client.get(f"/surveillance/imports/{first.pk}/").content.decode()
    assert "3 lignes lues, 1 acceptée, 2 rejetées." in html
    assert "1 acceptées" not in html


def test_the_imports_page_lists_files_imported_from_the_command_line(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "jours_cli.csv"
    source.write_text(PATIENT_DAYS, encoding="utf-8")
    import_file("patient_days", source, warehouse=settings.CRATB_WAREHOUSE)
    assert not DataImport.objects.exists()
    client.force_login(coordinator)
    html = client.get("/surveillance/imports/").content.decode()
    assert "Fichiers enregistrés dans l'entrepôt" in html
    assert "jours_cli.csv" in html
    assert "patient_days" in html


def test_the_imports_page_says_when_the_warehouse_is_empty(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    html = client.get("/surveillance/imports/").content.decode()
    assert "L'entrepôt ne contient encore aucun fichier." in html


def test_a_publication_warning_links_to_the_ddd_page_not_a_command(
    client: Client, coordinator: User
) -> None:
    publication = PublicationFactory.create(
        warnings=[
            "12 boîtes (0,3 %) sans DDJ calculable sont exclues des DDJ :"
            " voir « cratb ddd report »",
            "une autre remarque",
        ]
    )
    client.force_login(coordinator)
    html = client.get(f"/surveillance/publications/{publication.pk}/").content.decode()
    assert "cratb ddd report" not in html
    assert 'href="/surveillance/ddj-par-produit/"' in html
    assert "sans DDJ calculable sont exclues des DDJ" in html
    assert "une autre remarque" in html


def test_reference_editions_are_said_in_words(client: Client, coordinator: User) -> None:
    publication = PublicationFactory.create(
        editions={"atc_ddd": "2026-04-25", "aware": "2023", "population": "2024, 2025"}
    )
    client.force_login(coordinator)
    html = client.get(f"/surveillance/publications/{publication.pk}/").content.decode()
    assert "classification ATC/DDJ de l&#x27;OMS (index du 25 avril 2026)" in html
    assert "classification AWaRe de l&#x27;OMS 2023" in html
    assert "populations de 2024 et 2025 (table de population importée)" in html
    assert "atc_ddd" not in html
    english = client.get(f"/en/surveillance/publications/{publication.pk}/").content.decode()
    assert "WHO ATC/DDD classification (index of 25 April 2026)" in english


def test_population_years_add_up_across_a_publication() -> None:
    from cratb.dashboards.services import _merge_editions

    editions: dict[str, str] = {}
    _merge_editions(editions, {"atc_ddd": "2026-04-25", "population": "2024"})
    _merge_editions(editions, {"population": "2025"})
    _merge_editions(editions, {"population": "2025"})
    assert editions == {"atc_ddd": "2026-04-25", "population": "2024, 2025"}


def test_hospital_bars_are_named_not_only_numbered(client: Client, coordinator: User) -> None:
    from cratb.dashboards.tests.factories import IndicatorValueFactory
    from cratb.network.tests.factories import EstablishmentFactory

    known = EstablishmentFactory.create(name="Hôpital de démonstration Nord")
    publication = PublicationFactory.create()
    for number, value in ((known.finess, 700.0), ("750999999", 500.0)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="hospital.ddd_per_1000_patient_days",
            grouping="finess",
            dimensions={"finess": number},
            value=value,
        )
    client.force_login(coordinator)
    page = client.get(
        "/surveillance/indicateurs/valeurs/",
        {"indicator": "hospital.ddd_per_1000_patient_days", "grouping": "finess"},
    ).content.decode()
    assert 'role="img"' in page
    assert f"Hôpital de démonstration Nord ({known.finess})" in page
    assert "750999999" in page  # not in the directory: its number
