"""The national comparison page (Open Medic): who sees it, what it shows, its exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.engine.sources.opendata.store import (
    import_bdpm,
    import_insee_population,
    import_open_medic,
)
from cratb.engine.tests.sources.opendata import bdpm_files, insee_files
from cratb.engine.tests.sources.opendata.open_medic_files import row, write_csv
from cratb.network.models import Territory

URL = "/surveillance/indicateurs/national/"


def open_data_warehouse(folder: Path) -> Path:
    """A warehouse with a small Open Medic year, its BDPM catalogue and INSEE population."""
    warehouse = folder / "open-data.duckdb"
    rows = [
        row(cip13="3400930000001", atc="J01CA04", boxes="100", region="11"),
        row(cip13="3400930000001", atc="J01CA04", boxes="30", region="11", specialty="19"),
        row(cip13="3400930000003", atc="J01CR02", boxes="40", region="11", age="60"),
        row(cip13="3400930000001", atc="J01CA04", boxes="60", region="84", specialty="90"),
        row(cip13="3400930000003", atc="J01CR02", boxes="10", region="93", sex="1"),
    ]
    import_open_medic(write_csv(folder / "OPEN_MEDIC_2023.CSV", rows), warehouse=warehouse)
    import_bdpm(bdpm_files.write(folder / "bdpm"), warehouse=warehouse)
    workbook = insee_files.write_workbook(
        folder / "estim-pop-dep-sexe-gca-1975-2023.xlsx",
        {2023: True},
        rows=[
            *insee_files.DEPARTEMENTS,
            ("13", "Bouches-du-Rhône", [200000, 150000, 160000, 90000, 60000],
             [190000, 155000, 170000, 100000, 90000]),
            ("2A", "Corse-du-Sud", [15000, 14000, 16000, 10000, 7000],
             [14000, 14000, 17000, 11000, 9000]),
        ],
    )  # fmt: skip
    import_insee_population(workbook, warehouse=warehouse)
    return warehouse


@pytest.fixture
def open_data(settings: Settings, tmp_path: Path) -> Path:
    settings.CRATB_WAREHOUSE = open_data_warehouse(tmp_path)
    settings.CRATB_REGION = "11"
    return Path(settings.CRATB_WAREHOUSE)


def test_only_indicator_readers_see_it(
    client: Client, requester: User, coordinator: User, agency_viewer: User, open_data: Path
) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    client.force_login(requester)
    assert client.get(URL).status_code == 403
    for user in (coordinator, agency_viewer):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_regions_against_the_country(client: Client, coordinator: User, open_data: Path) -> None:
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert "Île-de-France" in html and "Auvergne-Rhône-Alpes" in html
    assert "Provence-Alpes-Côte d&#x27;Azur et Corse" in html
    assert "votre région" in html
    assert "<svg" in html  # the chart, beside the same values in the table
    html = client.get(URL, {"indicator": "community.critical_share", "year": "2023",
                            "breakdown": "prescriber_specialty"}).content.decode()  # fmt: skip
    assert "chirurgie dentaire" in html and "prescripteurs salariés (hôpital)" in html
    assert "calculée sur les boîtes" in html
    response = client.get(
        URL, {"indicator": "community.did", "year": "2023", "breakdown": "age_band",
              "format": "csv"},
    )  # fmt: skip
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["région", "code", "valeur"]
    assert "0-19 ans" in rows[0] and "60+ ans" in rows[0]
    assert rows[1][0] == "Île-de-France"  # the own region first
    assert rows[-1][0] == "France"
    # Values rounded as the page shows them: one decimal at most.
    numbers = [cell for row in rows[1:] for cell in row[2:] if cell]
    assert numbers and all(len(cell.partition(",")[2]) <= 1 for cell in numbers), numbers


def test_without_open_data_the_page_says_what_to_import(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cratb import open_medic" in html or "entrepôt" in html


def test_bad_parameters_give_no_error(client: Client, coordinator: User, open_data: Path) -> None:
    client.force_login(coordinator)
    for params in ({"year": "1900"}, {"indicator": "nope"}, {"breakdown": "x"}):
        assert client.get(URL, params).status_code == 200


def test_the_same_request_is_answered_from_the_cache(
    client: Client, coordinator: User, open_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cratb.dashboards import national

    client.force_login(coordinator)
    first = client.get(URL, {"breakdown": "age_band", "format": "csv"}).content

    def refuse(**kwargs: object) -> None:
        raise AssertionError("the warehouse was read again")

    monkeypatch.setattr(national, "open_session", refuse)
    assert client.get(URL, {"breakdown": "age_band", "format": "csv"}).content == first
    assert b"0-19 ans" in first


def test_a_comparison_the_data_cannot_give_keeps_the_form(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    """Without INSEE's population, rates by age band are refused with the reason, and
    the form stays to choose another comparison."""
    warehouse = tmp_path / "w.duckdb"
    rows = [row(cip13="3400930000001", atc="J01CA04", boxes="100", region="11")]
    import_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows), warehouse=warehouse)
    import_bdpm(bdpm_files.write(tmp_path / "bdpm"), warehouse=warehouse)
    settings.CRATB_WAREHOUSE = warehouse
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert "population municipale du référentiel" in html and "<svg" in html
    html = client.get(URL, {"breakdown": "age_band"}).content.decode()
    assert "importer les estimations de l&#x27;INSEE" in html
    assert 'name="breakdown"' in html


def test_the_share_of_boxes_with_a_ddd_is_shown(
    client: Client, coordinator: User, open_data: Path
) -> None:
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert "Boîtes d'antibactériens (J01) avec une DDJ : 100,0 %" in html


def test_the_english_page(client: Client, agency_viewer: User, open_data: Path) -> None:
    client.force_login(agency_viewer)
    html = client.get("/en" + URL, {"breakdown": "prescriber_specialty"}).content.decode()
    assert "National comparison" in html and "Community antibiotic consumption" in html
    assert "general practice" in html and "your region" in html
    assert "Antibacterial (J01) boxes with a DDD: 100.0 %" in html


def test_the_indicator_page_ranks_every_region_and_the_country(
    client: Client, coordinator: User, open_data: Path, departement: Territory
) -> None:
    """The community indicator's own page carries the regions of France from Open Medic,
    with the same numbers as the national comparison page (one computation)."""
    from datetime import date

    from django.utils.html import escape

    from cratb.charts.numbers import format_number
    from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory

    publication = PublicationFactory.create()
    IndicatorValueFactory.create(
        publication=publication,
        year=2023,
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        value=20.0,
    )
    client.force_login(coordinator)
    page = client.get("/surveillance/indicateurs/community.did/").content.decode()
    assert "Comparaison avec les autres régions" in page
    assert "Île-de-France ◆" in page and "Auvergne-Rhône-Alpes" in page
    national = client.get(URL, {"indicator": "community.did", "year": "2023", "format": "csv"})
    rows = list(csv.reader(io.StringIO(national.content.decode("utf-8-sig")), delimiter=";"))
    for name, value in ((r[0], r[2]) for r in rows[1:]):
        own = " ◆" if name == "Île-de-France" else ""
        shown = format_number(float(value.replace(",", ".")), decimals=1, language="fr")
        assert f'<th scope="row">{escape(name)}{own}</th><td class="num">{shown}</td>' in page
