"""Requests: routing, optimistic locking, the append-only history, the coded answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory, UserFactory
from cratb.advice import codes
from cratb.advice.models import (
    AdviceEvent,
    AdviceRequest,
    AgentChoice,
    AppendOnlyError,
    EventKind,
    RoutedVia,
    StateError,
    Status,
    VersionConflict,
)
from cratb.advice.tests.factories import AdviceRequestFactory, OnCallShiftFactory
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


def new_request(departement: Territory, **extra: object) -> AdviceRequest:
    fields: dict[str, object] = {
        "channel": codes.Channel.WEB,
        "requester_name": "Dr Généraliste",
        "requester_email": "dr@exemple.fr",
        "profession": codes.Profession.GP,
        "setting": codes.Setting.COMMUNITY,
        "departement": departement,
        "syndrome": codes.Syndrome.PYELONEPHRITIS,
        "age_band": codes.AgeBand.ADULT,
        "sex": codes.Sex.FEMALE,
        "question": "Relais oral ?",
    }
    fields.update(extra)
    return AdviceRequest.create(actor=None, actor_label="Dr Généraliste", **fields)


def kinds(request: AdviceRequest) -> list[str]:
    return list(request.events.order_by("at", "pk").values_list("kind", flat=True))


def test_creation_and_confirmation_write_events_and_start_the_clock(departement: Territory) -> None:
    request = new_request(departement)
    assert request.status == Status.UNCONFIRMED
    request.confirm()
    request.refresh_from_db()
    assert request.status == Status.OPEN
    assert request.received_at is not None
    assert request.due_at is not None and request.due_at > request.received_at
    assert kinds(request) == [EventKind.CREATED, EventKind.CONFIRMED]
    assert request.version == 2
    with pytest.raises(StateError):
        request.confirm()


def test_routing_prefers_the_on_call_infectiologist(
    departement: Territory, ema_team: Organization, ema_responder: User
) -> None:
    on_call = UserFactory.create(role=Role.EMA_MEMBER, team=ema_team)
    OnCallShiftFactory.create(departement=departement, responder=on_call)
    request = new_request(departement)
    request.confirm()
    request.route()
    request.refresh_from_db()
    assert request.routed_via == RoutedVia.ON_CALL
    assert request.assignee == on_call
    assert request.team == ema_team
    routed = request.events.get(kind=EventKind.ROUTED)
    assert routed.data["via"] == "on_call"


def test_a_shift_of_another_departement_or_time_does_not_count(
    departement: Territory, ema_team: Organization
) -> None:
    other = DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=departement.parent)
    OnCallShiftFactory.create(departement=other)
    OnCallShiftFactory.create(
        departement=departement,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )
    request = new_request(departement)
    request.confirm()
    request.route()
    assert request.routed_via == RoutedVia.EMA
    assert request.assignee is None
    assert request.team == ema_team


def test_without_on_call_nor_ema_the_coordinators_get_it(departement: Territory) -> None:
    request = new_request(departement)
    request.confirm()
    request.route()
    assert request.routed_via == RoutedVia.COORDINATION
    assert request.team is None and request.assignee is None


def test_the_second_writer_gets_a_conflict_and_nothing_is_written(
    departement: Territory, ema_responder: User, coordinator: User
) -> None:
    request = new_request(departement)
    request.confirm()
    seen = request.version
    first = AdviceRequest.objects.get(pk=request.pk)
    second = AdviceRequest.objects.get(pk=request.pk)
    first.answer(
        by=ema_responder,
        recommendation=codes.Recommendation.STOP,
        agents=[],
        duration_days=None,
        text="Arrêt.",
        expected_version=seen,
    )
    with pytest.raises(VersionConflict) as caught:
        second.answer(
            by=coordinator,
            recommendation=codes.Recommendation.START,
            agents=[AgentChoice("J01CA04", "O")],
            duration_days=5,
            text="Amoxicilline.",
            expected_version=seen,
        )
    assert caught.value.request.version == seen + 1
    assert [e.kind for e in caught.value.changes] == [EventKind.ANSWERED]
    assert caught.value.changes[0].text == "Arrêt."
    assert request.answers.count() == 1
    assert request.events.filter(kind=EventKind.ANSWERED).count() == 1


def test_answer_records_agents_with_their_route_aware_aware_category(
    departement: Territory, ema_responder: User
) -> None:
    request = new_request(departement, agents_considered=["J01MA02"])
    assert request.context_critical is True
    request.confirm()
    answer = request.answer(
        by=ema_responder,
        recommendation=codes.Recommendation.CHANGE,
        agents=[
            AgentChoice("J01XX01", "O"),
            AgentChoice("J01XX01", "P"),
            AgentChoice("J01CA04", "O"),
        ],
        duration_days=7,
        text="Fosfomycine.",
        expected_version=request.version,
    )
    agents = list(answer.agents.values_list("atc", "route", "aware"))
    assert agents == [
        ("J01XX01", "O", "Watch"),
        ("J01XX01", "P", "Reserve"),
        ("J01CA04", "O", "Access"),
    ]
    request.refresh_from_db()
    assert request.first_answer_at == answer.created_at
    assert request.answer_critical is False
    assert request.assignee == ema_responder


def test_a_second_answer_keeps_the_first_answer_time(
    departement: Territory, ema_responder: User
) -> None:
    request = new_request(departement)
    request.confirm()
    first = request.answer(
        by=ema_responder,
        recommendation="stop",
        agents=[],
        duration_days=None,
        text="a",
        expected_version=request.version,
    )
    request.answer(
        by=ema_responder,
        recommendation="start",
        agents=[AgentChoice("J01DD04", "P")],
        duration_days=None,
        text="b",
        expected_version=request.version,
    )
    request.refresh_from_db()
    assert request.first_answer_at == first.created_at
    assert request.answer_critical is True


def test_coding_edit_keeps_old_and_new_values(departement: Territory, coordinator: User) -> None:
    request = new_request(departement)
    request.confirm()
    event = request.edit_coding(
        by=coordinator,
        changes={"syndrome": codes.Syndrome.MALE_UTI, "sex": codes.Sex.FEMALE},
        expected_version=request.version,
    )
    assert event is not None
    assert event.data == {"changes": {"syndrome": ["uti_pyelonephritis", "uti_male"]}}
    assert (
        request.edit_coding(
            by=coordinator, changes={"sex": codes.Sex.FEMALE}, expected_version=request.version
        )
        is None
    )


def test_close_reopen_ask_reply_cycle(departement: Territory, ema_responder: User) -> None:
    request = new_request(departement)
    request.confirm()
    request.ask(by=ema_responder, text="Poids ?", expected_version=request.version)
    assert request.status == Status.WAITING
    request.reply(text="70 kg", by=None)
    assert request.status == Status.OPEN
    request.close(by=ema_responder, expected_version=request.version, reason="réglé au téléphone")
    assert request.status == Status.CLOSED and request.closed_at is not None
    with pytest.raises(StateError):
        request.ask(by=ema_responder, text="?", expected_version=request.version)
    request.reopen(by=ema_responder, expected_version=request.version)
    assert request.status == Status.OPEN and request.closed_at is None
    assert kinds(request)[2:] == ["info_requested", "info_provided", "closed", "reopened"]
    assert list(request.messages.values_list("kind", flat=True)) == ["question", "reply"]


def test_events_cannot_be_changed_or_deleted(departement: Territory) -> None:
    request = new_request(departement)
    event = request.events.get()
    event.text = "réécrit"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AdviceEvent.objects.filter(pk=event.pk).update(text="réécrit")
    with pytest.raises(AppendOnlyError):
        AdviceEvent.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        # A request with a history cannot be deleted either (PROTECT).
        AdviceRequest.objects.filter(pk=request.pk).delete()
    assert AdviceEvent.objects.get(pk=event.pk).text == ""


def test_admin_shows_requests_and_events_read_only(
    client: Client, administrator: User, departement: Territory
) -> None:
    request = new_request(departement)
    event = request.events.get()
    client.force_login(administrator)
    assert client.get("/admin/advice/adviceevent/").status_code == 200
    page = client.get(f"/admin/advice/adviceevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(f"/admin/advice/adviceevent/{event.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/admin/advice/adviceevent/{event.pk}/change/", {"text": "réécrit"}
        ).status_code
        == 403
    )
    assert client.get("/admin/advice/adviceevent/add/").status_code == 403
    assert client.get(f"/admin/advice/advicerequest/{request.pk}/delete/").status_code == 403
    bulk = client.post(
        "/admin/advice/adviceevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AdviceEvent.objects.filter(pk=event.pk).exists()


def test_visibility_by_role(
    departement: Territory,
    ema_team: Organization,
    ema_responder: User,
    requester: User,
    coordinator: User,
    agency_viewer: User,
    lab_client: User,
    administrator: User,
) -> None:
    mine = AdviceRequestFactory.create(departement=departement, requester=requester)
    other_dep = DepartementFactory.create(
        code="93", name="Seine-Saint-Denis", parent=departement.parent
    )
    other_team = OrganizationFactory.create(kind=Organization.Kind.EMA, departement=other_dep)
    team_request = AdviceRequestFactory.create(departement=other_dep, team=ema_team)
    assigned = AdviceRequestFactory.create(departement=other_dep, assignee=ema_responder)
    elsewhere = AdviceRequestFactory.create(departement=other_dep, team=other_team)
    unconfirmed = AdviceRequestFactory.create(departement=departement, status=Status.UNCONFIRMED)

    def visible(user: User) -> set[int]:
        return set(AdviceRequest.objects.visible_to(user).values_list("pk", flat=True))

    assert visible(requester) == {mine.pk}
    assert visible(ema_responder) == {mine.pk, team_request.pk, assigned.pk}
    assert visible(coordinator) == {mine.pk, team_request.pk, assigned.pk, elsewhere.pk}
    assert visible(administrator) == {mine.pk, team_request.pk, assigned.pk, elsewhere.pk}
    assert visible(agency_viewer) == set()
    assert visible(lab_client) == set()
    other_requester = UserFactory.create(role=Role.REQUESTER, territories=[departement])
    assert visible(other_requester) == set()
    assert unconfirmed.pk not in visible(coordinator)
