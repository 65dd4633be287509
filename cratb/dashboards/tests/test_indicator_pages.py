"""The indicators hub and the page of each indicator: who reads them, what they draw (the
chart's numbers are the table's), wrong filters, downloads that open right in French
Excel, the extension point for more sections."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import openpyxl
import pytest
from django.core.cache import caches
from django.test import Client

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory
from cratb.dashboards import sections
from cratb.dashboards.models import Publication
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.network.models import Territory

HUB = "/surveillance/indicateurs/"
PAGE = "/surveillance/indicateurs/community.did/"
PROFILE = "/surveillance/indicateurs/community.prescriber_profile/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    caches["pages"].clear()


@pytest.fixture
def published(departement: Territory) -> Publication:
    """community.did for 2019 and 2025: the region, three départements (one value that
    rounds half up: 21.55 → « 21,6 »), twelve months of 2025, two settings; and the
    prescribers' profile (individual rows)."""
    region = departement.parent
    assert region is not None
    for code, name in (("77", "Seine-et-Marne"), ("92", "Hauts-de-Seine")):
        DepartementFactory.create(code=code, name=name, parent=region)
    publication = PublicationFactory.create()

    def value(**fields: object) -> None:
        year = int(fields.get("year", 2025))  # type: ignore[call-overload]
        fields.setdefault("period_start", date(year, 1, 1))
        fields.setdefault("period_end", date(year, 12, 31))
        IndicatorValueFactory.create(publication=publication, **fields)

    value(year=2019, value=22.64, numerator=1006263.7, denominator=44438.0)
    value(year=2025, value=21.29, numerator=945900.8, denominator=44438.0)
    for year, values in ((2019, (23.0, 22.0, 22.5)), (2025, (21.55, 20.04, 22.449))):
        for code, number in zip(("75", "77", "92"), values, strict=True):
            value(year=year, grouping="departement", departement=code, value=number)
    for month in range(1, 13):
        value(
            grouping="month",
            month=f"2025-{month:02d}",
            period_start=date(2025, month, 1),
            value=18.0 + month / 3,
        )
    for year in (2019, 2025):
        for setting, number in (("community", 21.0 + year % 7), ("nursing_home", 0.45)):
            value(year=year, grouping="setting", dimensions={"setting": setting}, value=number)
    for index, (rate, size) in enumerate(((30.0, 400), (33.0, 900), (70.0, 500), (32.0, 60))):
        value(
            indicator="community.prescriber_profile",
            grouping="prescriber_id,prescriber_specialty",
            dimensions={
                "prescriber_id": f"9911000004{index}",
                "prescriber_specialty": "general_practice",
            },
            individual=True,
            numerator=rate * size / 100,
            denominator=size,
            value=rate,
        )
    return publication


# --- who reads what ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HUB, PAGE])
def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, published: Publication, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/connexion/" in response["Location"]


@pytest.mark.parametrize("url", [HUB, PAGE, PAGE + "?format=csv"])
def test_a_requester_may_not_read_indicators(
    client: Client, requester: User, published: Publication, url: str
) -> None:
    client.force_login(requester)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "agency_viewer", "ema_responder"])
