"""Consent records, double opt-in, unsubscription, audiences, the sending rate."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from cratb.accounts.append_only import AppendOnlyError
from cratb.accounts.models import User
from cratb.letters import audiences, sending, tokens
from cratb.letters.models import Audience, Bounce, Consent, Delivery, Letter, NewsItem
from cratb.letters.tasks import send_letter
from cratb.letters.tests.conftest import Directory, subscribe

pytestmark = pytest.mark.django_db


def _link(body: str, part: str) -> str:
    match = re.search(r"https?://\S+" + part + r"\S+", body)
    assert match, body
    return re.sub(r"^https?://[^/]+", "", match.group(0))


def test_double_opt_in_records_each_consent_with_its_date(client: Client) -> None:
    response = client.post(
        "/actualites/lettres/inscription/", {"email": "Lea@Exemple.fr", "consent": "on"}
    )
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in response.content.decode()
    # Not subscribed until the link is opened.
    assert Consent.subscribed() == []
    assert len(mail.outbox) == 1
    confirm = _link(str(mail.outbox[0].body), "/lettres/confirmer/")
    assert "Inscription confirmée" in client.get(confirm).content.decode()
    assert Consent.subscribed() == ["lea@exemple.fr"]
    trail = list(Consent.objects.order_by("at", "id").values_list("email", "action"))
    assert trail == [("lea@exemple.fr", "requested"), ("lea@exemple.fr", "confirmed")]
    assert all(c.at is not None for c in Consent.objects.all())
    # Opening the link twice records nothing more.
    assert "déjà confirmée" in client.get(confirm).content.decode()
    assert Consent.objects.count() == 2


def test_subscription_without_consent_or_with_a_bad_address_is_refused(client: Client) -> None:
    response = client.post("/actualites/lettres/inscription/", {"email": "pas-une-adresse"})
    assert response.status_code == 400
    assert Consent.objects.count() == 0
    assert mail.outbox == []


def test_the_consent_record_is_append_only() -> None:
    consent = Consent.objects.create(email="a@b.fr", action=Consent.Action.REQUESTED)
    consent.action = Consent.Action.CONFIRMED
    with pytest.raises(AppendOnlyError):
        consent.save()
    with pytest.raises(AppendOnlyError):
        Consent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        consent.delete()


def test_confirm_link_tampered_or_of_another_kind_is_refused(client: Client) -> None:
    token = tokens.confirm_token("lea@exemple.fr")
    response = client.get(f"/actualites/lettres/confirmer/{token}x/")
    assert response.status_code == 400
    assert "Lien de confirmation invalide" in response.content.decode()
    # An unsubscribe token does not confirm.
    other = tokens.unsubscribe_token("lea@exemple.fr")
    assert client.get(f"/actualites/lettres/confirmer/{other}/").status_code == 400
    assert Consent.objects.count() == 0


def test_one_click_unsubscribe_and_tampered_link(client: Client) -> None:
    subscribe("lea@exemple.fr")
    token = tokens.unsubscribe_token("lea@exemple.fr")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    response = client.post(f"/actualites/lettres/desinscription/{tampered}/")
    assert response.status_code == 400
    assert "Lien de désinscription invalide" in response.content.decode()
    assert Consent.subscribed() == ["lea@exemple.fr"]
    # The link opened in a browser asks; it does not unsubscribe by itself (link scanners).
    page = client.get(f"/actualites/lettres/desinscription/{token}/")
    assert page.status_code == 200 and Consent.subscribed() == ["lea@exemple.fr"]
    # One click (or the mail client's List-Unsubscribe-Post), no CSRF token needed.
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        f"/actualites/lettres/desinscription/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Consent.subscribed() == []
    assert Consent.last_action("lea@exemple.fr") == Consent.Action.WITHDRAWN


def test_audiences_from_the_directory(directory: Directory) -> None:
    assert audiences.directory_addresses(Audience.PRESCRIBERS, directory.departement) == [
        "gp1@cabinet.example",
        "gp2@cabinet.example",
    ]
    assert audiences.directory_addresses(Audience.PRESCRIBERS, directory.other) == [
        "gp3@meaux.example"
    ]
    assert audiences.directory_addresses(Audience.BIOLOGISTS) == ["bio@lab.example"]
    assert audiences.directory_addresses(Audience.EMA) == ["ema@ema.example"]


def test_recipients_add_subscribers_and_drop_withdrawn_and_bounced(
    directory: Directory,
) -> None:
    subscribe("abonne@exemple.fr")
    subscribe("parti@exemple.fr")
    Consent.objects.create(email="parti@exemple.fr", action=Consent.Action.WITHDRAWN)
    Consent.objects.create(email="gp2@cabinet.example", action=Consent.Action.WITHDRAWN)
    Bounce.objects.create(email="gp1@cabinet.example")
    letter = Letter.objects.create(
        subject="Lettre", audience=Audience.PRESCRIBERS, territory=directory.departement
    )
    assert audiences.recipients(letter) == ["abonne@exemple.fr"]
    letter.include_subscribers = False
    assert audiences.recipients(letter) == []


def test_letter_to_an_empty_audience_is_refused(
    directory: Directory, client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    letter = Letter.objects.create(
        subject="Lettre",
        introduction="Bonjour",
        audience=Audience.SUBSCRIBERS,
    )
    response = client.post(f"/actualites/gestion/lettres/{letter.pk}/envoyer/")
    assert response.status_code == 400
    assert "Aucun destinataire" in response.content.decode()
    letter.refresh_from_db()
    assert letter.is_draft
    assert not DBTaskResult.objects.exists()


def test_sending_honours_the_rate_and_reschedules(
    directory: Directory, settings: object, coordinator: User
) -> None:
    settings.CRATB_LETTERS_PER_MINUTE = 2  # type: ignore[attr-defined]
    for i in range(3):
        subscribe(f"abonne{i}@exemple.fr")
    letter = Letter.objects.create(
        subject="Lettre du printemps",
        introduction="Bonjour à tous.",
        audience=Audience.PRESCRIBERS,
        territory=directory.departement,
        requested_by=coordinator,
    )
    letter.news.add(directory.news)
    letter.documents.add(directory.document)
    letter.submitted_at = letter.created_at
    letter.save()
    # 2 prescribers + 3 subscribers = 5 addresses, 2 per run.
    assert send_letter.call(letter.pk) == 3
    assert len(mail.outbox) == 2
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after is not None
    assert send_letter.call(letter.pk) == 1
    assert send_letter.call(letter.pk) == 0
    assert len(mail.outbox) == 5
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DONE
    assert letter.sent == 5
    assert Delivery.objects.filter(letter=letter, sent=True).count() == 5
    # A run after the end sends nothing more.
    assert send_letter.call(letter.pk) == 0
    assert len(mail.outbox) == 5
    message = mail.outbox[0]
    assert message.subject == "Lettre du printemps"
    assert "Semaine de sensibilisation" in message.body
    assert "Cystite de la femme" in message.body
    link = _link(str(message.body), "/lettres/desinscription/")
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(f"{link}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Each recipient's link unsubscribes that recipient.
    assert tokens.read_unsubscribe(link.rstrip("/").rsplit("/", 1)[1]) == message.to[0]


def test_delivery_log_is_append_only(directory: Directory) -> None:
    letter = Letter.objects.create(subject="L", audience=Audience.EMA)
    entry = Delivery.objects.create(letter=letter, email="a@b.fr", sent=True)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        Delivery.objects.filter(pk=entry.pk).update(sent=False)


def test_a_letter_whose_audience_emptied_before_the_run_is_refused(directory: Directory) -> None:
    letter = Letter.objects.create(subject="L", introduction="x", audience=Audience.SUBSCRIBERS)
    letter.submitted_at = letter.created_at
    letter.save()
    assert send_letter.call(letter.pk) == 0
    letter.refresh_from_db()
    assert letter.status == Letter.Status.REFUSED
    assert letter.message == sending.EMPTY_AUDIENCE
    assert mail.outbox == []


def test_a_draft_is_never_sent_by_the_job(directory: Directory) -> None:
    subscribe("abonne@exemple.fr")
    letter = Letter.objects.create(subject="L", introduction="x", audience=Audience.SUBSCRIBERS)
    assert send_letter.call(letter.pk) == 0
    assert mail.outbox == []


def test_bounces_command_marks_addresses_and_reports_bad_lines(
    directory: Directory, tmp_path: Path
) -> None:
    subscribe("abonne@exemple.fr")
    path = tmp_path / "retours.txt"
    path.write_text("# retours du serveur\nABONNE@exemple.fr\n\npas une adresse\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("letters_bounces", str(path), stdout=out, stderr=err)
    assert "1 adresse(s) marquée(s) en échec, 0 déjà marquée(s), 1 ligne(s) rejetée(s)" in (
        out.getvalue()
    )
    assert "ligne 4" in err.getvalue()
    assert list(Bounce.objects.values_list("email", flat=True)) == ["abonne@exemple.fr"]
    letter = Letter.objects.create(subject="L", introduction="x", audience=Audience.SUBSCRIBERS)
    assert audiences.recipients(letter) == []
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("letters_bounces", str(tmp_path / "absent.txt"))


def test_the_preview_is_the_text_sent_with_its_paragraphs(directory: Directory) -> None:
    letter = Letter.objects.create(
        subject="Lettre", introduction="Bonjour,\r\n\r\nVoici les nouvelles.", audience="ema"
    )
    letter.news.add(directory.news)
    text = sending.body(letter)
    assert "Bonjour,\n\nVoici les nouvelles." in text
    assert "Semaine de sensibilisation (01/11/2025)" in text
    sent = sending.body(letter, email="ema@ema.example")
    assert sent.split("--")[0] == text.split("--")[0]
    assert tokens.unsubscribe_token("ema@ema.example") in sent


def test_the_feed_and_the_pages_show_published_news_only(
    directory: Directory, client: Client
) -> None:
    NewsItem.objects.create(title="Brouillon secret", summary="s", body="b", published=False)
    feed = client.get("/actualites/rss/")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/rss+xml")
    content = feed.content.decode()
    assert "<title>Semaine de sensibilisation</title>" in content
    assert f"/actualites/{directory.news.pk}/</link>" in content
    assert "Brouillon secret" not in content
    page = client.get(f"/actualites/{directory.news.pk}/").content.decode()
    assert '<meta name="description" content="Du 18 au 24 novembre.">' in page
    assert "<p>Premier paragraphe.</p>" in page and "<p>Second paragraphe.</p>" in page
    assert "Brouillon secret" not in client.get("/actualites/").content.decode()
    english = client.get("/en/actualites/lettres/inscription/").content.decode()
    assert "<h1>Receive the CRAtb's letters</h1>" in english


class _RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            if "gp2@" in message.to[0]:
                raise SMTPRecipientsRefused({message.to[0]: (550, b"unknown user")})
            mail.outbox.append(message)
        return len(email_messages)


def test_a_refused_address_is_logged_with_its_reason_and_the_letter_goes_on(
    directory: Directory,
) -> None:
    letter = Letter.objects.create(
        subject="L",
        introduction="x",
        audience=Audience.PRESCRIBERS,
        territory=directory.departement,
        include_subscribers=False,
    )
    letter.submitted_at = letter.created_at
    letter.save()
    assert sending.send_some(letter, limit=10, connection=_RefusingBackend()) == 0
    log = {d.email: (d.sent, d.reason) for d in Delivery.objects.filter(letter=letter)}
    assert log["gp1@cabinet.example"] == (True, "")
    assert log["gp2@cabinet.example"][0] is False
    assert "SMTPRecipientsRefused" in log["gp2@cabinet.example"][1]
    letter.refresh_from_db()
    assert (letter.sent, letter.skipped, letter.status) == (1, 1, Letter.Status.DONE)


def test_a_confirmation_mail_the_server_refuses_gets_a_clear_message(
    client: Client, settings: object
) -> None:
    settings.EMAIL_BACKEND = "cratb.letters.tests.test_letters._RefusingBackend"  # type: ignore[attr-defined]
    response = client.post(
        "/actualites/lettres/inscription/", {"email": "gp2@exemple.fr", "consent": "on"}
    )
    assert response.status_code == 503
    assert "pas pu être envoyé à gp2@exemple.fr" in response.content.decode()
