"""A responder's day: inbox, viewing, asking, answering, conflicts; the requester's side."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import UserFactory
from cratb.advice import tokens
from cratb.advice.models import AdviceRequest, EventKind, Status
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(departement: Territory, ema_team: Organization) -> AdviceRequest:
    return AdviceRequestFactory.create(departement=departement, team=ema_team)


def test_inbox_tabs(
    client: Client, ema_responder: User, open_request: AdviceRequest, departement: Territory
) -> None:
    AdviceRequestFactory.create(departement=departement, assignee=ema_responder)
    AdviceRequestFactory.create(departement=departement, status=Status.CLOSED)
    client.force_login(ema_responder)
    mine = client.get(reverse("advice:inbox")).content.decode()
    assert "À moi (1)" in mine and "Mon équipe (1)" in mine and "Mes territoires (2)" in mine
    team = client.get(reverse("advice:inbox") + "?box=team").content.decode()
    assert reverse("advice:request-detail", args=[open_request.pk]) in team
    closed = client.get(reverse("advice:inbox") + "?box=territory&state=closed").content.decode()
    assert "Close" in closed


def test_inbox_shows_a_change_at_once_though_it_is_cached(
    client: Client, ema_responder: User, open_request: AdviceRequest, departement: Territory
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:inbox") + "?box=territory"
    detail = reverse("advice:request-detail", args=[open_request.pk])
    assert "Mes territoires (1)" in client.get(url).content.decode()
    # Served from the cache: same content, fewer queries.
    assert "Mes territoires (1)" in client.get(url).content.decode()
    newer = AdviceRequestFactory.create(departement=departement)
    page = client.get(url).content.decode()
    assert "Mes territoires (2)" in page
    assert reverse("advice:request-detail", args=[newer.pk]) in page
    open_request.take(by=ema_responder, expected_version=open_request.version)
    page = client.get(url).content.decode()
    assert "À moi (1)" in page and detail in page
    open_request.refresh_from_db()
    open_request.close(by=ema_responder, expected_version=open_request.version, reason="doublon")
    page = client.get(url).content.decode()
    assert "Mes territoires (1)" in page and detail not in page


def test_viewing_is_traced_once_per_version(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-detail", args=[open_request.pk])
    client.get(url)
    client.get(url)
    assert open_request.events.filter(kind=EventKind.VIEWED).count() == 1


def test_take_ask_answer_close_from_the_pages(
    client: Client,
    ema_responder: User,
    open_request: AdviceRequest,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(ema_responder)
    pk = open_request.pk
    client.post(reverse("advice:request-take", args=[pk]), {"version": 1})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("advice:request-ask", args=[pk]), {"version": 2, "text": "Poids ?"})
    assert [m.to for m in mail.outbox] == [[open_request.requester_email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("advice:request-answer", args=[pk]),
            {
                "version": 3,
                "recommendation": "change",
                "agent_1": "J01XX01",
                "route_1": "O",
                "duration_days": "1",
                "text": "Fosfomycine-trométamol dose unique.",
            },
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == [open_request.requester_email]
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "fosfomycine (voie orale)" in page
    assert "AWaRe : Watch" in page
    client.post(reverse("advice:request-close", args=[pk]), {"version": 4})
    open_request.refresh_from_db()
    assert open_request.status == Status.CLOSED
    assert list(
        open_request.events.exclude(kind=EventKind.VIEWED).values_list("kind", flat=True)
    ) == [
        "assigned",
        "info_requested",
        "answered",
        "closed",
    ]


def test_two_responders_answering_at_once_second_sees_the_first_and_keeps_their_text(
    client: Client, ema_responder: User, coordinator: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-answer", args=[open_request.pk])
    first = client.post(
        url, {"version": 1, "recommendation": "stop", "text": "Arrêter : colonisation."}
    )
    assert first.status_code == 302
    other = Client()
    other.force_login(coordinator)
    second = other.post(
        url,
        {
            "version": 1,
            "recommendation": "start",
            "agent_1": "J01CA04",
            "route_1": "O",
            "text": "Mon avis détaillé, rédigé pendant dix minutes.",
        },
    )
    assert second.status_code == 409
    page = html.unescape(second.content.decode())
    assert "Quelqu'un a modifié cette demande pendant votre saisie" in page
    assert "Vous travailliez sur la version 1 ; la version actuelle est la 2." in page
    assert "Arrêter : colonisation." in page  # the other's version
    assert "Mon avis détaillé, rédigé pendant dix minutes." in page  # own text kept
    assert 'name="version" value="2"' in page  # a deliberate resubmission applies
    assert open_request.answers.count() == 1
    again = other.post(
        url,
        {
            "version": 2,
            "recommendation": "start",
            "agent_1": "J01CA04",
            "route_1": "O",
            "text": "Mon avis détaillé, rédigé pendant dix minutes.",
        },
    )
    assert again.status_code == 302
    assert open_request.answers.count() == 2


def test_concurrent_reassignment_is_a_conflict_too(
    client: Client, ema_responder: User, coordinator: User, open_request: AdviceRequest
) -> None:
    colleague = UserFactory.create(role=Role.EMA_MEMBER, team=ema_responder.membership.team)
    client.force_login(coordinator)
    client.post(reverse("advice:request-take", args=[open_request.pk]), {"version": 1})
    client.force_login(ema_responder)
    response = client.post(
        reverse("advice:request-reassign", args=[open_request.pk]),
        {"version": 1, "to": colleague.pk, "note": "Pour toi"},
    )
    assert response.status_code == 409
    open_request.refresh_from_db()
    assert open_request.assignee == coordinator


def test_answer_form_errors_keep_the_text(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    response = client.post(
        reverse("advice:request-answer", args=[open_request.pk]),
        {"version": 1, "recommendation": "", "text": "Texte gardé"},
    )
    assert response.status_code == 400
    assert "Texte gardé" in response.content.decode()


def test_requester_reads_the_answer_replies_and_fills_the_survey_by_link(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    open_request.answer(
        by=ema_responder,
        recommendation="stop",
        agents=[],
        duration_days=None,
        text="Arrêt de l'antibiotique.",
        expected_version=open_request.version,
    )
    url = reverse("advice:follow", args=[tokens.follow_token(open_request)])
    page = html.unescape(client.get(url).content.decode())
    assert "Arrêt de l'antibiotique." in page
    assert "Questionnaire de suivi" in page
    response = client.post(url, {"action": "survey", "followed": "yes", "outcome": "cured"})
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.survey.followed == "yes"
    assert open_request.events.filter(kind=EventKind.SURVEY_ANSWERED).exists()
    assert (
        client.post(url, {"action": "survey", "followed": "no", "outcome": "worse"}).status_code
        == 302
    )
    open_request.refresh_from_db()
    assert open_request.survey.followed == "yes"


def test_requester_reply_reopens_a_waiting_request(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    open_request.ask(by=ema_responder, text="Allergie ?", expected_version=1)
    url = reverse("advice:follow", args=[tokens.follow_token(open_request)])
    response = client.post(url, {"action": "reply", "text": "Aucune allergie connue."})
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.status == Status.OPEN
    assert open_request.messages.last().text == "Aucune allergie connue."  # type: ignore[union-attr]


def test_phone_advice_is_recorded_answered_and_closed(
    client: Client, ema_responder: User, departement: Territory
) -> None:
    client.force_login(ema_responder)
    page = client.get(reverse("advice:phone-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("advice:phone-create"),
        {
            "channel": "phone",
            "received_at": "2025-03-04T10:00",
            "profession": "pharmacist",
            "departement": "75",
            "setting": "community",
            "syndrome": "rti_pharyngitis",
            "age_band": "3-15",
            "sex": "M",
            "resistance": "unknown",
            "allergy": "unknown",
            "renal_function": "unknown",
            "pregnancy": "not_applicable",
            "recommendation": "do_not_start",
            "question": "TROD négatif, faut-il traiter ?",
            "text": "Pas d'antibiotique si TROD négatif.",
            "close": "on",
        },
    )
    assert response.status_code == 302
    request = AdviceRequest.objects.get()
    assert request.channel == "phone" and request.status == Status.CLOSED
    assert request.first_answer_at is not None and request.assignee == ema_responder
    assert list(request.events.values_list("kind", flat=True)) == ["created", "answered", "closed"]


def test_phone_form_refuses_a_future_call(
    client: Client, ema_responder: User, departement: Territory
) -> None:
    client.force_login(ema_responder)
    response = client.post(reverse("advice:phone-create"), {"received_at": "2999-01-01T10:00"})
    assert response.status_code == 400
    assert "ne peut pas être dans le futur" in html.unescape(response.content.decode())


def test_coding_page_corrects_and_reports_a_conflict(
    client: Client, ema_responder: User, coordinator: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-coding", args=[open_request.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert '<option value="uti_cystitis" selected>' in page.content.decode()
    data = {
        "version": 1,
        "departement": "75",
        "profession": "gp",
        "setting": "nursing_home",
        "syndrome": "uti_male",
        "resistance": "unknown",
        "allergy": "unknown",
        "renal_function": "unknown",
        "pregnancy": "not_applicable",
        "age_band": "16-64",
        "sex": "M",
    }
    assert client.post(url, data).status_code == 302
    open_request.refresh_from_db()
    assert open_request.syndrome == "uti_male" and open_request.setting == "nursing_home"
    edited = open_request.events.get(kind=EventKind.EDITED)
    assert edited.data["changes"]["sex"] == ["F", "M"]
    other = Client()
    other.force_login(coordinator)
    stale = other.post(url, {**data, "syndrome": "uti_cystitis"})
    assert stale.status_code == 409
    text = html.unescape(stale.content.decode())
    assert "Quelqu'un a modifié cette demande pendant votre saisie" in text
    assert '<option value="uti_cystitis" selected>' in text  # their choice kept


def test_request_page_shows_every_answer_with_its_own_agents(
    client: Client, ema_responder: User, coordinator: User, open_request: AdviceRequest
) -> None:
    from cratb.advice.models import AgentChoice

    first = open_request.answer(
        by=ema_responder,
        recommendation="change",
        agents=[AgentChoice("J01CA04", "O"), AgentChoice("J01XX01", "O")],
        duration_days=5,
        text="Premier avis.",
        expected_version=open_request.version,
    )
    open_request.refresh_from_db()
    second = open_request.answer(
        by=coordinator,
        recommendation="stop",
        agents=[],
        duration_days=None,
        text="Second avis : arrêt.",
        expected_version=open_request.version,
    )
    client.force_login(coordinator)
    page = html.unescape(
        client.get(reverse("advice:request-detail", args=[open_request.pk])).content.decode()
    )
    start, middle = page.index("Premier avis."), page.index("Second avis : arrêt.")
    assert start < middle
    block = page[page.index(first.get_recommendation_display()) : middle]
    assert "amoxicilline (voie orale)" in block and "fosfomycine (voie orale)" in block
    assert ema_responder.get_full_name() in block
    after = page[middle - 400 : middle]
    assert second.get_recommendation_display() in after and "amoxicilline" not in after
    assert coordinator.get_full_name() in after


def test_inbox_rows_name_the_responder_team_and_lateness(
    client: Client, ema_responder: User, open_request: AdviceRequest, departement: Territory
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    taken = AdviceRequestFactory.create(departement=departement, assignee=ema_responder)
    AdviceRequest.objects.filter(pk=open_request.pk).update(
        due_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(ema_responder)
    page = html.unescape(client.get(reverse("advice:inbox") + "?box=territory").content.decode())
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert f"Demande n° {open_request.pk:06d}" in rows and f"Demande n° {taken.pk:06d}" in rows
    assert open_request.team is not None
    assert "non attribuée" in rows and open_request.team.name in rows
    assert ema_responder.get_full_name() in rows
    assert rows.count("en retard") == 1


@pytest.mark.parametrize("cached", [True, False])
def test_inbox_cache_can_be_turned_off(
    client: Client,
    ema_responder: User,
    open_request: AdviceRequest,
    settings: Any,
    cached: bool,
) -> None:
    """A change made behind the requests' back (no change stamp) shows within the minute
    with the cache, at once without it (CRATB_INBOX_CACHE=false)."""
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    settings.CRATB_INBOX_CACHE = cached
    client.force_login(ema_responder)
    url = reverse("advice:inbox") + "?box=territory"
    moment = timezone.now().replace(second=10)  # both views within the same minute
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert "en retard" not in client.get(url).content.decode()
        AdviceRequest.objects.filter(pk=open_request.pk).update(due_at=moment - timedelta(hours=2))
        assert ("en retard" in client.get(url).content.decode()) is not cached
