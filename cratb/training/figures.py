"""Training figures for the coordination, the agency and the annual activity report.

- people trained: distinct participants (by e-mail) marked present, per year, per
  profession and per département of practice;
- CPTS referents trained, against the target of one (ideally two) per CPTS;
- satisfaction: answers, average scores (1 to 5) and share who would recommend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear, Lower

from cratb.network import gaps
from cratb.network.models import Profession
from cratb.training.models import Registration, SatisfactionResponse, TrainingSession


def _attended(year: int | None) -> QuerySet[Registration]:
    rows = Registration.objects.filter(attended=True, status=Registration.Status.CONFIRMED)
    if year is not None:
        rows = rows.filter(session__starts_at__year=year)
    return rows


def trained_by_year() -> list[dict[str, int]]:
    rows = (
        _attended(None)
        .annotate(year=ExtractYear("session__starts_at"), person=Lower("email"))
        .values("year")
        .annotate(people=Count("person", distinct=True), attendances=Count("pk"))
        .order_by("year")
    )
    return list(rows)


def trained_by_profession(year: int | None) -> list[tuple[str, int]]:
    labels = dict(Profession.choices)
    rows = (
        _attended(year)
        .annotate(person=Lower("email"))
        .values("profession")
        .annotate(people=Count("person", distinct=True))
        .order_by("-people", "profession")
    )
    return [(str(labels.get(r["profession"], r["profession"])), r["people"]) for r in rows]


def trained_by_departement(year: int | None) -> list[tuple[str, str, int]]:
    rows = (
        _attended(year)
        .annotate(person=Lower("email"))
        .values("departement__code", "departement__name")
        .annotate(people=Count("person", distinct=True))
        .order_by("departement__code")
    )
    return [(r["departement__code"] or "", r["departement__name"] or "", r["people"]) for r in rows]


@dataclass(frozen=True)
class CptsFigures:
    cpts: int
    with_trained_referent: int
    referents: int
    trained_referents: int


def cpts_figures() -> CptsFigures:
    rows = gaps.cpts_referents()
    return CptsFigures(
        cpts=len(rows),
        with_trained_referent=sum(1 for r in rows if r.status == "ok"),
        referents=sum(r.referents for r in rows),
        trained_referents=sum(r.trained for r in rows),
    )


@dataclass(frozen=True)
class Satisfaction:
    label: str
    answers: int
    overall: float | None
    usefulness: float | None
    recommend_pct: int | None


def satisfaction(year: int | None) -> list[Satisfaction]:
    """One row per session format, then the whole year."""
    answers = SatisfactionResponse.objects.all()
    if year is not None:
        answers = answers.filter(registration__session__starts_at__year=year)
    labels = dict(TrainingSession.Format.choices)
    grouped = (
        answers.values(fmt=F("registration__session__format"))
        .annotate(
            n=Count("pk"),
            overall_avg=Avg("overall"),
            usefulness_avg=Avg("usefulness"),
            yes=Count("pk", filter=Q(would_recommend=True)),
        )
        .order_by("fmt")
    )
    out = [_row(str(labels.get(g["fmt"], g["fmt"])), g) for g in grouped]
    total = answers.aggregate(
        n=Count("pk"),
        overall_avg=Avg("overall"),
        usefulness_avg=Avg("usefulness"),
        yes=Count("pk", filter=Q(would_recommend=True)),
    )
    out.append(_row("total", total))
    return out


def _row(label: str, g: dict[str, Any]) -> Satisfaction:
    n = int(g["n"] or 0)
    overall, usefulness = g["overall_avg"], g["usefulness_avg"]
    return Satisfaction(
        label=label,
        answers=n,
        overall=round(float(overall), 1) if overall is not None else None,
        usefulness=round(float(usefulness), 1) if usefulness is not None else None,
        recommend_pct=round(100 * int(g["yes"]) / n) if n else None,
    )


def years() -> list[int]:
    return sorted(
        {d.year for d in TrainingSession.objects.dates("starts_at", "year")}, reverse=True
    )


@dataclass(frozen=True)
class TeamTraining:
    """The sessions a team gave in a year: those with one of its members among the
    trainers (a role in the team), and the people trained at them (distinct e-mails
    marked present)."""

    team_id: int
    team: str
    sessions: int
    people: int


def sessions_by_team(year: int | None) -> list[TeamTraining]:
    """One row per team (organisation) whose members gave sessions in ``year``.

    The one source of the training figures of an EMA's activity report and of the
    « Par équipe formatrice » table of the training figures page.
    """
    sessions = TrainingSession.objects.all()
    if year is not None:
        sessions = sessions.filter(starts_at__year=year)
    given = (
        sessions.filter(trainers__roles__organization__isnull=False)
        .values("trainers__roles__organization", "trainers__roles__organization__name")
        .annotate(n=Count("pk", distinct=True))
    )
    out = []
    for row in given:
        team_id = row["trainers__roles__organization"]
        team_sessions = sessions.filter(trainers__roles__organization=team_id)
        people = (
            _attended(year)
            .filter(session__in=team_sessions)
            .annotate(person=Lower("email"))
            .aggregate(n=Count("person", distinct=True))["n"]
        )
        out.append(
            TeamTraining(
                team_id=team_id,
                team=row["trainers__roles__organization__name"],
                sessions=row["n"],
                people=people,
            )
        )
    return sorted(out, key=lambda r: (-r.sessions, r.team))


def team_training(year: int, team_id: int) -> TeamTraining | None:
    """The row of :func:`sessions_by_team` for one team (None: no session given)."""
    return next((r for r in sessions_by_team(year) if r.team_id == team_id), None)


def latest_year_with_attendance() -> int | None:
    """The year the figures open on: the latest with someone marked present (the next
    year's agenda, open for registration, has no figures yet)."""
    dates = TrainingSession.objects.filter(registrations__attended=True).dates("starts_at", "year")
    found = [d.year for d in dates]
    return max(found) if found else None
