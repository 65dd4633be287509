"""Plain summaries of the yearly cycle, for the synthesis pages and the CRAtb's annual
activity report (which calls these functions, never a second computation).

- :func:`ema_synthesis` — every figure of the EMA activity reports of a year, summed by
  territory (the team's département), with the completeness behind it;
- :func:`network_actions_summary` — the network activity log of a year, per territory,
  per kind of action and per function of the people who led them;
- :func:`completeness` — expected, transmitted, validated, on time and late forms of a
  set of forms (the campaign follow-up page uses it too).

Everything returned is a frozen dataclass of plain values (str, int, Decimal, float):
no model instance, so a document writer can use it without Django's ORM.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cratb.activity.figures import KEYS, LABELS, NOT_ADDITIVE, Figure, team_figures
from cratb.activity.models import (
    ACTOR_FUNCTIONS,
    Campaign,
    Kind,
    NetworkAction,
    State,
    Submission,
)

Number = int | float | Decimal


@dataclass(frozen=True)
class LabelledValue:
    """One figure: its key (stable, for code), its French label and its value."""

    key: str
    label: str
    value: Number | None


@dataclass(frozen=True)
class Completeness:
    """Forms expected, transmitted (submitted or validated: a returned form is back with
    the team), validated; ``on_time``: transmitted forms sent no later than the deadline;
    ``late``: transmitted late, or still not transmitted past the deadline (DHIS2's
    completeness and timeliness)."""

    expected: int
    transmitted: int
    validated: int
    on_time: int
    late: int

    @property
    def completeness_pct(self) -> float | None:
        """Validated forms over expected ones, in %."""
        return round(100 * self.validated / self.expected, 1) if self.expected else None

    @property
    def timeliness_pct(self) -> float | None:
        """Forms transmitted on time over expected ones, in %."""
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


def completeness(
    submissions: Iterable[Submission], *, today: datetime.date | None = None
) -> Completeness:
    """The :class:`Completeness` of ``submissions`` (their campaign selected with them)."""
    today = today or timezone.localdate()
    rows = list(submissions)
    transmitted = [s for s in rows if s.state in (State.SUBMITTED, State.VALIDATED)]
    return Completeness(
        expected=len(rows),
        transmitted=len(transmitted),
        validated=sum(1 for s in rows if s.state == State.VALIDATED),
        on_time=sum(1 for s in transmitted if not s.late),
        late=sum(1 for s in rows if s.is_late(today)),
    )


@dataclass(frozen=True)
class TerritoryRow:
    """One territory (département) of the synthesis: its teams' summed figures."""

    code: str
    name: str
    teams: int
    completeness: Completeness
    figures: tuple[LabelledValue, ...]


@dataclass(frozen=True)
class EmaSynthesis:
    """The EMA activity reports of ``year``, summed over the **validated** reports.

    ``campaign_found`` is False when no activity-report campaign exists for the year
    (then every count is zero). ``totals`` has the same figures as each territory row,
    summed over the region; a median (not additive) is left out of the sums.
    """

    year: int
    campaign_found: bool
    deadline: datetime.date | None
    completeness: Completeness
    totals: tuple[LabelledValue, ...]
    territories: tuple[TerritoryRow, ...]


#: The figures the teams enter (their model field, their label).
ENTERED: tuple[tuple[str, str | Promise], ...] = (
    ("commissions_count", gettext_lazy("Participations aux commissions de coordination d'EHPAD")),
    ("committees_count", gettext_lazy("Participations aux CAI/CLIN d'autres établissements")),
    ("meetings_count", gettext_lazy("Réunions tenues")),
    ("fte_worked", gettext_lazy("Temps de personnel travaillé (ETP)")),
)


def report_values(
    submission: Submission, *, today: datetime.date | None = None
) -> dict[str, Number | None]:
    """The figures of one report: computed ones (frozen at validation, else live) and
    entered ones."""
    if submission.figures_snapshot is not None:
        computed: dict[str, Number | None] = {
            key: _number(value) for key, value in submission.figures_snapshot.items()
        }
    else:
        computed = {
            f.key: f.value
            for f in team_figures(submission.campaign.year, submission.team, today=today)
        }
    values: dict[str, Number | None] = dict(computed)
    for name, _label in ENTERED:
        values[name] = getattr(submission, name)
    return values


def snapshot(found: list[Figure]) -> dict[str, str | None]:
    """Computed figures as stored at validation (decimals as text, to keep them exact)."""
    return {f.key: None if f.value is None else str(f.value) for f in found}


def _number(value: object) -> Number | None:
    if value is None:
        return None
    text = str(value)
    return Decimal(text) if "." in text else int(text)


def _labels() -> list[tuple[str, str]]:
    additive = [(key, str(LABELS[key])) for key in KEYS if key not in NOT_ADDITIVE]
    return additive + [(key, str(label)) for key, label in ENTERED]


