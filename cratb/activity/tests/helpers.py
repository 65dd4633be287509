"""Campaigns and forms for the activity tests."""

from __future__ import annotations

import datetime

from cratb.accounts.models import User
from cratb.activity.campaigns import open_campaign
from cratb.activity.models import Campaign, Kind, Submission
from cratb.network.models import Organization


def report_campaign(
    coordinator: User,
    teams: list[Organization],
    *,
    year: int = 2025,
    deadline: datetime.date = datetime.date(2099, 3, 31),
    kind: str = Kind.REPORT,
) -> Campaign:
    return open_campaign(
        year=year,
        kind=kind,
        opens_on=datetime.date(2026, 1, 5),
        deadline=deadline,
        teams=teams,
        by=coordinator,
    )


def form_of(campaign: Campaign, team: Organization) -> Submission:
    return Submission.objects.select_related("campaign", "team").get(campaign=campaign, team=team)
