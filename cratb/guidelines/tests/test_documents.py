"""Coordination publishes documents: the PDF checked by content and its text searched,
versions that keep the old one reachable, and bad input refused with a French line."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cratb.accounts.models import User
from cratb.guidelines.models import Document, VersionError, fold
from cratb.guidelines.tests.conftest import make_document

pytestmark = pytest.mark.django_db

CREATE = "/recommandations/gestion/documents/nouveau/"


def _fields(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Pyélonéphrite aiguë : protocole régional",
        "summary": "Le relais oral et sa durée.",
        "sector": "community",
        "syndrome": "uti_pyelonephritis",
        "audience": "prescribers",
        "source": "CRAtb",
        "published_on": "2026-10-01",
        "url": "",
    }
    data.update(overrides)
    return data


def test_fold_ignores_accents_and_case() -> None:
    assert fold("Pyélonéphrite AIGUË") == "pyelonephrite aigue"


def test_a_pdf_is_stored_its_text_read_and_found_by_a_word_of_it(
    client: Client, coordinator: User, pdf_bytes: bytes
) -> None:
    client.force_login(coordinator)
    upload = SimpleUploadedFile("protocole.pdf", pdf_bytes, content_type="application/pdf")
    response = client.post(CREATE, {**_fields(), "upload": upload})
    assert response.status_code == 302
    document = Document.objects.get()
    assert "amoxicilline" in document.text
    assert document.file_name == "protocole.pdf" and document.file_size == len(pdf_bytes)
    assert document.created_by == coordinator
    # Found by a word that is only in the PDF, typed with or without accents.
    for query in ("amoxicilline", "AMOXICILLINE", "relais amoxicilline"):
        page = client.get("/recommandations/", {"q": query}).content.decode()
        assert "Pyélonéphrite aiguë : protocole régional" in html.unescape(page), query
    page = client.get("/recommandations/", {"q": "ceftriaxone"}).content.decode()
    assert "protocole régional" not in html.unescape(page)
    # The PDF itself, served inline.
    served = Client().get(f"/recommandations/documents/{document.pk}/pdf/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable renamed", "n'est pas un PDF d'après son contenu"),
        (b"Titre;Date\nCystite;2024\n", "n'est pas un PDF d'après son contenu"),
        (b"%PDF-1.7\n garbage that is no PDF at all", "ne peut pas être lu"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused(
    client: Client, coordinator: User, content: bytes, message: str
) -> None:
    client.force_login(coordinator)
    upload = SimpleUploadedFile("fiche.pdf", content, content_type="application/pdf")
    response = client.post(CREATE, {**_fields(), "upload": upload})
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert "« fiche.pdf »" in html.unescape(response.content.decode())
    assert Document.objects.count() == 0


def test_neither_file_nor_link_is_refused(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(CREATE, _fields())
    assert "Joignez le PDF du document ou indiquez le lien" in html.unescape(
        response.content.decode()
    )
    assert Document.objects.count() == 0


def test_a_link_alone_is_enough(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(CREATE, _fields(url="https://www.has-sante.fr/"))
    assert response.status_code == 302
    assert Document.objects.get().url == "https://www.has-sante.fr/"


def test_a_new_version_supersedes_the_old_which_stays_reachable(
    client: Client, coordinator: User
) -> None:
    old = make_document(title="Cystite : fiche 2021")
    client.force_login(coordinator)
    response = client.post(
        f"/recommandations/gestion/documents/{old.pk}/nouvelle-version/",
        {
            **_fields(title="Cystite : fiche 2024", syndrome="uti_cystitis"),
            "url": "https://example.org/2024",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = Document.objects.get(previous=old)
    assert old.superseded and not new.superseded
    assert (new.version, old.latest(), new.history()) == (2, new, [new, old])
    anonymous = Client()
    # The index lists the version in force only.
    index = html.unescape(anonymous.get("/recommandations/").content.decode())
    assert "Cystite : fiche 2024" in index and "Cystite : fiche 2021" not in index
    # The old one is reachable, marked superseded, pointing to the new one.
    page = html.unescape(anonymous.get(f"/recommandations/documents/{old.pk}/").content.decode())
    assert "remplacée : elle reste consultable" in page
    assert f"/recommandations/documents/{new.pk}/" in page


def test_a_new_version_of_a_superseded_one_is_refused(client: Client, coordinator: User) -> None:
    old = make_document()
    old.new_version(Document(**_model_fields()))
    with pytest.raises(VersionError):
        old.new_version(Document(**_model_fields()))
    client.force_login(coordinator)
    url = f"/recommandations/gestion/documents/{old.pk}/nouvelle-version/"
    shown = html.unescape(client.get(url).content.decode())
    assert "Cette version est déjà remplacée : partez de la dernière version (v2)." in shown
    response = client.post(url, _fields(url="https://example.org/v3"))
    assert response.status_code == 200
    assert "est déjà remplacé par une version plus récente" in html.unescape(
        response.content.decode()
    )
    assert Document.objects.count() == 2


def _model_fields() -> dict[str, object]:
    import datetime

    return {
        "title": "Cystite aiguë simple de la femme",
        "summary": "Mise à jour.",
        "sector": "community",
        "syndrome": "uti_cystitis",
        "audience": "prescribers",
        "source": "HAS",
        "published_on": datetime.date(2025, 1, 1),
        "url": "https://example.org/v2",
    }


def test_editing_changes_the_description_only(client: Client, coordinator: User) -> None:
    document = make_document()
    client.force_login(coordinator)
    response = client.post(
        f"/recommandations/gestion/documents/{document.pk}/modifier/",
        {**_fields(title="Titre corrigé"), "url": "https://example.org/fiche"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Titre corrigé" and document.version == 1
    assert "titre corrige" in document.search_text


def test_a_pdf_past_the_size_limit_is_refused(
    client: Client, coordinator: User, pdf_bytes: bytes, settings: object
) -> None:
    settings.CRATB_GUIDELINE_MAX_MB = 0.001  # type: ignore[attr-defined]
    assert len(pdf_bytes) > 0.001 * 1024 * 1024
    client.force_login(coordinator)
    upload = SimpleUploadedFile("gros.pdf", pdf_bytes, content_type="application/pdf")
    response = client.post(CREATE, {**_fields(), "upload": upload})
    assert "la limite est de 0,001 Mo" in html.unescape(response.content.decode())
    assert Document.objects.count() == 0
