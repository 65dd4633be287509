"""Every guidelines page for every persona: public pages for all, restricted documents for
signed-in professionals only, editing for coordination."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import PERSONAS
from cratb.guidelines.models import Pathway
from cratb.guidelines.tests.conftest import make_document

pytestmark = pytest.mark.django_db

EVERYONE: set[str | None] = {None, *Role.values}
PROFESSIONALS: set[str | None] = {r for r in Role.values if r != Role.LAB}
EDITORS: set[str | None] = {Role.COORDINATOR, Role.ADMIN}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_guidelines_pages(persona: str, client: Client, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    public = make_document()
    public.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    restricted = make_document(title="Protocole régional réservé", restricted=True)
    restricted.file.save("y.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    pathway = Pathway.objects.create(syndrome="uti_cystitis", title="Cystite : parcours")
    pages = {
        "/recommandations/": EVERYONE,
        f"/recommandations/documents/{public.pk}/": EVERYONE,
        f"/recommandations/documents/{public.pk}/pdf/": EVERYONE,
        "/recommandations/syndromes/uti_cystitis/": EVERYONE,
        f"/recommandations/documents/{restricted.pk}/": PROFESSIONALS,
        f"/recommandations/documents/{restricted.pk}/pdf/": PROFESSIONALS,
        "/recommandations/gestion/": EDITORS,
        "/recommandations/gestion/documents/nouveau/": EDITORS,
        f"/recommandations/gestion/documents/{public.pk}/modifier/": EDITORS,
        f"/recommandations/gestion/documents/{public.pk}/nouvelle-version/": EDITORS,
        "/recommandations/gestion/parcours/nouveau/": EDITORS,
        f"/recommandations/gestion/parcours/{pathway.pk}/modifier/": EDITORS,
    }
    wrong = []
    for url, audience in pages.items():
        response = client.get(url)
        expected = 200 if role in audience else (302 if role is None else 403)
        if response.status_code != expected:
            wrong.append(f"{url}: {response.status_code}, attendu {expected}")
        if response.status_code == 302:
            assert response["Location"].startswith("/comptes/")
    assert wrong == []
    assert client.get("/recommandations/syndromes/nope/").status_code == 404
    assert client.get("/recommandations/documents/999999/").status_code == 404


def test_restricted_documents_are_not_listed_nor_found_signed_out(client: Client) -> None:
    make_document(title="Protocole régional pyélonéphrite", restricted=True)
    make_document(title="Fiche publique pyélonéphrite")
    for url in ("/recommandations/", "/recommandations/?q=pyelonephrite"):
        page = client.get(url).content.decode()
        assert "Fiche publique pyélonéphrite" in page
        assert "Protocole régional pyélonéphrite" not in page


def test_restricted_documents_are_listed_for_a_professional(client: Client, requester) -> None:  # type: ignore[no-untyped-def]
    make_document(title="Protocole régional pyélonéphrite", restricted=True)
    client.force_login(requester)
    page = client.get("/recommandations/?q=pyelonephrite").content.decode()
    assert "Protocole régional pyélonéphrite" in page


def test_odd_search_input_is_no_error(client: Client) -> None:
    make_document()
    for params in ({"q": "\x00"}, {"q": "a" * 5000}, {"secteur": "x", "syndrome": "<b>"}):
        assert client.get("/recommandations/", params).status_code == 200


def test_english_pages(client: Client) -> None:
    make_document()
    page = client.get("/en/recommandations/").content.decode()
    assert "Guidelines and documents" in page and 'name="description"' in page


def test_the_list_is_paged_and_keeps_the_search(client: Client) -> None:
    for n in range(31):
        make_document(title=f"Fiche pyélonéphrite {n:02d}")
    first = client.get("/recommandations/", {"q": "pyelonephrite"}).content.decode()
    assert "31 documents trouvés" in first and "Page 1 sur 2" in first
    assert "q=pyelonephrite&amp;page=2" in first
    second = client.get("/recommandations/", {"q": "pyelonephrite", "page": "2"}).content.decode()
    assert second.count("Fiche pyélonéphrite") == 1
    assert client.get("/recommandations/", {"page": "x"}).status_code == 200
