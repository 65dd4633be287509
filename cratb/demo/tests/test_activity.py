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


def test_the_demo_annual_report_shows_the_yearly_sections(
    small: None, departement: Territory
) -> None:
    """Audits first, then the yearly cycle (as ``cratb demo`` runs them), then the draft
    report: its EMA, audits and network-actions sections have figures and a text, and the
    EMA reports count the audits their teams took part in."""
    from cratb.activity.figures import team_figures
    from cratb.demo.audits import build_demo as build_audits
    from cratb.demo.reports import build_demo as build_report
    from cratb.documents import Paragraph
    from cratb.reports.catalogue import section_of
    from cratb.reports.models import AnnualReport

    for i in range(2):
        OrganizationFactory.create(name=f"CPTS {i}", kind="cpts", departement=departement)
        OrganizationFactory.create(name=f"CH {i}", kind="hospital", departement=departement)
    assert build_audits(region_code="11", seed=1, year=2025).campaigns == 3
    build_demo(region_code="11", seed=1, year=2025)
    assert build_report(year=2025).created
    demo_team = Submission.objects.get(
        campaign__kind=Kind.REPORT, team__name__startswith="EMA de démonstration"
    ).team
    audits = {f.key: f.value for f in team_figures(2025, demo_team)}["audits_carried_out"]
    assert audits == 3  # the demo team takes part in the three demo audits
    texts = AnnualReport.objects.get(year=2025).texts()
    for key in ("ema", "audits", "network_actions"):
        entry = section_of(key)
        assert entry is not None
        blocks = list(entry.build(2025))
        assert len(blocks) > 2 and not all(isinstance(b, Paragraph) for b in blocks), key
        assert texts[key].text, key
