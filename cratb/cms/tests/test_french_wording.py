"""Django's French wording wins over Wagtail's on every page.

Wagtail's French catalogues come before Django's own in the translation search order and
reword some of Django's messages (« Ce champ est requis. » for « Ce champ est
obligatoire. »). ``cratb/locale/fr`` restores Django's wording; this test fails when a
Wagtail upgrade rewords a message the file does not cover.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import django
import wagtail
from django.utils import translation


def _catalogue(package: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for mo in sorted(package.glob("**/locale/fr/LC_MESSAGES/django.mo")):
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        merged.update({k: v for k, v in catalogue.items() if isinstance(k, str) and k})
    return merged


def test_every_django_message_reworded_by_wagtail_reads_as_django_words_it() -> None:
    django_fr = _catalogue(Path(django.__file__).parent)
    wagtail_fr = _catalogue(Path(wagtail.__file__).parent)
    reworded = {k for k, v in wagtail_fr.items() if k in django_fr and django_fr[k] != v}
    assert "This field is required." in reworded
    with translation.override("fr"):
        for msgid in sorted(reworded):
            if "\x04" in msgid:
                context, message = msgid.split("\x04", 1)
                assert translation.pgettext(context, message) == django_fr[msgid], msgid
            else:
                assert translation.gettext(msgid) == django_fr[msgid], msgid
