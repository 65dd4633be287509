"""The lab API answers JSON for every error (a body too deep or too large, no token on a
GET, a wrong method, an unknown path under its prefix) and never takes a patient's
identity as ``isolate_id``; revoking a token with a malformed id is a bad request."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.engine.identifiers import NAME_IN_IDENTIFIER, NIR_IN_IDENTIFIER
from cratb.resistance.models import ApiToken, LabAccount, TargetedReport
from cratb.resistance.tests.test_api import REQUEST, post

pytestmark = pytest.mark.django_db
URL = "/api/v1/ast/target"


def as_json(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data: dict[str, Any] = json.loads(response.content)
    return data


@pytest.mark.parametrize(
    ("isolate_id", "reason"),
    [("185057800608491", NIR_IN_IDENTIFIER), ("DUPONT Jeanne", NAME_IN_IDENTIFIER)],
)
def test_a_nir_or_a_name_as_isolate_id_is_refused(
    client: Client, lab_key: str, isolate_id: str, reason: str
) -> None:
    status, body = post(client, lab_key, {**REQUEST, "isolate_id": isolate_id})
    assert status == 400
    assert body == {"errors": {"isolate_id": reason}}
    assert not TargetedReport.objects.exists()


def test_a_body_nested_too_deep_is_a_json_400(client: Client, lab_key: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post(
        URL, deep, content_type="application/json", HTTP_AUTHORIZATION=f"Token {lab_key}"
    )
    assert response.status_code == 400
    assert "errors" in as_json(response)


def test_a_body_too_large_is_a_json_413(client: Client, lab_key: str, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**REQUEST, "note": "x" * 5000})
    response = client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {lab_key}"
    )
    assert response.status_code == 413
    assert "detail" in as_json(response)


def test_a_get_without_token_is_a_json_401(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert "detail" in as_json(response)


def test_a_wrong_method_is_a_json_405(client: Client, lab_key: str) -> None:
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {lab_key}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "detail" in as_json(response)


def test_an_unknown_path_under_the_api_is_a_json_404(client: Client, lab_key: str) -> None:
    for path in ("/api/v1/nothing", "/api/v1/", "/api/v2/ast/target"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {lab_key}")
        assert response.status_code == 404, path
        assert "detail" in as_json(response)


def test_revoking_a_token_with_a_malformed_id_is_a_400(
    client: Client, lab_account: LabAccount, lab_client: User
) -> None:
    token, _key = ApiToken.issue(user=lab_client, label="x")
    client.force_login(lab_client)
    url = reverse("resistance:tokens")
    for bad in ("abc", "1e5", "", "99999999999999999999999"):
        response = client.post(url, {"action": "revoke", "token": bad})
        assert response.status_code in (400, 404), bad
    assert client.post(url, {"action": "revoke", "token": "abc"}).status_code == 400
    token.refresh_from_db()
    assert token.active


def test_an_unexpected_error_is_answered_in_json(
    lab_key: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("/srv/cratb/secret/path went wrong")

    monkeypatch.setattr("cratb.resistance.api.target_isolate", broken)
    client = Client(raise_request_exception=False)
    response = client.post(
        URL,
        json.dumps(REQUEST),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {lab_key}",
    )
    assert response.status_code == 500
    body = as_json(response)
    assert "erreur interne" in body["detail"]
    assert "/srv" not in response.content.decode()


def test_an_unexpected_error_elsewhere_keeps_the_html_page(rf: Any) -> None:
    from cratb.resistance.api import server_error

    response = server_error(rf.get("/conseil/"))
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
