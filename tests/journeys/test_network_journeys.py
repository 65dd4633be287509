"""Browser journeys of the network and training pages (Playwright on the system Chromium).

The browser fixtures come from the login journey's module, so every journey launches
Chromium the same way (and is skipped without it, except in CI).
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.network.models import PractitionerRole, Territory, TerritoryCommune
from cratb.network.tests.factories import (
    CptsTerritoryFactory,
    EstablishmentFactory,
    PractitionerFactory,
    RoleFactory,
)
from cratb.training.models import Registration
from cratb.training.tests.factories import RegistrationFactory, SessionFactory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey


def _shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def test_visitor_finds_the_referent_for_a_commune(
    live_server: LiveServer, page: Page, region: Territory
) -> None:
    val_de_marne = Territory.objects.create(
        kind="departement", code="94", name="Val-de-Marne", parent=region
    )
    territory = CptsTerritoryFactory.create(parent=val_de_marne, name="CPTS Créteil")
    TerritoryCommune.objects.create(territory=territory, code="94028")
    cpts = EstablishmentFactory.create(
        kind="cpts", name="CPTS Créteil", finess="", departement=val_de_marne,
        served_territory=territory, phone="01 45 17 00 00",
    )  # fmt: skip
    referent = PractitionerFactory.create(first_name="Nour", last_name="Benali")
    RoleFactory.create(
        practitioner=referent, organization=cpts, function=PractitionerRole.Function.CPTS_REFERENT
    )

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Qui contacter ?").click()
    search = page.get_by_role("search", name="Par commune")
    search.get_by_label("Commune, code postal ou code INSEE").fill("creteil")
    search.get_by_role("button", name="Chercher").click()

    expect(page.get_by_role("heading", name="Pour Créteil (94 94000)")).to_be_visible()
    expect(page.get_by_text("Nour Benali")).to_be_visible()
    expect(page.get_by_text("01 45 17 00 00")).to_be_visible()
    _shot(page, "network-commune-referent")


def test_visitor_registers_for_a_session_and_receives_the_confirmation(
    live_server: LiveServer, page: Page, departement: Territory
) -> None:
    session = SessionFactory.create(title="Atelier entre pairs : cystites", capacity=10)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Agenda des formations").click()
    page.get_by_role("link", name="Atelier entre pairs : cystites").click()
    page.get_by_label("Prénom").fill("Alex")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Courriel").fill("alex.martin@exemple.fr")
    page.get_by_label("Profession").select_option("pharmacist")
    page.get_by_label("Structure ou lieu d'exercice").fill("Pharmacie du Marché")
    page.get_by_label("Département d'exercice").select_option(str(departement.pk))
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="S'inscrire").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Un courriel de confirmation a été envoyé à alex.martin@exemple.fr"
    )
    expect(page.get_by_role("heading", name="Mon inscription")).to_be_visible()
    registration = Registration.objects.get(session=session)
    assert registration.status == Registration.Status.CONFIRMED
    (message,) = mail.outbox
    assert message.to == ["alex.martin@exemple.fr"]
    assert message.subject == "Inscription confirmée : Atelier entre pairs : cystites"
    # The link of the e-mail opens the participant's page.
    link = next(line for line in message.body.splitlines() if "/formation/inscription/" in line)
    page.goto(link)
    expect(page.get_by_text("Inscription confirmée")).to_be_visible()
    _shot(page, "training-registration")


def test_coordinator_marks_attendance_and_the_participant_downloads_the_certificate(
    live_server: LiveServer, page: Page, coordinator: User
) -> None:
    start = timezone.now() - datetime.timedelta(days=1)
    session = SessionFactory.create(
        title="Webinaire : angine", starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    registration = RegistrationFactory.create(
        session=session, first_name="Lou", last_name="Bernard", email="lou@exemple.fr"
    )
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.goto(live_server.url + reverse("training:session-manage", args=[session.pk]))
    page.get_by_label("Lou Bernard présent").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status")).to_contain_text("Présences enregistrées : 1 modification.")
    _shot(page, "training-attendance")

    # The participant, not logged in, opens the link of their e-mail.
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("training:registration", args=[registration.token]))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l'attestation de présence (PDF)").click()
    download = download_info.value
    path = download.path()
    assert path is not None
    assert path.read_bytes().startswith(b"%PDF")
    assert download.suggested_filename.endswith(".pdf")


def test_coordinator_sees_an_uncovered_nursing_home_on_the_gap_page(
    live_server: LiveServer, page: Page, coordinator: User, departement: Territory
) -> None:
    EstablishmentFactory.create(
        kind="nursing_home", name="EHPAD des Tilleuls", departement=departement, beds=84
    )
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Réseau"
    ).click()
    page.get_by_role("link", name="Lacunes").click()

    section = page.get_by_role("region", name="EHPAD sans convention avec une EMA")
    expect(section.get_by_role("rowheader", name="EHPAD des Tilleuls")).to_be_visible()
    uncovered = page.get_by_role("region", name="Établissements sans référent ni couverture EMA")
    expect(uncovered.get_by_text("EHPAD des Tilleuls")).to_be_visible()
    _shot(page, "network-gaps")
