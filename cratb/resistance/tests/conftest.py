"""Fixtures of the resistance app: a lab account for the lab persona, an empty warehouse
per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.resistance.models import ApiToken, LabAccount
from cratb.resistance.services import LAB_CODES
from cratb.resistance.tests.factories import LabAccountFactory


@pytest.fixture(autouse=True)
def warehouse(settings: Settings, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    settings.CRATB_WAREHOUSE = path
    LAB_CODES.clear()
    return path


@pytest.fixture
def lab_account(lab_client: User) -> LabAccount:
    return LabAccountFactory.create(user=lab_client, lab_id="LBM-75-01")


@pytest.fixture
def lab_key(lab_account: LabAccount) -> str:
    _token, key = ApiToken.issue(user=lab_account.user, label="logiciel")
    return key
