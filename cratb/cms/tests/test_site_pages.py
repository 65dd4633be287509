"""The site's editable pages (Wagtail): who may open the editor, what the pages show, the
sitemap, the meta descriptions, the cache headers of public pages."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from wagtail.models import Page, Site

from cratb.accounts.tests.factories import PERSONAS
from cratb.cms.models import ContentPage, HomePage, LegalNoticesPage, PhoneLine, PhoneLinesPage

pytestmark = pytest.mark.django_db


def home() -> HomePage:
    page: HomePage = HomePage.objects.get()
    return page


def add_content_page(*, title: str = "À propos", slug: str = "a-propos", **extra: Any) -> Any:
    page = ContentPage(
        title=title,
        slug=slug,
        body="<p>Le CRAtb anime le réseau régional.</p>",
        search_description="Qui sommes-nous : le centre régional en antibiothérapie.",
        **extra,
    )
    home().add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_migration_makes_the_home_page_the_site_root() -> None:
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class is HomePage
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page.pk).exists()


def test_the_home_page_keeps_its_address_and_shows_the_news_and_trainings(
    client: Client,
) -> None:
    from cratb.letters.models import NewsItem

    NewsItem.objects.create(
        title="Semaine mondiale du bon usage", summary="s", body="b", published=True
    )
    NewsItem.objects.create(title="Brouillon caché", summary="s", body="b", published=False)
    page = home()
    page.lead = "Une accroche écrite par la coordination."
    page.save_revision().publish()

    response = client.get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Une accroche écrite par la coordination." in text
    assert "Semaine mondiale du bon usage" in text
    assert "Brouillon caché" not in text
    assert "/conseil/" in text  # the advice entry point


def test_the_fixed_home_page_answers_when_the_site_has_none(client: Client) -> None:
    page = home()
    page.unpublish()
    response = client.get("/")
    assert response.status_code == 200
    assert "Ce que fait le centre" in response.content.decode()


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_only_coordination_and_administrators_open_the_editor(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    for path in ("/edition/", "/edition/pages/", f"/edition/pages/{home().pk}/edit/"):
        response = client.get(path)
        if role is None:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/comptes/connexion/?next=/edition/"), path
        elif role in {"coordinator", "admin"}:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, path


def test_the_editor_speaks_french(client: Client, coordinator: Any) -> None:
    client.force_login(coordinator)
    text = client.get("/edition/").content.decode()
    assert 'lang="fr"' in text
    assert "Pages" in text and "Tableau de bord" in text


def test_a_coordinator_creates_and_publishes_a_page_through_the_editor(
    client: Client, coordinator: Any
) -> None:
    client.force_login(coordinator)
    url = f"/edition/pages/add/cms/contentpage/{home().pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Semaine du bon usage",
            "slug": "semaine-bon-usage",
            "lead": "",
            "body": json.dumps(
                {
                    "blocks": [
                        {
                            "key": "a",
                            "type": "unstyled",
                            "text": "Du 18 au 24 novembre.",
                            "depth": 0,
                            "inlineStyleRanges": [],
                            "entityRanges": [],
                        }
                    ],
                    "entityMap": {},
                }
            ),
            "search_description": "La semaine mondiale du bon usage des antibiotiques.",
            "seo_title": "",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    page = client.get("/semaine-bon-usage/")
    assert page.status_code == 200
    assert "Du 18 au 24 novembre." in page.content.decode()


def test_other_roles_cannot_post_to_the_editor(client: Client, requester: Any) -> None:
    client.force_login(requester)
    response = client.post(
        f"/edition/pages/add/cms/contentpage/{home().pk}/",
        {"title": "Piratage", "slug": "piratage", "action-publish": "publish"},
    )
    assert response.status_code == 403
    assert not ContentPage.objects.filter(slug="piratage").exists()


def test_a_page_cannot_take_the_address_of_a_section() -> None:
    page = ContentPage(
        title="Conseil", slug="conseil", body="<p>x</p>", search_description="Une description."
    )
    with pytest.raises(Exception, match="adresse d'une rubrique"):
        home().add_child(instance=page)


def test_a_page_needs_a_description() -> None:
    page = ContentPage(title="Sans description", slug="sans-description", body="<p>x</p>")
    with pytest.raises(Exception, match="description"):
        home().add_child(instance=page)


def test_phone_lines_are_structured_and_checked(client: Client) -> None:
    page = PhoneLinesPage(
        title="Lignes téléphoniques",
        slug="lignes-telephoniques",
        search_description="Un numéro par sous-région.",
    )
    page.lines = [
        PhoneLine(
            sub_region="Seine-Maritime", number="02 35 00 00 00", hours="9 h – 17 h", antenna="CHU"
        )
    ]
    home().add_child(instance=page)
    page.save_revision().publish()
    text = client.get("/lignes-telephoniques/").content.decode()
    assert 'href="tel:+33235000000"' in text
    assert "Seine-Maritime" in text and "9 h – 17 h" in text

    bad = PhoneLine(page=page, sub_region="Eure", number="12", hours="h", antenna="a")
    with pytest.raises(Exception, match="10 chiffres"):
        bad.full_clean()


def test_legal_notices_name_the_publisher_host_and_data_contact(client: Client) -> None:
    page = LegalNoticesPage(
        title="Mentions légales",
        slug="mentions-legales",
        search_description="Éditeur, hébergeur, données personnelles.",
        publisher="CHU de Rouen",
        publication_director="Directrice générale",
        host="Hébergeur de santé certifié HDS",
        data_protection_contact="dpo@example.org",
    )
    home().add_child(instance=page)
    page.save_revision().publish()
    text = client.get("/mentions-legales/").content.decode()
    for fact in ("CHU de Rouen", "Directrice générale", "certifié HDS", "mailto:dpo@example.org"):
        assert fact in text


def test_the_sitemap_lists_public_content_never_restricted_documents(client: Client) -> None:
    from cratb.guidelines.models import Document
    from cratb.letters.models import NewsItem

    add_content_page()
    hidden = add_content_page(title="Interne", slug="interne")
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    news = NewsItem.objects.create(title="N", summary="s", body="b", published=True)
    facts = {
        "summary": "s",
        "sector": "community",
        "audience": "all",
        "source": "HAS",
        "published_on": date(2025, 1, 1),
    }
    public = Document.objects.create(
        title="Protocole public", url="https://has-sante.fr/x", **facts
    )
    restricted = Document.objects.create(
        title="Protocole interne", url="https://example.org/y", restricted=True, **facts
    )
    response = client.get("/sitemap.xml")
    text = response.content.decode()
    assert response.status_code == 200
    assert "/a-propos/" in text
    assert "/interne/" not in text
    assert f"/actualites/{news.pk}/" in text
    assert f"/recommandations/documents/{public.pk}/" in text
    assert f"/recommandations/documents/{restricted.pk}/" not in text
    assert "/formation/agenda/" in text and "/reseau/qui-contacter/" in text
    # Every address on the host asked for, the site's pages included (Wagtail's own
    # would be its Site record's « localhost »).
    hosts = {loc.split("/")[2] for loc in re.findall(r"<loc>([^<]+)</loc>", text)}
    assert hosts == {"testserver"}


def test_every_site_page_has_a_meta_description(client: Client) -> None:
    add_content_page()
    for path in ("/", "/a-propos/"):
        text = client.get(path).content.decode()
        assert '<meta name="description" content="' in text, path


def test_public_pages_may_be_cached_by_browsers_for_signed_out_visitors_only(
    client: Client, coordinator: Any
) -> None:
    add_content_page()
    anonymous = client.get("/a-propos/")
    assert anonymous["Cache-Control"] == "private, max-age=300"
    # A login changes the session cookie: the browser asks again instead of showing the
    # signed-out page it kept.
    assert "Cookie" in anonymous["Vary"]
    client.force_login(coordinator)
    signed_in = client.get("/a-propos/")
    assert "max-age=" not in signed_in.get("Cache-Control", "")


def test_pages_with_a_form_or_a_cookie_are_not_cached(client: Client) -> None:
    form = client.get("/conseil/demander/")
    assert form.status_code == 200
    assert "max-age" not in form.get("Cache-Control", "")
    home_page = client.get("/")
    assert "max-age=300" in home_page["Cache-Control"]


def test_private_pages_are_never_cached(client: Client, coordinator: Any) -> None:
    client.force_login(coordinator)
    response = client.get("/reseau/")
    assert response.status_code == 200
    assert "max-age" not in response.get("Cache-Control", "")


def test_only_the_editor_relaxes_the_content_security_policy(
    client: Client, coordinator: Any
) -> None:
    add_content_page()
    for path in ("/", "/a-propos/", "/sitemap.xml"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, path
    client.force_login(coordinator)
    editor = client.get("/edition/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in editor
    assert "frame-ancestors 'none'" in editor
    assert "unsafe-inline" not in client.get("/a-propos/")["Content-Security-Policy"]


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_uploads_accounts_and_groups_are_closed_in_the_editor(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for path in (
        "/edition/images/",
        "/edition/images/multiple/add/",
        "/edition/documents/",
        "/edition/documents/multiple/add/",
        "/edition/account/",
        "/edition/users/",
        "/edition/groups/",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/edition/images/multiple/add/", {}).status_code == 403
    menu = client.get("/edition/").content.decode()
    assert 'href="/edition/images/"' not in menu
    assert 'href="/edition/documents/"' not in menu


def test_the_pages_are_french_their_english_address_leads_there(client: Client) -> None:
    add_content_page()
    response = client.get("/en/a-propos/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/a-propos/?x=1"
    english_home = client.get("/en/").content.decode()
    assert "What the centre does" in english_home
