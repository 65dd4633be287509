"""Abuse limits (issue #13 point 4): per-address limits on the public forms, password-reset
mails and the lab API (429 with ``Retry-After``, JSON for the API, a French page for the
web); a login lockout per address as well as per account; size limits on uploads."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import UserFactory
from cratb.advice.tests.helpers import form_data
from cratb.dashboards.models import DataImport
from cratb.network.models import Territory
from cratb.training.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def assert_limited_page(response: Any) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = html.unescape(response.content.decode())
    assert "Trop de demandes depuis votre adresse : réessayez dans" in page


@pytest.mark.usefixtures("departement")
def test_the_advice_form_is_limited_per_address(client: Client, settings: Settings) -> None:
    settings.CRATB_RATE_ADVICE_FORM = "2/h"
    url = reverse("advice:request-create")
    for _ in range(2):
        assert client.post(url, form_data()).status_code == 302
    assert_limited_page(client.post(url, form_data()))
    # Reading the form is not limited, and another address may still send.
    assert client.get(url).status_code == 200
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_training_registration_is_limited_per_address(
    client: Client, settings: Settings, departement: Territory
) -> None:
    settings.CRATB_RATE_TRAINING_REGISTRATION = "2/h"
    session = SessionFactory.create(capacity=50)
    url = f"/formation/agenda/{session.pk}/"

    def form(n: int) -> dict[str, Any]:
        return {
            "first_name": "Alex",
            "last_name": f"Martin{n}",
            "email": f"alex{n}@exemple.fr",
            "profession": "pharmacist",
            "organization_name": "Pharmacie",
            "departement": departement.pk,
            "consent": "on",
        }

    assert client.post(url, form(1)).status_code == 302
    assert client.post(url, form(2)).status_code == 302
    assert_limited_page(client.post(url, form(3)))


def test_password_reset_mails_are_limited_per_address(
    client: Client, settings: Settings, coordinator: User
) -> None:
    settings.CRATB_RATE_PASSWORD_RESET = "2/h"
    coordinator.email = "camille@exemple.fr"
    coordinator.save()
    url = reverse("accounts:password-reset")
    for _ in range(2):
        assert client.post(url, {"email": "camille@exemple.fr"}).status_code == 302
    assert_limited_page(client.post(url, {"email": "camille@exemple.fr"}))
    assert len(mail.outbox) == 2


def test_the_lab_api_is_limited_per_address_with_a_json_answer(
    client: Client, settings: Settings
) -> None:
    settings.CRATB_RATE_LAB_API = "3/m"
    for _ in range(3):
        response = client.post("/api/v1/ast/target", "{}", content_type="application/json")
        assert response.status_code == 401
    response = client.post("/api/v1/ast/target", "{}", content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 0
    body = json.loads(response.content)
    assert body["retry_after"] == int(response["Retry-After"])
    assert body["detail"].startswith("Trop de demandes depuis votre adresse")


def test_a_proxy_chain_gives_each_visitor_his_own_limit(client: Client, settings: Settings) -> None:
    settings.CRATB_RATE_LAB_API = "1/m"
    settings.CRATB_PROXY_COUNT = 1

    def post(forwarded: str) -> int:
        return client.post(
            "/api/v1/ast/target", "{}", content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code  # fmt: skip

    assert post("203.0.113.1") == 401
    assert post("203.0.113.2") == 401
    # What a visitor writes himself before the proxy's entry changes nothing.
    assert post("198.51.100.7, 203.0.113.1") == 429


def _login(client: Client, username: str, password: str, address: str = "10.1.1.1") -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_one_address_trying_a_few_passwords_on_many_accounts_is_stopped(
    client: Client, db: None
) -> None:
    accounts = [
        UserFactory.create(username=f"compte{i}", role=Role.REQUESTER, password="bon-mot-de-passe")
        for i in range(6)
    ]
    # 4 tries on each of 5 accounts: never 5 on one account, 20 from one address.
    statuses = [
        _login(client, account.username, f"essai{n}").status_code
        for account in accounts[:5]
        for n in range(4)
    ]
    assert 429 in statuses, statuses
    assert statuses.index(429) <= 15
    # Locked: even the right password of a sixth account is refused from that address…
    assert _login(client, "compte5", "bon-mot-de-passe").status_code == 429
    # … but not from another one.
    assert _login(client, "compte5", "bon-mot-de-passe", address="10.2.2.2").status_code == 302


def test_a_few_typos_do_not_lock_an_address(client: Client, db: None) -> None:
    for i in range(3):
        UserFactory.create(username=f"agent{i}", role=Role.REQUESTER, password="bon-mot-de-passe")
    for i in range(3):
        assert _login(client, f"agent{i}", "faute-de-frappe").status_code == 200
        assert _login(client, f"agent{i}", "bon-mot-de-passe").status_code == 302
        client.logout()


def test_five_failures_still_lock_one_account(client: Client, db: None) -> None:
    UserFactory.create(username="cible", role=Role.REQUESTER, password="bon-mot-de-passe")
    for n in range(5):
        _login(client, "cible", f"essai{n}")
    assert _login(client, "cible", "bon-mot-de-passe").status_code == 429


def test_web_imports_have_a_size_limit(
    client: Client, coordinator: User, settings: Settings
) -> None:
    settings.CRATB_IMPORT_MAX_MB = 0.001
    settings.CRATB_SPREADSHEET_MAX_MB = 0.001
    client.force_login(coordinator)
    big = b"finess;year;sector;patient_days\n" + b"750000011;2024;acute;35000\n" * 100
    response = client.post(
        "/surveillance/imports/",
        {"kind": "patient_days", "file": SimpleUploadedFile("jours.csv", big)},
    )
    assert response.status_code == 200
    assert "« jours.csv » pèse 0,0 Mo : la limite est de 0,001 Mo." in html.unescape(
        response.content.decode()
    )
    assert not DataImport.objects.exists()
    response = client.post(
        "/reseau/import/",
        {"kind": "organizations", "file": SimpleUploadedFile("orgs.csv", big)},
    )
    assert "la limite est de 0,001 Mo" in html.unescape(response.content.decode())


def test_a_request_past_the_size_limit_is_not_read(client: Client, settings: Settings) -> None:
    settings.CRATB_REQUEST_MAX_MB = 1
    response = client.post(
        reverse("advice:request-create"),
        {"attachments": SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * 2_000_000)},
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux (2 Mo) : la limite est de 1 Mo." in html.unescape(
        response.content.decode()
    )
