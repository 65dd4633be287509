"""Gap analysis of the regional network, for the coordination and the agency.

Four questions the field asks (shared/domain/field-requirements.md):

1. Which establishments have no antibiotic expertise at all: no active infectiologist,
   antibiotic referent or EMA member of their own, no EMA hosted, and no active EMA
   agreement?
2. How much expert time is there per territory: FTE of infectiologists, antibiotic
   referents and EMA members per 1000 acute-care (MCO) beds, against the national
   benchmark of 3.6 FTE per 1000 acute-care beds.
3. Which CPTS have no trained antibiotic referent (target: one or two per CPTS)?
4. Which nursing homes have no agreement with an EMA?
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from cratb.collation import french_key
from cratb.network.models import (
    CoverageAgreement,
    Organization,
    Practitioner,
    PractitionerRole,
    Territory,
    active_on,
)

#: FTE of infectiologists and antibiotic referents per 1000 acute-care beds (national).
FTE_BENCHMARK = Decimal("3.6")
#: Trained antibiotic referents wanted per CPTS (one at least, two ideally).
CPTS_REFERENT_TARGET = (1, 2)


def _by_departement_then_name(org: Organization) -> tuple[str, tuple[str, str, str]]:
    """Lists of the gap page: by département, then name in French order."""
    return (org.departement.code if org.departement else "", french_key(org.name))


def annotate_coverage(
    organizations: QuerySet[Organization], *, on: datetime.date | None = None
) -> QuerySet[Organization]:
    """Add ``has_expert``, ``has_agreement`` and ``hosts_ema`` to each organisation."""
    active = active_on(on)
    experts = PractitionerRole.objects.filter(
        active, organization=OuterRef("pk"), function__in=PractitionerRole.EXPERT_FUNCTIONS
    )
    agreements = CoverageAgreement.objects.filter(active, establishment=OuterRef("pk"))
    emas = Organization.objects.filter(host=OuterRef("pk"), kind=Organization.Kind.EMA)
    return organizations.annotate(
        has_expert=Exists(experts), has_agreement=Exists(agreements), hosts_ema=Exists(emas)
    )


def uncovered_establishments(
    scope: QuerySet[Organization] | None = None, *, on: datetime.date | None = None
) -> list[Organization]:
    """Establishments with no referent of their own and no EMA coverage."""
    base = Organization.objects.establishments()
    if scope is not None:
        base = base.filter(pk__in=scope.values("pk"))
    rows = annotate_coverage(base.select_related("departement", "ght"), on=on)
    found = rows.filter(**{"has_expert": False, "has_agreement": False, "hosts_ema": False})
    return sorted(found, key=_by_departement_then_name)


def nursing_homes_without_agreement(
    scope: QuerySet[Organization] | None = None, *, on: datetime.date | None = None
) -> list[Organization]:
    base = (scope if scope is not None else Organization.objects.all()).filter(
        kind=Organization.Kind.NURSING_HOME
    )
    rows = annotate_coverage(base.select_related("departement"), on=on)
    found = rows.filter(**{"has_agreement": False})
    return sorted(found, key=_by_departement_then_name)


def agreements_in_force(
    scope: QuerySet[Organization] | None = None, *, on: datetime.date | None = None
) -> QuerySet[CoverageAgreement]:
    """The EMA agreements active on ``on`` (today by default) whose establishment or EMA
    is in ``scope`` (the annual activity report counts them)."""
    rows = CoverageAgreement.objects.filter(active_on(on))
    if scope is not None:
        rows = rows.filter(Q(establishment__in=scope) | Q(ema__in=scope))
    return rows.distinct()


@dataclass(frozen=True)
class CoverageRow:
    """The establishments of a département and how many have antibiotic expertise: an
    expert of their own, an EMA they host or an active EMA agreement (question 1)."""

    covered: int
    establishments: int

    @property
    def share(self) -> int | None:
        """Percentage covered, rounded; None without establishments."""
        if not self.establishments:
            return None
        return round(100 * self.covered / self.establishments)

    @property
    def status(self) -> str:
        """``none`` (no establishment), ``low`` (< 50 %), ``mid``, ``high`` (90 % or more)."""
        if not self.establishments:
            return "none"
        share = self.covered / self.establishments
        return "high" if share >= 0.9 else "mid" if share >= 0.5 else "low"


def coverage_by_departement(*, on: datetime.date | None = None) -> dict[str, CoverageRow]:
    """Each département's :class:`CoverageRow`, by département code (one query)."""
    tally: dict[str, list[int]] = {}
    # The annotations' names, as a tuple: the type checker knows only the model's fields.
    columns = ("departement__code", "has_expert", "has_agreement", "hosts_ema")
    rows = (
        annotate_coverage(Organization.objects.establishments(), on=on)
        .filter(departement__isnull=False)
        .values_list(*columns)
    )
    for code, has_expert, has_agreement, hosts_ema in rows:
        counts = tally.setdefault(code, [0, 0])
        counts[1] += 1
        if has_expert or has_agreement or hosts_ema:
            counts[0] += 1
    return {code: CoverageRow(covered, total) for code, (covered, total) in tally.items()}