def _sum(values: Iterable[Number | None]) -> Number:
    total: Number = 0
    for value in values:
        if value is not None:
            total = total + value  # type: ignore[operator]
    return total


def ema_synthesis(year: int, *, today: datetime.date | None = None) -> EmaSynthesis:
    """Every figure of the validated EMA activity reports of ``year``, summed by the
    teams' département and over the region, with the completeness of each."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.filter(year=year, kind=Kind.REPORT).first()
    labels = _labels()
    if campaign is None:
        empty = Completeness(0, 0, 0, 0, 0)
        return EmaSynthesis(
            year=year,
            campaign_found=False,
            deadline=None,
            completeness=empty,
            totals=tuple(LabelledValue(k, label, 0) for k, label in labels),
            territories=(),
        )
    submissions = list(
        campaign.submissions.select_related("campaign", "team", "team__departement").order_by(
            "team__departement__code", "team__name"
        )
    )
    values = {
        s.pk: report_values(s, today=today) for s in submissions if s.state == State.VALIDATED
    }
    groups: dict[tuple[str, str], list[Submission]] = {}
    for s in submissions:
        dep = s.team.departement
        key = (dep.code, dep.name) if dep else ("", _("Sans département"))
        groups.setdefault(key, []).append(s)
    rows = []
    for (code, name), members in groups.items():
        rows.append(
            TerritoryRow(
                code=code,
                name=name,
                teams=len(members),
                completeness=completeness(members, today=today),
                figures=tuple(
                    LabelledValue(
                        k, label, _sum(values[s.pk].get(k) for s in members if s.pk in values)
                    )
                    for k, label in labels
                ),
            )
        )
    totals = tuple(
        LabelledValue(k, label, _sum(v.get(k) for v in values.values())) for k, label in labels
    )
    return EmaSynthesis(
        year=year,
        campaign_found=True,
        deadline=campaign.deadline,
        completeness=completeness(submissions, today=today),
        totals=totals,
        territories=tuple(rows),
    )


@dataclass(frozen=True)
class ActionRow:
    """A group of network actions: how many, and how many people they reached."""

    key: str
    label: str
    actions: int
    people_reached: int


@dataclass(frozen=True)
class NetworkActionsSummary:
    """The network activity log of ``year`` (« manifestations organisées »)."""

    year: int
    actions: int
    people_reached: int
    by_territory: tuple[ActionRow, ...]
    by_kind: tuple[ActionRow, ...]
    by_function: tuple[ActionRow, ...]


def _grouped(rows: object, field: str, labels: dict[str, str]) -> tuple[ActionRow, ...]:
    found = (
        rows.values(field)  # type: ignore[attr-defined]
        .annotate(n=Count("pk"), people=Sum("people_reached"))
        .order_by("-n", field)
    )
    return tuple(
        ActionRow(
            key=str(r[field]),
            label=str(labels.get(r[field], r[field])),
            actions=r["n"],
            people_reached=r["people"] or 0,
        )
        for r in found
    )


def _by_departement(rows: object) -> tuple[ActionRow, ...]:
    """Actions rolled up to the département: a CPTS or GHT territory counts in its parent
    département; a territory with no département parent counts as itself."""
    tally: dict[str, list[int | str]] = {}
    found = rows.values_list(  # type: ignore[attr-defined]
        "territory__kind",
        "territory__code",
        "territory__name",
        "territory__parent__kind",
        "territory__parent__code",
        "territory__parent__name",
        "people_reached",
    )
    for kind, code, name, parent_kind, parent_code, parent_name, people in found:
        if kind != "departement" and parent_kind == "departement":
            code, name = parent_code, parent_name
        row = tally.setdefault(code, [name, 0, 0])
        row[1] = int(row[1]) + 1
        row[2] = int(row[2]) + people
    return tuple(
        ActionRow(key=code, label=f"{name} ({code})", actions=int(n), people_reached=int(p))
        for code, (name, n, p) in sorted(tally.items())
    )


def network_actions_summary(year: int) -> NetworkActionsSummary:
    """The actions of the network activity log dated in ``year``; ``by_territory`` is per
    département (a CPTS's actions count in its département)."""
    rows = NetworkAction.objects.filter(date__year=year)
    totals = rows.aggregate(n=Count("pk"), people=Sum("people_reached"))
    return NetworkActionsSummary(
        year=year,
        actions=totals["n"] or 0,
        people_reached=totals["people"] or 0,
        by_territory=_by_departement(rows),
        by_kind=_grouped(rows, "kind", {k: str(v) for k, v in NetworkAction.ActionKind.choices}),
        by_function=_grouped(
            rows, "actor_function", {f.value: str(f.label) for f in ACTOR_FUNCTIONS}
        ),
    )
