"""The demo's news, subscribers and sent letter."""

from __future__ import annotations

from datetime import date

import pytest

from cratb.demo.letters import SUBJECT, build_demo
from cratb.letters.models import Consent, Delivery, Letter, NewsItem
from cratb.network.models import (
    Organization,
    Practitioner,
    PractitionerRole,
    Profession,
    Territory,
)

pytestmark = pytest.mark.django_db


def test_news_subscribers_and_a_sent_letter_then_nothing_new(departement: Territory) -> None:
    lab = Organization.objects.create(
        name="Laboratoire", kind=Organization.Kind.LAB, departement=departement
    )
    bio = Practitioner.objects.create(
        last_name="Bio", first_name="A", profession=Profession.BIOLOGIST, email="bio@lab.example"
    )
    PractitionerRole.objects.create(
        practitioner=bio,
        function=PractitionerRole.Function.MICROBIOLOGIST,
        organization=lab,
        start=date(2020, 1, 1),
    )
    first = build_demo()
    assert (first.news, first.subscribers) == (4, 5)
    # The biologist and the three confirmed subscribers; never the two others.
    assert first.delivered == 4
    letter = Letter.objects.get(subject=SUBJECT)
    assert letter.status == Letter.Status.DONE
    logged = set(Delivery.objects.filter(letter=letter).values_list("email", flat=True))
    assert "bio@lab.example" in logged
    assert "parti@demo.cratb.localhost" not in logged
    assert "jamais.confirme@demo.cratb.localhost" not in logged
    assert NewsItem.objects.published().count() == 3
    counts = (NewsItem.objects.count(), Consent.objects.count(), Delivery.objects.count())
    second = build_demo()
    assert (second.news, second.subscribers, second.delivered) == (0, 0, 0)
    assert (NewsItem.objects.count(), Consent.objects.count(), Delivery.objects.count()) == counts
