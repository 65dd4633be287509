"""Published indicator pages: who sees which rows, filters, exports, publication jobs."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory
from cratb.dashboards import services
from cratb.dashboards.models import IndicatorValue, Publication
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.engine.indicators import PREPARATIONS
from cratb.engine.tests.indicators import golden
from cratb.network.models import Territory

URL = "/surveillance/indicateurs/valeurs/"


@pytest.fixture
def published(departement: Territory) -> Publication:
    """Regional, Paris (75), Hauts-de-Seine (92) and one prescriber's values."""
    DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=departement.parent)
    publication = PublicationFactory.create()
    IndicatorValueFactory.create(publication=publication, value=21.0)
    for code, value in (("75", 22.5), ("92", 19.5)):
        IndicatorValueFactory.create(
            publication=publication, grouping="departement", departement=code, value=value
        )
    IndicatorValueFactory.create(
        publication=publication,
        indicator="community.prescriber_profile",
        grouping="prescriber_id,prescriber_specialty",
        dimensions={"prescriber_id": "99110000042", "prescriber_specialty": "general_practice"},
        individual=True,
        value=61.0,
        ci_low=50.0,
        ci_high=70.0,
        extra={"outlier": "above_998"},
    )
    return publication


def _values_shown(client: Client) -> set[float]:
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    return {float(r["valeur"].replace(",", ".")) for r in rows}


