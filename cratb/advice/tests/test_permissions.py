"""Who may open each page of the advice desk, role by role, plus row scoping.

Pages without URL parameters are also walked by accounts/tests/test_access.py; this
file pins the advice audiences and covers the pages with parameters, for every
persona (one per role and an anonymous visitor), and the rows each one may reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import Role, User
from cratb.accounts.navigation import access_of
from cratb.accounts.tests.factories import PERSONAS, UserFactory
from cratb.advice import tokens
from cratb.advice.models import AdviceRequest
from cratb.advice.services import NewFile, add_attachments
from cratb.advice.tests.factories import AdviceRequestFactory, OnCallShiftFactory
from cratb.advice.tests.helpers import PDF
from cratb.advice.uploads import check_upload
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db

C, E, R, A, L, ADM = (
    Role.COORDINATOR,
    Role.EMA_MEMBER,
    Role.REQUESTER,
    Role.AGENCY_VIEWER,
    Role.LAB,
    Role.ADMIN,
)

#: The audience of each parameterless page (a change here is a decision).
AUDIENCES = {
    "advice:home": {C, E, R, ADM},
    "advice:request-create": "public",
    "advice:request-sent": "public",
    "advice:my-requests": {R},
    "advice:inbox": {C, E, ADM},
    "advice:phone-create": {C, E, ADM},
    "advice:rota": {C, E, ADM},
    "advice:rota-import": {C, ADM},
    "advice:figures": {C, ADM, A},
    "advice:figures-csv": {C, ADM, A},
    "advice:figures-xlsx": {C, ADM, A},
}


@pytest.mark.parametrize(("url_name", "audience"), AUDIENCES.items())
def test_declared_audiences(url_name: str, audience: Any) -> None:
    access = access_of(url_name)
    if audience == "public":
        assert access.public
    else:
        assert not access.public
        assert access.roles == audience


@dataclass
class World:
    request: AdviceRequest
    attachment_pk: int
    shift_pk: int


@pytest.fixture
def world(
    departement: Territory, ema_team: Organization, requester: User, ema_responder: User
) -> World:
    request = AdviceRequestFactory.create(
        departement=departement, team=ema_team, requester=requester
    )
    upload = SimpleUploadedFile("atb.pdf", PDF)
    add_attachments(
        request=request,
        files=[NewFile(upload=upload, sniffed=check_upload(upload))],
        by=requester,
        from_requester=True,
    )
    shift = OnCallShiftFactory.create(departement=departement, responder=ema_responder)
    return World(request=request, attachment_pk=request.attachments.get().pk, shift_pk=shift.pk)


def login(client: Client, request: pytest.FixtureRequest, persona: str) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)


def expected(role: str | None, allowed: Any, ok: int) -> int:
    if role is None:
        return 302
    return ok if role in allowed else 403


RESPONDERS = {C, E, ADM}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_request_pages_by_role(
    persona: str, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    login(client, request, persona)
    role = PERSONAS[persona]
    pk = world.request.pk
    detail = client.get(reverse("advice:request-detail", args=[pk]))
    assert detail.status_code == expected(role, {C, E, R, ADM}, 200)
    download = client.get(reverse("advice:attachment", args=[world.attachment_pk]))
    assert download.status_code == expected(role, {C, E, R, ADM}, 200)
    if download.status_code == 200:
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    # Each responder action refuses everyone else; an empty form (no version) is a 400.
    for name in ("take", "reassign", "ask", "answer", "coding", "close", "reopen", "attach"):
        response = client.post(reverse(f"advice:request-{name}", args=[pk]), {})
        assert response.status_code == expected(role, RESPONDERS, 400), name
    response = client.post(
        reverse("advice:request-requester", args=[pk]), {"action": "reply", "text": ""}
    )
    assert response.status_code == expected(role, {R}, 400)
    # Redaction: the coordination (in scope) and the administrator.
    redact = reverse("advice:request-redact", args=[pk])
    assert client.get(redact).status_code == expected(role, {C, ADM}, 200)
    assert client.post(redact, {}).status_code == expected(role, {C, ADM}, 400)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_rota_delete_by_role(
    persona: str, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    login(client, request, persona)
    response = client.post(reverse("advice:rota-delete", args=[world.shift_pk]))
    assert response.status_code == expected(PERSONAS[persona], {C, ADM}, 302)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_signed_links_open_for_anyone_who_has_them(
    persona: str, client: Client, request: pytest.FixtureRequest, world: World
) -> None:
    login(client, request, persona)
    token = tokens.follow_token(world.request)
    assert client.get(reverse("advice:follow", args=[token])).status_code == 200
    attachment = client.get(reverse("advice:follow-attachment", args=[token, world.attachment_pk]))
    assert attachment.status_code == 200
    assert client.get(reverse("advice:follow", args=[token + "x"])).status_code == 404
    assert (
        client.get(
            reverse("advice:follow-attachment", args=[token + "x", world.attachment_pk])
        ).status_code
        == 404
    )


def test_another_requester_cannot_open_it(
    client: Client, world: World, departement: Territory
) -> None:
    other = UserFactory.create(role=Role.REQUESTER, territories=[departement])
    client.force_login(other)
    assert client.get(reverse("advice:request-detail", args=[world.request.pk])).status_code == 404
    assert client.get(reverse("advice:attachment", args=[world.attachment_pk])).status_code == 404
    assert (
        client.post(
            reverse("advice:request-requester", args=[world.request.pk]),
            {"action": "reply", "text": "intrusion"},
        ).status_code
        == 404
    )
    assert world.request.messages.count() == 0
    assert str(world.request) not in client.get(reverse("advice:my-requests")).content.decode()


def test_a_link_of_one_request_does_not_open_another(
    client: Client, world: World, departement: Territory
) -> None:
    other = AdviceRequestFactory.create(departement=departement)
    token = tokens.follow_token(other)
    assert (
        client.get(
            reverse("advice:follow-attachment", args=[token, world.attachment_pk])
        ).status_code
        == 404
    )


def test_a_responder_outside_the_scope_gets_404(
    client: Client, world: World, departement: Territory
) -> None:
    from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory

    far = DepartementFactory.create(code="77", name="Seine-et-Marne", parent=departement.parent)
    team = OrganizationFactory.create(kind=Organization.Kind.EMA, departement=far)
    stranger = UserFactory.create(role=Role.EMA_MEMBER, team=team, territories=[far])
    client.force_login(stranger)
    assert client.get(reverse("advice:request-detail", args=[world.request.pk])).status_code == 404
    assert (
        client.post(
            reverse("advice:request-take", args=[world.request.pk]),
            {"version": world.request.version},
        ).status_code
        == 404
    )
    assert client.get(reverse("advice:attachment", args=[world.attachment_pk])).status_code == 404


def test_agency_figures_are_aggregated_only(
    client: Client, agency_viewer: User, coordinator: User, world: World
) -> None:
    client.force_login(agency_viewer)
    page = client.get(reverse("advice:figures")).content.decode()
    assert reverse("advice:request-detail", args=[world.request.pk]) not in page
    assert "Équipe" not in page  # no breakdown naming teams
    assert client.get(reverse("advice:figures") + "?par=team").status_code == 200
    client.force_login(coordinator)
    assert ">Équipe<" in client.get(reverse("advice:figures")).content.decode()


def test_the_request_page_check_agrees_with_the_inbox_scope(region: Territory) -> None:
    """AdviceRequest.is_visible_to (the request page) and visible_to (lists, counts) are
    one rule written twice: for every role, scope and state they give the same answer."""
    from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory
    from cratb.advice.models import Status

    here = DepartementFactory.create(code="75", name="Paris", parent=region)
    there = DepartementFactory.create(code="77", name="Seine-et-Marne", parent=region)
    team = OrganizationFactory.create(kind=Organization.Kind.EMA, departement=here)
    other_team = OrganizationFactory.create(kind=Organization.Kind.EMA, departement=there)
    users = [
        UserFactory.create(role=Role.COORDINATOR, territories=[region]),
        UserFactory.create(role=Role.COORDINATOR, territories=[here]),
        UserFactory.create(role=Role.EMA_MEMBER, team=team, territories=[here]),
        UserFactory.create(role=Role.EMA_MEMBER, team=other_team, territories=[]),
        UserFactory.create(role=Role.EMA_MEMBER, team=None, territories=[there]),
        UserFactory.create(role=Role.ADMIN),
        UserFactory.create(role=Role.REQUESTER),
        UserFactory.create(role=Role.AGENCY_VIEWER, territories=[region]),
        UserFactory.create(role=Role.LAB),
        UserFactory.create(role=Role.COORDINATOR, territories=[region], is_active=False),
    ]
    requests = [
        AdviceRequestFactory.create(
            departement=departement,
            team=owner_team,
            assignee=assignee,
            requester=requester,
            status=status,
        )
        for departement in (here, there)
        for owner_team in (None, team, other_team)
        for assignee in (None, users[2], users[4])
        for requester in (None, users[6])
        for status in (Status.UNCONFIRMED, Status.OPEN, Status.CLOSED)
    ]
    for user in users:
        in_query = set(AdviceRequest.objects.visible_to(user).values_list("pk", flat=True))
        fresh = User.objects.get(pk=user.pk)  # no departement ids kept from the query
        by_check = {request.pk for request in requests if request.is_visible_to(fresh)}
        assert by_check == in_query, user
        scoped = AdviceRequest.objects.with_scope_of(user)  # as the request page loads them
        assert {request.pk for request in scoped if request.is_visible_to(fresh)} == in_query
        sees_none = user.role in (Role.AGENCY_VIEWER, Role.LAB) or not user.is_active
        assert sees_none == (not in_query), user
