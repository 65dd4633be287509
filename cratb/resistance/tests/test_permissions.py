"""Who reaches each page and the API, persona by persona (STYLE.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.accounts.navigation import access_of, sections_for
from cratb.accounts.tests.factories import PERSONAS
from cratb.resistance.models import ApiToken, LabAccount

PAGES = {
    "/resistances/": {Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN},
    "/resistances/par-lieu-de-vie/": {
        Role.COORDINATOR,
        Role.EMA_MEMBER,
        Role.AGENCY_VIEWER,
        Role.ADMIN,
    },
    "/resistances/resultats-a-verifier/": {Role.LAB, Role.COORDINATOR, Role.ADMIN},
    "/resistances/codes-laboratoires/": {Role.COORDINATOR, Role.ADMIN},
    "/resistances/acces-api/": {Role.LAB},
}


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize(("path", "audience"), PAGES.items())
def test_pages_per_persona(
    persona: str, path: str, audience: set[str], client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(path)
    role = PERSONAS[persona]
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/connexion/")
    elif role in audience:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", [p for p, r in PERSONAS.items() if r is not None])
def test_posts_are_refused_to_other_roles(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for path, audience in PAGES.items():
        response = client.post(path, {"action": "delete", "lab_id": "*", "lab_code": "X"})
        expected = {302, 200} if user.role in audience else {403}
        assert response.status_code in expected, path


def test_section_audiences() -> None:
    assert access_of("resistance:antibiogram").roles == PAGES["/resistances/"]
    assert access_of("resistance:tokens").roles == {Role.LAB}


def test_a_lab_user_lands_on_the_api_page(lab_client: User, coordinator: User) -> None:
    # Its API page first, then its own adoption of targeted reporting (cratb/outreach).
    assert [s.url_name for s in sections_for(lab_client)] == [
        "resistance:tokens",
        "outreach:lab-adoption",
    ]
    assert "resistance:antibiogram" in [s.url_name for s in sections_for(coordinator)]


BODY = {
    "isolate_id": "X1",
    "sampled_on": "2025-05-02",
    "specimen": "urine",
    "organism": "E. coli",
    "patient_age": 30,
    "patient_sex": "F",
    "clinical_context": "simple_cystitis",
    "results": [{"antibiotic": "FOS", "sir": "S"}],
}


def _post(client: Client, key: str | None = None, body: object = BODY) -> tuple[int, Any]:
    headers = {"Authorization": f"Token {key}"} if key is not None else {}
    response = client.post(
        "/api/v1/ast/target", json.dumps(body), content_type="application/json", headers=headers
    )
    return response.status_code, json.loads(response.content) if response.content else {}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_api_needs_a_lab_token_whatever_the_session(
    persona: str, client: Client, request: pytest.FixtureRequest, lab_key: str
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    # A browser session never writes through the API.
    status, body = _post(client)
    assert status == 401
    assert "jeton d'accès manquant" in body["detail"]
    # A lab's token answers whoever is logged in in the browser.
    status, _ = _post(client, lab_key)
    assert status == 200


@pytest.mark.parametrize("persona", [p for p, r in PERSONAS.items() if r not in (None, Role.LAB)])
def test_a_token_of_another_role_is_refused(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    _token, key = ApiToken.issue(user=user)
    assert _post(client, key)[0] == 403


def test_bad_revoked_and_inactive_tokens(
    client: Client, lab_key: str, lab_account: LabAccount
) -> None:
    assert _post(client, "nimporte-quoi")[0] == 401
    assert _post(client.__class__(), "Bearer x")[0] == 401
    token = ApiToken.objects.get()
    token.revoke(by=lab_account.user)
    assert _post(client, lab_key)[1]["detail"] == "jeton d'accès invalide ou révoqué"
    _token, fresh = ApiToken.issue(user=lab_account.user)
    lab_account.user.is_active = False
    lab_account.user.save()
    assert _post(client, fresh)[0] == 401


def test_a_lab_user_without_lab_account_gets_403(client: Client, lab_client: User) -> None:
    _token, key = ApiToken.issue(user=lab_client)
    status, body = _post(client, key)
    assert status == 403
    assert "rattaché à aucun laboratoire" in body["detail"]


def test_get_on_the_api(client: Client, lab_client: User, coordinator: User) -> None:
    # A browser session is no key: without a token everyone gets the JSON 401.
    assert client.get("/api/v1/ast/target").status_code == 401
    client.force_login(lab_client)
    assert client.get("/api/v1/ast/target").status_code == 401
    client.force_login(coordinator)
    assert client.get("/api/v1/ast/target").status_code == 401
    _token, key = ApiToken.issue(user=lab_client)
    assert client.get("/api/v1/ast/target", HTTP_AUTHORIZATION=f"Token {key}").status_code == 405