@dataclass(frozen=True)
class FteRow:
    territory: Territory
    acute_beds: int
    fte: Decimal
    establishments: int

    @property
    def per_1000(self) -> Decimal | None:
        if not self.acute_beds:
            return None
        return (self.fte * 1000 / self.acute_beds).quantize(Decimal("0.01"))

    @property
    def needed(self) -> Decimal:
        """FTE to add to reach the benchmark (0 when it is reached)."""
        target = FTE_BENCHMARK * self.acute_beds / 1000
        return max(Decimal("0"), (target - self.fte)).quantize(Decimal("0.01"))

    @property
    def status(self) -> str:
        """``none`` (no acute beds), ``far`` (< half), ``below``, ``met``."""
        value = self.per_1000
        if value is None:
            return "none"
        if value >= FTE_BENCHMARK:
            return "met"
        if value >= FTE_BENCHMARK / 2:
            return "below"
        return "far"


def fte_by_territory(
    territories: list[Territory], *, on: datetime.date | None = None
) -> list[FteRow]:
    """Expert FTE per 1000 acute-care beds for each territory (département or GHT).

    A département counts the organisations located in it; a GHT its member establishments
    and the EMA teams they host. FTE are those of active roles in those organisations.
    """
    active = active_on(on)
    rows = []
    for territory in territories:
        if territory.kind == Territory.Kind.GHT:
            members = Organization.objects.filter(ght=territory)
            orgs = Organization.objects.filter(Q(ght=territory) | Q(host__ght=territory))
        else:
            members = Organization.objects.filter(departement=territory)
            orgs = members
        beds = members.establishments().aggregate(total=Sum("acute_beds"))["total"] or 0
        fte = PractitionerRole.objects.filter(
            active, organization__in=orgs, function__in=PractitionerRole.EXPERT_FUNCTIONS
        ).aggregate(total=Sum("fte"))["total"] or Decimal("0")
        rows.append(
            FteRow(
                territory=territory,
                acute_beds=beds,
                fte=Decimal(fte).quantize(Decimal("0.01")),
                establishments=members.establishments().count(),
            )
        )
    return rows


@dataclass(frozen=True)
class CptsRow:
    cpts: Organization
    referents: int
    trained: int

    @property
    def status(self) -> str:
        """``none`` (no referent), ``untrained`` (referents, none trained), ``ok``."""
        if self.referents == 0:
            return "none"
        if self.trained < CPTS_REFERENT_TARGET[0]:
            return "untrained"
        return "ok"


def cpts_referents(
    scope: QuerySet[Organization] | None = None, *, on: datetime.date | None = None
) -> list[CptsRow]:
    """Each CPTS with its active antibiotic referents and how many are trained.

    A referent counts for a CPTS when the role names the CPTS or its territory. A referent
    is trained when a training is recorded on the role (``trained_on``) or when the person
    attended a session of the training plan. Three queries, however many CPTS.
    """
    cpts_list = sorted(
        (scope if scope is not None else Organization.objects.all())
        .filter(kind=Organization.Kind.CPTS)
        .select_related("departement", "served_territory"),
        key=_by_departement_then_name,
    )
    territories = {c.served_territory_id for c in cpts_list if c.served_territory_id}
    roles = list(
        PractitionerRole.objects.filter(
            active_on(on),
            Q(organization__in=cpts_list) | Q(territory_id__in=territories),
            function=PractitionerRole.Function.CPTS_REFERENT,
        ).values("practitioner_id", "organization_id", "territory_id", "trained_on")
    )
    attended = _attended_people({r["practitioner_id"] for r in roles})
    rows = []
    for cpts in cpts_list:
        mine = [
            r
            for r in roles
            if r["organization_id"] == cpts.pk
            or (cpts.served_territory_id and r["territory_id"] == cpts.served_territory_id)
        ]
        people = {r["practitioner_id"] for r in mine}
        trained = {
            r["practitioner_id"]
            for r in mine
            if r["trained_on"] is not None or r["practitioner_id"] in attended
        }
        rows.append(CptsRow(cpts=cpts, referents=len(people), trained=len(trained)))
    return rows


def _attended_people(ids: set[int]) -> set[int]:
    """Among ``ids``, the people who attended at least one training session."""
    return set(
        Practitioner.objects.filter(pk__in=ids, registrations__attended=True).values_list(
            "pk", flat=True
        )
    )


@dataclass(frozen=True)
class TeamCoverage:
    """What an EMA team covers on a date: establishments under an active agreement (of
    which nursing homes) and the FTE of its members' active roles in the team."""

    on: datetime.date
    establishments: int
    nursing_homes: int
    fte: Decimal


def team_coverage(team: Organization, *, on: datetime.date | None = None) -> TeamCoverage:
    """The one source of the coverage and staff figures of an EMA's activity report and
    of the team's page of the directory (``?au=`` gives the date)."""
    day = on or timezone.localdate()
    active = active_on(day)
    agreements = CoverageAgreement.objects.filter(active, ema=team)
    covered = agreements.values("establishment").distinct().count()
    homes = (
        agreements.filter(establishment__kind=Organization.Kind.NURSING_HOME)
        .values("establishment")
        .distinct()
        .count()
    )
    fte = PractitionerRole.objects.filter(active, organization=team).aggregate(total=Sum("fte"))[
        "total"
    ] or Decimal("0")
    return TeamCoverage(
        on=day,
        establishments=covered,
        nursing_homes=homes,
        fte=Decimal(fte).quantize(Decimal("0.01")),
    )
