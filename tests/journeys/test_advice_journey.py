"""Browser journey of the advice desk, end to end.

A requester without an account asks from the public form and confirms by the e-mail
link; the on-call infectiologist finds the request in their inbox, asks a question,
then answers; the requester reads the answer and fills the close-out survey; another
requester cannot open the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import PASSWORD, UserFactory
from cratb.advice.models import AdviceRequest, Status
from cratb.advice.tests.factories import OnCallShiftFactory
from cratb.network.models import Organization, Territory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey


@pytest.fixture(autouse=True)
def advice_settings(settings: Settings, tmp_path: Path, live_server: LiveServer) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.CRATB_REGION = "11"


def link_in_last_mail(live_server: LiveServer, to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    found = re.search(re.escape(live_server.url) + r"(\S+)", str(message.body))
    assert found, message.body
    return live_server.url + found.group(1)


def shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"advice-{name}.png", full_page=True)


def test_request_answer_survey_and_privacy(
    live_server: LiveServer,
    contexts: Callable[..., Page],
    departement: Territory,
    ema_team: Organization,
    ema_responder: User,
) -> None:
    OnCallShiftFactory.create(
        departement=departement,
        responder=ema_responder,
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() + timedelta(hours=10),
    )
    other_requester = UserFactory.create(
        username="autre-demandeur", role=Role.REQUESTER, territories=[departement]
    )
    email = "claire@cabinet.exemple.fr"

    # 1. The requester asks from the public form, without an account.
    requester_page = contexts()
    requester_page.goto(live_server.url + reverse("advice:request-create"))
    expect(requester_page.get_by_text("Ne donnez jamais l'identité du patient.")).to_be_visible()
    requester_page.get_by_label("Votre nom").fill("Dr Claire Généraliste")
    requester_page.get_by_label("Votre adresse électronique").fill(email)
    requester_page.get_by_label("Votre profession").select_option("gp")
    requester_page.get_by_label("Département d'exercice").select_option("75")
    requester_page.get_by_label("Lieu de prise en charge du patient").select_option("community")
    requester_page.get_by_label("Tranche d'âge du patient").select_option("16-64")
    requester_page.get_by_label("Sexe du patient").select_option("F")
    requester_page.get_by_label("Syndrome ou site infectieux").select_option("uti_pyelonephritis")
    # The searchable picker: a few letters, then Enter.
    requester_page.get_by_role("combobox", name="Antibiotiques envisagés").click()
    requester_page.keyboard.type("ciproflox")
    expect(
        requester_page.get_by_role("option", name="ciprofloxacine (J01MA02)").last
    ).to_be_visible()
    requester_page.keyboard.press("Enter")
    requester_page.keyboard.press("Escape")
    requester_page.get_by_label("Votre question").fill(
        "Pyélonéphrite à E. coli BLSE sensible à la ciprofloxacine : quel relais oral ?"
    )
    requester_page.get_by_role("button", name="Envoyer ma demande").click()
    expect(requester_page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    request = AdviceRequest.objects.get()
    assert request.status == Status.UNCONFIRMED

    # 2. The e-mail link confirms it: it goes to the on-call infectiologist.
    requester_page.goto(link_in_last_mail(live_server, email))
    expect(requester_page.get_by_text("votre demande est confirmée")).to_be_visible()
    follow_url = requester_page.url
    request.refresh_from_db()
    assert request.assignee == ema_responder
    shot(requester_page, "1-confirmed")

    # 3. The responder finds it in their inbox and asks a question.
    responder_page = contexts()
    _log_in(
        responder_page, base_url=live_server.url, username=ema_responder.username, password=PASSWORD
    )
    responder_page.goto(live_server.url + reverse("advice:inbox"))
    responder_page.get_by_role("link", name=str(request)).click()
    expect(responder_page.get_by_text("quel relais oral ?")).to_be_visible()
    responder_page.get_by_label("Question au demandeur").fill("Quelle est la fonction rénale ?")
    responder_page.get_by_role("button", name="Envoyer la question").click()
    expect(responder_page.get_by_text("Votre question est envoyée au demandeur.")).to_be_visible()

    # 4. The requester replies from the link of the question's e-mail.
    requester_page.goto(link_in_last_mail(live_server, email))
    expect(requester_page.get_by_text("Quelle est la fonction rénale ?")).to_be_visible()
    requester_page.get_by_label("Votre réponse").fill("DFG 70 mL/min, pas d'allergie.")
    requester_page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(requester_page.get_by_text("Votre réponse est transmise")).to_be_visible()

    # 5. The responder answers with the coded form.
    responder_page.reload()
    expect(responder_page.get_by_text("DFG 70 mL/min, pas d'allergie.")).to_be_visible()
    responder_page.get_by_label("Recommandation", exact=True).select_option("change")
    responder_page.get_by_label("Antibiotique recommandé 1").select_option("J01EE01")
    responder_page.get_by_label("Voie 1").select_option("O")
    responder_page.get_by_label("Durée de traitement recommandée (jours)").fill("7")
    responder_page.get_by_label("Avis", exact=True).fill(
        "Relais par cotrimoxazole per os si sensible, 7 jours au total."
    )
    responder_page.get_by_role("button", name="Enregistrer et envoyer l'avis").click()
    expect(responder_page.get_by_text("Votre avis est enregistré")).to_be_visible()
    shot(responder_page, "2-answered")

    # 6. The requester reads the answer and fills the close-out survey.
    requester_page.goto(link_in_last_mail(live_server, email))
    assert requester_page.url == follow_url
    expect(requester_page.get_by_text("Relais par cotrimoxazole per os")).to_be_visible()
    expect(requester_page.get_by_text("AWaRe : Access")).to_be_visible()
    requester_page.get_by_label("Oui, entièrement").check()
    requester_page.get_by_label("Guérison ou amélioration").check()
    requester_page.get_by_role("button", name="Envoyer le questionnaire").click()
    expect(requester_page.get_by_text("Merci d'avoir répondu au questionnaire")).to_be_visible()
    request.refresh_from_db()
    assert request.survey.followed == "yes"
    shot(requester_page, "3-survey")

    # 7. Another requester cannot open it.
    intruder_page = contexts()
    _log_in(
        intruder_page,
        base_url=live_server.url,
        username=other_requester.username,
        password=PASSWORD,
    )
    response = intruder_page.goto(
        live_server.url + reverse("advice:request-detail", args=[request.pk])
    )
    assert response is not None and response.status == 404
    expect(intruder_page.get_by_text("quel relais oral")).to_have_count(0)
    shot(intruder_page, "4-intruder")
