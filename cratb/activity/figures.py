"""The figures cratb already holds, carried into an EMA's activity report.

One source per figure: each is computed by the function its source page calls, never
again here (a test compares the report's figure with the page's):

- advice requests answered by the team and response times: ``advice.figures`` (the
  breakdown by team of the advice figures page);
- training sessions given and people trained: ``training.figures.sessions_by_team``
  (the « Par équipe formatrice » table of the training figures page);
- establishments and nursing homes covered by agreement, staff FTE:
  ``network.gaps.team_coverage`` (the team's page of the directory, on 31 December of
  the year, or today for the current year);
- practice audits carried out: ``audits.summaries.participations`` for the team and for
  the establishments it covers by agreement on that day (:func:`team_audits`; the
  audits' pages compute the same participants' results).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cratb.advice import figures as advice_figures
from cratb.advice import stored_figures as advice_stored_figures
from cratb.audits import summaries as audit_summaries
from cratb.network import gaps
from cratb.network.models import CoverageAgreement, Organization, active_on
from cratb.training import figures as training_figures


@dataclass(frozen=True)
class Figure:
    """One computed figure: ``key`` names it (comments refer to it), ``value`` is a
    number or None (not available), ``source`` the page that shows the same figure."""

    key: str
    label: str | Promise
    value: int | float | Decimal | None
    unit: str | Promise
    source: str


#: The keys of the computed figures, in the report's order (the synthesis sums these).
KEYS = (
    "advice_requests",
    "advice_answered",
    "advice_median_hours",
    "training_sessions",
    "people_trained",
    "establishments_covered",
    "nursing_homes_covered",
    "staff_fte",
    "audits_carried_out",
)
LABELS: dict[str, str | Promise] = {
    "advice_requests": _("Demandes d'avis reçues par l'équipe"),
    "advice_answered": _("Demandes d'avis répondues"),
    "advice_median_hours": _("Délai médian de première réponse"),
    "training_sessions": _("Sessions de formation données"),
    "people_trained": _("Personnes formées à ces sessions"),
    "establishments_covered": _("Établissements couverts par convention"),
    "nursing_homes_covered": _("dont EHPAD"),
    "staff_fte": _("ETP de l'équipe (annuaire)"),
    "audits_carried_out": _("Audits de pratiques réalisés (l'équipe ou ses établissements)"),
}
#: Figures that are not summed across teams (a median is not additive).
NOT_ADDITIVE = frozenset({"advice_median_hours"})


def reference_day(year: int, today: datetime.date | None = None) -> datetime.date:
    """The date the directory's figures are read on: 31 December, or today this year."""
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


def advice_row(year: int, team: Organization) -> advice_figures.BreakdownRow | None:
    """The team's row of the advice figures page's breakdown by team."""
    found = advice_stored_figures.cached_year_figures(year, dimension="team", period="month")
    return next((r for r in found.breakdown if r.code == team.name), None)


def team_figures(
    year: int, team: Organization, *, today: datetime.date | None = None
) -> list[Figure]:
    """The computed figures of ``team``'s activity report for ``year``."""
    advice = advice_row(year, team)
    training = training_figures.team_training(year, team.pk)
    day = reference_day(year, today)
    coverage = gaps.team_coverage(team, on=day)
    advice_url = reverse("advice:figures") + "?" + urlencode({"annee": str(year), "par": "team"})
    training_url = (
        reverse("training:figures") + "?" + urlencode({"annee": str(year)}) + "#par-equipe"
    )
    team_url = (
        reverse("network:organization-detail", args=[team.pk])
        + "?"
        + urlencode({"au": day.isoformat()})
        + "#couverture"
    )
    audits = team_audits(year, team, on=day)
    median = advice.measures.median_hours if advice else None
    values: list[tuple[str, int | float | Decimal | None, str | Promise, str]] = [
        ("advice_requests", advice.measures.total if advice else 0, "", advice_url),
        ("advice_answered", advice.measures.answered if advice else 0, "", advice_url),
        (
            "advice_median_hours",
            round(median, 1) if median is not None else None,
            _("heures"),
            advice_url,
        ),
        ("training_sessions", training.sessions if training else 0, "", training_url),
        ("people_trained", training.people if training else 0, "", training_url),
        ("establishments_covered", coverage.establishments, "", team_url),
        ("nursing_homes_covered", coverage.nursing_homes, "", team_url),
        ("staff_fte", coverage.fte, _("ETP"), team_url),
        (
            "audits_carried_out",
            len({a.participation.campaign_pk for a in audits}),
            "",
            reverse("audits:home"),
        ),
    ]
    return [Figure(key, LABELS[key], value, unit, url) for key, value, unit, url in values]


@dataclass(frozen=True)
class TeamAudit:
    """One organisation's part in an audit of the year: the team's own, or that of an
    establishment it covers by agreement (``own`` False)."""

    organization: str
    own: bool
    participation: audit_summaries.Participation

    @property
    def ended_on(self) -> datetime.date:
        return datetime.date.fromisoformat(self.participation.period_end)


def team_audits(year: int, team: Organization, *, on: datetime.date) -> list[TeamAudit]:
    """The audits of ``year`` in which ``team`` or an establishment it covers by an
    agreement in force on ``on`` took part (:func:`cratb.audits.summaries.participations`,
    the computation of the participants' pages), the team's own first."""
    covered = (
        Organization.objects.filter(
            pk__in=CoverageAgreement.objects.filter(active_on(on), ema=team).values(
                "establishment_id"
            )
        )
        .exclude(pk=team.pk)
        .order_by("name")
    )
    found = [
        TeamAudit(team.name, True, p)
        for p in audit_summaries.participations(year, organization_id=team.pk)
    ]
    for organization in covered:
        found += [
            TeamAudit(organization.name, False, p)
            for p in audit_summaries.participations(year, organization_id=organization.pk)
        ]
    return found
