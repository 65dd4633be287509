"""One source per figure: each figure of the annual report equals the figure its page
shows (issue #15, point 8). Each test reads a section of the report and the page it comes
from, on the same records, and compares them as written."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory
from cratb.advice import codes
from cratb.advice.models import Answer, RecommendedAgent, Status, Survey
from cratb.advice.templatetags.advice_extras import hours
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.advice.workdays import PARIS
from cratb.charts.numbers import format_number
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.documents import Block, ChartBlock, Figure, FigureList, Table
from cratb.network.models import Organization, PractitionerRole, Territory
from cratb.network.tests.factories import (
    AgreementFactory,
    CptsTerritoryFactory,
    EstablishmentFactory,
    RoleFactory,
)
from cratb.reports.catalogue import section_of
from cratb.training.models import SatisfactionResponse, TrainingSession
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
NBSP = "\u00a0"


def _blocks(key: str) -> list[Block]:
    entry = section_of(key)
    assert entry is not None
    return list(entry.build(YEAR))


def _figure(blocks: list[Block], label: str) -> Figure:
    for block in blocks:
        if isinstance(block, FigureList):
            for item in block.items:
                if item.label.startswith(label):
                    return item
    raise AssertionError(f"no figure « {label} »")


def _table(blocks: list[Block], caption: str) -> Table:
    found = [b for b in blocks if isinstance(b, Table) and b.caption.startswith(caption)]
    assert found, f"no table « {caption} »"
    return found[0]


def _page(response: Any) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode()).replace(NBSP, " ")


def _same(text: str) -> str:
    return text.replace(NBSP, " ")


# --- surveillance ------------------------------------------------------------------------------


@pytest.fixture
def indicators(departement: Territory) -> None:
    DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=departement.parent)
    publication = PublicationFactory.create()
    for indicator, year, value in (
        ("community.prescriptions_per_1000", 2019, 932.35),
        ("community.prescriptions_per_1000", YEAR, 878.73),
        ("community.access_share", 2019, 60.04),
        ("community.access_share", YEAR, 64.76),
    ):
        IndicatorValueFactory.create(
            publication=publication, indicator=indicator, year=year, value=value
        )
    for code, value in (("75", 882.04), ("92", 885.66)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="community.prescriptions_per_1000",
            grouping="departement",
            departement=code,
            value=value,
        )


def _indicator_page(client: Client, indicator: str, **params: str) -> str:
    return _page(
        client.get("/surveillance/indicateurs/valeurs/", {"indicator": indicator, **params})
    )


def test_key_indicators_are_the_values_page_values(
    client: Client, coordinator: User, indicators: None
) -> None:
    client.force_login(coordinator)
    table = _table(_blocks("surveillance"), "Indicateurs clés")
    rows = {row[0]: row for row in table.text_rows("fr")}
    assert list(rows) == [
        "Prescriptions d'antibiotiques en ville",
        "Part des antibiotiques Access (AWaRe) en ville",
    ]
    for code, title in (
        ("community.prescriptions_per_1000", "Prescriptions d'antibiotiques en ville"),
        ("community.access_share", "Part des antibiotiques Access (AWaRe) en ville"),
    ):
        this_year = _indicator_page(client, code, year=str(YEAR), grouping="-")
        baseline = _indicator_page(client, code, year="2019", grouping="-")
        value, reference = rows[title][2], rows[title][3]
        assert f'<td class="num">{_same(value)}</td>' in this_year
        assert f'<td class="num">{_same(reference)}</td>' in baseline
    # The change since 2019 and the targets, by hand: (878.73 − 932.35) / 932.35 = −5.75 %.
    assert rows["Prescriptions d'antibiotiques en ville"][2:] == [
        "878,7",
        "932,4",
        "-5,8",
        "< 650",
        "non",
    ]
    assert rows["Part des antibiotiques Access (AWaRe) en ville"][6] == "non"  # 64.76 < 65


def test_the_map_values_are_the_pages_departement_values(
    client: Client, coordinator: User, indicators: None
) -> None:
    client.force_login(coordinator)
    blocks = _blocks("surveillance")
    table = _table(blocks, "Prescriptions d'antibiotiques en ville par département")
    page = _indicator_page(
        client, "community.prescriptions_per_1000", year=str(YEAR), grouping="departement"
    )
    values = [row[1] for row in table.text_rows("fr")]
    assert values == ["882,0", "885,7"]
    for value in values:
        assert f'<td class="num">{value}</td>' in page
    maps = [b.chart for b in blocks if isinstance(b, ChartBlock) and b.chart.kind == "choropleth"]
    assert len(maps) == 1 and set(values) <= set(maps[0].labels)


# --- advice ------------------------------------------------------------------------------------


def _at(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, 10, tzinfo=PARIS)


@pytest.fixture
def advice(departement: Territory, coordinator: User) -> None:
    specs = [
        (1, 8, 1.5, codes.Setting.COMMUNITY, codes.Syndrome.CYSTITIS, [("J01CA04", "O", "Access")]),
        (2, 3, 30.0, codes.Setting.NURSING_HOME, codes.Syndrome.CYSTITIS,
         [("J01DD04", "P", "Watch"), ("J01CA04", "O", "Access")]),
        (3, 9, 4.25, codes.Setting.COMMUNITY, codes.Syndrome.PNEUMONIA, []),
        (5, 20, None, codes.Setting.HOSPITAL, codes.Syndrome.PNEUMONIA, []),
    ]  # fmt: skip
    for month, day, delay, setting, syndrome, agents in specs:
        received = _at(month, day)
        request = AdviceRequestFactory.create(
            departement=departement,
            received_at=received,
            due_at=received + timedelta(hours=24),
            setting=setting,
            syndrome=syndrome,
            status=Status.OPEN if delay is None else Status.ANSWERED,
            first_answer_at=None if delay is None else received + timedelta(hours=delay),
        )
        if delay is not None:
            answer = Answer.objects.create(
                request=request,
                author=coordinator,
                recommendation=codes.Recommendation.START,
                text="Avis.",
                created_at=received + timedelta(hours=delay),
            )
            for atc, route, category in agents:
                RecommendedAgent.objects.create(answer=answer, atc=atc, route=route, aware=category)
            Survey.objects.create(
                request=request, followed=codes.Followed.YES
            ) if month == 1 else None
    # Another year: counted by neither.
    AdviceRequestFactory.create(
        departement=departement, received_at=datetime(2024, 6, 1, tzinfo=PARIS)
    )


def test_advice_key_figures_are_the_figures_page(
    client: Client, coordinator: User, advice: None
) -> None:
    client.force_login(coordinator)
    response = client.get("/conseil/chiffres/", {"annee": str(YEAR)})
    page = _page(response)
    # The page's figures (the context of its tables, or of the page itself).
    shown = response.context["figures"]
    summary = shown.summary if hasattr(shown, "summary") else shown["summary"]
    blocks = _blocks("advice")
    assert _figure(blocks, "Demandes d'avis reçues").value == summary.total == 4
    assert _figure(blocks, "Demandes avec un avis").value == summary.answered == 3
    median = _figure(blocks, "Délai médian du premier avis").value
    assert median == hours(summary.median_hours) == "4 h 15"
    assert f"<strong>{median}</strong>" in page
    p90 = _figure(blocks, "90e centile du délai")
    assert f"<strong>{p90.value}</strong>" in page
    for label, share in (
        ("Dans le délai cible", summary.within_target),
        ("Avis suivis", summary.followed),
        ("Antibiotique critique évité", summary.avoided_critical),
    ):
        figure = _figure(blocks, label)
        assert figure.value == share.percent
        assert f"<strong>{_same(figure.text('fr'))}</strong>" in page


def test_advice_breakdown_and_themes_are_the_figures_page(
    client: Client, coordinator: User, advice: None
) -> None:
    client.force_login(coordinator)
    blocks = _blocks("advice")
    for dimension, caption in (
        ("setting", "Demandes par lieu"),
        ("syndrome", "Demandes par syndrome"),
    ):
        page = _page(client.get("/conseil/chiffres/", {"annee": str(YEAR), "par": dimension}))
        rows = _table(blocks, caption).text_rows("fr")
        assert rows
        for label, total, answered, median, _within in rows:
            assert (
                f'<tr><td>{label}</td><td class="num">{total}</td><td class="num">{answered}</td>'
                f'<td class="num">{median}</td>'
            ) in page
    counts = {row[0]: row[1] for row in _table(blocks, "Demandes par syndrome").text_rows("fr")}
    assert counts == {"Pneumonie": "2", "Infection urinaire : cystite": "2"}


def test_advice_aware_categories_are_the_figures_page(
    client: Client, coordinator: User, advice: None
) -> None:
    client.force_login(coordinator)
    page = _page(client.get("/conseil/chiffres/", {"annee": str(YEAR)}))
    shown = re.findall(
        r'<tr><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*) %</td>'
        r'<td class="num">([^<]*)</td></tr>',
        page.split('id="aware"')[1],
    )
    table = _table(_blocks("advice"), "Catégorie AWaRe")
    assert [tuple(row) for row in table.text_rows("fr")] == shown
    # By hand: three agents recommended, two Access (two requests), one Watch.
    assert shown == [("Access", "2", "66,7", "2"), ("Watch", "1", "33,3", "1")]


# --- network -----------------------------------------------------------------------------------


@pytest.fixture
def network(departement: Territory) -> None:
    with_referent = EstablishmentFactory.create(name="A avec référent", departement=departement)
    RoleFactory.create(organization=with_referent, fte="0.8")
    with_agreement = EstablishmentFactory.create(name="B conventionné", departement=departement)
    AgreementFactory.create(establishment=with_agreement)
    EstablishmentFactory.create(name="C sans rien", departement=departement)
    home = EstablishmentFactory.create(
        name="EHPAD sans convention",
        kind=Organization.Kind.NURSING_HOME,
        category="",
        departement=departement,
        acute_beds=0,
    )
    assert home.pk
    served = CptsTerritoryFactory.create(parent=departement)
    cpts = EstablishmentFactory.create(
        name="CPTS Paris Nord",
        kind=Organization.Kind.CPTS,
        category="",
        finess="",
        departement=departement,
        served_territory=served,
        acute_beds=0,
    )
    RoleFactory.create(
        organization=cpts,
        function=PractitionerRole.Function.CPTS_REFERENT,
        trained_on=datetime(2025, 3, 1).date(),
    )


def test_network_figures_are_the_gap_analysis_and_map_pages(
    client: Client, coordinator: User, network: None
) -> None:
    client.force_login(coordinator)
    gaps_page = client.get("/reseau/lacunes/")
    assert gaps_page.status_code == 200
    context = gaps_page.context
    blocks = _blocks("network")
    assert _figure(blocks, "Établissements sans aucune expertise").value == len(
        context["uncovered"]
    )
    assert _figure(blocks, "EHPAD sans convention").value == len(context["nursing_homes"])
    # No page counts the agreements in force: by hand, the one of « B conventionné ».
    assert _figure(blocks, "Conventions EMA en cours").value == 1
    assert _figure(blocks, "CPTS").value == len(context["cpts"])
    assert _figure(blocks, "CPTS avec au moins").value == len(context["cpts"]) - len(
        context["cpts_missing"]
    )
    uncovered = _table(blocks, "Établissements sans référent")
    assert [row[0] for row in uncovered.rows] == [o.name for o in context["uncovered"]]

    map_page = client.get("/reseau/carte/", {"mesure": "couverture"})
    assert map_page.status_code == 200
    table = _table(blocks, "Couverture et temps d'expertise")
    shown = {
        f"{r['departement'].name} ({r['departement'].code})": r for r in map_page.context["table"]
    }
    for name, establishments, covered, share, beds, fte, per_1000 in table.rows:
        row = shown[str(name)]
        assert (establishments, covered, share) == (
            row["establishments"],
            row["covered"],
            row["share"],
        )
        assert (beds, fte) == (row["fte"].acute_beds, float(row["fte"].fte))
        assert per_1000 == (float(row["fte"].per_1000) if row["fte"].per_1000 is not None else None)


# --- training ----------------------------------------------------------------------------------


@pytest.fixture
def training(departement: Territory) -> None:
    start = datetime(YEAR, 4, 10, 14, tzinfo=PARIS)
    workshop = SessionFactory.create(starts_at=start, ends_at=start + timedelta(hours=3))
    webinar = SessionFactory.create(
        format=TrainingSession.Format.WEBINAR,
        starts_at=start + timedelta(days=60),
        ends_at=start + timedelta(days=60, hours=1),
    )
    people = [
        ("a@exemple.fr", "physician", workshop, True, (5, 4, True)),
        ("b@exemple.fr", "pharmacist", workshop, True, (4, 4, False)),
        ("a@exemple.fr", "physician", webinar, True, (3, 5, True)),
        ("c@exemple.fr", "nurse", webinar, False, None),
    ]
    for email, profession, session, attended, answer in people:
        registration = RegistrationFactory.create(
            session=session,
            email=email,
            profession=profession,
            departement=departement,
            attended=attended,
        )
        if answer:
            overall, usefulness, recommend = answer
            SatisfactionResponse.objects.create(
                registration=registration,
                overall=overall,
                usefulness=usefulness,
                would_recommend=recommend,
            )


def test_training_figures_are_the_training_figures_page(
    client: Client, coordinator: User, training: None
) -> None:
    client.force_login(coordinator)
    response = client.get("/formation/chiffres/", {"annee": str(YEAR)})
    assert response.status_code == 200
    context = response.context
    blocks = _blocks("training")
    this_year = next(r for r in context["by_year"] if r["year"] == YEAR)
    assert _figure(blocks, "Personnes formées").value == this_year["people"] == 2
    assert _figure(blocks, "Présences").value == this_year["attendances"] == 3
    assert _figure(blocks, "Sessions de formation").value == 2
    profession = _table(blocks, "Personnes formées par profession")
    assert [tuple(r) for r in profession.rows] == [tuple(r) for r in context["by_profession"]]
    total = next(s for s in context["satisfaction"] if s.label == "total")
    assert _figure(blocks, "Satisfaction globale").value == total.overall == 4.0
    assert _figure(blocks, "Recommanderaient").value == total.recommend_pct == 67
    assert (
        _figure(blocks, "CPTS avec un référent formé").value
        == context["cpts"].with_trained_referent
    )
    satisfaction = _table(blocks, "Satisfaction des participants")
    page_rows = {s.label: s for s in context["satisfaction"] if s.label != "total"}
    for label, answers, overall, usefulness, recommend in satisfaction.rows:
        row = page_rows[str(label)]
        assert (answers, overall, usefulness, recommend) == (
            row.answers,
            row.overall,
            row.usefulness,
            row.recommend_pct,
        )
    assert format_number(total.overall, decimals=1, language="fr") == "4,0"
