"""Who may open each feedback page: anonymous, every role."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import PERSONAS
from cratb.feedback.models import Delivery, FeedbackBatch, Kind
from cratb.feedback.tests.conftest import FINESS, RPPS, World

pytestmark = pytest.mark.django_db

STAFF: set[str | None] = {Role.COORDINATOR, Role.ADMIN}


def _expected(role: str | None, audience: set[str | None], ok: int = 200) -> int:
    if role is None:
        return 302
    return ok if role in audience else 403


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_feedback_pages_for_every_persona(
    persona: str, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    batch = FeedbackBatch.objects.create(kind=Kind.CPTS, year=2025, delivery=Delivery.EMAIL)
    pages = {
        "/retours/": _expected(role, STAFF),
        f"/retours/envois/{batch.pk}/": _expected(role, STAFF),
        f"/retours/etablissements/{FINESS[0]}/2025.pdf": _expected(role, STAFF),
        "/retours/cpts/CPTS-01/2025.pdf": _expected(role, STAFF),
        # A requester reaches the view, which refuses another's report (403 too).
        f"/retours/prescripteurs/{RPPS[0]}/2025.pdf": _expected(role, STAFF),
        "/retours/mon-rapport/": _expected(role, {Role.REQUESTER}),
    }
    wrong = []
    for url, expected in pages.items():
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{url}: {status}, attendu {expected}")
    status = client.post("/retours/", {}).status_code
    if status != _expected(role, STAFF, ok=400):
        wrong.append(f"POST /retours/: {status}")
    assert wrong == []
    # The download link needs no account: a bad one is refused with a message.
    assert client.get("/retours/lien/abc/").status_code == 410
