"""Every view declares its audience, and each persona gets exactly what it declares.

The walk covers every URL pattern of the project, so a new view without
``@allow`` fails here. Django's admin (its own staff check) and i18n's
``set_language`` (a POST-only redirect) are not ours to decorate, and Wagtail's admin
is guarded as a whole (cratb/cms/editors.py): they are tested explicitly below, like the
password-reset link, which needs a token. The lab API authenticates by token only, never
by a browser session: every persona gets its JSON 401 here (``cratb/resistance/tests`` try
it with tokens).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.views.i18n import set_language

from cratb.accounts.access import Access
from cratb.accounts.models import Role
from cratb.accounts.navigation import access_of
from cratb.accounts.tests.factories import PERSONAS


@dataclass(frozen=True)
class Endpoint:
    path: str | None  # None when the pattern takes parameters
    view_name: str
    namespaces: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def access(self) -> Access | None:
        return getattr(self.callback, "cratb_access", None)

    @property
    def post_only(self) -> bool:
        view_class = getattr(self.callback, "view_class", None)
        return view_class is not None and "get" not in view_class.http_method_names


def _walk(
    entries: list[URLPattern | URLResolver], prefix: tuple[Any, ...], namespaces: tuple[str, ...]
) -> Iterator[Endpoint]:
    for entry in entries:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, chain, inner)
            continue
        parameterless = all(
            isinstance(part, LocalePrefixPattern)
            or (isinstance(part, RoutePattern) and not part.converters)
            for part in chain
        )
        yield Endpoint(
            path="/" + "".join(str(part) for part in chain) if parameterless else None,
            view_name=":".join((*namespaces, entry.name or "<sans nom>")),
            namespaces=namespaces,
            callback=entry.callback,
        )


def endpoints() -> list[Endpoint]:
    return list(_walk(get_resolver().url_patterns, (), ()))


def handled_explicitly(endpoint: Endpoint) -> bool:
    return (
        "admin" in endpoint.namespaces
        or endpoint.callback is set_language
        or getattr(endpoint.callback, "cratb_editor", False)
    )


def test_every_view_of_the_site_editor_is_for_coordination_and_administrators() -> None:
    # Wagtail's admin (cratb/cms/editors.py): its own views answer in their own ways (a
    # test page that fails on purpose, POST-only actions), so cratb/cms/tests open its pages
    # persona by persona; here, each of its hundreds of views is checked to be guarded.
    editor = [e for e in endpoints() if getattr(e.callback, "cratb_editor", False)]
    assert len(editor) > 100
    audiences = {e.access for e in editor}
    assert audiences == {Access(public=False, roles=frozenset({Role.COORDINATOR, Role.ADMIN}))}


def checked_endpoints() -> list[Endpoint]:
    return [endpoint for endpoint in endpoints() if not handled_explicitly(endpoint)]


def test_every_view_declares_who_may_see_it() -> None:
    missing = [e.view_name for e in checked_endpoints() if not isinstance(e.access, Access)]
    assert missing == []


def test_the_walk_reaches_the_platform_pages() -> None:
    walked = {e.view_name for e in checked_endpoints() if e.path is not None}
    expected = {
        "public:home",
        "accounts:login",
        "accounts:logout",
        "accounts:account",
        "accounts:password-reset",
        "dashboards:home",
        "advice:home",
        "network:home",
        "training:home",
        "activity:home",
    }
    assert expected <= walked
    parametrised = {e.view_name for e in checked_endpoints() if e.path is None}
    assert "accounts:password-reset-confirm" in parametrised


def test_every_role_has_a_persona() -> None:
    assert set(PERSONAS.values()) == {None, *Role.values}


def expected_status(endpoint: Endpoint, role: str | None) -> int:
    assert endpoint.access is not None
    if "resistance-api" in endpoint.namespaces:
        return 401
    if not endpoint.access.allows(role):
        return 302 if role is None else 403
    return 405 if endpoint.post_only else 200


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_gets_what_each_view_declares(
    persona: str, client: Client, request: pytest.FixtureRequest, db: None
) -> None:
    # ``db``: public pages may read the database (the advice form lists départements).
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    login_url = resolve_url(settings.LOGIN_URL)
    wrong = []
    for endpoint in checked_endpoints():
        if endpoint.path is None:
            continue
        response = client.get(endpoint.path)
        expected = expected_status(endpoint, role)
        if response.status_code != expected:
            wrong.append(f"{endpoint.path}: {response.status_code}, attendu {expected}")
        elif expected == 302:
            target = f"{login_url}?next={quote(endpoint.path)}"
            if response["Location"] != target:
                wrong.append(f"{endpoint.path}: redirigé vers {response['Location']}")
    assert wrong == []


def test_only_administrators_reach_django_admin(
    client: Client, administrator: Any, coordinator: Any
) -> None:
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")

    client.force_login(coordinator)
    refused = client.get("/admin/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")

    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_set_language_sends_to_the_english_page(client: Client) -> None:
    # The layout's language links need no POST; Django's view stays usable from French pages.
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/surveillance/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/surveillance/"
    assert response.cookies["django_language"].value == "en"


#: Who opens each section (the role policy, spelled out once so that a change is deliberate).
SECTION_AUDIENCE = {
    "dashboards:home": {
        Role.COORDINATOR,
        Role.EMA_MEMBER,
        Role.REQUESTER,
        Role.AGENCY_VIEWER,
        Role.INSURANCE_VIEWER,
        Role.ADMIN,
    },
    "advice:home": {Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN},
    "network:home": {
        Role.COORDINATOR,
        Role.EMA_MEMBER,
        Role.REQUESTER,
        Role.AGENCY_VIEWER,
        Role.ADMIN,
    },
    "training:home": {Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN},
    "activity:home": {Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN},
    "audits:home": {
        Role.COORDINATOR,
        Role.EMA_MEMBER,
        Role.REQUESTER,
        Role.AGENCY_VIEWER,
        Role.ADMIN,
    },
    "outreach:home": {Role.COORDINATOR, Role.INSURANCE_VIEWER, Role.ADMIN},
    "accounts:account": set(Role.values),
}


@pytest.mark.parametrize(("url_name", "audience"), SECTION_AUDIENCE.items())
def test_section_audiences(url_name: str, audience: set[str]) -> None:
    access = access_of(url_name)
    assert not access.public
    assert access.roles == audience
