"""Public registration: confirmation e-mail, waiting list, refusals with nothing lost."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cratb.network.models import Territory
from cratb.training.models import Registration, RegistrationError, RegistrationEvent
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _form(departement: Territory, email: str = "alex@exemple.fr", **extra: str) -> dict[str, Any]:
    return {
        "first_name": "Alex",
        "last_name": "Martin",
        "email": email,
        "profession": "pharmacist",
        "organization_name": "Pharmacie du Marché",
        "departement": departement.pk,
        "consent": "on",
        **extra,
    }


def test_visitor_registers_and_receives_the_confirmation(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create(title="Atelier cystites", capacity=2)
    response = client.post(
        f"/formation/agenda/{session.pk}/", _form(departement, "Alex@Exemple.fr")
    )
    registration = Registration.objects.get()
    assert response["Location"] == f"/formation/inscription/{registration.token}/"
    assert (registration.status, registration.email) == ("confirmed", "alex@exemple.fr")
    assert [e.kind for e in registration.events.all()] == [RegistrationEvent.Kind.REGISTERED]
    (message,) = mail.outbox
    assert message.to == ["alex@exemple.fr"]
    assert message.subject == "Inscription confirmée : Atelier cystites"
    assert f"http://testserver/formation/inscription/{registration.token}/" in message.body
    page = client.get(response["Location"]).content.decode()
    assert "Un courriel de confirmation a été envoyé à alex@exemple.fr" in page


def test_over_capacity_goes_to_the_waiting_list_with_a_clear_message(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create(capacity=1)
    RegistrationFactory.create(session=session)
    page = client.get(f"/formation/agenda/{session.pk}/").content.decode()
    assert "La session est complète : votre inscription sera placée sur la liste d'attente." in page
    response = client.post(f"/formation/agenda/{session.pk}/", _form(departement), follow=True)
    html = response.content.decode()
    assert "vous êtes inscrit sur la liste d&#x27;attente (position 1)" in html
    registration = Registration.objects.get(email="alex@exemple.fr")
    assert registration.status == Registration.Status.WAITLISTED
    assert session.confirmed() == 1
    assert mail.outbox[0].subject.startswith("Liste d'attente")


def test_full_session_without_waiting_list_refuses_and_keeps_what_was_typed(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create(capacity=1, waiting_list=False)
    RegistrationFactory.create(session=session)
    html = client.post(f"/formation/agenda/{session.pk}/", _form(departement)).content.decode()
    assert (
        "La session est complète (1 places) : aucune inscription n&#x27;a été enregistrée." in html
    )
    assert 'value="Pharmacie du Marché"' in html
    assert Registration.objects.count() == 1
    assert mail.outbox == []


def test_second_registration_with_the_same_email_is_refused(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create()
    client.post(f"/formation/agenda/{session.pk}/", _form(departement))
    html = client.post(
        f"/formation/agenda/{session.pk}/", _form(departement, "ALEX@exemple.fr")
    ).content.decode()
    assert "L&#x27;adresse alex@exemple.fr est déjà inscrite à cette session." in html
    assert Registration.objects.count() == 1


def test_missing_consent_or_field_is_refused(client: Client, departement: Territory) -> None:
    session = SessionFactory.create()
    data = _form(departement)
    del data["consent"]
    data["email"] = "pas-une-adresse"
    html = client.post(f"/formation/agenda/{session.pk}/", data).content.decode()
    assert "Saisissez une adresse de courriel valide." in html
    assert "Ce champ est obligatoire." in html
    assert not Registration.objects.exists()


def test_past_or_unpublished_sessions_take_no_registration(
    client: Client, departement: Territory
) -> None:
    past = SessionFactory.create(starts_at=timezone.now() - datetime.timedelta(days=3))
    with pytest.raises(RegistrationError, match="Cette session est passée"):
        fields = {k: v for k, v in _form(departement).items() if k != "consent"}
        fields["departement"] = departement
        Registration.register(session=past, **fields)
    hidden = SessionFactory.create(published=False)
    assert client.get(f"/formation/agenda/{hidden.pk}/").status_code == 404
    assert client.get("/formation/agenda/").content.decode().count(hidden.title) == 0


def test_cancelling_gives_the_place_to_the_first_on_the_waiting_list(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create(capacity=1)
    first = RegistrationFactory.create(session=session)
    client.post(f"/formation/agenda/{session.pk}/", _form(departement))
    waiting = Registration.objects.get(email="alex@exemple.fr")
    assert waiting.status == "waitlisted"
    client.post(f"/formation/inscription/{first.token}/annuler/")
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == ("cancelled", "confirmed")
    assert mail.outbox[-1].subject.startswith("Inscription confirmée")
    assert [e.kind for e in waiting.events.all()] == ["waitlisted", "promoted"]


def test_agenda_shows_upcoming_sessions_and_places(client: Client, db: None) -> None:
    SessionFactory.create(title="Webinaire angine", capacity=30)
    html = client.get("/formation/agenda/").content.decode()
    assert "Webinaire angine" in html
    assert re.search(r"30 places\s+—\s+0 inscrits", html)