def test_the_readers_of_indicators_see_the_hub_and_the_page(
    client: Client, published: Publication, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    hub = client.get(HUB).content.decode()
    assert 'href="/surveillance/indicateurs/community.did/"' in hub
    assert "21,3" in hub and "en baisse depuis 2019" in hub  # latest value, trend
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "<h1>Consommation d&#x27;antibiotiques en ville</h1>" in page.content.decode()


def test_an_unknown_indicator_is_not_found(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    assert client.get("/surveillance/indicateurs/inconnu/").status_code == 404


def test_prescribers_funnel_is_for_the_coordination_only(
    client: Client, coordinator: User, agency_viewer: User, published: Publication
) -> None:
    client.force_login(agency_viewer)
    page = client.get(PROFILE).content.decode()
    assert "99110000042" not in page and "Entonnoir" not in page
    assert client.get(PROFILE, {"format": "csv"}).content.decode("utf-8-sig").count("\n") == 1
    client.force_login(coordinator)
    page = client.get(PROFILE).content.decode()
    assert "Entonnoir par prescripteur" in page
    # The prescriber far above the others (70 % of 500) is named on the funnel, with the
    # specialty as the pages name it, not the file's code.
    assert "99110000042 (médecine générale) : 70,0" in page
    assert "general_practice" not in page


def test_an_ema_member_reads_only_the_departements_of_the_team(
    client: Client, ema_responder: User, published: Publication
) -> None:
    client.force_login(ema_responder)
    page = client.get(PAGE).content.decode()
    assert '<th scope="row">Paris (75)</th>' in page
    assert '<th scope="row">Seine-et-Marne (77)</th>' not in page
    assert '<th scope="row">Hauts-de-Seine (92)</th>' not in page


# --- what the page draws -------------------------------------------------------------------


def _sections(page: str) -> dict[str, str]:
    found = re.findall(r'<section class="indicator-section" id="([^"]+)".*?</section>', page, re.S)
    bodies = re.findall(r'<section class="indicator-section" id="[^"]+".*?</section>', page, re.S)
    return dict(zip(found, bodies, strict=True))


def _written_on_chart(section: str) -> list[str]:
    svg = re.search(r'<svg[^>]*class="chart chart--wide".*?</svg>', section, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))  # noqa: S314 - the page under test
    return [
        "".join(t.itertext())
        for g in root.iter(f"{SVG}g")
        if "value_labels" in g.get("class", "")
        for t in g.iter(f"{SVG}text")
    ]


def _table_cells(section: str) -> set[str]:
    return set(re.findall(r'<td class="num">([^<]*)</td>', section))


NUMBER = re.compile(r"-?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?")


def test_every_number_on_a_chart_is_a_number_of_its_table(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(PAGE).content.decode()
    found = _sections(page)
    assert {"carte", "evolution", "mois", "classement", "lieux"} <= set(found)
    for slug, section in found.items():
        cells = _table_cells(section)
        written = _written_on_chart(section)
        assert written, slug
        for text in written:
            if slug == "carte":  # « 75 21,6 »: the département's code, then its value
                text = text.split(" ", 1)[-1]
            for number in NUMBER.findall(text.replace("2019 : ", "")):
                assert number in cells, (slug, text, sorted(cells))
    # Rounded half up like the table, never truncated: 21.55 → « 21,6 ».
    ranking = found["classement"]
    assert _written_on_chart(ranking)[:3] == ["22,4", "21,6", "20,0"]
    assert '<th scope="row">Paris (75)</th>' in ranking and '<td class="num">21,6</td>' in ranking
    # The monthly chart names its months « janv. 2025 ».
    assert "janv. 2025" in found["mois"]
    # The time series draws the 2019 baseline and the COVID-19 years.
    assert (
        "2019 : 22,6" in "".join(_written_on_chart(found["evolution"]))
        or "22,6" in found["evolution"]
    )
    assert "COVID-19" in found["evolution"]


def test_the_headline_gives_the_latest_complete_year_and_its_trend(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(PAGE).content.decode()
    assert "Région, 2025" in page and ">21,3<" in page
    assert "en baisse depuis 2019" in page and "dans le bon sens" in page


def test_the_map_shows_every_departement_with_its_value(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    carte = _sections(client.get(PAGE).content.decode())["carte"]
    for text in ("21,6", "20,0", "22,4", "pas de données"):
        assert text in carte


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"annee": "1999"}, "Aucune valeur publiée en 1999 pour cet indicateur"),
        ({"annee": "deux mille"}, "n&#x27;est pas une année (attendu : 2025)"),
        ({"niveau": "planete"}, "Le niveau « planete » n&#x27;existe pas pour cet indicateur"),
    ],
)
def test_wrong_filters_are_said_in_french_and_the_page_still_shows(
    client: Client,
    coordinator: User,
    published: Publication,
    query: dict[str, str],
    message: str,
) -> None:
    client.force_login(coordinator)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Sélectionnez un choix valide" not in page
    assert "Région, 2025" in page  # the default year is shown instead


