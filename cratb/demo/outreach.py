"""The demo region's big-prescriber campaign and targeted-reporting programme
(``cratb demo``).

- a campaign starting on 1 July of the demo ``year``, its targets the 40 largest excesses
  of critical antibiotics in the year's prescriber profile (read from the demo
  warehouse), visits assigned to GP ambassadors and health-insurance delegates (about
  two thirds done in July–September, a few refused, the rest still to do), and its effect
  measured at 6 months (January–June against July–December) and at 12 months (not yet
  measurable: the demo has one year of dispensing lines).

  The demo's dispensing lines are drawn without any knowledge of the visits: the measured
  effect is only noise around zero, and the page's interval says so. It shows the
  method, not an effect.
- a targeted-reporting programme with the Hauts-de-France funnel: 137 prescribers
  invited, 112 signed, 98 took part, and 13 more from outside the zone.

Written once: a second run finds the campaign and the programme by title.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cratb.outreach import services
from cratb.outreach.models import Campaign, Invitation, Programme, Visit

AMBASSADORS = ("Dr Agnès Martin", "Dr Bruno Lefèvre", "Dr Chloé Garnier")
DELEGATES = ("Mme Delphine Roux", "M. Étienne Faure")
TARGETS = 40


@dataclass(frozen=True)
class OutreachDemoReport:
    targets: int
    visited: int
    effect: str
    already_there: bool

    @property
    def summary(self) -> str:
        if self.already_there:
            return "campagne et programme déjà présents"
        return (
            f"campagne : {self.targets} cibles, {self.visited} visités ;"
            f" effet à 6 mois {self.effect}"
        )


def build_demo(*, seed: int, year: int, warehouse: Path) -> OutreachDemoReport:
    title = f"Visites des gros prescripteurs — {year}"
    if Campaign.objects.filter(title=title).exists():
        return OutreachDemoReport(0, 0, "", already_there=True)
    rng = random.Random(f"outreach-{seed}-{year}")
    try:
        return _build(title, rng, year=year, warehouse=warehouse)
    except services.OutreachError as exc:
        return OutreachDemoReport(0, 0, f"non construite ({exc})", already_there=False)


def _build(title: str, rng: random.Random, *, year: int, warehouse: Path) -> OutreachDemoReport:
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            reference_year=year,
            rule=Campaign.Rule.LARGEST_EXCESS,
            top_n=TARGETS,
            start_date=datetime.date(year, 7, 1),
        )
        services.select_targets(campaign, warehouse=warehouse)
        visited = 0
        for target in campaign.targets.all():
            delegate = rng.random() < 0.4
            visit = Visit(
                target=target,
                visitor_kind=Visit.Visitor.DELEGATE if delegate else Visit.Visitor.AMBASSADOR,
                visitor_name=rng.choice(DELEGATES if delegate else AMBASSADORS),
            )
            draw = rng.random()
            if draw < 0.65:
                visit.visit_date = datetime.date(year, 7, 1) + datetime.timedelta(
                    days=rng.randint(0, 91)
                )
                visit.outcome = rng.choice([Visit.Outcome.DONE] * 3 + [Visit.Outcome.RELUCTANT])
                visited += 1
            elif draw < 0.75:
                visit.visit_date = datetime.date(year, 7, 1) + datetime.timedelta(
                    days=rng.randint(0, 60)
                )
                visit.outcome = rng.choice([Visit.Outcome.REFUSED, Visit.Outcome.UNREACHABLE])
            visit.full_clean()
            visit.save()
        six = services.measure(campaign, 6, warehouse=warehouse)
        services.measure(campaign, 12, warehouse=warehouse)
        _programme(year, rng)
    effect = (
        f"{six.difference:+.1f} points (IC 95 % {six.ci_low:.1f} ; {six.ci_high:.1f})"
        if six.difference is not None
        else six.message
    )
    return OutreachDemoReport(campaign.targets.count(), visited, effect, already_there=False)


def _programme(year: int, rng: random.Random) -> None:
    """137 invited, 112 signed, 98 took part; 13 participants from outside the zone."""
    programme = Programme.objects.create(
        title=f"Antibiogramme ciblé des ECBU — {year}", started_on=datetime.date(year, 5, 1)
    )
    invitations = []
    for n in range(137 + 13):
        outside = n >= 137
        rank = n if not outside else n - 137
        invited = datetime.date(year, 3, 1) + datetime.timedelta(days=rng.randint(0, 30))
        signed = outside or rank < 112
        invitations.append(
            Invitation(
                programme=programme,
                prescriber=f"Prescripteur {'hors zone ' if outside else ''}{rank + 1:03d}",
                invited_on=invited,
                signed_on=invited + datetime.timedelta(days=rng.randint(3, 40)) if signed else None,
                took_part=outside or rank < 98,
                outside_zone=outside,
            )
        )
    Invitation.objects.bulk_create(invitations)
