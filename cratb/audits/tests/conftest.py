"""Fixtures of the audit tests: the example grids, a campaign whose participants are the
EMA persona's team and the requester persona (as a prescriber of the directory)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from cratb.accounts.models import User
from cratb.audits.models import AuditCampaign, AuditGrid, GridVersion
from cratb.network.models import Organization, Practitioner, Profession

FILES = Path(__file__).resolve().parents[1] / "grid_files"


def load(name: str) -> GridVersion:
    return AuditGrid.save_version((FILES / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def cystitis_grid(db: None) -> GridVersion:
    return load("cystite-ville")


@pytest.fixture
def prescriber(requester: User) -> Practitioner:
    return Practitioner.objects.create(
        last_name="Généraliste",
        first_name="Dominique",
        profession=Profession.PHYSICIAN,
        user=requester,
    )


@pytest.fixture
def campaign(
    cystitis_grid: GridVersion, ema_team: Organization, prescriber: Practitioner, coordinator: User
) -> AuditCampaign:
    other = Organization.objects.create(name="Cabinet des Lilas", kind=Organization.Kind.OTHER)
    return AuditCampaign.launch(
        title="Cystites 2025",
        grid_version=cystitis_grid,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 4, 30),
        organizations=[ema_team, other],
        practitioners=[prescriber],
        user=coordinator,
    )
