"""French first, English available: the English pages and the catalogue behind them."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from cratb.accounts.models import User

LOCALE = Path(settings.BASE_DIR) / "cratb" / "locale" / "en" / "LC_MESSAGES"


def test_home_page_is_french_by_default(client: Client, db: None) -> None:
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert "CRAtb — Centre régional en antibiothérapie" in html
    assert 'href="/en/" lang="en" hreflang="en"' in html


def test_english_home_page_shows_english_text(client: Client, db: None) -> None:
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "CRAtb — Regional antibiotic therapy centre" in html
    assert "What the centre does" in html
    assert "Skip to content" in html
    assert 'href="/en/comptes/connexion/"' in html
    assert "Centre régional" not in html


def test_english_dashboard_translates_roles(client: Client, agency_viewer: User) -> None:
    client.force_login(agency_viewer)
    html = client.get("/en/surveillance/").content.decode()
    assert re.search(r"<h1>\s*Dashboard\s*</h1>", html)
    assert "Regional health agency (read-only)" in html
    # The language links lead to this same page in each language.
    assert 'href="/surveillance/" lang="fr"' in html


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), value)


def _po_entries(path: Path) -> dict[str, list[str]]:
    """msgid → msgstr(s) of a .po file, unescaped; header and obsolete entries left out."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            entries[_unescape(fields["msgid"])] = [
                _unescape(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")
            ]
    return entries


def test_every_string_has_an_english_translation() -> None:
    po = LOCALE / "django.po"
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [msgid for msgid, msgstrs in _po_entries(po).items() if not all(msgstrs)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    stale = [
        msgid
        for msgid, msgstrs in entries.items()
        if len(msgstrs) == 1 and compiled.gettext(msgid) != msgstrs[0]
    ]
    assert stale == []
