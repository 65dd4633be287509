"""The demo directory and training: exactly the warehouse's hospitals, deliberate gaps,
deterministic and safe to run twice."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cratb.demo.accounts import ensure_demo_users
from cratb.demo.network import build_demo
from cratb.demo.training import build_demo as build_training
from cratb.engine.demo import DemoSpec, generate
from cratb.network import gaps
from cratb.network.models import Organization, Practitioner, PractitionerRole, Territory
from cratb.network.territories import sync_territories
from cratb.training.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    files = generate(DemoSpec(region_code="11", scale=0.01, seed=1, year=2025), out_dir=out)
    return files.establishments


def _snapshot() -> tuple[object, ...]:
    return (
        sorted(Organization.objects.values_list("kind", "name", "finess", "beds", "acute_beds")),
        sorted(Practitioner.objects.values_list("rpps", "last_name", "email")),
        sorted(
            PractitionerRole.objects.values_list("practitioner__rpps", "function", "start", "fte")
        ),
        sorted(Registration.objects.values_list("email", "session__title", "attended")),
    )


def test_demo_directory_holds_the_warehouse_hospitals_and_its_gaps(demo_files: Path) -> None:
    sync_territories()
    ensure_demo_users(region_code="11")
    summary = build_demo(region_code="11", seed=1, scale=0.01, establishments=demo_files)
    assert summary.organizations > 0
    build_training(region_code="11", seed=1, year=2025)

    with demo_files.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    hospitals = {row["finess"]: row for row in rows if row["type"] != "ehpad"}
    directory = {o.finess: o for o in Organization.objects.filter(kind__in=["hospital", "clinic"])}
    assert set(directory) == set(hospitals)
    # The nursing homes whose resident-days are in the warehouse are the directory's.
    homes = {row["finess"] for row in rows if row["type"] == "ehpad"}
    assert homes
    assert (
        set(Organization.objects.filter(kind="nursing_home").values_list("finess", flat=True))
        == homes
    )
    for number, row in hospitals.items():
        assert (directory[number].name, directory[number].beds) == (row["name"], int(row["beds"]))

    assert gaps.uncovered_establishments()
    assert any(o.kind == "clinic" for o in gaps.uncovered_establishments())
    assert gaps.nursing_homes_without_agreement()
    statuses = {row.status for row in gaps.cpts_referents()}
    assert {"none", "untrained", "ok"} <= statuses
    region_deps = list(Territory.objects.departements().filter(parent__code="11"))
    assert any(row.status == "far" for row in gaps.fte_by_territory(region_deps))
    # The demo EMA user's team is a real team of the directory.
    team = Organization.objects.get(memberships__user__username="demo-ema")
    assert team.roles.count() >= 3
    # A year of training with attendance, and an agenda open for registration.
    assert Registration.objects.filter(attended=True).count() > 100
    assert TrainingSession.objects.upcoming().count() >= 5
    assert TrainingSession.objects.filter(format="regional_day").count() == 2


def test_demo_is_deterministic_and_safe_to_run_twice(demo_files: Path) -> None:
    sync_territories()
    ensure_demo_users(region_code="11")
    build_demo(region_code="11", seed=1, scale=0.01, establishments=demo_files)
    build_training(region_code="11", seed=1, year=2025)
    first = _snapshot()
    again = build_demo(region_code="11", seed=1, scale=0.01, establishments=demo_files)
    training = build_training(region_code="11", seed=1, year=2025)
    assert (again.organizations, again.practitioners, again.roles, again.agreements) == (0, 0, 0, 0)
    assert (training.sessions, training.registrations) == (0, 0)
    assert _snapshot() == first
