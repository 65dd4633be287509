"""The language links of every page: the same page in the other language."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conseil/demandes/12/",
        "/conseil/boite/?box=all&state=closed",
        "/en/conseil/chiffres/?annee=2025&par=syndrome",
        "/surveillance/",
    ],
)
def test_language_links_are_djangos_translations_of_the_page(path: str) -> None:
    from django.urls import resolve, translate_url
    from django.utils.translation import override

    from cratb.accounts.templatetags.cratb_ui import _in_language

    with override("en" if path.startswith("/en/") else "fr"):
        match = resolve(path.split("?")[0])
        for code in ("fr", "en"):
            assert _in_language(path, match, code) == translate_url(path, code)
