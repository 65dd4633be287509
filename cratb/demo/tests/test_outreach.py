"""The demo campaign and programme, built from the small warehouse of the outreach tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cratb.demo.outreach import build_demo
from cratb.outreach import programmes
from cratb.outreach.models import Campaign, Programme, Visit
from cratb.outreach.tests import data


@pytest.mark.django_db
def test_the_demo_campaign_and_programme(tmp_path: Path) -> None:
    warehouse = data.build(tmp_path)
    report = build_demo(seed=1, year=2022, warehouse=warehouse)
    assert not report.already_there
    campaign = Campaign.objects.get()
    # Reference year 2022: V1, V2, C1, C2 exceed their peers (data.py).
    assert sorted(campaign.targets.values_list("prescriber_id", flat=True)) == [
        "C1",
        "C2",
        "V1",
        "V2",
    ]
    for visit in Visit.objects.all():
        visit.full_clean()  # dates after the start, outcomes with dates
    six, twelve = campaign.measures.order_by("horizon")
    # A July 2022 start: the baseline (January–June 2022) holds 4 lines per prescriber,
    # but no one in the region has a line in either follow-up window (July–December 2022,
    # January–June 2023): the data do not cover them.
    assert (six.horizon, twelve.horizon) == (6, 12)
    assert six.difference is None and twelve.difference is None
    assert six.message.endswith("doivent couvrir jusqu'à 2022-12.")
    assert twelve.message.endswith("doivent couvrir jusqu'à 2023-06.")
    funnel = programmes.funnel(Programme.objects.get().invitations.all())
    assert (funnel.invited, funnel.signed, funnel.took_part, funnel.outside_zone) == (
        137,
        112,
        98,
        13,
    )
    again = build_demo(seed=1, year=2022, warehouse=warehouse)
    assert again.already_there and Campaign.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_without_dispensing_data_says_so(tmp_path: Path) -> None:
    report = build_demo(seed=1, year=2022, warehouse=tmp_path / "none.duckdb")
    assert "non construite" in report.summary or "non construite" in report.effect
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_the_demo_generator_gives_the_campaign_a_measurable_effect(tmp_path: Path) -> None:
    """Issue #16 point 6: the generator's visited big prescribers give up 10-20 % of
    their critical lines after their visit, the others do not; the 6-month difference in
    differences of the demo campaign shows it, with an interval that excludes zero."""
    from cratb.engine.demo import DemoSpec, generate
    from cratb.engine.demo.community import REDUCTION
    from cratb.engine.sources import import_file

    files = generate(
        DemoSpec(region_code="11", scale=0.01, seed=1, year=2025),
        out_dir=tmp_path,
        skip=frozenset({"isolates", "rapid_tests"}),
    )
    warehouse = tmp_path / "w.duckdb"
    for kind in ("population", "products", "dispensations"):
        assert import_file(kind, files.files[kind], warehouse=warehouse).rejected == 0
    report = build_demo(seed=1, year=2025, warehouse=warehouse, visits=files.visits)
    campaign = Campaign.objects.get()
    visited = [v for v in Visit.objects.filter(target__campaign=campaign) if v.visited]
    assert report.visited == len(visited) >= 5
    six = campaign.measures.get(horizon=6)
    assert six.difference is not None and six.ci_low is not None and six.ci_high is not None
    assert six.ci_high < 0  # a real fall of the visited prescribers' share
    # At most the largest reduction of a share that cannot pass 100 %, over a follow-up
    # window the visits only partly cover.
    assert -100 * REDUCTION[1] < six.difference
    assert six.mean_change_control is not None and six.mean_change_visited is not None
    assert abs(six.mean_change_control) < abs(six.mean_change_visited)
