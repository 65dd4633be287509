"""The public form: confirmation by e-mail link, routing, bad input, identity warnings."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory, RegionFactory
from cratb.advice.models import AdviceRequest, EventKind, RoutedVia, Status
from cratb.advice.tests.helpers import PDF, WINDOWS_EXE, form_data
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db
URL = reverse("advice:request-create")


def links(message: mail.EmailMessage) -> list[str]:
    return re.findall(r"http://testserver(\S+)", str(message.body))


def test_the_form_says_it_never_asks_for_identity(client: Client, departement: Territory) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ne donnez jamais l'identité du patient" in text
    assert "Paris (75)" in text


def test_public_request_waits_for_the_email_link_then_is_routed(
    client: Client,
    departement: Territory,
    ema_team: Organization,
    ema_responder: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("advice:request-sent")
    request = AdviceRequest.objects.get()
    assert request.status == Status.UNCONFIRMED
    assert not AdviceRequest.objects.visible_to(ema_responder).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire@cabinet.exemple.fr"]
    assert "Pyélonéphrite" not in mail.outbox[0].body  # no clinical text by e-mail
    confirm_path = links(mail.outbox[0])[0]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(confirm_path)
    assert confirmed.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.OPEN
    assert request.routed_via == RoutedVia.EMA and request.team == ema_team
    assert list(request.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.CONFIRMED,
        EventKind.ROUTED,
    ]
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["claire@cabinet.exemple.fr", ema_responder.email]
    follow = client.get(confirmed["Location"])
    assert follow.status_code == 200
    assert "quel relais oral" in follow.content.decode()

    # Opening the link again changes nothing.
    client.get(confirm_path)
    assert request.events.filter(kind=EventKind.CONFIRMED).count() == 1


def test_an_altered_confirmation_link_is_refused(client: Client, departement: Territory) -> None:
    client.post(URL, form_data())
    assert client.get(reverse("advice:confirm", args=["abc:def"])).status_code == 404
    assert AdviceRequest.objects.get().status == Status.UNCONFIRMED


def test_confirmation_attaches_the_request_to_the_requester_account_of_that_address(
    client: Client, requester: User, departement: Territory
) -> None:
    client.post(URL, form_data(requester_email=requester.email.upper()))
    request = AdviceRequest.objects.get()
    from cratb.advice.tokens import confirm_token

    client.get(reverse("advice:confirm", args=[confirm_token(request)]))
    request.refresh_from_db()
    assert request.requester == requester


def test_a_logged_in_requester_is_routed_at_once(
    client: Client, requester: User, departement: Territory
) -> None:
    client.force_login(requester)
    page = client.get(URL)
    assert requester.email in page.content.decode()
    response = client.post(URL, form_data())
    request = AdviceRequest.objects.get()
    assert response["Location"] == reverse("advice:request-detail", args=[request.pk])
    assert request.requester == requester
    assert request.status == Status.OPEN
    assert request.routed_via == RoutedVia.COORDINATION


def test_attachment_is_stored_under_media_root(client: Client, departement: Territory) -> None:
    client.post(URL, {**form_data(), "attachments": SimpleUploadedFile("atb.pdf", PDF)})
    attachment = AdviceRequest.objects.get().attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith("advice/requests/")
    assert attachment.file.name.endswith(".pdf")
    assert attachment.original_name == "atb.pdf"


def assert_kept(page: str, *, departement: bool = True) -> None:
    """The rest of the form is sent back as typed."""
    assert "quel relais oral" in page
    assert 'value="Dr Claire Généraliste"' in page
    assert 'value="claire@cabinet.exemple.fr"' in page
    assert '<option value="J01MA02" selected>' in page
    if departement:
        assert '<option value="75" selected>' in page


def test_a_50_mb_attachment_is_refused_and_nothing_is_lost(
    client: Client, departement: Territory
) -> None:
    big = SimpleUploadedFile("scanner.pdf", PDF + b"0" * (50 * 1024 * 1024))
    response = client.post(URL, {**form_data(), "attachments": big})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "« scanner.pdf » pèse 50 Mo : la limite est de 10 Mo par fichier." in page
    assert_kept(page)
    assert not AdviceRequest.objects.exists()


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_lost(
    client: Client, departement: Territory
) -> None:
    fake = SimpleUploadedFile("antibiogramme.pdf", WINDOWS_EXE, content_type="application/pdf")
    response = client.post(URL, {**form_data(), "attachments": fake})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "« antibiogramme.pdf » n'est ni un PDF ni une image" in page
    assert_kept(page)
    assert not AdviceRequest.objects.exists()


def test_a_missing_required_field_keeps_the_rest_and_the_good_attachment(
    client: Client, departement: Territory
) -> None:
    good = SimpleUploadedFile("atb.pdf", PDF)
    response = client.post(URL, {**form_data(syndrome=""), "attachments": good})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Ce champ est obligatoire." in page
    assert_kept(page)
    assert "atb.pdf" in page  # kept on the server, listed
    pending = re.search(r'name="pending_files" value="([^"]+)"', page)
    assert pending is not None
    # The corrected form goes through with the file kept, without attaching it again.
    response = client.post(URL, {**form_data(), "pending_files": pending.group(1)})
    assert response.status_code == 302
    assert AdviceRequest.objects.get().attachments.get().original_name == "atb.pdf"


def test_a_departement_outside_the_region_is_refused_clearly(
    client: Client, departement: Territory
) -> None:
    DepartementFactory.create(
        code="13", name="Bouches-du-Rhône", parent=RegionFactory.create(code="93", name="PACA")
    )
    response = client.post(URL, form_data(departement="13"))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert (
        "Le département Bouches-du-Rhône (13) n'est pas dans la région Île-de-France : "
        "adressez votre question au CRAtb de sa région." in page
    )
    assert_kept(page, departement=False)
    assert not AdviceRequest.objects.exists()


def test_unknown_departement_code(client: Client, departement: Territory) -> None:
    response = client.post(URL, form_data(departement="99"))
    assert "Code de département inconnu : « 99 »." in response.content.decode()


def test_identity_in_the_text_asks_for_a_check_then_passes_when_confirmed(
    client: Client, departement: Territory
) -> None:
    text = "Mme Martin née le 12/03/1950, rappeler au 06 12 34 56 78 : relais ?"
    response = client.post(URL, form_data(question=text))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Votre texte semble contenir un numéro de téléphone, une date de naissance" in page
    assert "J'ai vérifié : ce texte ne contient pas l'identité du patient." in page
    assert not AdviceRequest.objects.exists()
    response = client.post(URL, form_data(question=text, identity_ok="on"))
    assert response.status_code == 302
    assert AdviceRequest.objects.get().identity_confirmed is True


def test_a_nir_in_the_organism_field_is_caught(client: Client, departement: Territory) -> None:
    response = client.post(URL, form_data(organism="E. coli 185057800608491"))
    assert response.status_code == 400
    assert "numéro de sécurité sociale" in response.content.decode()
