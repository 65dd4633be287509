"""Accessibility promises kept on every page (issue #14, point 7): scrollable tables
reachable by keyboard and named, a name on every data table, required fields said in
words, an error summary whose links lead to the fields and a page title that says there
are errors, autocomplete on the person's own details, a description on public pages,
the searchable antibiotic picker served by the project, static files compressed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.network.models import Territory
from cratb.training.tests.factories import SessionFactory

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "cratb").rglob("templates/**/*.html"))
#: Pages being rewritten by the indicator pages work (issue #14, point 1): their tables
#: are already in a named keyboard region; the caption comes with the new pages.
CAPTION_PENDING = {"indicator_values.html"}


def _tables(text: str) -> list[tuple[int, int]]:
    return [(m.start(), text.index("</table>", m.start())) for m in re.finditer(r"<table\b", text)]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "cratb")))
def test_every_table_scrolls_in_a_named_keyboard_region_and_has_a_name(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for start, end in _tables(text):
        before = text[:start]
        opened = before.rfind("{% scroll_table ")
        closed = before.rfind("{% endscroll_table %}")
        in_tag = opened > closed
        wrapper = re.search(r'<div class="table-wrap"([^>]*)>\s*$', before)
        in_region = bool(
            wrapper
            and 'tabindex="0"' in wrapper.group(1)
            and 'role="region"' in wrapper.group(1)
            and "aria-label" in wrapper.group(1)
        )
        line = before.count("\n") + 1
        assert in_tag or in_region, f"{path.name}:{line}: table outside a scroll_table region"
        table = text[start:end]
        opening = table[: table.index(">") + 1]
        if path.name not in CAPTION_PENDING:
            assert "<caption" in table or "aria-label" in opening, f"{path.name}:{line}: no name"


def test_scroll_table_renders_a_focusable_named_region() -> None:
    html = Template(
        '{% load cratb_ui %}{% scroll_table _("Sessions") %}<table></table>{% endscroll_table %}'
    ).render(Context())
    assert html == (
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Tableau : Sessions">'
        "<table></table></div>"
    )


@pytest.mark.django_db
def test_a_failed_submit_has_a_summary_linking_to_the_fields_and_an_error_title(
    client: Client, departement: Territory
) -> None:
    session = SessionFactory.create()
    page = client.get(f"/formation/agenda/{session.pk}/").content.decode()
    assert not page.split("<title>")[1].startswith("Erreur")
    assert '<span class="field__required" aria-hidden="true">(obligatoire)</span>' in page
    assert " required" in page.split('name="last_name"')[1].split(">")[0]
    page = client.post(f"/formation/agenda/{session.pk}/", {"first_name": "Alex"}).content.decode()
    assert "<title>Erreur : " in page
    summary = page.split("data-error-summary")[1].split("</div>")[0]
    assert '<a href="#id_last_name">Nom' in summary
    assert '<a href="#id_email">' in summary
    assert 'href="#id_first_name"' not in summary  # filled in: no error


@pytest.mark.django_db
def test_the_persons_own_fields_have_autocomplete(client: Client, region: Territory) -> None:
    form = client.get("/conseil/demander/").content.decode()
    assert re.search(
        r'name="requester_name"[^>]*autocomplete="name"|autocomplete="name"[^>]*name="requester_name"',
        form,
    )
    assert 'autocomplete="email"' in form and 'autocomplete="tel"' in form
    session = SessionFactory.create()
    registration = client.get(f"/formation/agenda/{session.pk}/").content.decode()
    for token in ("given-name", "family-name", "email", "organization"):
        assert f'autocomplete="{token}"' in registration


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/formation/agenda/",
        "/reseau/qui-contacter/",
        "/conseil/demander/",
        "/comptes/connexion/",
    ],
)
def test_public_pages_have_a_meta_description(client: Client, region: Territory, url: str) -> None:
    page = client.get(url, follow=True).content.decode()
    found = re.search(r'<meta name="description" content="([^"]+)">', page)
    assert found and len(found.group(1)) > 50, url


@pytest.mark.django_db
def test_the_antibiotic_lists_are_searchable_pickers_served_by_the_project(
    client: Client, region: Territory
) -> None:
    form = client.get("/conseil/demander/").content.decode()
    assert form.count('data-picker="search"') == 2
    assert 'src="/static/vendor/tom-select/tom-select.complete.min.js"' in form
    assert 'src="/static/cratb/js/picker.js"' in form
    assert "Ctrl ou Cmd" in form  # said for the page without JavaScript
    assert "https://" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', form))
    vendor = ROOT / "cratb" / "static" / "vendor" / "tom-select"
    assert (vendor / "LICENSE").read_text().lstrip().startswith("Apache License")


def test_static_files_are_compressed_and_cached_outside_debug(tmp_path: Path) -> None:
    script = (
        "from django.conf import settings;"
        "print(settings.STORAGES['staticfiles']['BACKEND']);"
        "print('whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "CRATB_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": "Zq8" * 20 + "-a-long-random-key-for-this-test-only",
        "ALLOWED_HOSTS": "cratb.example.org",
        "DJANGO_SETTINGS_MODULE": "cratb.settings",
    }
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", "import django; django.setup();" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
    ]


def test_collectstatic_writes_hashed_and_gzipped_files(settings: Settings, tmp_path: Path) -> None:
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # (pytest-django's settings fixture resets the storage when STORAGES changes.)
    call_command("collectstatic", "--noinput", verbosity=0)
    css = list((tmp_path / "static" / "cratb" / "css").glob("cratb.*.css"))
    assert css, "no hashed name"
    assert Path(f"{css[0]}.gz").is_file()