def test_a_level_and_a_year_are_kept_in_the_url(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(PAGE, {"annee": "2019", "niveau": "setting"}).content.decode()
    assert "Région, 2019" in page
    assert "Classement par lieu de vie" in page
    assert '<option value="setting" selected>' in page


def test_the_values_page_says_a_wrong_filter_in_french(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(
        "/surveillance/indicateurs/valeurs/", {"indicator": "community.did", "year": "2030"}
    ).content.decode()
    assert "« 2030 » ne convient pas pour l&#x27;année avec ces filtres" in page
    assert "Sélectionnez un choix valide" not in page


def test_the_english_page_is_in_english(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get("/en" + PAGE).content.decode()
    assert "Community antibiotic consumption" in page or "antibiotic" in page.lower()
    assert 'headline__value">21.3<' in page
    tables = "".join(re.findall(r"<table.*?</table>", page, re.S))
    assert "21.6" in tables and "21,6" not in tables
    assert "Jan 2025" in page


# --- downloads -----------------------------------------------------------------------------


def test_csv_opens_right_in_french_excel(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    response = client.get(PAGE, {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="indicateur-community-did.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert "valeur" in rows[0] and "publié le" in rows[0]
    values = {r["valeur"] for r in rows if r["regroupement"] == "département"}
    assert values == {"23,0", "22,0", "22,5", "21,6", "20,0", "22,4"}  # rounded as shown
    assert all("T" not in r["publié le"] for r in rows)  # local time, « 2026-12-07 04:12 »
    english = client.get("/en" + PAGE, {"format": "csv"}).content.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("indicator code;indicator;unit")


def test_excel_download_has_typed_rounded_values(
    client: Client, coordinator: User, published: Publication
) -> None:
    client.force_login(coordinator)
    response = client.get(PAGE, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    index = header.index("valeur")
    assert 21.6 in [r[index] for r in rows] and 21.55 not in [r[index] for r in rows]
    assert sheet.freeze_panes == "A2"


# --- the extension point -------------------------------------------------------------------


def test_a_registered_provider_adds_a_section_and_the_national_figure(
    client: Client, coordinator: User, published: Publication
) -> None:
    def national_view(page: sections.PageContext) -> sections.Section | None:
        if page.indicator.id != "community.did":
            return None
        return sections.Section(
            slug="france",
            title="Vue nationale (essai)",
            columns=["Territoire", "Valeur"],
            rows=[["France", "19,1"]],
            numeric=frozenset({1}),
        )

    def france(page: sections.PageContext) -> sections.NationalFigure | None:
        return sections.NationalFigure(19.1, "France entière (essai)")

    def broken(page: sections.PageContext) -> sections.Section | None:
        raise RuntimeError("a provider's bug")

    from cratb.dashboards import national_figures

    sections.register_section(national_view, order=60)
    sections.register_section(broken)
    sections.unregister(national_figures.france)  # the project's own answers first
    sections.register_national_figure(france)
    try:
        client.force_login(coordinator)
        page = client.get(PAGE).content.decode()
        assert 'id="france"' in page and "Vue nationale (essai)" in page
        assert page.index('id="classement"') < page.index('id="france"')
        assert "19,1 (France entière (essai))" in page
        other = client.get(PROFILE).content.decode()
        assert 'id="france"' not in other
    finally:
        for provider in (national_view, broken, france):
            sections.unregister(provider)
        sections.register_national_figure(national_figures.france, stamp=national_figures.stamp)


def test_every_web_download_writes_times_in_the_platform_time_zone() -> None:
    from datetime import UTC, datetime

    from cratb.network.tabular import table_response

    when = datetime(2026, 12, 7, 3, 12, tzinfo=UTC)  # 04:12 in Paris (winter)
    csv_body = table_response(filename="t", columns=["quand"], rows=[[when]], fmt="csv").content
    assert csv_body.decode("utf-8-sig").splitlines()[1] == "2026-12-07 04:12:00"
    xlsx = table_response(filename="t", columns=["quand"], rows=[[when]], fmt="xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None and sheet["A2"].value == datetime(2026, 12, 7, 4, 12)


def test_establishments_are_named_on_the_ranking_and_the_funnel(
    client: Client, coordinator: User
) -> None:
    from cratb.network.tests.factories import EstablishmentFactory

    known = EstablishmentFactory.create(name="Hôpital de démonstration Nord")
    publication = PublicationFactory.create()
    for number, value, days in ((known.finess, 700.0, 50.0), ("750999999", 500.0, 80.0)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="hospital.ddd_per_1000_patient_days",
            grouping="finess",
            dimensions={"finess": number},
            value=value,
            numerator=value * days,
            denominator=days,
        )
    client.force_login(coordinator)
    page = client.get(
        "/surveillance/indicateurs/hospital.ddd_per_1000_patient_days/", {"niveau": "finess"}
    ).content.decode()
    ranking = _sections(page)["classement"]
    assert f"Hôpital de démonstration Nord ({known.finess})" in ranking
    assert '<th scope="row">750999999</th>' in ranking  # not in the directory: its number
    assert f"Hôpital de démonstration Nord ({known.finess})" in _sections(page)["entonnoir-finess"]


def test_an_expected_resistant_phenotype_is_never_shown_as_a_rate(
    client: Client, coordinator: User, departement: Territory
) -> None:
    """K. pneumoniae × amoxicillin (EUCAST expected resistant phenotype): a lab's « S » gives
    the indicator a value, but the page neither offers nor draws it, and says why."""
    publication = PublicationFactory.create()
    for antibiotic, value in (("AMX", 12.5), ("CIP", 18.0)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="resistance.pct_resistant",
            grouping="organism,antibiotic",
            dimensions={"organism": "Klebsiella pneumoniae", "antibiotic": antibiotic},
            value=value,
            numerator=value,
            denominator=100,
        )
    client.force_login(coordinator)
    url = "/surveillance/indicateurs/resistance.pct_resistant/"
    page = client.get(url).content.decode()
    assert "CIP" in page
    assert '"AMX"' not in page and ">AMX<" not in page
    asked = client.get(url, {"organism": "Klebsiella pneumoniae", "antibiotic": "AMX"})
    text = asked.content.decode()
    assert asked.status_code == 200
    assert "résistance naturelle" in text
    assert "12,5" not in text


def test_the_map_by_cpts_draws_each_cpts_at_its_communes_centre_with_the_tables_values(
    client: Client, coordinator: User, published: Publication, departement: Territory
) -> None:
    """Issue #14 point 1: at the CPTS level the map draws the CPTS as points (population-
    weighted centre of their communes), the numbers beside them are the table's, and a
    masked value (fewer than 11) is said, not drawn as a number."""
    from cratb.network.models import TerritoryCommune
    from cratb.network.tests.factories import CptsTerritoryFactory
    from cratb.network.warehouse import cpts_centroids

    cpts = {}
    for code, name, communes in (
        ("CPTS-NORD", "CPTS Brie Nord", ("77288", "77284")),  # Melun, Meaux
        ("CPTS-OUEST", "CPTS Nanterre", ("92050",)),
        ("CPTS-SUD", "CPTS Fontainebleau", ("77186",)),
    ):
        cpts[code] = CptsTerritoryFactory.create(code=code, name=name, parent=departement)
        for commune in communes:
            TerritoryCommune.objects.create(territory=cpts[code], code=commune)
    lon, lat = cpts_centroids()["CPTS-NORD"]
    # (40 032 × 2.6608 + 54 991 × 2.8776) / 95 023, the same for the latitudes.
    assert lon == round((40032 * 2.6608 + 54991 * 2.8776) / 95023, 4)
    assert lat == round((40032 * 48.54 + 54991 * 48.9587) / 95023, 4)
    for code, number in (("CPTS-NORD", 21.55), ("CPTS-OUEST", 18.04), ("CPTS-SUD", None)):
        IndicatorValueFactory.create(
            publication=published, grouping="cpts", dimensions={"cpts": code}, value=number
        )
    client.force_login(coordinator)
    page = client.get(PAGE + "?annee=2025&niveau=cpts").content.decode()
    carte = _sections(page)["carte"]
    assert "Carte par CPTS" in carte
    cells = _table_cells(carte)
    written = _written_on_chart(carte)
    assert sorted(written) == ["18,0", "21,6", "masqué"]
    assert {"18,0", "21,6", "masqué (moins de 11)"} <= cells
    assert "CPTS Brie Nord (CPTS-NORD)" in carte and "CPTS Fontainebleau (CPTS-SUD)" in carte
    # By département, the page keeps its choropleth.
    by_departement = client.get(PAGE + "?annee=2025&niveau=departement").content.decode()
    assert "Carte par département" in _sections(by_departement)["carte"]


def test_the_map_by_ght_draws_each_ght_at_its_establishments_centre_with_the_tables_values(
    client: Client, coordinator: User, departement: Territory
) -> None:
    """Issue #16 point 5: at the GHT level the hospital page draws each GHT as a point at
    the bed-weighted centre of its establishments' communes, the numbers beside them are
    the table's."""
    from cratb.network.tests.factories import EstablishmentFactory, GhtFactory
    from cratb.network.warehouse import ght_centroids

    north = GhtFactory.create(code="GHT-NORD", name="GHT Brie", parent=departement.parent)
    west = GhtFactory.create(code="GHT-OUEST", name="GHT Hauts-de-Seine", parent=departement.parent)
    for ght, commune, beds in ((north, "77288", 300), (north, "77284", 100), (west, "92050", 50)):
        EstablishmentFactory.create(ght=ght, commune_code=commune, beds=beds)
    EstablishmentFactory.create(ght=None, commune_code="75056")  # in no GHT: not drawn
    lon, lat = ght_centroids()["GHT-NORD"]
    # Melun (2.6608, 48.54) × 300 beds, Meaux (2.8776, 48.9587) × 100 beds.
    assert lon == round((300 * 2.6608 + 100 * 2.8776) / 400, 4)
    assert lat == round((300 * 48.54 + 100 * 48.9587) / 400, 4)
    publication = PublicationFactory.create()
    for code, number in (("GHT-NORD", 412.34), ("GHT-OUEST", 298.76)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="hospital.ddd_per_1000_patient_days",
            grouping="ght",
            dimensions={"ght": code},
            value=number,
            numerator=number * 10,
            denominator=10,
        )
    client.force_login(coordinator)
    page = client.get(
        "/surveillance/indicateurs/hospital.ddd_per_1000_patient_days/", {"niveau": "ght"}
    ).content.decode()
    carte = _sections(page)["carte"]
    assert "Carte par GHT" in carte
    assert "GHT Brie (GHT-NORD)" in carte and "GHT Hauts-de-Seine (GHT-OUEST)" in carte
    written = _written_on_chart(carte)
    assert sorted(written) == ["298,8", "412,3"]
    assert set(written) <= _table_cells(carte)
    assert "au centre de ses établissements" in carte


def test_one_funnel_per_unit_even_with_establishment_x_sector_values(
    client: Client, coordinator: User
) -> None:
    """Values by establishment × sector (or × class) are not drawn as a second funnel of
    establishments under the same title and anchor."""
    publication = PublicationFactory.create()
    for number, value in (("750000010", 300.0), ("750000028", 400.0), ("750000036", 350.0)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="hospital.ddd_per_1000_patient_days",
            grouping="finess",
            dimensions={"finess": number},
            value=value,
            numerator=value * 20,
            denominator=20,
        )
        for sector, factor in (("medicine", 1.2), ("intensive_care", 3.0)):
            IndicatorValueFactory.create(
                publication=publication,
                indicator="hospital.ddd_per_1000_patient_days",
                grouping="finess,sector",
                dimensions={"finess": number, "sector": sector},
                value=value * factor,
                numerator=value * factor * 5,
                denominator=5,
            )
    client.force_login(coordinator)
    page = client.get("/surveillance/indicateurs/hospital.ddd_per_1000_patient_days/").content
    assert page.decode().count('id="entonnoir-finess"') == 1
