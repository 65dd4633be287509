"""The demo region's big-prescriber campaign and targeted-reporting programme
(``cratb demo``).

- a campaign starting on 1 July of the demo ``year``, its targets the 40 largest excesses
  of critical antibiotics in the year's prescriber profile (read from the demo
  warehouse), visits assigned to GP ambassadors and health-insurance delegates, and its
  effect measured at 6 months (January–June against July–December) and at 12 months (not
  yet measurable: the demo has one year of dispensing lines).

  The visits are the generator's (``campaign_visits.csv``, ``cratb.engine.demo.community
  .Visits``): its big general practitioners prescribe more critical antibiotics, those
  it visits (July–September) give up 10 to 20 % of their critical lines from the visit
  on, the others do not change. A target found in that file is recorded as visited on
  its date; the other targets were refused, unreachable or are still to visit. The page
  then measures a real effect, with its interval.
- a targeted-reporting programme with the Hauts-de-France funnel: 137 prescribers
  invited, 112 signed, 98 took part, and 13 more from outside the zone.

Written once: a second run finds the campaign and the programme by title.
"""

from __future__ import annotations

import csv
import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cratb.charts.numbers import format_number
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


def read_visits(path: Path | None) -> dict[str, datetime.date]:
    """The generator's visits: prescriber_id → visit date (none without the file)."""
    if path is None or not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["prescriber_id"]: datetime.date.fromisoformat(row["visited_on"])
            for row in csv.DictReader(handle)
        }


def build_demo(
    *, seed: int, year: int, warehouse: Path, visits: Path | None = None
) -> OutreachDemoReport:
    title = f"Visites des gros prescripteurs — {year}"
    if Campaign.objects.filter(title=title).exists():
        return OutreachDemoReport(0, 0, "", already_there=True)
    rng = random.Random(f"outreach-{seed}-{year}")
    try:
        return _build(title, rng, year=year, warehouse=warehouse, visits=read_visits(visits))
    except services.OutreachError as exc:
        return OutreachDemoReport(0, 0, f"non construite ({exc})", already_there=False)


def _build(
    title: str,
    rng: random.Random,
    *,
    year: int,
    warehouse: Path,
    visits: dict[str, datetime.date],
) -> OutreachDemoReport:
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
            if target.prescriber_id in visits:
                visit.visit_date = visits[target.prescriber_id]
                visit.outcome = rng.choice([Visit.Outcome.DONE] * 3 + [Visit.Outcome.RELUCTANT])
                visited += 1
            elif draw < 0.3:
                visit.visit_date = datetime.date(year, 7, 1) + datetime.timedelta(
                    days=rng.randint(0, 60)
                )
                visit.outcome = rng.choice([Visit.Outcome.REFUSED, Visit.Outcome.UNREACHABLE])
            visit.full_clean()
            visit.save()
        six = services.measure(campaign, 6, warehouse=warehouse)
        services.measure(campaign, 12, warehouse=warehouse)
        _programme(year, rng)

    def fr(value: float | None) -> str:
        return format_number(value, decimals=1, language="fr")

    effect = (
        f"{fr(six.difference)} points (IC à 95 % : {fr(six.ci_low)} ; {fr(six.ci_high)})"
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