def test_the_coordination_sees_every_row(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    assert _values_shown(client) == {21.0, 22.5, 19.5, 61.0}


def test_an_ema_member_sees_the_region_and_its_departement_no_prescriber(
    client: Client, ema_responder: User, published: Publication
) -> None:
    client.force_login(ema_responder)
    assert _values_shown(client) == {21.0, 22.5}


def test_the_agency_sees_aggregates_only(
    client: Client, agency_viewer: User, published: Publication
) -> None:
    client.force_login(agency_viewer)
    assert _values_shown(client) == {21.0, 22.5, 19.5}
    html = client.get(URL).content.decode()
    assert "99110000042" not in html


@pytest.mark.parametrize("persona", ["requester", "lab_client"])
def test_requesters_and_labs_do_not_read_indicators(
    client: Client, persona: str, request: pytest.FixtureRequest, published: Publication
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_filters_and_definition(client: Client, coordinator: User, published: Publication) -> None:
    client.force_login(coordinator)
    html = client.get(
        URL, {"indicator": "community.did", "grouping": "departement", "departement": "92"}
    ).content.decode()
    assert "1 valeur" in html
    assert "19,5" in html and "22,5" not in html
    # The definition of the chosen indicator is shown with its target-free facts.
    assert "population × jours de la période ÷ 1000" in html
    assert "DDJ pour 1000 habitants et par jour" in html
    html = client.get(URL, {"indicator": "community.did", "grouping": "-"}).content.decode()
    assert "1 valeur" in html and "21,0" in html


def test_excel_export(client: Client, coordinator: User, published: Publication) -> None:
    client.force_login(coordinator)
    response = client.get(URL, {"format": "xlsx", "indicator": "community.did"})
    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-cratb.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("code de l'indicateur", "indicateur", "unité")
    assert sorted(r[header.index("valeur")] for r in rows) == [19.5, 21.0, 22.5]


def test_the_list_page_makes_the_same_queries_whatever_the_rows(
    client: Client,
    coordinator: User,
    published: Publication,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(coordinator)
    client.get(URL)
    with django_assert_num_queries(8) as few:
        client.get(URL)
    IndicatorValueFactory.create_batch(40, publication=published, grouping="month", month="2025-03")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_publication_detail_is_for_the_coordination(
    client: Client,
    coordinator: User,
    administrator: User,
    ema_responder: User,
    agency_viewer: User,
    requester: User,
    published: Publication,
) -> None:
    url = f"/surveillance/publications/{published.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in (
        (coordinator, 200),
        (administrator, 200),
        (ema_responder, 403),
        (agency_viewer, 403),
        (requester, 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user.role
    client.force_login(coordinator)
    assert client.get("/surveillance/publications/999999/").status_code == 404


def test_a_running_publication_page_refreshes_itself(client: Client, coordinator: User) -> None:
    running = PublicationFactory.create(
        status=Publication.Status.RUNNING, steps_done=3, steps_total=12, message="DDJ — 2025"
    )
    client.force_login(coordinator)
    html = client.get(f"/surveillance/publications/{running.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'value="25"' in html and "DDJ — 2025" in html


@pytest.mark.django_db(transaction=True)
def test_publishing_from_the_web_runs_a_background_job(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    settings.CRATB_WAREHOUSE = golden.build(tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(coordinator)
    response = client.post(
        "/surveillance/publications/",
        {"years": "2024", "indicators": ["community.did", "community.critical_share"]},
    )
    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/surveillance/publications/{publication.pk}/"
    assert publication.status == Publication.Status.DONE
    assert publication.requested_by == coordinator
    assert publication.years == [2024]
    assert set(IndicatorValue.objects.values_list("indicator", flat=True)) == {
        "community.did",
        "community.critical_share",
    }
    html = client.get(response["Location"]).content.decode()
    assert "valeurs publiées" in html and "sans DDJ calculable" in html


@pytest.mark.django_db(transaction=True)
def test_a_queued_publication_waits_for_the_worker(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    from django.core.management import call_command

    settings.CRATB_WAREHOUSE = golden.build(tmp_path)
    client.force_login(coordinator)
    client.post("/surveillance/publications/", {"years": "2025"})
    publication = Publication.objects.get()
    assert publication.status == Publication.Status.QUEUED
    html = client.get(f"/surveillance/publications/{publication.pk}/").content.decode()
    assert "En attente d'un processus de fond" in html
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE
    assert publication.values_count > 0


def test_bad_years_are_refused_and_nothing_is_queued(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post("/surveillance/publications/", {"years": "2025, vingt"})
    assert response.status_code == 200
    assert "« vingt » n&#x27;est pas une année" in response.content.decode()
    assert not Publication.objects.exists()


def test_a_publication_on_a_missing_warehouse_fails_with_its_reason(
    client: Client, coordinator: User, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(coordinator)
    client.post("/surveillance/publications/", {"years": ""})
    publication = Publication.objects.get()
    assert publication.status == Publication.Status.FAILED
    assert "entrepôt introuvable" in publication.message


@pytest.mark.django_db
def test_a_publication_first_does_what_its_indicators_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set(services.preparers()) == set(PREPARATIONS)
    warehouse = golden.build(tmp_path)
    done: list[Path] = []
    monkeypatch.setattr(
        services,
        "preparers",
        lambda: {"targeted_reports": lambda *, warehouse: done.append(warehouse)},
    )
    services.run_publication(
        services.create_publication(indicators=["community.did"]), warehouse=warehouse
    )
    assert done == []
    publication = services.run_publication(
        services.create_publication(
            indicators=["resistance.targeted_reporting", "resistance.first_isolates"]
        ),
        warehouse=warehouse,
    )
    assert done == [warehouse]
    assert publication.status == Publication.Status.DONE


def test_ddd_report_page(
    client: Client, coordinator: User, settings: Settings, tmp_path: Path
) -> None:
    client.force_login(coordinator)
    html = client.get("/surveillance/ddj-par-produit/").content.decode()
    assert "entrepôt introuvable" in html  # the test's empty warehouse
    settings.CRATB_WAREHOUSE = golden.build(tmp_path)
    html = client.get("/surveillance/ddj-par-produit/").content.decode()
    assert "9 produits" in html and "3 sans DDJ calculable" in html
    assert "produit d&#x27;association sans DDJ OMS" in html
    response = client.get("/surveillance/ddj-par-produit/", {"format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="ddj-par-produit.xlsx"'


def _chart_and_table_numbers(page: str) -> tuple[list[str], list[str]]:
    """The numbers written beside the bars of the page's wide chart, and the « Valeur »
    column of its table, as a reader sees them."""
    import xml.etree.ElementTree as ET

    svg = re.search(r'<svg[^>]*class="chart chart--wide".*?</svg>', page, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))  # noqa: S314 - the page under test
    ns = "{http://www.w3.org/2000/svg}"
    on_chart = [
        "".join(t.itertext())
        for g in root.iter(f"{ns}g")
        if "value_labels" in g.get("class", "")
        for t in g.iter(f"{ns}text")
    ]
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page, re.S)
    in_table = [re.findall(r'<td class="num">([^<]*)</td>', row)[0] for row in rows]
    return on_chart, in_table


def test_one_series_is_drawn_as_a_chart_beside_the_table(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    html = client.get(URL, {"indicator": "community.did", "grouping": "departement"}).content
    page = html.decode()
    assert 'role="img"' in page and "chart chart--narrow" in page  # a phone variant too
    on_chart, in_table = _chart_and_table_numbers(page)
    assert on_chart == ["22,5", "19,5"]  # ranked, highest first
    assert sorted(on_chart) == sorted(in_table)
    assert "Paris (75) : 22,5 DDJ pour 1000 habitants et par jour" in page  # tooltip
    assert (
        "Classement de 2 départements, en DDJ pour 1000 habitants et par jour : le plus élevé"
        " Paris (75) 22,5 ; le plus bas Hauts-de-Seine (92) 19,5." in page
    )
    # No chart for a mix of indicators or groupings.
    assert 'role="img"' not in client.get(URL).content.decode()


def test_chart_numbers_are_rounded_like_the_table_and_intervals_drawn(
    client: Client, coordinator: User, departement: Territory
) -> None:
    """21.55 is « 21,6 » in the table and on its bar (never truncated to 21,5); intervals
    are drawn and written in the bar's tooltip."""
    publication = PublicationFactory.create()
    for code, value in (("75", 21.55), ("77", 18.25), ("78", 23.449)):
        DepartementFactory.create(code=code, parent=departement.parent) if code != "75" else None
        IndicatorValueFactory.create(
            publication=publication,
            grouping="departement",
            departement=code,
            value=value,
            ci_low=value - 1.05,
            ci_high=value + 1.05,
        )
    client.force_login(coordinator)
    page = client.get(
        URL, {"indicator": "community.did", "grouping": "departement"}
    ).content.decode()
    on_chart, in_table = _chart_and_table_numbers(page)
    assert on_chart == ["23,4", "21,6", "18,3"]
    assert sorted(on_chart) == sorted(in_table)
    assert "(IC 95 % : 20,5 – 22,6)" in page
    assert "intervalle de confiance à 95 %" in page  # the caption explains the bars' lines


def test_the_chart_shows_the_national_target(
    client: Client, coordinator: User, departement: Territory
) -> None:
    publication = PublicationFactory.create()
    for month, value in (("2025-01", 900.0), ("2025-02", 700.0)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="community.prescriptions_per_1000",
            grouping="month",
            month=month,
            value=value,
        )
    client.force_login(coordinator)
    page = client.get(
        URL, {"indicator": "community.prescriptions_per_1000", "grouping": "month"}
    ).content.decode()
    assert ">Objectif : 650,0</text>" in page  # written above its dashed line
    assert 'stroke-dasharray="6,4"' in page or 'stroke-dasharray="6 4"' in page
    assert "Objectif national : moins de 650" in page  # the caption names it
    on_chart, _table = _chart_and_table_numbers(page)
    assert on_chart == ["900,0", "700,0"]  # months in time order, not ranked


def test_negative_values_are_drawn_left_of_zero_and_the_axis_has_no_minus_zero() -> None:
    from cratb.dashboards.charts import Bar, bar_chart

    found = bar_chart(
        [Bar("2019", 0.0), Bar("2025", -6.0), Bar("2026", -0.04)],
        title="Évolution",
        unit="%",
        ranked=False,
    )
    assert found is not None
    svg = str(found.html)
    ticks = re.findall(r"role-axis-label.*?</g>", svg, re.S)[0]
    labels = re.findall(r">([^<]+)</text>", ticks)
    assert labels[0] == "-6,0" and labels[-1] == "0,0"
    assert not any(re.fullmatch(r"-0(,0*)?", label) for label in labels)
    assert found.chart.labels == ("0,0", "-6,0", "0,0")
