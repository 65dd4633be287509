"""The demo region's news, subscribers and one sent letter (``cratb demo``).

- three published news items and one draft;
- subscribers of the public site: three confirmed, one who never confirmed, one who
  unsubscribed (each with its consent trail);
- the yearly letter to the lab biologists (and the subscribers), composed from the news and
  two guidelines, sent through a mail backend that delivers nothing (the demo's addresses
  are not real), so its delivery log is filled.

Written by natural keys (titles, addresses, subject): a second run writes nothing new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from cratb.guidelines.models import Document
from cratb.letters.models import Audience, Consent, Letter, NewsItem
from cratb.letters.sending import send_some

NEWS = (
    (
        "Semaine mondiale pour un bon usage des antibiotiques",
        "Du 18 au 24 novembre : ateliers, affiches et quiz dans les établissements et les"
        " CPTS de la région.",
        "Chaque année, la semaine mondiale de sensibilisation rappelle que les antibiotiques"
        " ne sont pas automatiques.\n\nLe CRAtb fournit aux équipes les affiches et le quiz"
        " de la semaine ; les EMA animent des ateliers dans les établissements.",
        datetime.date(2025, 11, 3),
        True,
    ),
    (
        "Nouveau protocole régional : pyélonéphrite aiguë",
        "Le protocole régional de la pyélonéphrite aiguë de l'adulte est mis à jour : durées"
        " raccourcies, place des fluoroquinolones.",
        "La version 2 du protocole régional remplace la première.\n\nElle est réservée aux"
        " professionnels connectés et figure dans la fiche parcours de la pyélonéphrite.",
        datetime.date(2025, 10, 6),
        True,
    ),
    (
        "Journée régionale du réseau",
        "La journée régionale réunit les EMA, les référents et les biologistes : programme"
        " et inscriptions dans l'agenda des formations.",
        "La journée régionale a lieu en décembre.\n\nAu programme : les chiffres de la"
        " surveillance, les audits de l'année et les retours des équipes.",
        datetime.date(2025, 9, 15),
        True,
    ),
    (
        "Lettre aux prescripteurs du printemps (brouillon)",
        "En préparation.",
        "Texte à venir.",
        datetime.date(2026, 3, 1),
        False,
    ),
)

SUBSCRIBERS = (
    ("camille.durand@demo.cratb.localhost", ("requested", "confirmed")),
    ("marc.lefebvre@demo.cratb.localhost", ("requested", "confirmed")),
    ("ines.moreau@demo.cratb.localhost", ("requested", "confirmed")),
    ("jamais.confirme@demo.cratb.localhost", ("requested",)),
    ("parti@demo.cratb.localhost", ("requested", "confirmed", "withdrawn")),
)

SUBJECT = "Lettre annuelle aux biologistes du réseau"


@dataclass(frozen=True)
class LettersDemo:
    news: int
    subscribers: int
    delivered: int

    @property
    def summary(self) -> str:
        return (
            f"{self.news} actualité(s), {self.subscribers} abonné(s) écrits,"
            f" {self.delivered} lettre(s) envoyée(s)"
        )


def build_demo() -> LettersDemo:
    with transaction.atomic():
        news = []
        written = 0
        for title, summary, body, date, published in NEWS:
            item, created = NewsItem.objects.get_or_create(
                title=title,
                defaults={"summary": summary, "body": body, "date": date, "published": published},
            )
            written += created
            if published:
                news.append(item)
        subscribers = 0
        start = timezone.now() - datetime.timedelta(days=60)
        for i, (email, actions) in enumerate(SUBSCRIBERS):
            if Consent.objects.filter(email=email).exists():
                continue
            for j, action in enumerate(actions):
                at = start + datetime.timedelta(days=7 * i + 2 * j, hours=j)
                source = {
                    "requested": "formulaire du site public",
                    "confirmed": "lien de confirmation",
                    "withdrawn": "lien de désinscription",
                }[action]
                Consent.objects.create(email=email, action=action, at=at, source=source)
            subscribers += 1
        letter = Letter.objects.filter(subject=SUBJECT).first()
        delivered = 0
        if letter is None:
            letter = Letter.objects.create(
                subject=SUBJECT,
                introduction=(
                    "Bonjour,\n\nVoici la lettre annuelle du CRAtb aux biologistes : les"
                    " nouvelles du réseau et les recommandations de l'année."
                ),
                audience=Audience.BIOLOGISTS,
                include_subscribers=True,
            )
            letter.news.set(news[:2])
            letter.documents.set(
                Document.objects.current().filter(restricted=False).order_by("title")[:2]
            )
            letter.submitted_at = timezone.now()
            letter.save(update_fields=["submitted_at"])
            # The demo's addresses are not real: a backend that delivers nothing.
            connection = get_connection("django.core.mail.backends.dummy.EmailBackend")
            while send_some(letter, limit=1000, connection=connection):
                pass
            delivered = letter.sent
    return LettersDemo(written, subscribers, delivered)
