"""The demo's yearly cycle: a campaign in progress (validated, late, returned, draft),
plans with objectives, network actions; safe to run twice."""

from __future__ import annotations

import pytest

from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory
from cratb.activity.models import Kind, NetworkAction, Objective, State, Submission
from cratb.demo.accounts import ensure_demo_users
from cratb.demo.activity import build_demo
from cratb.network.models import Organization, PractitionerRole, Territory
from cratb.network.tests.factories import PractitionerFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(region: Territory, departement: Territory) -> None:
    other = DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=region)
    ensure_demo_users(region_code=region.code)
    for i, dep in enumerate((departement, other, other, departement)):
        OrganizationFactory.create(name=f"EMA {i}", kind=Organization.Kind.EMA, departement=dep)
    for function in ("gp_ambassador", "cpts_referent"):
        RoleFactory.create(
            practitioner=PractitionerFactory.create(),
            function=function,
            organization=None,
            territory=other,
        )


def test_a_campaign_in_progress_then_nothing_new(small: None) -> None:
    first = build_demo(region_code="11", seed=1, year=2025)
    reports = Submission.objects.filter(campaign__kind=Kind.REPORT)
    states = sorted(reports.values_list("state", flat=True))
    assert states.count(State.VALIDATED) >= 2
    assert states.count(State.RETURNED) == 1
    assert states.count(State.DRAFT) == 1
    late_sent = reports.get(state=State.SUBMITTED)
    assert late_sent.late
    returned = reports.get(state=State.RETURNED)
    assert returned.team.name.startswith("EMA de démonstration")
    assert returned.last_comment
    assert all(r.figures_snapshot for r in reports.filter(state=State.VALIDATED))
    assert Objective.objects.count() >= 3 * Organization.objects.filter(kind="ema").count()
    assert NetworkAction.objects.exists()
    assert set(NetworkAction.objects.values_list("actor_function", flat=True)) <= {
        f.value for f in PractitionerRole.Function
    }
    counts = (Submission.objects.count(), Objective.objects.count(), NetworkAction.objects.count())
    again = build_demo(region_code="11", seed=1, year=2025)
    assert again.actions == 0
    assert (
        Submission.objects.count(),
        Objective.objects.count(),
        NetworkAction.objects.count(),
    ) == counts
    assert first.forms == again.forms
