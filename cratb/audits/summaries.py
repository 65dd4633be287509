"""The audits of a year as plain values, for the annual report and the EMA activity
reports: the same computation as the pages (``services.campaign_results``)."""

from __future__ import annotations

from dataclasses import dataclass

from cratb.audits.models import AuditCampaign
from cratb.audits.services import campaign_results

__all__ = [
    "AuditSummary",
    "CriterionSummary",
    "Participation",
    "YearSummary",
    "participations",
    "year_summary",
]


@dataclass(frozen=True)
class CriterionSummary:
    code: str
    label: str
    rule: str
    met: int
    evaluated: int
    percent: float | None
    low: float | None  # 95 % Wilson interval, percent
    high: float | None
    change: float | None = None  # points since the first round (second rounds only)
    change_low: float | None = None  # 95 % Newcombe interval
    change_high: float | None = None


@dataclass(frozen=True)
class AuditSummary:
    pk: int
    title: str
    grid: str
    grid_version: int
    round: int
    period_start: str
    period_end: str
    status: str
    participants: int
    participants_with_cases: int
    cases: int
    criteria: tuple[CriterionSummary, ...]


@dataclass(frozen=True)
class YearSummary:
    year: int
    audits: tuple[AuditSummary, ...]

    @property
    def audits_count(self) -> int:
        return len(self.audits)

    @property
    def participants(self) -> int:
        return sum(a.participants for a in self.audits)

    @property
    def cases(self) -> int:
        return sum(a.cases for a in self.audits)


def year_summary(year: int) -> YearSummary:
    """The audit campaigns whose period ends in ``year`` (carried out that year)."""
    audits = []
    campaigns = AuditCampaign.objects.filter(period_end__year=year).select_related(
        "grid_version__grid", "previous_round"
    )
    for campaign in campaigns.order_by("period_end", "pk"):
        results = campaign_results(campaign)
        change = {c.code: c for c in results.change}
        criteria = []
        for c in results.region:
            found = change.get(c.code)
            criteria.append(
                CriterionSummary(
                    code=c.code,
                    label=c.label,
                    rule=c.rule,
                    met=c.met,
                    evaluated=c.evaluated,
                    percent=c.percent,
                    low=c.low,
                    high=c.high,
                    change=found.difference if found else None,
                    change_low=found.low if found else None,
                    change_high=found.high if found else None,
                )
            )
        audits.append(
            AuditSummary(
                pk=campaign.pk,
                title=campaign.title,
                grid=campaign.grid_version.grid.title,
                grid_version=campaign.grid_version.number,
                round=campaign.round_number,
                period_start=campaign.period_start.isoformat(),
                period_end=campaign.period_end.isoformat(),
                status=campaign.status,
                participants=len(results.participants),
                participants_with_cases=sum(1 for p in results.participants if p.cases),
                cases=results.cases,
                criteria=tuple(criteria),
            )
        )
    return YearSummary(year=year, audits=tuple(audits))


@dataclass(frozen=True)
class Participation:
    """One organisation's part in an audit of the year (for an EMA's activity report)."""

    campaign_pk: int
    title: str
    grid: str
    round: int
    period_end: str
    cases: int
    criteria: tuple[CriterionSummary, ...]  # the organisation's own compliance


def participations(year: int, *, organization_id: int) -> tuple[Participation, ...]:
    """The audits of ``year`` (period ending that year) in which the organisation took
    part, with its cases and its compliance per criterion (the same computation as its
    feedback page)."""
    found = []
    campaigns = AuditCampaign.objects.filter(
        period_end__year=year, participants__organization_id=organization_id
    ).select_related("grid_version__grid", "previous_round")
    for campaign in campaigns.order_by("period_end", "pk"):
        results = campaign_results(campaign)
        mine = next(
            p for p in results.participants if p.participant.organization_id == organization_id
        )
        change = {c.code: c for c in mine.change}
        criteria = []
        for row in mine.rows:
            c, moved = row.mine, change.get(row.code)
            criteria.append(
                CriterionSummary(
                    code=c.code,
                    label=c.label,
                    rule=c.rule,
                    met=c.met,
                    evaluated=c.evaluated,
                    percent=c.percent,
                    low=c.low,
                    high=c.high,
                    change=moved.difference if moved else None,
                    change_low=moved.low if moved else None,
                    change_high=moved.high if moved else None,
                )
            )
        found.append(
            Participation(
                campaign_pk=campaign.pk,
                title=campaign.title,
                grid=campaign.grid_version.grid.title,
                round=campaign.round_number,
                period_end=campaign.period_end.isoformat(),
                cases=mine.cases,
                criteria=tuple(criteria),
            )
        )
    return tuple(found)
