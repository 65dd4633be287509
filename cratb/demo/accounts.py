"""Demo users: one per role, for trying the platform on a demo region (interfaces C2).

The passwords are fixed and printed by ``cratb demo``: these accounts are for a
laptop demonstration only, never for a platform holding real data.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.utils import reset as reset_login_failures
from django.db import transaction

from cratb.accounts.models import Role, User
from cratb.network.models import Membership, Organization, Territory


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role_label: str


@dataclass(frozen=True)
class _DemoUser:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str


_DEMO_USERS: tuple[_DemoUser, ...] = (
    _DemoUser(
        "demo-coordination", "coordination-demo-2025", Role.COORDINATOR, "Camille", "Coordination"
    ),
    _DemoUser("demo-ema", "ema-demo-2025", Role.EMA_MEMBER, "Eliott", "Équipe"),
    _DemoUser("demo-demandeur", "demandeur-demo-2025", Role.REQUESTER, "Dominique", "Généraliste"),
    _DemoUser("demo-agence", "agence-demo-2025", Role.AGENCY_VIEWER, "Ariane", "Agence"),
    _DemoUser(
        "demo-assurance", "assurance-demo-2025", Role.INSURANCE_VIEWER, "Aurèle", "Assurance"
    ),
    _DemoUser("demo-laboratoire", "laboratoire-demo-2025", Role.LAB, "Lou", "Laboratoire"),
    _DemoUser("demo-admin", "administration-demo-2025", Role.ADMIN, "Alix", "Administration"),
)


class DemoSetupError(RuntimeError):
    """The demo users cannot be attached to their territories (French message)."""


def _demo_territories(region_code: str) -> tuple[Territory, Territory]:
    region = Territory.objects.filter(kind=Territory.Kind.REGION, code=region_code).first()
    if region is None:
        raise DemoSetupError(
            f"Région {region_code!r} absente de la table des territoires : "
            "synchronisez d'abord les territoires (cratb.network.territories)."
        )
    departement = region.children.filter(kind=Territory.Kind.DEPARTEMENT).order_by("code").first()
    if departement is None:
        raise DemoSetupError(
            f"La région {region_code} n'a aucun département dans la table des territoires."
        )
    return region, departement


def ensure_demo_users(*, region_code: str) -> list[DemoLogin]:
    """Create or reset one demo user per role and return their logins.

    Idempotent: a second run keeps one user per role and resets each one's
    password, role, team and territories to the demo values, and lifts any
    lockout left by failed login attempts. The EMA member
    belongs to a demo EMA team in the region's first département (by code)
    and covers that département; the coordinator and the agency viewer cover
    the region.
    """
    region, departement = _demo_territories(region_code)
    scopes: dict[Role, tuple[Organization | None, list[Territory]]]
    with transaction.atomic():
        ema_team, _created = Organization.objects.get_or_create(
            kind=Organization.Kind.EMA,
            name=f"EMA de démonstration — {departement.name}",
            defaults={"departement": departement},
        )
        scopes = {
            Role.COORDINATOR: (None, [region]),
            Role.EMA_MEMBER: (ema_team, [departement]),
            Role.REQUESTER: (None, [departement]),
            Role.AGENCY_VIEWER: (None, [region]),
            Role.INSURANCE_VIEWER: (None, [region]),
            Role.LAB: (None, [region]),
            Role.ADMIN: (None, []),
        }
        logins = []
        for demo in _DEMO_USERS:
            team, territories = scopes[demo.role]
            user, _created = User.objects.get_or_create(username=demo.username)
            user.role = demo.role
            user.first_name = demo.first_name
            user.last_name = demo.last_name
            user.email = f"{demo.username}@cratb.localhost"
            user.is_active = True
            user.set_password(demo.password)
            user.save()
            membership, _created = Membership.objects.update_or_create(
                user=user, defaults={"team": team}
            )
            membership.territories.set(territories)
            # A demo account locked by failed attempts would stay locked despite the reset.
            reset_login_failures(username=demo.username)
            logins.append(
                DemoLogin(
                    username=demo.username, password=demo.password, role_label=str(demo.role.label)
                )
            )
    return logins
