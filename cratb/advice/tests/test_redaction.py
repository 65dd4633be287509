"""Redaction: the coordination removes a passage (a patient's name, a NIR typed before
the refusal existed) from every stored text of a request; the original is overwritten in
the database, the append-only history included, and one event says who, when and why."""

from __future__ import annotations

import html
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cratb.accounts.models import User
from cratb.advice.models import (
    AdviceEvent,
    AdviceMessage,
    AdviceRequest,
    AgentChoice,
    Answer,
    AppendOnlyError,
    Attachment,
    EventKind,
    StateError,
    Status,
)
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db

SECRET = "Mme Irène Zébulon"


@pytest.fixture
def filled(
    departement: Territory, ema_team: Organization, ema_responder: User, coordinator: User
) -> AdviceRequest:
    """A request whose every text holds the patient's name (stored before any check)."""
    advice = AdviceRequestFactory.create(
        departement=departement,
        team=ema_team,
        question=f"Cystite chez {SECRET}, 40 ans : quelle durée ?",
        organism=f"E. coli ({SECRET})",
    )
    # Written directly, as an older version of the platform let it be.
    advice.ask(by=ema_responder, text=f"{SECRET} est-elle enceinte ?", expected_version=1)
    advice.reply(text=f"Non, {SECRET} ne l'est pas.", by=None)
    advice.reassign(to=coordinator, by=ema_responder, expected_version=3, note=f"voir {SECRET}")
    advice.answer(
        by=coordinator,
        recommendation="start",
        agents=[AgentChoice(atc="J01XX01", route="O")],
        duration_days=1,
        text=f"Fosfomycine pour {SECRET}.",
        expected_version=4,
    )
    advice.edit_coding(by=coordinator, changes={"organism": "Escherichia coli"}, expected_version=5)
    advice.attach(
        path="requests/x.pdf",
        original_name=f"ECBU {SECRET}.pdf",
        content_type="application/pdf",
        size=10,
        by=coordinator,
        from_requester=False,
    )
    advice.refresh_from_db()
    return advice


def stored_everywhere(text: str) -> list[str]:
    """Every table of the advice app whose raw rows still hold ``text``."""
    found = []
    with connection.cursor() as cursor:
        for model in (AdviceRequest, AdviceEvent, AdviceMessage, Answer, Attachment):
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table from the model
            for row in cursor.fetchall():
                if any(text in str(cell) for cell in row):
                    found.append(table)
    return found


def test_a_redaction_overwrites_the_passage_everywhere_and_logs_who_when_why(
    filled: AdviceRequest, coordinator: User
) -> None:
    assert stored_everywhere(SECRET)  # the fixture holds it in many places
    event = filled.redact(passage=SECRET, reason="nom de la patiente", by=coordinator)

    assert stored_everywhere(SECRET) == []
    day = timezone.localdate().strftime("%d/%m/%Y")
    who = coordinator.get_full_name() or coordinator.username
    marker = f"[passage supprimé le {day} par {who}]"
    filled.refresh_from_db()
    assert marker in filled.question
    assert filled.question.startswith("Cystite chez [passage supprimé le")
    assert marker in AdviceMessage.objects.filter(request=filled).first().text  # type: ignore[union-attr]
    assert marker in Answer.objects.get(request=filled).text
    # The coding change kept the old organism in its event: overwritten too.
    edited = AdviceEvent.objects.get(request=filled, kind=EventKind.EDITED)
    assert SECRET not in json.dumps(edited.data, ensure_ascii=False)
    assert event.kind == EventKind.REDACTED
    assert event.actor == coordinator
    assert event.text == "nom de la patiente"
    assert SECRET not in json.dumps(event.data, ensure_ascii=False)
    assert event.data["places"]["question"] == 1


def test_the_history_stays_append_only_outside_a_redaction(filled: AdviceRequest) -> None:
    with pytest.raises(AppendOnlyError):
        AdviceEvent.objects.filter(request=filled).update(text="x")
    with pytest.raises(AppendOnlyError):
        AdviceEvent.objects.filter(request=filled).delete()


def test_only_the_coordination_redacts(filled: AdviceRequest, ema_responder: User) -> None:
    with pytest.raises(StateError):
        filled.redact(passage=SECRET, reason="nom", by=ema_responder)
    assert stored_everywhere(SECRET)


def test_a_passage_found_nowhere_or_a_reason_repeating_it_is_refused(
    filled: AdviceRequest, coordinator: User
) -> None:
    with pytest.raises(StateError, match="ne figure"):
        filled.redact(passage="Jean Absent", reason="nom", by=coordinator)
    with pytest.raises(StateError, match="motif"):
        filled.redact(passage=SECRET, reason=f"retirer {SECRET}", by=coordinator)
    with pytest.raises(StateError, match="motif"):
        filled.redact(passage=SECRET, reason="  ", by=coordinator)
    assert not AdviceEvent.objects.filter(kind=EventKind.REDACTED).exists()


def test_the_redaction_page(client: Client, filled: AdviceRequest, coordinator: User) -> None:
    client.force_login(coordinator)
    url = reverse("advice:request-redact", args=[filled.pk])
    detail = client.get(reverse("advice:request-detail", args=[filled.pk]))
    assert url in detail.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"passage": SECRET, "reason": "nom de la patiente"})
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert SECRET not in page
    assert "Passage supprimé" in page
    assert "nom de la patiente" in page


def test_the_redaction_page_is_for_the_coordination_only(
    client: Client, filled: AdviceRequest, ema_responder: User
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-redact", args=[filled.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"passage": SECRET, "reason": "x"}).status_code == 403
    assert (
        url not in client.get(reverse("advice:request-detail", args=[filled.pk])).content.decode()
    )


def test_a_responder_is_warned_of_identity_clues_in_a_request(
    client: Client, departement: Territory, ema_team: Organization, ema_responder: User
) -> None:
    advice = AdviceRequestFactory.create(
        departement=departement,
        team=ema_team,
        status=Status.OPEN,
        question="Mme Martin née le 12/03/1950 : pyélonéphrite, quel relais ?",
        identity_confirmed=True,
    )
    client.force_login(ema_responder)
    page = html.unescape(
        client.get(reverse("advice:request-detail", args=[advice.pk])).content.decode()
    )
    assert "semble contenir une date de naissance à côté d'un nom" in page
