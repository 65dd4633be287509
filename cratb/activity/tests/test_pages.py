"""Every page of the activity app: who may see it (anonymous, wrong role, right role),
what each role may do with a form, and bad input through the pages."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import pytest
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import OrganizationFactory, UserFactory
from cratb.activity.models import Campaign, Kind, NetworkAction, Objective, State, Submission
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.network.models import Organization, PractitionerRole, Territory
from cratb.network.tests.factories import PractitionerFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(coordinator: User, ema_team: Organization) -> Campaign:
    return report_campaign(coordinator, [ema_team])


@pytest.fixture
def form(campaign: Campaign, ema_team: Organization) -> Submission:
    return form_of(campaign, ema_team)


@pytest.fixture
def other_team_form(campaign: Campaign, departement: Territory) -> Submission:
    other = OrganizationFactory.create(
        name="EMA voisine", kind=Organization.Kind.EMA, departement=departement
    )
    return Submission.objects.create(campaign=campaign, team=other)


def get_as(client: Client, user: User | None, url: str) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("activity:home", {"coordinator", "ema_responder", "agency_viewer"}),
        ("activity:campaign-create", {"coordinator"}),
        ("activity:synthesis", {"coordinator", "agency_viewer"}),
        ("activity:network-actions", {"coordinator", "ema_responder", "requester"}),
        ("activity:network-summary", {"coordinator", "ema_responder", "agency_viewer"}),
    ],
)
def test_page_audiences(
    client: Client, request: pytest.FixtureRequest, url_name: str, allowed: set[str]
) -> None:
    url = reverse(url_name)
    assert get_as(client, None, url) == 302
    for persona in ("coordinator", "ema_responder", "requester", "agency_viewer", "lab_client"):
        user = request.getfixturevalue(persona)
        expected = 200 if persona in allowed else 403
        assert get_as(client, user, url) == expected, (persona, url)


def test_campaign_follow_up_is_for_coordination(
    client: Client, campaign: Campaign, coordinator: User, ema_responder: User,
    agency_viewer: User, requester: User,
) -> None:  # fmt: skip
    url = reverse("activity:campaign", args=[campaign.pk])
    assert get_as(client, None, url) == 302
    assert get_as(client, ema_responder, url) == 403
    assert get_as(client, agency_viewer, url) == 403
    assert get_as(client, requester, url) == 403
    assert get_as(client, coordinator, url) == 200
    client.force_login(coordinator)
    export = client.get(url + "?format=csv")
    assert export.status_code == 200
    assert export.content.startswith(b"\xef\xbb\xbf")
    assert "EMA du territoire de Paris" in export.content.decode("utf-8-sig")


def test_form_visibility(
    client: Client, form: Submission, other_team_form: Submission, coordinator: User,
    ema_responder: User, agency_viewer: User, requester: User,
) -> None:  # fmt: skip
    own = reverse("activity:submission", args=[form.pk])
    other = reverse("activity:submission", args=[other_team_form.pk])
    assert get_as(client, None, own) == 302
    assert get_as(client, requester, own) == 403
    assert get_as(client, ema_responder, own) == 200
    assert get_as(client, ema_responder, other) == 403
    assert get_as(client, coordinator, other) == 200
    # The agency reads validated reports only.
    assert get_as(client, agency_viewer, own) == 403
    form.submit(by=ema_responder, expected_version=1)
    form.validate(by=coordinator, expected_version=form.version)
    assert get_as(client, agency_viewer, own) == 200


def post_as(client: Client, user: User, url: str, data: Mapping[str, object]) -> int:
    client.logout()
    client.force_login(user)
    return client.post(url, data).status_code


def test_only_the_team_and_coordination_edit_a_form(
    client: Client, form: Submission, other_team_form: Submission, coordinator: User,
    ema_responder: User, agency_viewer: User,
) -> None:  # fmt: skip
    url = reverse("activity:submission", args=[other_team_form.pk])
    data = {"version": 1, "meetings_count": 3, "commissions_count": 0, "committees_count": 0,
            "audits_count": 0}  # fmt: skip
    assert post_as(client, ema_responder, url, data) == 403
    assert post_as(client, agency_viewer, url, data) == 403
    assert post_as(client, coordinator, url, data) == 302
    other_team_form.refresh_from_db()
    assert other_team_form.meetings_count == 3


def test_only_coordination_returns_validates_reopens(
    client: Client, form: Submission, coordinator: User, ema_responder: User
) -> None:
    submit = reverse("activity:action", args=[form.pk, "submit"])
    assert post_as(client, ema_responder, submit, {"version": 1}) == 302
    form.refresh_from_db()
    assert form.state == State.SUBMITTED
    for action in ("validate", "return", "reopen"):
        url = reverse("activity:action", args=[form.pk, action])
        assert post_as(client, ema_responder, url, {"version": form.version, "text": "x"}) == 403
    validate = reverse("activity:action", args=[form.pk, "validate"])
    assert post_as(client, coordinator, validate, {"version": form.version}) == 302
    form.refresh_from_db()
    assert form.state == State.VALIDATED
    assert form.figures_snapshot is not None


def test_edit_after_validation_is_refused_with_a_message(
    client: Client, form: Submission, coordinator: User, ema_responder: User
) -> None:
    form.submit(by=ema_responder, expected_version=1)
    form.validate(by=coordinator, expected_version=form.version)
    client.force_login(ema_responder)
    url = reverse("activity:submission", args=[form.pk])
    data = {"version": form.version, "meetings_count": 50, "commissions_count": 0,
            "committees_count": 0, "audits_count": 0}  # fmt: skip
    response = client.post(url, data, follow=True)
    assert "verrouillé" in response.content.decode()
    form.refresh_from_db()
    assert form.meetings_count == 0


def test_two_editors_through_the_page(
    client: Client, form: Submission, coordinator: User, ema_responder: User
) -> None:
    url = reverse("activity:submission", args=[form.pk])
    base = {"commissions_count": 0, "committees_count": 0, "audits_count": 0}
    client.force_login(coordinator)
    assert client.post(url, {**base, "version": 1, "meetings_count": 4}).status_code == 302
    client.force_login(ema_responder)
    response = client.post(url, {**base, "version": 1, "meetings_count": 9})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré ce formulaire" in page
    assert 'value="9"' in page  # their input is kept
    form.refresh_from_db()
    assert form.meetings_count == 4


def test_reopen_without_reason_through_the_page(
    client: Client, form: Submission, coordinator: User, ema_responder: User
) -> None:
    form.submit(by=ema_responder, expected_version=1)
    form.validate(by=coordinator, expected_version=form.version)
    client.force_login(coordinator)
    url = reverse("activity:action", args=[form.pk, "reopen"])
    response = client.post(url, {"version": form.version, "text": ""}, follow=True)
    assert "Motif" in response.content.decode()
    form.refresh_from_db()
    assert form.state == State.VALIDATED


@pytest.mark.parametrize(
    "data",
    [
        {"meetings_count": "-3"},
        {"meetings_count": "beaucoup"},
        {"fte_worked": "1e9"},
        {"commissions_list": "EHPAD Les Tilleuls", "commissions_count": "0"},
        {"version": "abc"},
    ],
)
def test_bad_report_input_is_refused_in_french(
    client: Client, form: Submission, ema_responder: User, data: dict[str, str]
) -> None:
    client.force_login(ema_responder)
    url = reverse("activity:submission", args=[form.pk])
    base = {"version": "1", "meetings_count": "0", "commissions_count": "0",
            "committees_count": "0", "audits_count": "0"}  # fmt: skip
    response = client.post(url, {**base, **data})
    assert response.status_code == 400
    assert "erreurs" in response.content.decode()
    form.refresh_from_db()
    assert form.version == 1


def test_plan_objectives(
    client: Client, coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    plan = form_of(report_campaign(coordinator, [ema_team], kind=Kind.PLAN), ema_team)
    client.force_login(ema_responder)
    url = reverse("activity:objective-add", args=[plan.pk])
    response = client.post(url, {"version": 1, "axis": "audits", "title": "Audit des ECBU",
                                 "fte_planned": "0.2"})  # fmt: skip
    assert response.status_code == 302
    objective = Objective.objects.get(submission=plan)
    assert objective.title == "Audit des ECBU"
    assert client.post(url, {"version": 2, "axis": "nowhere", "title": ""}).status_code == 400
    delete = reverse("activity:objective-delete", args=[plan.pk, objective.pk])
    assert client.post(delete, {"version": 1}).status_code == 302  # stale: kept
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert client.post(delete, {"version": 2}).status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()


def test_campaign_creation_and_duplicates(
    client: Client, coordinator: User, ema_team: Organization
) -> None:
    client.force_login(coordinator)
    url = reverse("activity:campaign-create")
    page = client.get(url).content.decode()
    assert "EMA du territoire de Paris" in page
    data = {"year": 2025, "kind": "report", "opens_on": "2026-01-05", "deadline": "2026-03-15",
            "teams": [ema_team.pk]}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert Submission.objects.filter(team=ema_team).count() == 1
    again = client.post(url, data)
    assert again.status_code == 200
    assert "existe déjà" in again.content.decode()
    bad = client.post(url, {**data, "year": 2024, "deadline": "2025-12-01"})
    assert "La date limite précède l&#x27;ouverture." in bad.content.decode()


def test_attachments_follow_the_upload_rules(
    client: Client, form: Submission, ema_responder: User, agency_viewer: User,
    settings: object, tmp_path: object,
) -> None:  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    client.force_login(ema_responder)
    url = reverse("activity:attachment-add", args=[form.pk])
    fake = SimpleUploadedFile(
        "rapport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(url, {"version": 1, "file": fake}, follow=True)
    assert "n&#x27;est ni un PDF" in response.content.decode()
    pdf = SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(url, {"version": 1, "file": pdf}).status_code == 302
    attachment = form.attachments.get()
    download = reverse("activity:attachment", args=[form.pk, attachment.pk])
    assert client.get(download).status_code == 200
    assert get_as(client, agency_viewer, download) == 403


def test_network_log_is_written_by_referents(
    client: Client, requester: User, coordinator: User, departement: Territory
) -> None:
    url = reverse("activity:network-actions")
    data = {"actor_function": "gp_ambassador", "kind": "peer_workshop", "title": "Atelier cystite",
            "date": "2026-01-10", "territory": departement.pk, "audience": "gps",
            "people_reached": 12}  # fmt: skip
    client.force_login(requester)
    assert client.post(url, data).status_code == 403  # no such role in the directory
    person = PractitionerFactory.create(user=requester)
    RoleFactory.create(
        practitioner=person,
        function=PractitionerRole.Function.GP_AMBASSADOR,
        organization=None,
        territory=departement,
    )
    assert client.post(url, data).status_code == 302
    action = NetworkAction.objects.get()
    assert (action.recorded_by, action.people_reached) == (requester, 12)
    refused = client.post(url, {**data, "people_reached": "-1", "date": "2999-01-01"})
    assert refused.status_code == 400
    assert NetworkAction.objects.count() == 1
    # Another referent does not see it; coordination does.
    other = UserFactory.create(username="autre", role=Role.REQUESTER)
    client.force_login(other)
    assert "Atelier cystite" not in client.get(url).content.decode()
    client.force_login(coordinator)
    assert "Atelier cystite" in client.get(url).content.decode()


def test_synthesis_export(client: Client, coordinator: User, campaign: Campaign) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("activity:synthesis") + "?annee=2025&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_deadline_in_the_past_marks_late_in_follow_up(
    client: Client, coordinator: User, ema_team: Organization
) -> None:
    campaign = report_campaign(coordinator, [ema_team], deadline=datetime.date(2026, 1, 31))
    client.force_login(coordinator)
    page = client.get(reverse("activity:campaign", args=[campaign.pk])).content.decode()
    assert "en retard" in page


@pytest.mark.parametrize(
    "endpoint",
    ["objective-add", "attachment-add", "submit", "return", "validate", "reopen"],
)
def test_posting_endpoints_refuse_anonymous_and_wrong_roles(
    client: Client, form: Submission, requester: User, agency_viewer: User,
    lab_client: User, endpoint: str,
) -> None:  # fmt: skip
    if endpoint in ("objective-add", "attachment-add"):
        url = reverse(f"activity:{endpoint}", args=[form.pk])
    else:
        url = reverse("activity:action", args=[form.pk, endpoint])
    client.logout()
    assert client.post(url, {"version": 1}).status_code == 302
    for user in (requester, agency_viewer, lab_client):
        assert post_as(client, user, url, {"version": 1, "text": "x"}) == 403
    form.refresh_from_db()
    assert (form.state, form.version) == (State.DRAFT, 1)


def test_objective_delete_refuses_other_teams(
    client: Client, coordinator: User, ema_responder: User, departement: Territory
) -> None:
    other = OrganizationFactory.create(name="EMA B", kind="ema", departement=departement)
    plan = form_of(report_campaign(coordinator, [other], kind=Kind.PLAN), other)
    objective = Objective.objects.create(submission=plan, axis="advice", title="Objectif")
    url = reverse("activity:objective-delete", args=[plan.pk, objective.pk])
    client.logout()
    assert client.post(url, {"version": 1}).status_code == 302
    assert post_as(client, ema_responder, url, {"version": 1}) == 403
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert post_as(client, coordinator, url, {"version": 1}) == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()


def test_unknown_inputs_are_no_server_error(
    client: Client, coordinator: User, form: Submission
) -> None:
    client.force_login(coordinator)
    assert client.get(reverse("activity:synthesis") + "?annee=abc").status_code == 200
    assert client.get(reverse("activity:synthesis") + "?format=pdf").status_code == 404
    assert client.post(reverse("activity:action", args=[form.pk, "explode"])).status_code == 404
    assert client.get(reverse("activity:submission", args=[999999])).status_code == 404
    campaign = reverse("activity:campaign", args=[form.campaign_id])
    assert client.post(campaign, {"team": "nope"}).status_code == 200


def test_report_records_objective_statuses_and_figure_comments(
    client: Client, coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    plan = form_of(report_campaign(coordinator, [ema_team], kind=Kind.PLAN), ema_team)
    objective = Objective.objects.create(submission=plan, axis="audits", title="Audit ECBU")
    report = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    client.force_login(ema_responder)
    url = reverse("activity:submission", args=[report.pk])
    base = {"version": "1", "meetings_count": "0", "commissions_count": "0",
            "committees_count": "0", "audits_count": "0"}  # fmt: skip
    refused = client.post(url, {**base, f"status-comment-{objective.pk}": "Reporté"})
    assert refused.status_code == 400
    assert "Réalisation : choisissez où en est l&#x27;objectif « Audit ECBU »" in (
        refused.content.decode()
    )
    saved = client.post(
        url,
        {
            **base,
            f"status-{objective.pk}": "partly",
            f"status-comment-{objective.pk}": "Un seul établissement audité.",
            "figure-comment-staff_fte": "Un poste vacant depuis juin.",
        },
    )
    assert saved.status_code == 302
    status = report.objective_statuses.get()
    assert (status.status, status.comment) == ("partly", "Un seul établissement audité.")
    assert report.figure_comments.get().text == "Un poste vacant depuis juin."
    page = client.get(url).content.decode()
    assert "Un poste vacant depuis juin." in page


def test_admin_lists_the_forms_read_only(
    client: Client, administrator: User, form: Submission, coordinator: User
) -> None:
    client.force_login(administrator)
    for name in ("campaign", "submission", "submissionevent", "networkaction"):
        assert client.get(f"/admin/activity/{name}/").status_code == 200
    assert client.get(f"/admin/activity/submission/{form.pk}/change/").status_code == 200
    assert client.post(f"/admin/activity/submission/{form.pk}/change/", {}).status_code == 403
    client.force_login(coordinator)
    assert client.get("/admin/activity/submission/").status_code == 302


def test_objective_edit(
    client: Client, coordinator: User, ema_responder: User, agency_viewer: User,
    ema_team: Organization,
) -> None:  # fmt: skip
    plan = form_of(report_campaign(coordinator, [ema_team], kind=Kind.PLAN), ema_team)
    objective = Objective.objects.create(submission=plan, axis="advice", title="Avant")
    url = reverse("activity:objective-edit", args=[plan.pk, objective.pk])
    assert get_as(client, None, url) == 302
    assert get_as(client, agency_viewer, url) == 403
    assert get_as(client, ema_responder, url) == 200
    data = {"version": 1, "axis": "advice", "title": "Après", "target": "90 %"}
    assert client.post(url, data).status_code == 302
    objective.refresh_from_db()
    assert (objective.title, objective.target) == ("Après", "90 %")
    stale = client.post(url, {**data, "title": "Trop tard"})
    assert stale.status_code == 409
    assert client.post(url, {**data, "version": 2, "title": ""}).status_code == 400
    objective.refresh_from_db()
    assert objective.title == "Après"
    plan.submit(by=ema_responder, expected_version=2)
    assert client.post(url, {**data, "version": 3, "title": "Verrouillé ?"}).status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Après"


def test_the_report_lists_the_audits_the_team_took_part_in(
    client: Client, coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    from cratb.audits.models import AuditCampaign
    from cratb.audits.summaries import participations
    from cratb.audits.tests.conftest import load

    audit = AuditCampaign.launch(
        title="Cystites 2025",
        grid_version=load("cystite-ville"),
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 4, 30),
        organizations=[ema_team],
        practitioners=[],
        user=coordinator,
    )
    report = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    client.force_login(ema_responder)
    page = client.get(reverse("activity:submission", args=[report.pk])).content.decode()
    assert reverse("audits:campaign", args=[audit.pk]) in page
    assert "Cystites 2025" in page
    found = participations(2025, organization_id=ema_team.pk)
    assert f"{found[0].cases} cas saisi" in page
