"""Care pathways: the page per syndrome (steps and whom to call, the regional protocol,
the targeted antibiogram rule from the resistance rules), coordination's editing, and the
answers to advice requests that cite a guideline or pathway (and the count of it)."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.advice import tokens
from cratb.advice.models import EventKind
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.engine import reference
from cratb.engine.ast.rules import load_rules
from cratb.guidelines.models import Pathway, PathwayStep
from cratb.guidelines.tests.conftest import make_document
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(ema_team: Organization) -> Pathway:
    protocol = make_document(
        title="Pyélonéphrite : protocole régional", syndrome="uti_pyelonephritis"
    )
    pathway = Pathway.objects.create(
        syndrome="uti_pyelonephritis",
        title="Pyélonéphrite aiguë de l'adulte",
        protocol=protocol,
        ast_situation="pyelonephritis",
    )
    PathwayStep.objects.create(
        pathway=pathway, order=1, title="Signes de gravité", contact=PathwayStep.Contact.ADVICE
    )
    ema_team.phone = "01 23 45 67 89"
    ema_team.save()
    PathwayStep.objects.create(
        pathway=pathway,
        order=2,
        title="Échec à 72 heures",
        contact=PathwayStep.Contact.ORGANIZATION,
        organization=ema_team,
    )
    return pathway


def test_the_syndrome_page_shows_the_pathway_and_the_rule_that_applies(
    client: Client, pathway: Pathway, ema_team: Organization
) -> None:
    page = html.unescape(
        client.get("/recommandations/syndromes/uti_pyelonephritis/").content.decode()
    )
    assert "Pyélonéphrite aiguë de l'adulte" in page
    assert "Signes de gravité" in page and reverse("advice:request-create") in page
    assert ema_team.name in page and "01 23 45 67 89" in page
    assert "Pyélonéphrite : protocole régional" in page
    rules = load_rules(rules_dir=settings.CRATB_ENGINE.rules_dir)
    situation = rules.situations["pyelonephritis"]
    assert f"Situation « {situation.label} », règles {rules.label}" in page
    for tier in situation.tiers:
        for code in tier.agents:
            agent = reference.by_whonet(code)
            assert (f"{agent.name_fr} ({code})" if agent else code) in page
    assert "amoxicilline (AMX)" in page
    assert rules.esbl_comment in page  # pyelonephritis is an ESBL situation


def test_a_restricted_protocol_is_not_shown_signed_out(
    client: Client, pathway: Pathway, requester: User
) -> None:
    assert pathway.protocol is not None
    pathway.protocol.restricted = True
    pathway.protocol.save()
    page = html.unescape(
        client.get("/recommandations/syndromes/uti_pyelonephritis/").content.decode()
    )
    assert "Pyélonéphrite : protocole régional" not in page
    assert "réservé aux professionnels connectés" in page
    client.force_login(requester)
    page = html.unescape(
        client.get("/recommandations/syndromes/uti_pyelonephritis/").content.decode()
    )
    assert "Pyélonéphrite : protocole régional" in page


def test_coordination_creates_a_pathway_with_its_steps(
    client: Client, coordinator: User, ema_team: Organization
) -> None:
    client.force_login(coordinator)
    data = {
        "syndrome": "uti_cystitis",
        "title": "Cystite de la femme",
        "summary": "",
        "protocol": "",
        "ast_situation": "simple_cystitis",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1",
        "steps-0-title": "Échec du traitement",
        "steps-0-text": "ECBU puis avis.",
        "steps-0-contact": "ema",
        "steps-0-organization": "",
        "steps-1-order": "2",  # the empty extra step as the browser sends it
        "steps-1-title": "",
        "steps-1-text": "",
        "steps-1-contact": "",
        "steps-1-organization": "",
    }
    form = client.get("/recommandations/gestion/parcours/nouveau/").content.decode()
    label = load_rules(rules_dir=settings.CRATB_ENGINE.rules_dir).situations["simple_cystitis"]
    assert f"{label.label} (simple_cystitis)" in html.unescape(form)
    response = client.post("/recommandations/gestion/parcours/nouveau/", data)
    assert response.status_code == 302, [f.errors for f in response.context["steps"]] + [
        response.context["form"].errors
    ]
    pathway = Pathway.objects.get()
    assert [s.title for s in pathway.steps.all()] == ["Échec du traitement"]
    # A second pathway for the same syndrome is refused with a message, nothing saved.
    again = client.post("/recommandations/gestion/parcours/nouveau/", data)
    assert again.status_code == 200
    assert Pathway.objects.count() == 1


def test_a_responder_cites_a_guideline_and_a_pathway_and_the_count_follows(
    client: Client,
    ema_responder: User,
    coordinator: User,
    pathway: Pathway,
    departement: Territory,
    ema_team: Organization,
) -> None:
    advice = AdviceRequestFactory.create(departement=departement, team=ema_team)
    assert pathway.protocol is not None
    client.force_login(ema_responder)
    detail = reverse("advice:request-detail", args=[advice.pk])
    form = html.unescape(client.get(detail).content.decode())
    assert "Recommandations citées" in form and "Pyélonéphrite : protocole régional" in form
    response = client.post(
        reverse("advice:request-answer", args=[advice.pk]),
        {
            "version": advice.version,
            "recommendation": "stop",
            "text": "Pas d'antibiotique : voir le protocole.",
            "documents": [pathway.protocol.pk],
            "pathways": [pathway.pk],
        },
    )
    assert response.status_code == 302
    answer = advice.answers.get()
    assert list(answer.documents.all()) == [pathway.protocol]
    assert list(answer.pathways.all()) == [pathway]
    event = advice.events.get(kind=EventKind.ANSWERED)
    assert event.data["documents"] == [pathway.protocol.pk]
    assert event.data["pathways"] == [pathway.pk]
    page = html.unescape(client.get(detail).content.decode())
    assert reverse("guidelines:document", args=[pathway.protocol.pk]) in page
    assert reverse("guidelines:syndrome", args=["uti_pyelonephritis"]) in page
    # The requester reads the links under the advice, by the signed link of their e-mails.
    follow = Client().get(reverse("advice:follow", args=[tokens.follow_token(advice)]))
    assert reverse("guidelines:document", args=[pathway.protocol.pk]) in follow.content.decode()
    # The coordination's figures count the citations.
    client.force_login(coordinator)
    manage = client.get("/recommandations/gestion/")
    documents = {d.pk: d.uses for d in manage.context["documents"]}
    pathways = {p.pk: p.uses for p in manage.context["pathways"]}
    assert documents[pathway.protocol.pk] == 1 and pathways[pathway.pk] == 1


def test_an_answer_citing_nothing_keeps_its_event_as_before(
    ema_responder: User, departement: Territory, ema_team: Organization
) -> None:
    advice = AdviceRequestFactory.create(departement=departement, team=ema_team)
    advice.answer(
        by=ema_responder,
        recommendation="stop",
        agents=[],
        duration_days=None,
        text="Non.",
        expected_version=advice.version,
    )
    event = advice.events.get(kind=EventKind.ANSWERED)
    assert "documents" not in event.data and "pathways" not in event.data
