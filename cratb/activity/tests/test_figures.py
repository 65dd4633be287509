"""One source per figure: each figure carried into an EMA's report equals the figure its
source page shows (advice figures page, training figures page, the team's page)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cratb.accounts.models import User
from cratb.activity.figures import team_figures
from cratb.advice.models import Status
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.network.models import Organization, PractitionerRole, Territory
from cratb.network.tests.factories import (
    AgreementFactory,
    EstablishmentFactory,
    PractitionerFactory,
    RoleFactory,
)
from cratb.training.models import Registration
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


@pytest.fixture
def records(ema_team: Organization, departement: Territory) -> None:
    """2025: three requests to the team (two answered), one to nobody; one session given by
    a team member with two people present and one absent; two agreements (one nursing
    home) and one that ended in 2024; FTE 0.5 + 0.3 in the team."""
    for month, hours in ((2, 5.0), (3, 30.0), (4, None)):
        received = datetime.datetime(2025, month, 3, 9, tzinfo=TZ)
        extra = {}
        if hours is not None:
            extra = {
                "first_answer_at": received + datetime.timedelta(hours=hours),
                "status": Status.ANSWERED,
            }
        AdviceRequestFactory.create(
            departement=departement, received_at=received, team=ema_team, **extra
        )
    AdviceRequestFactory.create(
        departement=departement, received_at=datetime.datetime(2025, 5, 1, 9, tzinfo=TZ)
    )
    member = PractitionerFactory.create()
    RoleFactory.create(
        practitioner=member,
        organization=ema_team,
        function=PractitionerRole.Function.EMA_MEMBER,
        fte=Decimal("0.5"),
    )
    RoleFactory.create(
        organization=ema_team, function=PractitionerRole.Function.PHARMACIST, fte=Decimal("0.3")
    )
    starts = datetime.datetime(2025, 6, 10, 14, tzinfo=TZ)
    session = SessionFactory.create(starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))
    session.trainers.add(member)
    for present in (True, True, False):
        RegistrationFactory.create(
            session=session, attended=present, status=Registration.Status.CONFIRMED
        )
    AgreementFactory.create(ema=ema_team, establishment=EstablishmentFactory.create())
    AgreementFactory.create(
        ema=ema_team,
        establishment=EstablishmentFactory.create(kind=Organization.Kind.NURSING_HOME),
    )
    AgreementFactory.create(
        ema=ema_team,
        establishment=EstablishmentFactory.create(),
        end=datetime.date(2024, 6, 30),
    )


def values(ema_team: Organization) -> dict[str, object]:
    return {f.key: f.value for f in team_figures(2025, ema_team)}


def test_figures_by_hand(records: None, ema_team: Organization) -> None:
    found = values(ema_team)
    assert found["advice_requests"] == 3
    assert found["advice_answered"] == 2
    assert found["advice_median_hours"] == 17.5  # median of 5 h and 30 h
    assert found["training_sessions"] == 1
    assert found["people_trained"] == 2
    assert found["establishments_covered"] == 2
    assert found["nursing_homes_covered"] == 1
    assert found["staff_fte"] == Decimal("0.80")


def test_advice_figures_equal_the_advice_page(
    records: None, ema_team: Organization, client: Client, coordinator: User
) -> None:
    found = values(ema_team)
    client.force_login(coordinator)
    page = client.get(reverse("advice:figures") + "?annee=2025&par=team").content.decode()
    row = re.search(
        r"<tr><td>EMA du territoire de Paris</td><td class=\"num\">(\d+)</td>"
        r"<td class=\"num\">(\d+)</td>",
        page,
    )
    assert row is not None
    assert (int(row.group(1)), int(row.group(2))) == (
        found["advice_requests"],
        found["advice_answered"],
    )


def test_training_figures_equal_the_training_page(
    records: None, ema_team: Organization, client: Client, coordinator: User
) -> None:
    found = values(ema_team)
    client.force_login(coordinator)
    response = client.get(reverse("training:figures") + "?annee=2025")
    row = next(r for r in response.context["by_team"] if r.team_id == ema_team.pk)
    assert (row.sessions, row.people) == (found["training_sessions"], found["people_trained"])
    assert "Par équipe formatrice" in response.content.decode()


def test_coverage_figures_equal_the_team_page(
    records: None, ema_team: Organization, client: Client, coordinator: User
) -> None:
    found = values(ema_team)
    link = next(f.source for f in team_figures(2025, ema_team) if f.key == "staff_fte")
    client.force_login(coordinator)
    response = client.get(link)
    coverage = response.context["coverage"]
    assert coverage.on == datetime.date(2025, 12, 31)
    assert (coverage.establishments, coverage.nursing_homes, coverage.fte) == (
        found["establishments_covered"],
        found["nursing_homes_covered"],
        found["staff_fte"],
    )


def test_the_report_page_shows_the_figures_and_links(
    records: None, ema_team: Organization, client: Client, coordinator: User,
    ema_responder: User,
) -> None:  # fmt: skip
    from cratb.activity.tests.helpers import form_of, report_campaign

    form = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    client.force_login(ema_responder)
    page = client.get(reverse("activity:submission", args=[form.pk])).content.decode()
    assert "Sessions de formation données" in page
    # The EMA member is offered only the source pages they may open: their team's page,
    # not the coordination's figures pages.
    assert reverse("network:organization-detail", args=[ema_team.pk]) in page
    assert reverse("advice:figures") not in page
    assert "page de la coordination" in page
    client.force_login(coordinator)
    assert (
        reverse("advice:figures")
        in client.get(reverse("activity:submission", args=[form.pk])).content.decode()
    )
    client.force_login(ema_responder)
    # A figure cannot be typed over: only a comment field goes with it.
    assert 'name="advice_requests"' not in page
    assert 'name="figure-comment-advice_requests"' in page


def test_an_impossible_date_on_the_team_page_is_no_error(
    ema_team: Organization, client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    url = reverse("network:organization-detail", args=[ema_team.pk])
    for text in ("2025-02-30", "n'importe", ""):
        assert client.get(url, {"au": text}).status_code == 200


def test_a_validated_report_keeps_its_figures(
    records: None, ema_team: Organization, coordinator: User, ema_responder: User,
    departement: Territory,
) -> None:  # fmt: skip
    from cratb.activity.summaries import report_values, snapshot
    from cratb.activity.tests.helpers import form_of, report_campaign

    form = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    form.submit(by=ema_responder, expected_version=1)
    form.validate(
        by=coordinator,
        expected_version=form.version,
        snapshot=snapshot(team_figures(2025, ema_team)),
    )
    # A request of 2025 recorded after the validation: the live figure moves, not the report.
    AdviceRequestFactory.create(
        departement=departement,
        received_at=datetime.datetime(2025, 7, 1, 9, tzinfo=TZ),
        team=ema_team,
    )
    from django.core.cache import cache

    cache.clear()
    assert values(ema_team)["advice_requests"] == 4
    form.refresh_from_db()
    frozen = report_values(form)
    assert frozen["advice_requests"] == 3
    assert frozen["staff_fte"] == Decimal("0.80")
