"""Who may open each report page: anonymous, every role, drafts and validated reports."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import PERSONAS
from cratb.reports.models import AnnualReport

pytestmark = pytest.mark.django_db

READERS: set[str | None] = {Role.COORDINATOR, Role.ADMIN, Role.AGENCY_VIEWER}
EDITORS: set[str | None] = {Role.COORDINATOR, Role.ADMIN}


def _expected(role: str | None, audience: set[str | None], *, hidden: bool = False) -> int:
    if role is None:
        return 302
    if role not in audience:
        return 403
    return 404 if hidden else 200


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_report_pages_for_every_persona(
    persona: str, client: Client, request: pytest.FixtureRequest, coordinator: User
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    draft = AnnualReport.objects.create(year=2024)
    draft.save_text("advice", "Texte du projet.", author=coordinator, base_version=0)
    validated = AnnualReport.objects.create(
        year=2023,
        status=AnnualReport.Status.VALIDATED,
        snapshot={"title": "Rapport annuel d'activité 2023", "sections": []},
    )
    pages = {
        "/rapports/": _expected(role, READERS),
        f"/rapports/{validated.year}/": _expected(role, READERS),
        f"/rapports/{validated.year}/rapport.pdf": _expected(role, READERS),
        f"/rapports/{validated.year}/rapport.odt": _expected(role, READERS),
        # A draft is the coordination's: the agency does not learn it exists.
        f"/rapports/{draft.year}/": _expected(role, READERS, hidden=role == Role.AGENCY_VIEWER),
        f"/rapports/{draft.year}/rapport.docx": _expected(
            role, READERS, hidden=role == Role.AGENCY_VIEWER
        ),
        f"/rapports/{draft.year}/sections/advice/versions/": _expected(role, EDITORS),
    }
    wrong = []
    for url, expected in pages.items():
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{url}: {status}, attendu {expected}")
    posts = {
        f"/rapports/{draft.year}/sections/advice/": _expected(role, EDITORS),
        f"/rapports/{draft.year}/valider/": _expected(role, EDITORS),
    }
    for url, expected in posts.items():
        # Wrong roles are stopped before anything is read; editors get a refusal (400)
        # because these posts carry no valid form.
        status = client.post(url, {}).status_code
        if expected == 200:
            expected = 400
        if status != expected:
            wrong.append(f"POST {url}: {status}, attendu {expected}")
    assert wrong == []
    draft.refresh_from_db()
    assert draft.status == AnnualReport.Status.DRAFT
    assert [t.text for t in draft.history("advice")] == ["Texte du projet."]


def test_an_unknown_section_or_format_is_not_found(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    AnnualReport.objects.create(year=2024)
    assert client.post("/rapports/2024/sections/inconnue/", {}).status_code == 404
    assert client.get("/rapports/2024/rapport.doc").status_code == 404
    assert client.get("/rapports/1999/").status_code == 404
    assert client.get("/rapports/99999999999999999999/").status_code == 404
    assert client.post("/rapports/", {"year": "99999999999999999999"}).status_code == 400


def test_section_and_validation_pages_are_post_only(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    AnnualReport.objects.create(year=2024)
    assert client.get("/rapports/2024/sections/advice/").status_code == 405
    assert client.get("/rapports/2024/valider/").status_code == 405


def test_only_the_coordination_opens_a_report(client: Client, agency_viewer: User) -> None:
    client.force_login(agency_viewer)
    assert client.post("/rapports/", {"year": "2025"}).status_code == 403
    assert not AnnualReport.objects.exists()
    assert "Préparer un rapport" not in client.get("/rapports/").content.decode()
