"""Attendance, questionnaire, certificate and figures."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cratb.accounts.models import User
from cratb.training import figures
from cratb.training.models import Registration, SatisfactionResponse
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _past_session() -> object:
    start = timezone.now() - datetime.timedelta(days=2)
    return SessionFactory.create(starts_at=start, ends_at=start + datetime.timedelta(hours=3))


def test_coordinator_marks_attendance_and_the_participant_gets_the_certificate(
    client: Client, coordinator: User
) -> None:
    session = _past_session()
    present = RegistrationFactory.create(session=session, first_name="Lou")
    absent = RegistrationFactory.create(session=session)
    # No certificate before attendance is recorded.
    assert client.get(f"/formation/inscription/{present.token}/attestation/").status_code == 404

    client.force_login(coordinator)
    response = client.post(
        f"/formation/sessions/{session.pk}/",  # type: ignore[attr-defined]
        {f"attendance-{present.pk}": "present", f"attendance-{absent.pk}": "absent"},
        follow=True,
    )
    assert "Présences enregistrées : 2 modifications." in response.content.decode()
    present.refresh_from_db()
    absent.refresh_from_db()
    assert (present.attended, absent.attended) == (True, False)
    assert [e.kind for e in present.events.all()] == ["attended"]
    assert present.events.get().by == coordinator

    client.logout()
    pdf = client.get(f"/formation/inscription/{present.token}/attestation/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/formation/inscription/{absent.token}/attestation/").status_code == 404


def test_waitlisted_registration_cannot_be_marked_present(coordinator: User) -> None:
    registration = RegistrationFactory.create(status=Registration.Status.WAITLISTED)
    from cratb.training.models import RegistrationError

    with pytest.raises(RegistrationError, match="n'a pas d'inscription confirmée"):
        registration.mark_attendance(attended=True, by=coordinator)


def test_participant_answers_the_questionnaire_once(client: Client) -> None:
    registration = RegistrationFactory.create(session=_past_session(), attended=True)
    url = f"/formation/inscription/{registration.token}/"
    assert "Questionnaire de satisfaction" in client.get(url).content.decode()
    bad = client.post(url, {"overall": "9", "usefulness": "4", "would_recommend": "1"})
    assert "Sélectionnez un choix valide" in bad.content.decode()
    client.post(
        url, {"overall": "5", "usefulness": "4", "would_recommend": "1", "comment": "Utile"}
    )
    answer = SatisfactionResponse.objects.get()
    assert (answer.overall, answer.usefulness, answer.would_recommend) == (5, 4, True)
    assert "Merci d'avoir répondu" in client.get(url).content.decode()


def test_figures_count_distinct_people_trained(client: Client, agency_viewer: User) -> None:
    session = _past_session()
    other = _past_session()
    RegistrationFactory.create(session=session, email="a@exemple.fr", attended=True)
    RegistrationFactory.create(session=other, email="A@exemple.fr", attended=True)
    RegistrationFactory.create(
        session=session, email="b@exemple.fr", profession="nurse", attended=True
    )
    RegistrationFactory.create(session=session, email="c@exemple.fr", attended=False)
    year = timezone.localtime(session.starts_at).year  # type: ignore[attr-defined]
    assert sorted(figures.trained_by_profession(year)) == [("Infirmier", 1), ("Médecin", 1)]
    (row,) = figures.trained_by_year()
    assert (row["people"], row["attendances"]) == (2, 3)
    client.force_login(agency_viewer)
    html = client.get("/formation/chiffres/").content.decode()
    assert "Personnes formées" in html
    assert client.get("/formation/chiffres/?format=csv").status_code == 200
