"""The regional synthesis and the network actions summary, on hand-made data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory
from cratb.activity.models import NetworkAction
from cratb.activity.summaries import ema_synthesis, network_actions_summary
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


def test_synthesis_sums_validated_reports_by_territory(
    coordinator: User, ema_responder: User, ema_team: Organization, region: Territory
) -> None:
    other_dep = DepartementFactory.create(code="94", name="Val-de-Marne", parent=region)
    second = OrganizationFactory.create(name="EMA B", kind="ema", departement=other_dep)
    third = OrganizationFactory.create(name="EMA C", kind="ema", departement=other_dep)
    campaign = report_campaign(coordinator, [ema_team, second, third])
    for team, meetings, fte in ((ema_team, 4, "1.5"), (second, 6, "0.8"), (third, 100, "9")):
        form = form_of(campaign, team)
        form.meetings_count = meetings
        form.fte_worked = Decimal(fte)
        form.save_edit(expected_version=1, fields=["meetings_count", "fte_worked"])
        if team is not third:  # the third stays a draft: not summed
            form.submit(by=coordinator, expected_version=2)
            form.validate(by=coordinator, expected_version=3, snapshot={"staff_fte": "0.50"})
    found = ema_synthesis(2025)
    assert found.campaign_found
    assert (found.completeness.expected, found.completeness.validated) == (3, 2)
    totals = {v.key: v.value for v in found.totals}
    assert totals["meetings_count"] == 10
    assert totals["fte_worked"] == Decimal("2.3")
    assert totals["staff_fte"] == Decimal("1.00")
    by_code = {t.code: t for t in found.territories}
    assert {v.key: v.value for v in by_code["94"].figures}["meetings_count"] == 6
    assert by_code["94"].completeness.validated == 1
    assert by_code["94"].completeness.expected == 2
    assert "advice_median_hours" not in totals  # a median is not summed


def test_synthesis_without_campaign() -> None:
    found = ema_synthesis(1999)
    assert not found.campaign_found
    assert found.territories == ()


def test_network_actions_summary(coordinator: User, departement: Territory) -> None:
    for kind, people, day in (
        ("peer_workshop", 12, datetime.date(2025, 3, 1)),
        ("peer_workshop", 8, datetime.date(2025, 5, 1)),
        ("school_event", 60, datetime.date(2025, 6, 1)),
        ("meeting", 5, datetime.date(2024, 6, 1)),
    ):
        NetworkAction.objects.create(
            actor_function="gp_ambassador", kind=kind, date=day, territory=departement,
            audience="gps", people_reached=people, title="x", recorded_by=coordinator,
        )  # fmt: skip
    cpts = Territory.objects.create(
        kind="cpts", code="CPTS-75-1", name="CPTS Paris 15", parent=departement
    )
    NetworkAction.objects.create(
        actor_function="cpts_referent", kind="meeting", date=datetime.date(2025, 9, 1),
        territory=cpts, audience="gps", people_reached=7, title="y", recorded_by=coordinator,
    )  # fmt: skip
    found = network_actions_summary(2025)
    assert (found.actions, found.people_reached) == (4, 87)
    kinds = {r.key: (r.actions, r.people_reached) for r in found.by_kind}
    assert kinds == {"peer_workshop": (2, 20), "school_event": (1, 60), "meeting": (1, 7)}
    # A CPTS's action counts in its département.
    assert [(r.label, r.actions, r.people_reached) for r in found.by_territory] == [
        ("Paris (75)", 4, 87)
    ]
