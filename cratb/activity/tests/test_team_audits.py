"""« Audits réalisés » of an EMA's activity report: counted from the audits app
(``audits.summaries.participations``) for the team and the establishments it covers,
read-only, with a link to the audits page and a comment."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.activity.figures import team_audits, team_figures
from cratb.activity.summaries import ema_synthesis, report_values, snapshot
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.audits.models import AuditCampaign, AuditGrid
from cratb.audits.services import campaign_results
from cratb.audits.tests.conftest import FILES
from cratb.network.models import Organization
from cratb.network.tests.factories import AgreementFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "situation": "cystite_simple",
    "bandelette": "oui",
    "molecule": "fosfomycine",
    "duree": "1",
    "fluoroquinolone": "oui",
}


@pytest.fixture
def audits(coordinator: User, ema_team: Organization, ema_responder: User) -> dict[str, object]:
    """Three audits: one of 2025 with the team itself (two cases), one of 2025 with an
    establishment the team covers (not the team), one of 2024 with the team; and an
    establishment the team does not cover, in the first one."""
    grid = AuditGrid.save_version((FILES / "cystite-ville.yaml").read_text(encoding="utf-8"))
    covered = EstablishmentFactory.create(name="CH des Tilleuls")
    AgreementFactory.create(ema=ema_team, establishment=covered)
    stranger = EstablishmentFactory.create(name="Clinique sans convention")

    def launch(title: str, year: int, organizations: list[Organization]) -> AuditCampaign:
        return AuditCampaign.launch(
            title=title, grid_version=grid, period_start=datetime.date(year, 3, 1),
            period_end=datetime.date(year, 4, 30), organizations=organizations,
            practitioners=[], user=coordinator,
        )  # fmt: skip

    own = launch("Cystites 2025", 2025, [ema_team, stranger])
    theirs = launch("Cystites au CH", 2025, [covered])
    launch("Cystites 2024", 2024, [ema_team])
    team = own.participants.get(organization=ema_team)
    for _i in range(2):
        own.add_case(team, GOOD, user=ema_responder)
    return {"own": own, "theirs": theirs, "covered": covered}


def test_audits_carried_out_are_counted_from_the_audits_app(
    audits: dict[str, object], ema_team: Organization
) -> None:
    found = team_audits(2025, ema_team, on=datetime.date(2025, 12, 31))
    assert [(a.organization, a.own, a.participation.title) for a in found] == [
        (ema_team.name, True, "Cystites 2025"),
        ("CH des Tilleuls", False, "Cystites au CH"),
    ]
    # The team's cases and compliance are those of its page in the audit.
    own = audits["own"]
    assert isinstance(own, AuditCampaign)
    mine = campaign_results(own).of(own.participants.get(organization=ema_team).pk)
    assert mine is not None and found[0].participation.cases == mine.cases == 2
    figures = {f.key: f for f in team_figures(2025, ema_team)}
    assert figures["audits_carried_out"].value == 2
    assert figures["audits_carried_out"].source == reverse("audits:home")
    assert {f.key: f.value for f in team_figures(2024, ema_team)}["audits_carried_out"] == 1
    assert {f.key: f.value for f in team_figures(2023, ema_team)}["audits_carried_out"] == 0


def test_the_report_page_shows_them_read_only_with_a_comment(
    audits: dict[str, object], ema_team: Organization, client: Client, coordinator: User,
    ema_responder: User,
) -> None:  # fmt: skip
    campaign = report_campaign(coordinator, [ema_team])
    form = form_of(campaign, ema_team)
    client.force_login(ema_responder)
    url = reverse("activity:submission", args=[form.pk])
    page = client.get(url).content.decode()
    own = audits["own"]
    assert isinstance(own, AuditCampaign)
    assert "Cystites au CH" in page and "CH des Tilleuls" in page
    assert "Cystites 2024" not in page
    assert reverse("audits:campaign", args=[own.pk]) in page  # the team's own audit
    assert reverse("audits:home") in page
    # Not typed any more: no field for the count, a comment on the figure instead.
    assert 'name="audits_count"' not in page
    assert 'name="figure-comment-audits_carried_out"' in page
    response = client.post(
        url,
        {
            "version": str(form.version),
            "commissions_count": "0",
            "committees_count": "0",
            "meetings_count": "0",
            "audits_count": "99",  # ignored: not a field of the form
            "figure-comment-audits_carried_out": "Un audit mené en décembre n'y est pas.",
        },
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.audits_count == 0
    assert form.figure_comments.get(figure="audits_carried_out").text.startswith("Un audit")
    # Validation freezes the count; the synthesis sums it.
    form.submit(by=ema_responder, expected_version=form.version)
    form.validate(
        by=coordinator,
        expected_version=form.version,
        snapshot=snapshot(team_figures(2025, ema_team)),
    )
    form.refresh_from_db()
    assert report_values(form)["audits_carried_out"] == 2
    totals = {v.key: v.value for v in ema_synthesis(2025).totals}
    assert totals["audits_carried_out"] == 2
    assert "audits_count" not in totals
