"""Whom to ask: the public answer for a commune or an establishment.

Only people ``listed`` in the public directory appear, with their name, function and
organisation; contact goes through the organisation's public phone and e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from cratb.accounts.models import User
from cratb.collation import french_sorted
from cratb.engine import reference
from cratb.network.models import (
    CoverageAgreement,
    Membership,
    Organization,
    PractitionerRole,
    Territory,
)

F = PractitionerRole.Function


def _listed_roles() -> QuerySet[PractitionerRole]:
    return (
        PractitionerRole.objects.active()
        .filter(practitioner__listed=True)
        .select_related("practitioner", "organization", "territory")
        .order_by("function", "practitioner__last_name", "practitioner__first_name")
    )


@dataclass
class CommuneAnswer:
    commune: reference.Commune
    departement: Territory | None
    territories: list[Territory] = field(default_factory=list)
    cpts: list[Organization] = field(default_factory=list)
    cpts_referents: list[PractitionerRole] = field(default_factory=list)
    ambassadors: list[PractitionerRole] = field(default_factory=list)
    ema_teams: list[Organization] = field(default_factory=list)
    ema_people: list[PractitionerRole] = field(default_factory=list)
    infectiologists: list[PractitionerRole] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.cpts_referents or self.ambassadors or self.ema_teams or self.infectiologists
        )


def for_commune(commune: reference.Commune) -> CommuneAnswer:
    departement = Territory.objects.filter(
        kind=Territory.Kind.DEPARTEMENT, code=commune.departement
    ).first()
    territories = list(Territory.objects.covering_commune(commune.code).order_by("kind", "name"))
    around = [t.pk for t in territories] + ([departement.pk] if departement else [])
    cpts = list(
        Organization.objects.filter(kind=Organization.Kind.CPTS, served_territory__in=around)
    )
    roles = _listed_roles()
    cpts_referents = list(
        roles.filter(function=F.CPTS_REFERENT).filter(
            Q(organization__in=cpts) | Q(territory__in=around)
        )
    )
    ambassadors = list(roles.filter(function=F.GP_AMBASSADOR, territory__in=around))
    ema_teams = list(
        Organization.objects.filter(kind=Organization.Kind.EMA).filter(
            Q(served_territory__in=around)
            | Q(served_territory__isnull=True, departement__code=commune.departement)
        )
    )
    ema_people = list(
        roles.filter(organization__in=ema_teams, function__in=[F.EMA_GP_REFERENT, F.INFECTIOLOGIST])
    )
    infectiologists = list(
        roles.filter(
            function=F.INFECTIOLOGIST, organization__departement__code=commune.departement
        ).exclude(organization__in=ema_teams)
    )
    return CommuneAnswer(
        commune=commune,
        departement=departement,
        territories=territories,
        cpts=cpts,
        cpts_referents=cpts_referents,
        ambassadors=ambassadors,
        ema_teams=ema_teams,
        ema_people=ema_people,
        infectiologists=infectiologists,
    )


@dataclass
class EstablishmentAnswer:
    establishment: Organization
    referents: list[PractitionerRole]
    ema_teams: list[tuple[Organization, str]]  # team, level label or "" for a hosted team


def for_establishment(establishment: Organization) -> EstablishmentAnswer:
    referents = list(
        _listed_roles().filter(
            organization=establishment,
            function__in=[
                F.REFERENT,
                F.INFECTIOLOGIST,
                F.EMA_MEMBER,
                F.NURSING_HOME_DOCTOR,
                F.PHARMACIST,
                F.MICROBIOLOGIST,
            ],
        )
    )
    teams: list[tuple[Organization, str]] = [
        (team, "") for team in Organization.objects.filter(host=establishment, kind="ema")
    ]
    for agreement in (
        CoverageAgreement.objects.active().filter(establishment=establishment).select_related("ema")
    ):
        teams.append((agreement.ema, str(agreement.get_level_display())))
    return EstablishmentAnswer(establishment=establishment, referents=referents, ema_teams=teams)


def search_establishments(text: str, *, limit: int = 20) -> list[Organization]:
    query = text.strip()
    if not query:
        return []
    found = Organization.objects.filter(kind__in=Organization.ESTABLISHMENT_KINDS).filter(
        Q(name__icontains=query) | Q(finess=query.replace(" ", ""))
    )
    # In French order (« Élan » before « Fontaine »), which the database's own does not give.
    shown = french_sorted(found.select_related("departement")[: limit * 10], key=lambda o: o.name)
    return shown[:limit]


def current_region(user: User | object) -> Territory | None:
    """The region a user works in: from their territories, else the directory's own."""
    if isinstance(user, User) and user.is_authenticated:
        for territory in Membership.of(user).territories.all():
            if territory.kind == Territory.Kind.REGION:
                return territory
            if territory.parent and territory.parent.kind == Territory.Kind.REGION:
                return territory.parent
    busiest = (
        Organization.objects.exclude(departement__isnull=True)
        .values_list("departement__parent", flat=True)
        .first()
    )
    if busiest:
        return Territory.objects.filter(pk=busiest).first()
    return Territory.objects.filter(kind=Territory.Kind.REGION, code="11").first()


__all__ = [
    "CommuneAnswer",
    "EstablishmentAnswer",
    "current_region",
    "for_commune",
    "for_establishment",
    "search_establishments",
]
