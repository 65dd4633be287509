"""What a newcomer tripped on in the advice desk (issue #14, points 6 and 7)."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cratb.accounts.models import User
from cratb.advice.forms import agent_choices, route_problem
from cratb.advice.models import AdviceRequest, EventKind, Status
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(departement: Territory, ema_team: Organization) -> AdviceRequest:
    return AdviceRequestFactory.create(departement=departement, team=ema_team)


def test_a_closed_request_is_close_not_the_verb_fermer() -> None:
    with translation.override("fr"):
        assert str(Status.CLOSED.label) == "Close"
        assert str(EventKind.CLOSED.label) == "Close"
    with translation.override("en"):
        assert str(Status.CLOSED.label) == "Closed"


def test_a_request_without_an_answer_is_not_closed_without_a_reason(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-close", args=[open_request.pk])
    page = client.get(reverse("advice:request-detail", args=[open_request.pk])).content.decode()
    assert 'name="reason"' in page and "Motif de clôture" in page
    response = client.post(url, {"version": open_request.version}, follow=True)
    open_request.refresh_from_db()
    assert open_request.status != Status.CLOSED
    assert "indiquez pourquoi vous la closez" in html.unescape(response.content.decode())
    client.post(url, {"version": open_request.version, "reason": "Doublon de la demande 12"})
    open_request.refresh_from_db()
    assert open_request.status == Status.CLOSED
    event = open_request.events.get(kind=EventKind.CLOSED)
    assert event.text == "Doublon de la demande 12"
    page = client.get(reverse("advice:request-detail", args=[open_request.pk])).content.decode()
    assert "Fermer" not in page


def test_injectable_pivmecillinam_is_refused(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    assert "voie injectable" in route_problem("J01CA08", "P")
    assert route_problem("J01CA08", "O") == ""
    assert route_problem("J01CR02", "P") == ""  # amoxicillin-clavulanate: both routes
    client.force_login(ema_responder)
    pk = open_request.pk
    client.post(reverse("advice:request-take", args=[pk]), {"version": 1})
    response = client.post(
        reverse("advice:request-answer", args=[pk]),
        {
            "version": 2,
            "recommendation": "change",
            "agent_1": "J01CA08",
            "route_1": "P",
            "duration_days": "5",
            "text": "Pivmécillinam.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "pivmécillinam ne s&#x27;administre pas par voie injectable" in page
    assert "<title>Erreur : " in page
    assert 'href="#answer-route_1"' in page  # the summary links to the field
    open_request.refresh_from_db()
    assert open_request.first_answer_at is None


def test_antibiotics_are_listed_in_french_order_ignoring_accents() -> None:
    names = [label for _code, label in agent_choices()]
    cefaclor = next(i for i, n in enumerate(names) if n.startswith("céfaclor"))
    colistin = next(i for i, n in enumerate(names) if n.startswith("colistine"))
    assert cefaclor < colistin


def test_the_redaction_message_agrees_in_number(
    client: Client, coordinator: User, departement: Territory, ema_team: Organization
) -> None:
    advice = AdviceRequestFactory.create(
        departement=departement, team=ema_team, question="Patiente Jeanne Exemplaire, cystite."
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("advice:request-redact", args=[advice.pk]),
        {"passage": "Jeanne Exemplaire", "reason": "nom de la patiente"},
        follow=True,
    )
    assert "Passage supprimé de 1 texte de la demande." in html.unescape(response.content.decode())
