"""Opening a campaign, and the links between a year's plan and its report."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from cratb.activity.models import Campaign, Kind, Objective, Submission
from cratb.network.models import Organization


def default_teams() -> list[Organization]:
    """Every EMA team of the region: the teams a campaign asks by default."""
    return list(Organization.objects.filter(kind=Organization.Kind.EMA).order_by("name"))


def open_campaign(
    *,
    year: int,
    kind: str,
    opens_on: datetime.date,
    deadline: datetime.date,
    teams: Iterable[Organization],
    by: Any,
) -> Campaign:
    """Create the campaign and one draft form per team, in one transaction; then make
    sure the reminder job is scheduled."""
    from cratb.activity.tasks import schedule_reminders

    with transaction.atomic():
        campaign = Campaign(
            year=year, kind=kind, opens_on=opens_on, deadline=deadline, created_by=by
        )
        campaign.full_clean()
        campaign.save()
        Submission.objects.bulk_create(
            [Submission(campaign=campaign, team=team) for team in {t.pk: t for t in teams}.values()]
        )
    transaction.on_commit(schedule_reminders)
    return campaign


def add_team(campaign: Campaign, team: Organization) -> Submission:
    found, _created = Submission.objects.get_or_create(campaign=campaign, team=team)
    return found


def plan_objectives(report: Submission) -> list[Objective]:
    """The objectives of the same team's action plan for the report's year."""
    return list(
        Objective.objects.filter(
            submission__team_id=report.team_id,
            submission__campaign__year=report.campaign.year,
            submission__campaign__kind=Kind.PLAN,
        ).order_by("axis", "pk")
    )
