"""The base layout: landmarks, skip link, labels, contrast, icons, error pages, no CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from cratb.accounts.models import User
from cratb.accounts.templatetags.cratb_ui import ICONS

CRATB = Path(settings.BASE_DIR) / "cratb"
CSS = CRATB / "static" / "cratb" / "css" / "cratb.css"

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageOutline(HTMLParser):
    """What an accessibility check needs from a page: landmarks, labels, controls."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_targets: set[str] = set()
        self.unlabelled: list[str] = []
        self.first_link: dict[str, str | None] | None = None
        self.ids: list[str] = []
        self._in_link = False
        self.first_link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"] or "")
        if tag == "a" and self.first_link is None:
            self.first_link = attributes
            self._in_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.first_link_text += data

    def controls_without_label(self) -> list[str]:
        missing = []
        for tag, attributes in self.tags:
            if tag not in {"input", "select", "textarea"}:
                continue
            if tag == "input" and attributes.get("type", "text") in UNLABELLED_TYPES:
                continue
            if attributes.get("aria-label") or attributes.get("aria-labelledby"):
                continue
            if attributes.get("id") not in self.label_targets:
                missing.append(f"<{tag} name={attributes.get('name')!r}>")
        return missing

    def count(self, tag: str, **wanted: str) -> int:
        return sum(
            1
            for name, attributes in self.tags
            if name == tag and all(attributes.get(k) == v for k, v in wanted.items())
        )


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    return parser


PAGES = [
    ("/", None),
    ("/comptes/connexion/", None),
    ("/comptes/mot-de-passe/oubli/", None),
    ("/surveillance/", "coordinator"),
    ("/comptes/mon-compte/", "lab_client"),
    ("/comptes/mot-de-passe/modifier/", "requester"),
]


@pytest.mark.parametrize(("path", "persona"), PAGES)
def test_page_uses_the_accessible_base_layout(
    path: str, persona: str | None, client: Client, request: pytest.FixtureRequest, db: None
) -> None:
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(path)
    assert response.status_code == 200
    page = outline(response.content.decode())

    assert page.count("html", lang="fr") == 1
    assert page.first_link is not None
    assert page.first_link.get("href") == "#contenu"
    assert page.first_link_text.strip() == "Aller au contenu"
    assert page.count("main", id="contenu") == 1
    assert page.count("header") == 1
    assert page.count("footer") == 1
    assert page.count("h1") == 1
    assert page.count("nav") >= 1
    assert all(attributes.get("aria-label") for tag, attributes in page.tags if tag == "nav")
    assert page.count("link", rel="stylesheet", href="/static/cratb/css/cratb.css") == 1
    assert page.controls_without_label() == []
    assert len(page.ids) == len(set(page.ids)), "identifiants en double"


def test_the_label_check_catches_an_unlabelled_field() -> None:
    page = outline(
        '<label for="a">A</label><input id="a" name="a">'
        '<input type="hidden" name="csrf"><input name="b" id="b"><select name="c"></select>'
        '<input name="d" aria-label="D">'
    )
    assert page.controls_without_label() == ["<input name='b'>", "<select name='c'>"]


def test_menu_shows_only_the_sections_a_role_may_open(client: Client, agency_viewer: User) -> None:
    client.force_login(agency_viewer)
    html = client.get("/surveillance/").content.decode()
    menu = html[html.index('aria-label="Navigation principale"') : html.index("</nav>")]
    assert 'href="/surveillance/" aria-current="page"' in menu
    assert 'href="/activite/"' in menu
    assert 'href="/conseil/"' not in menu
    # The network section shows the agency its aggregates (coverage map, gaps).
    assert 'href="/reseau/"' in menu


def test_messages_are_displayed(client: Client, requester: User) -> None:
    client.force_login(requester)
    response = client.post("/comptes/deconnexion/", follow=True)
    html = response.content.decode()
    assert re.search(r'<div class="messages" role="status">.*Vous êtes déconnecté', html, re.S)


def test_404_page_is_french_and_uses_the_layout(client: Client, db: None) -> None:
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Aller au contenu" in html


def test_403_page_names_the_role(client: Client, requester: User) -> None:
    client.force_login(requester)
    response = client.get("/activite/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "Professionnel de santé (demandeur)" in html


def _hex_colours() -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", CSS.read_text()))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


#: Text colour → the backgrounds the style sheet puts it on.
TEXT_ON = {
    "ink": ["paper", "paper-alt"],
    "ink-muted": ["paper", "paper-alt"],
    "link": ["paper", "paper-alt"],
    "link-visited": ["paper", "paper-alt"],
    "brand-ink": ["brand", "brand-dark"],
    "brand": ["paper", "paper-alt"],
    "focus-ink": ["focus"],
    "info-ink": ["info-bg"],
    "success-ink": ["success-bg"],
    "warning-ink": ["warning-bg"],
    "error-ink": ["error-bg", "paper"],
}


def test_text_colours_meet_wcag_aa_contrast() -> None:
    colours = _hex_colours()
    weak = [
        f"{text} sur {background} : {contrast(colours[text], colours[background]):.2f}"
        for text, backgrounds in TEXT_ON.items()
        for background in backgrounds
        if contrast(colours[text], colours[background]) < 4.5
    ]
    assert weak == []


def test_icon_sprite_matches_the_icon_tag() -> None:
    sprite = (CRATB / "templates" / "includes" / "icons.svg").read_text()
    assert set(re.findall(r'<symbol id="icon-([\w-]+)"', sprite)) == ICONS


def test_assets_are_served_by_the_project() -> None:
    external = re.compile(r"""(?:src|href)=["']?(?:https?:)?//|url\(["']?(?:https?:)?//""")
    files = [
        *CRATB.glob("**/templates/**/*.html"),
        *(CRATB / "static" / "cratb").glob("**/*.css"),
        *(CRATB / "static" / "cratb").glob("**/*.js"),
    ]
    assert files
    assert [str(path) for path in files if external.search(path.read_text())] == []
    for font in re.findall(r'url\("\.\./fonts/([^"]+)"\)', CSS.read_text()):
        assert (CSS.parent.parent / "fonts" / font).is_file(), font
    assert (CSS.parent.parent / "fonts" / "OFL.txt").is_file()
