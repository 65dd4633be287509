"""The demo region's practice audits (``cratb demo``): the two example grids and two
audits with results.

- the community cystitis audit of the demo ``year``, in two rounds: the first in March and
  April (closed), the second in October and November (still open, so the demo EMA member
  and the demo requester can enter a case), with better practice in the second round;
- the in-hospital treatment-duration audit of May and June (closed).

Participants come from the demo directory: the demo EMA team (whose member is
``demo-ema``), the demo requester as a prescriber, CPTS and establishments of the
region. Cases are drawn with a fixed seed; each participant has its own level of
practice. Written once: a second run finds the campaigns by title and writes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from cratb.accounts.models import User
from cratb.audits.models import AuditCampaign, AuditGrid, GridVersion, Participant
from cratb.network.models import Membership, Organization, Practitioner, Profession

GRID_FILES = Path(__file__).resolve().parents[1] / "audits" / "grid_files"


@dataclass(frozen=True)
class AuditsDemoReport:
    campaigns: int
    cases: int
    already_there: bool

    @property
    def summary(self) -> str:
        if self.already_there:
            return f"{self.campaigns} campagnes d'audit déjà présentes"
        return f"{self.campaigns} campagnes d'audit, {self.cases} cas"


def _grid(name: str) -> GridVersion:
    text = (GRID_FILES / f"{name}.yaml").read_text(encoding="utf-8")
    grid = AuditGrid.objects.filter(code=name).first()
    if grid is not None and grid.latest() is not None:
        return grid.latest()  # type: ignore[return-value]
    return AuditGrid.save_version(text)


def _cystitis_case(rng: random.Random, level: float) -> dict[str, Any]:
    """One case of the cystitis grid; ``level`` (0–1): how often practice is right."""
    situation = rng.choices(
        ["cystite_simple", "cystite_risque", "cystite_recidivante"], weights=[70, 20, 10]
    )[0]

    def right() -> bool:
        return rng.random() < level

    case: dict[str, Any] = {
        "situation": situation,
        "bandelette": "oui" if right() else "non",
        "fluoroquinolone": "oui" if rng.random() < (0.6 + 0.4 * level) else "non",
    }
    if situation == "cystite_simple":
        if right():
            molecule = rng.choice(["fosfomycine", "fosfomycine", "pivmecillinam"])
            duree = 1 if molecule == "fosfomycine" else 3
        else:
            molecule = rng.choice(["nitrofurantoine", "fluoroquinolone", "amox_clav", "cefixime"])
            duree = rng.choice([3, 5, 5, 7])
        case["molecule"] = molecule
        case["duree"] = str(duree)
    else:
        case["ecbu"] = "oui" if right() else "non"
    # Some answers are left blank, as in real audits.
    if rng.random() < 0.05:
        case["bandelette"] = ""
    return case


def _duration_case(rng: random.Random, level: float) -> dict[str, Any]:
    infection = rng.choices(
        ["pneumonie", "pyelonephrite", "dermohypodermite", "autre"], weights=[40, 25, 20, 15]
    )[0]

    def right() -> bool:
        return rng.random() < level

    short = rng.choice([5, 6, 7, 7]) if right() else rng.choice([8, 10, 10, 14])
    case: dict[str, Any] = {
        "infection": infection,
        "duree": str(short if infection != "autre" else rng.choice([7, 10, 14, 21])),
        "duree_prevue": "oui" if right() else "non",
        "reevaluation": "oui" if right() else "non",
        "desescalade": "_na" if rng.random() < 0.5 else ("oui" if right() else "non"),
    }
    return case


def _prescriber(user: User | None) -> Practitioner | None:
    if user is None:
        return None
    found = Practitioner.objects.filter(user=user).first()
    if found is None:
        found = Practitioner.objects.create(
            last_name=user.last_name or "Généraliste",
            first_name=user.first_name or "Dominique",
            profession=Profession.PHYSICIAN,
            specialty="Médecine générale",
            listed=False,
            user=user,
        )
    return found


def _fill(
    campaign: AuditCampaign,
    levels: dict[int, float],
    make: Any,
    rng: random.Random,
    user: User,
    *,
    per_participant: tuple[int, int],
) -> int:
    cases = 0
    for participant in campaign.participants.order_by("pk"):
        # A prescriber enters their own cases; a team's are entered by the demo EMA member.
        practitioner = participant.practitioner
        who = practitioner.user if practitioner and practitioner.user else user
        for _i in range(rng.randint(*per_participant)):
            campaign.add_case(participant, make(rng, levels[participant.pk]), user=who)
            cases += 1
    return cases


def build_demo(*, region_code: str, seed: int, year: int = 2025) -> AuditsDemoReport:
    titles = (
        f"Cystites de la femme en ville {year} — premier tour",
        f"Cystites de la femme en ville {year} — second tour",
        f"Durées d'antibiothérapie en établissement {year}",
    )
    existing = AuditCampaign.objects.filter(title__in=titles).count()
    if existing:
        return AuditsDemoReport(campaigns=existing, cases=0, already_there=True)
    rng = random.Random(f"audits-{region_code}-{seed}-{year}")
    coordinator = User.objects.filter(username="demo-coordination").first()
    ema_user = User.objects.filter(username="demo-ema").first()
    requester = User.objects.filter(username="demo-demandeur").first()
    # The demo EMA member's own team (cratb.demo.accounts), so they can enter its cases.
    ema_team = Membership.of(ema_user).team if ema_user is not None else None
    in_region = Organization.objects.filter(departement__parent__code=region_code)
    cpts = list(in_region.filter(kind=Organization.Kind.CPTS).order_by("name")[:4])
    hospitals = list(in_region.establishments().exclude(kind="nursing_home").order_by("name")[:4])
    entering = ema_user or coordinator
    if entering is None:
        return AuditsDemoReport(campaigns=0, cases=0, already_there=False)
    with transaction.atomic():
        cystitis, durations = _grid("cystite-ville"), _grid("duree-etablissement")
        prescriber = _prescriber(requester)
        community = [o for o in [ema_team, *cpts] if o is not None]
        first = AuditCampaign.launch(
            title=titles[0],
            grid_version=cystitis,
            period_start=datetime.date(year, 3, 1),
            period_end=datetime.date(year, 4, 30),
            organizations=community,
            practitioners=[prescriber] if prescriber else [],
            user=coordinator,
        )
        participants = list(first.participants.order_by("pk"))
        levels = {p.pk: rng.uniform(0.45, 0.75) for p in participants}
        cases = _fill(first, levels, _cystitis_case, rng, entering, per_participant=(12, 20))
        first.close()
        second = AuditCampaign.launch(
            title=titles[1],
            grid_version=cystitis,
            period_start=datetime.date(year, 10, 1),
            period_end=datetime.date(year, 11, 30),
            previous_round=first,
            organizations=[],
            practitioners=[],
            user=coordinator,
        )
        # Same organisations and prescriber, better practice after the feedback.
        by_key = {(p.organization_id, p.practitioner_id): levels[p.pk] for p in participants}
        levels2 = {
            p.pk: min(0.95, by_key[(p.organization_id, p.practitioner_id)] + rng.uniform(0.1, 0.25))
            for p in Participant.objects.filter(campaign=second)
        }
        cases += _fill(second, levels2, _cystitis_case, rng, entering, per_participant=(12, 20))
        establishments = [o for o in [ema_team, *hospitals] if o is not None]
        hospital = AuditCampaign.launch(
            title=titles[2],
            grid_version=durations,
            period_start=datetime.date(year, 5, 1),
            period_end=datetime.date(year, 6, 30),
            organizations=establishments,
            practitioners=[],
            user=coordinator,
        )
        levels3 = {p.pk: rng.uniform(0.4, 0.8) for p in hospital.participants.order_by("pk")}
        cases += _fill(hospital, levels3, _duration_case, rng, entering, per_participant=(15, 25))
        hospital.close()
    return AuditsDemoReport(campaigns=3, cases=cases, already_there=False)


__all__ = ["AuditsDemoReport", "build_demo"]
