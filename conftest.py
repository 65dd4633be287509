"""Named personas for the tests (STYLE.md): one user per role and an anonymous outsider.

Each persona has a territory scope like a real user of the demo region:
the coordinator and the agency viewer cover the region, the EMA responder
and the requester one of its départements.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django.fixtures import Settings

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import (
    DepartementFactory,
    OrganizationFactory,
    RegionFactory,
    UserFactory,
)
from cratb.network.models import Organization, Territory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Hashing with the production hasher is slow on purpose; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: pages cached by an earlier test (whose rows
    were rolled back, their ids reused) are never served to the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def french_after_each_test() -> Iterator[None]:
    """A request to an English page leaves English active in the thread (the locale
    middleware does not switch back): each test starts and ends in the default French,
    so no test depends on the order the suite runs in."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def empty_warehouse(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pages that read the analytics warehouse see an empty one, never the developer's."""
    settings.CRATB_WAREHOUSE = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"


@pytest.fixture
def region(db: None) -> Territory:
    return RegionFactory.create()


@pytest.fixture
def departement(region: Territory) -> Territory:
    return DepartementFactory.create(parent=region)


@pytest.fixture
def ema_team(departement: Territory) -> Organization:
    return OrganizationFactory.create(
        name="EMA du territoire de Paris", kind=Organization.Kind.EMA, departement=departement
    )


@pytest.fixture
def coordinator(region: Territory) -> User:
    return UserFactory.create(
        username="coordination", first_name="Camille", role=Role.COORDINATOR, territories=[region]
    )


@pytest.fixture
def ema_responder(ema_team: Organization, departement: Territory) -> User:
    return UserFactory.create(
        username="ema", role=Role.EMA_MEMBER, team=ema_team, territories=[departement]
    )


@pytest.fixture
def requester(departement: Territory) -> User:
    return UserFactory.create(username="demandeur", role=Role.REQUESTER, territories=[departement])


@pytest.fixture
def agency_viewer(region: Territory) -> User:
    return UserFactory.create(username="agence", role=Role.AGENCY_VIEWER, territories=[region])


@pytest.fixture
def insurance_viewer(region: Territory) -> User:
    return UserFactory.create(
        username="assurance-maladie", role=Role.INSURANCE_VIEWER, territories=[region]
    )


@pytest.fixture
def lab_client(db: None) -> User:
    return UserFactory.create(username="laboratoire", role=Role.LAB)


@pytest.fixture
def administrator(db: None) -> User:
    return UserFactory.create(username="administration", role=Role.ADMIN)


@pytest.fixture
def outsider(db: None) -> AnonymousUser:
    """Public pages (directory, training agenda) read the database for visitors too."""
    return AnonymousUser()
