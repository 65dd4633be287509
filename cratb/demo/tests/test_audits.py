"""The demo audits: two audits with results, one in two rounds with a measurable change,
the demo EMA member and requester as participants; safe to run twice."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.accounts.tests.factories import OrganizationFactory
from cratb.audits.models import AuditCampaign, AuditCase, Participant
from cratb.audits.services import campaign_results
from cratb.audits.summaries import year_summary
from cratb.demo.accounts import ensure_demo_users
from cratb.demo.audits import build_demo
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(region: Territory, departement: Territory) -> None:
    # Another EMA team of the demo, created first: the audits must take the demo member's.
    OrganizationFactory.create(name="EMA de démonstration — Ailleurs", kind=Organization.Kind.EMA)
    ensure_demo_users(region_code=region.code)
    for i in range(3):
        OrganizationFactory.create(
            name=f"CPTS {i}", kind=Organization.Kind.CPTS, departement=departement
        )
        OrganizationFactory.create(
            name=f"CH {i}", kind=Organization.Kind.HOSPITAL, departement=departement
        )


def test_two_audits_with_results_one_in_two_rounds_then_nothing_new(
    small: None, client: Client
) -> None:
    report = build_demo(region_code="11", seed=1, year=2025)
    assert report.campaigns == 3 and report.cases == AuditCase.objects.count() > 100
    second = AuditCampaign.objects.get(previous_round__isnull=False)
    assert second.is_open and second.previous_round is not None
    assert not second.previous_round.is_open
    results = campaign_results(second)
    assert results.change and all(c.difference is not None for c in results.change)
    # Practice improves between the rounds on average (levels drawn higher).
    assert sum(c.difference or 0 for c in results.change) > 0
    summary = year_summary(2025)
    assert summary.audits_count == 3 and summary.cases == report.cases
    # The demo EMA member and the demo requester take part and may enter a case.
    for username in ("demo-ema", "demo-demandeur"):
        user = User.objects.get(username=username)
        assert Participant.objects.of_user(user).filter(campaign=second).exists(), username
        client.force_login(user)
        assert client.get(f"/audits/campagnes/{second.pk}/saisie/").status_code == 200
    again = build_demo(region_code="11", seed=1, year=2025)
    assert again.already_there and AuditCase.objects.count() == report.cases
