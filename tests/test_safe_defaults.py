"""Safe defaults (issue #13 point 8): a Content-Security-Policy on every page and nothing
inline for it to block, an idle session timeout, an optional second factor (TOTP) for
coordination and admin accounts. DEBUG and SECRET_KEY at start-up: tests/test_configuration.py;
no server path in messages: tests/test_uploads_do_not_linger.py."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from cratb.accounts.middleware import SEEN_KEY
from cratb.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "cratb").rglob("templates/**/*.html"))


@pytest.mark.parametrize(
    "url", ["/", "/comptes/connexion/", "/conseil/demander/", "/formation/agenda/", "/nulle-part/"]
)
def test_every_page_has_a_content_security_policy(client: Client, url: str, db: None) -> None:
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_staff_pages_and_the_admin_have_it_too(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    for url in ("/surveillance/", "/admin/", "/reseau/carte/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_what_the_policy_blocks(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    inline_scripts = [s for s in re.findall(r"<script\b[^>]*>", text) if "src=" not in s]
    assert inline_scripts == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert re.findall(r"\sstyle\s*=", text) == []
    assert "<style" not in text
    assert "javascript:" not in text


def test_a_session_ends_after_a_working_day_without_a_page(
    client: Client, coordinator: User, settings: Settings
) -> None:
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    client.force_login(coordinator)
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    # A page viewed soon after does not write the session again…
    client.get("/surveillance/")
    assert Session.objects.get(session_key=key).expire_date == first
    # … one viewed after a few minutes pushes its end back.
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 600
    session.save()
    time.sleep(1)
    client.get("/surveillance/")
    assert Session.objects.get(session_key=key).expire_date > first


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_a_coordinator_enrols_a_second_factor_then_gives_a_code_after_the_password(
    client: Client, coordinator: User
) -> None:
    coordinator.set_password("mot-de-passe-assez-long")
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(reverse("accounts:otp-setup")).content.decode()
    assert "<svg" in page and "Code QR" in page  # drawn on the server, no image service
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wrong = client.post(reverse("accounts:otp-setup"), {"token": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down the next try after a wrong code
    client.post(reverse("accounts:otp-setup"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    response = client.post(
        reverse("accounts:login"),
        {"username": coordinator.username, "password": "mot-de-passe-assez-long"},
    )
    assert response.status_code == 302
    # The password alone opens nothing.
    blocked = client.get("/surveillance/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:otp-verify"))
    assert client.get("/api/v1/ast/target").status_code != 302
    refused = client.post(reverse("accounts:otp-verify"), {"token": "000000"})
    assert "Code incorrect" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1  # the code was used at enrolment: a new one is needed
    device.save()
    client.post(reverse("accounts:otp-verify"), {"token": _code(device)})
    assert client.get("/surveillance/").status_code == 200


def test_the_second_factor_can_be_made_mandatory(
    client: Client, coordinator: User, requester: User, settings: Settings
) -> None:
    settings.CRATB_OTP_REQUIRED = True
    client.force_login(coordinator)
    response = client.get("/surveillance/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-setup"))
    # Other roles are not concerned.
    client.force_login(requester)
    assert client.get("/conseil/").status_code == 200


def test_other_roles_have_no_second_factor_page(client: Client, requester: User) -> None:
    client.force_login(requester)
    assert client.get(reverse("accounts:otp-setup")).status_code == 403
