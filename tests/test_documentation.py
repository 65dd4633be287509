"""The documentation says what the code does: demo logins, licence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cratb.demo.accounts import ensure_demo_users
from cratb.network.models import Territory

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_readme_and_operations_list_exactly_the_demo_logins_cratb_demo_creates(
    region: Territory, departement: Territory
) -> None:
    logins = ensure_demo_users(region_code=region.code)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")

    for login in logins:
        assert f"| `{login.username}` | {login.role_label} |" in readme
        assert f"| `{login.username}` | `{login.password}` | {login.role_label} |" in operations
    usernames = {login.username for login in logins}
    for text in (readme, operations):
        assert set(re.findall(r"^\| `([\w-]+)` \|", text, re.MULTILINE)) == usernames


def test_licence_is_the_agpl_declared_in_pyproject() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8").split("\n")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")

    assert [line.strip() for line in licence[:2]] == [
        "GNU AFFERO GENERAL PUBLIC LICENSE",
        "Version 3, 19 November 2007",
    ]
    assert 'license = "AGPL-3.0-or-later"' in pyproject
