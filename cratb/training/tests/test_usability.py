"""What a newcomer tripped on in the training pages (issue #14, point 6)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cratb.accounts.models import User
from cratb.network.models import Territory
from cratb.training.models import Registration, RegistrationError
from cratb.training.tests.factories import PlanFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _form(departement: Territory) -> dict[str, Any]:
    return {
        "first_name": "Alex",
        "last_name": "Martin",
        "email": "alex@exemple.fr",
        "profession": "pharmacist",
        "organization_name": "Pharmacie du Marché",
        "departement": departement.pk,
        "consent": "on",
    }


def _at(year: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, 3, 12, 14, 0))


def test_a_session_of_another_year_is_refused_in_a_plan() -> None:
    plan = PlanFactory.create(year=2027)
    session = SessionFactory.build(plan=plan, starts_at=_at(2026), ends_at=_at(2026))
    with pytest.raises(ValidationError) as caught:
        session.full_clean()
    assert "starts_at" in caught.value.message_dict
    assert "a lieu en 2026" in caught.value.message_dict["starts_at"][0]
    SessionFactory.build(plan=plan, starts_at=_at(2027), ends_at=_at(2027)).full_clean()


def test_the_session_form_says_the_year_does_not_match(
    client: Client, coordinator: User, departement: Territory
) -> None:
    plan = PlanFactory.create(year=2027)
    client.force_login(coordinator)
    response = client.post(
        "/formation/sessions/nouvelle/",
        {
            "plan": plan.pk,
            "title": "Atelier",
            "theme": "Cystites",
            "format": "peer_workshop",
            "starts_at": "2026-03-12T14:00",
            "ends_at": "2026-03-12T17:00",
            "duration_hours": "3",
            "venue": "Créteil",
            "capacity": "12",
            "waiting_list": "on",
            "published": "on",
        },
    )
    assert response.status_code == 200
    assert "elle n&#x27;entre pas dans le plan de formation 2027" in response.content.decode()


def test_public_registration_closes_when_the_session_starts(
    client: Client, departement: Territory
) -> None:
    started = SessionFactory.create(
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    with pytest.raises(RegistrationError, match="a commencé"):
        Registration.register(
            session=started,
            first_name="A",
            last_name="B",
            email="a@b.fr",
            profession="pharmacist",
            departement=departement,
        )
    page = client.get(f"/formation/agenda/{started.pk}/").content.decode()
    assert "Cette session a commencé : l'inscription est close." in page
    assert 'type="submit"' not in page.split('id="contenu"')[1]
    client.post(f"/formation/agenda/{started.pk}/", _form(departement))
    assert not Registration.objects.exists()


def test_one_registration_is_singular(client: Client, coordinator: User) -> None:
    session = SessionFactory.create(capacity=12)
    RegistrationFactory.create(session=session)
    agenda = client.get("/formation/agenda/").content.decode()
    assert "1 inscrit<" in agenda and "1 inscrits" not in agenda
    client.force_login(coordinator)
    manage = client.get(f"/formation/sessions/{session.pk}/").content.decode()
    assert "1 inscrit sur 12 places" in manage


def _pdf_text(pdf: bytes, tmp_path: Any) -> str:
    import subprocess

    path = tmp_path / "attestation.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


@pytest.mark.skipif(
    not __import__("pathlib").Path("/usr/bin/pdftotext").is_file(), reason="poppler"
)
def test_the_certificate_names_the_region_a_signatory_and_a_readable_reference(
    coordinator: User, tmp_path: Any, settings: Any
) -> None:
    from cratb.training.certificates import certificate_pdf

    settings.CRATB_REGION = "11"
    coordinator.first_name, coordinator.last_name = "Camille", "Martin"
    coordinator.save()
    registration = RegistrationFactory.create(attended=True)
    text = _pdf_text(certificate_pdf(registration), tmp_path)
    assert "CRAtb Île-de-France" in text
    assert "Camille Martin, pour la coordination du CRAtb" in text
    assert registration.reference.startswith("ATT-")
    assert f"Référence de l'attestation : {registration.reference}" in text
    assert str(registration.token) not in text
    settings.CRATB_CERTIFICATE_SIGNATORY = "Dr Alix Durand, coordinatrice du CRAtb"
    text = _pdf_text(certificate_pdf(registration), tmp_path)
    assert "Dr Alix Durand, coordinatrice du CRAtb" in text


def test_training_figures_open_on_the_latest_year_with_attendance(
    client: Client, coordinator: User
) -> None:
    past = SessionFactory.create(
        plan=PlanFactory.create(year=2025), starts_at=_at(2025), ends_at=_at(2025)
    )
    RegistrationFactory.create(session=past, attended=True)
    SessionFactory.create(
        plan=PlanFactory.create(year=2027), starts_at=_at(2027), ends_at=_at(2027)
    )
    client.force_login(coordinator)
    page = client.get("/formation/chiffres/").content.decode()
    assert "Chiffres de la formation — 2025" in page
    assert (
        "Chiffres de la formation — 2027"
        in client.get("/formation/chiffres/?annee=2027").content.decode()
    )
