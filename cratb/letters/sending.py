"""Composing a letter (the same text for the preview and the mail) and sending it at the
set rate: each run sends at most ``CRATB_LETTERS_PER_MINUTE`` messages to the addresses
not yet in the letter's delivery log, writes each to the log, and says whether any is
left (the task then runs again a minute later)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from cratb.letters import audiences, tokens
from cratb.letters.models import Delivery, Letter

EMPTY_AUDIENCE = (
    "Aucun destinataire : le public choisi n'a aucune adresse dans l'annuaire et aucun"
    " abonné confirmé (ou toutes sont désinscrites ou en échec). Choisissez un autre public."
)


class EmptyAudience(ValueError):
    """A letter to nobody: refused."""


def _site(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def body(letter: Letter, *, email: str = "") -> str:
    """The text of the letter for ``email`` (its own unsubscribe link); without an address,
    the preview (an example link)."""
    unsubscribe = (
        tokens.absolute("letters:unsubscribe", tokens.unsubscribe_token(email))
        if email
        else _site("letters:subscribe")
    )
    news = [(item, _site("letters:news", item.pk)) for item in letter.news.all()]
    documents = [(d, _site("guidelines:document", d.pk)) for d in letter.documents.all()]
    return (
        render_to_string(
            "letters/email.txt",
            {
                "letter": letter,
                "paragraphs": [
                    " ".join(p.split())
                    for p in letter.introduction.replace("\r\n", "\n").split("\n\n")
                    if p.strip()
                ],
                "news": news,
                "documents": documents,
                "unsubscribe": unsubscribe,
                "preview": not email,
            },
        ).strip()
        + "\n"
    )


def check_audience(letter: Letter) -> list[str]:
    addresses = audiences.recipients(letter)
    if not addresses:
        raise EmptyAudience(EMPTY_AUDIENCE)
    return addresses


def message(letter: Letter, email: str, *, connection: Any = None) -> EmailMessage:
    link = tokens.absolute("letters:unsubscribe", tokens.unsubscribe_token(email))
    return EmailMessage(
        letter.subject,
        body(letter, email=email),
        settings.DEFAULT_FROM_EMAIL,
        [email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_some(letter: Letter, *, limit: int, connection: Any = None) -> int:
    """Send the letter to at most ``limit`` addresses not yet in its log; the number of
    addresses left after this run."""
    if letter.status in (Letter.Status.QUEUED,):
        addresses = audiences.recipients(letter)
        if not addresses:
            letter.refuse(EMPTY_AUDIENCE)
            return 0
        letter.start(steps_total=len(addresses))
    done = set(letter.log.values_list("email", flat=True))
    todo = [e for e in audiences.recipients(letter) if e not in done]
    for email in todo[:limit]:
        try:
            with transaction.atomic():  # the log line only with the message gone
                Delivery.objects.create(letter=letter, email=email, sent=True)
                message(letter, email, connection=connection).send()
            letter.sent += 1
        except IntegrityError:
            continue  # another run logged it
        except Exception as exc:  # noqa: BLE001 - a refused address must not stop the letter
            Delivery.objects.create(
                letter=letter, email=email, sent=False, reason=f"{type(exc).__name__}: {exc}"[:300]
            )
            letter.skipped += 1
        letter.steps_done += 1
        letter.message = email
        letter.save(update_fields=["sent", "skipped", "steps_done", "message"])
    left = max(0, len(todo) - limit)
    if not left:
        letter.succeed(
            message=f"{letter.sent} lettre(s) envoyée(s), {letter.skipped} en échec"
            " (voir le journal)."
        )
    return left
