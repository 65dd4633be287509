"""The demo's guidelines: real references as links only, a versioned restricted protocol
whose PDF text is searchable, two pathways; a second run writes nothing."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.demo.guidelines import PROTOCOL_TITLE, REFERENCES, build_demo
from cratb.guidelines.models import Document, Pathway

pytestmark = pytest.mark.django_db


def test_demo_guidelines_are_written_once(client: Client, requester: User) -> None:
    first = build_demo()
    assert (first.documents, first.pathways) == (len(REFERENCES) + 2, 2)
    assert (build_demo().documents, build_demo().pathways) == (0, 0)
    # The references are links, never copies.
    for ref in REFERENCES:
        document = Document.objects.get(title=ref.title)
        assert document.url.startswith("https://") and not document.file
    old, new = Document.objects.filter(title=PROTOCOL_TITLE).order_by("version")
    assert old.superseded and new.previous == old and new.restricted
    assert Pathway.objects.get(syndrome="uti_pyelonephritis").protocol == new
    # Found by a word of its PDF only by a signed-in professional.
    assert PROTOCOL_TITLE not in html.unescape(
        client.get("/recommandations/", {"q": "antibiogramme cible amoxicilline"}).content.decode()
    )
    client.force_login(requester)
    page = html.unescape(
        client.get("/recommandations/", {"q": "antibiogramme cible amoxicilline"}).content.decode()
    )
    assert PROTOCOL_TITLE in page
