"""Response figures of the advice desk, computed by aggregate queries.

Definitions (docs/advice.md, "Figures"):

- a request counts from its reception (``received_at``: the confirmation of a web
  request, the call of a phone one); unconfirmed requests never count;
- *time to first answer*: from reception to the first coded answer; median and 90th
  percentile over the answered requests (``percentile_cont`` in PostgreSQL, the same
  linear interpolation in Python on SQLite);
- *within target*: answered no later than ``due_at`` (reception + the target delay in
  working days), over the requests answered or already past their target time;
- *advice followed*: close-out surveys answered « oui » or « en partie », over the
  surveys answered;
- *avoiding a critical antibiotic*: among the answered requests whose context names a
  critical agent (amoxicillin-clavulanate, 3rd/4th-generation cephalosporins,
  fluoroquinolones) as considered or already given, those whose answers recommend none.

For the annual activity report, :func:`year_figures` gives one year's totals, the
breakdown by any dimension and the monthly series, without re-typing anything::

    from cratb.advice.figures import year_figures
    figures = year_figures(2025, dimension="setting")
    figures.summary.total, figures.breakdown, figures.series
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cratb.advice import codes
from cratb.advice.caching import cached
from cratb.advice.models import AdviceRequest, RecommendedAgent
from cratb.collation import french_key

CACHE_SECONDS = 600


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str | Promise
    field: str
    choices: dict[str, str] | None  # code → label; None: labels come from the rows

    def label_of(self, code: Any) -> str:
        if code in (None, ""):
            return str(_("non renseigné"))
        if self.choices is not None:
            return str(self.choices.get(code, code))
        return str(code)


def _choices(enum: Any) -> dict[str, str]:
    return {code: str(label) for code, label in enum.choices}


def dimensions(*, detailed: bool) -> dict[str, Dimension]:
    """The breakdowns offered; ``detailed`` adds those that name teams (coordinators)."""
    return dict(_dimensions(detailed, get_language() or ""))


@functools.lru_cache(maxsize=16)
def _dimensions(detailed: bool, language: str) -> dict[str, Dimension]:
    # The code lists' labels in ``language`` (the active one), written once per process.
    found = {
        "channel": Dimension("channel", _("Canal"), "channel", _choices(codes.Channel)),
        "setting": Dimension(
            "setting", _("Lieu de prise en charge"), "setting", _choices(codes.Setting)
        ),
        "profession": Dimension(
            "profession", _("Profession du demandeur"), "profession", _choices(codes.Profession)
        ),
        "territory": Dimension("territory", _("Département"), "departement__name", None),
        "syndrome": Dimension("syndrome", _("Syndrome"), "syndrome", _choices(codes.Syndrome)),
    }
    if detailed:
        found["team"] = Dimension("team", _("Équipe"), "team__name", None)
    return found


PERIODS: dict[str, str | Promise] = {"month": _("mois"), "week": _("semaine")}


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return 100 * self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Measures:
    """The figures of one group of requests."""

    total: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    within_target: Share
    followed: Share
    avoided_critical: Share


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    label: str
    measures: Measures


@dataclass(frozen=True)
class Series:
    """Counts per period and dimension value: ``counts[period][code]``."""

    periods: list[date]
    codes: list[str]
    labels: dict[str, str]
    counts: dict[date, dict[str, int]]

    def total(self, period: date) -> int:
        return sum(self.counts.get(period, {}).values())


@dataclass(frozen=True)
class AwareRow:
    """The agents recommended in the answers, for one WHO AWaRe category."""

    code: str  # "Access", "Watch", "Reserve", "Not recommended", "" (not classified)
    label: str
    agents: int  # agents recommended (an answer may recommend several)
    requests: int  # requests with at least one answer recommending an agent of it
    share: float | None  # percentage of the agents recommended


@dataclass(frozen=True)
class Figures:
    year: int
    period: str
    dimension: Dimension
    summary: Measures
    breakdown: list[BreakdownRow]
    series: Series
    computed_at: datetime = field(default_factory=timezone.now)
    #: The AWaRe category of the agents recommended (:func:`aware_breakdown`).
    aware: list[AwareRow] = field(default_factory=list)


# The key of the percentiles over all the requests, beside those of each group.
TOTAL = object()


def _epoch_hours(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3600


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    weight = position - low
    return float(sorted_values[low] * (1 - weight) + sorted_values[high] * weight)


def _delay() -> Any:
    return ExpressionWrapper(F("first_answer_at") - F("received_at"), output_field=DurationField())


def _counts(now: datetime) -> dict[str, Count]:
    answered = Q(first_answer_at__isnull=False)
    judged = answered | Q(due_at__lt=now)
    return {
        "total": Count("pk"),
        "answered": Count("pk", filter=answered),
        "judged": Count("pk", filter=judged),
        "in_time": Count("pk", filter=answered & Q(first_answer_at__lte=F("due_at"))),
        "surveys": Count("survey"),
        "followed": Count(
            "survey", filter=Q(survey__followed__in=(codes.Followed.YES, codes.Followed.PARTLY))
        ),
        "critical_context": Count("pk", filter=answered & Q(context_critical=True)),
        "avoided": Count("pk", filter=answered & Q(context_critical=True, answer_critical=False)),
    }


def _measures(row: dict[str, Any], median: float | None, p90: float | None) -> Measures:
    return Measures(
        total=row["total"],
        answered=row["answered"],
        median_hours=median,
        p90_hours=p90,
        within_target=Share(row["in_time"], row["judged"]),
        followed=Share(row["followed"], row["surveys"]),
        avoided_critical=Share(row["avoided"], row["critical_context"]),
    )


def _percentiles(
    requests: QuerySet[AdviceRequest], *, group: str | None, with_total: bool = False
) -> dict[Any, tuple[float | None, float | None]]:
    """Median and 90th percentile of the time to first answer, in hours, per group;
    ``with_total``: also over all the requests, under the key ``TOTAL``."""
    answered = requests.filter(first_answer_at__isnull=False)
    if connection.vendor == "postgresql" and group is not None and with_total:
        return _percentiles_with_total(answered, group=group)
    if connection.vendor == "postgresql":
        aggregates = {
            "median": PercentileCont(_delay(), fraction=0.5),
            "p90": PercentileCont(_delay(), fraction=0.9),
        }
        if group is None:
            row = answered.aggregate(**aggregates)
            return {None: (_epoch_hours(row["median"]), _epoch_hours(row["p90"]))}
        return {
            row[group]: (_epoch_hours(row["median"]), _epoch_hours(row["p90"]))
            for row in answered.values(group).annotate(**aggregates).order_by()
        }
    # SQLite has no ordered-set aggregate: read the delays, sorted by the database.
    values: dict[Any, list[float]] = {}
    fields = [group, "delay"] if group else ["delay"]
    for row in answered.annotate(delay=_delay()).order_by("delay").values_list(*fields):
        key = row[0] if group else None
        delay = row[-1]
        values.setdefault(key, []).append(delay.total_seconds() / 3600)
    out = {key: (percentile(v, 0.5), percentile(v, 0.9)) for key, v in values.items()}
    if with_total and group is not None:
        every = sorted(x for v in values.values() for x in v)
        out[TOTAL] = (percentile(every, 0.5), percentile(every, 0.9))
    return out


def _percentiles_with_total(
    answered: QuerySet[AdviceRequest], *, group: str
) -> dict[Any, tuple[float | None, float | None]]:
    """PostgreSQL: the percentiles per group and over all in one pass over the rows
    (``GROUPING SETS``), instead of one query for each (issue #19)."""
    rows = answered.order_by().values(_g=F(group), _d=_delay())
    sql, params = rows.query.sql_with_params()
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY _d)"
    p90 = "percentile_cont(0.9) WITHIN GROUP (ORDER BY _d)"
    out: dict[Any, tuple[float | None, float | None]] = {}
    with connection.cursor() as cursor:
        # The inner SQL is Django's own for the queryset; values travel as parameters.
        cursor.execute(
            f"SELECT _g, GROUPING(_g), {median}, {p90} FROM ({sql}) AS answered "  # noqa: S608
            "GROUP BY GROUPING SETS ((_g), ())",
            params,
        )
        for key, total, low, high in cursor.fetchall():
            out[TOTAL if total else key] = (_epoch_hours(low), _epoch_hours(high))
    return out


def _summed(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, int]:
    """The counts over all the requests, from their counts by group (every dimension
    gives a request one group, so the groups' counts add up to the whole's)."""
    return {name: sum(row[name] for row in rows) for name in names}


def measures(requests: QuerySet[AdviceRequest], *, now: datetime | None = None) -> Measures:
    """The figures of a set of requests (any filter)."""
    now = now or timezone.now()
    row = requests.order_by().aggregate(**_counts(now))
    median, p90 = _percentiles(requests, group=None).get(None, (None, None))
    return _measures(row, median, p90)


def breakdown(
    requests: QuerySet[AdviceRequest], *, dimension: Dimension, now: datetime | None = None
) -> list[BreakdownRow]:
    return _breakdown_and_summary(requests, dimension=dimension, now=now)[0]


def _breakdown_and_summary(
    requests: QuerySet[AdviceRequest], *, dimension: Dimension, now: datetime | None = None
) -> tuple[list[BreakdownRow], Measures]:
    """The breakdown by ``dimension`` and the figures of all the requests, from the same
    two queries (counts by group; percentiles by group and over all)."""
    now = now or timezone.now()
    counts = _counts(now)
    rows = list(requests.values(dimension.field).annotate(**counts).order_by())
    delays = _percentiles(requests, group=dimension.field, with_total=True)
    out = [
        BreakdownRow(
            code=str(row[dimension.field] or ""),
            label=dimension.label_of(row[dimension.field]),
            measures=_measures(row, *delays.get(row[dimension.field], (None, None))),
        )
        for row in rows
    ]
    summary = _measures(_summed(rows, list(counts)), *delays.get(TOTAL, (None, None)))
    return sorted(out, key=lambda r: (-r.measures.total, french_key(r.label))), summary


def series(
    requests: QuerySet[AdviceRequest], *, period: str, dimension: Dimension, year: int
) -> Series:
    """Requests per week or month and dimension value, every period of the year listed."""
    trunc = TruncWeek if period == "week" else TruncMonth
    rows = (
        requests.annotate(period=trunc("received_at", tzinfo=timezone.get_default_timezone()))
        .values("period", dimension.field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return series_of(
        ((row["period"], row[dimension.field], row["n"]) for row in rows),
        period=period,
        dimension=dimension,
        year=year,
    )


def series_of(
    entries: Iterable[tuple[date | datetime, Any, int]],
    *,
    period: str,
    dimension: Dimension,
    year: int,
) -> Series:
    """The :class:`Series` of (period start, dimension value, requests) entries, the values
    ordered by their requests (most first), then by name."""
    counts: dict[date, dict[str, int]] = {}
    totals: dict[str, int] = {}
    labels: dict[str, str] = {}
    for start, value, n in entries:
        day = timezone.localtime(start).date() if isinstance(start, datetime) else start
        code = str(value or "")
        counts.setdefault(day, {})[code] = counts.get(day, {}).get(code, 0) + n
        totals[code] = totals.get(code, 0) + n
        if code not in labels:
            labels[code] = dimension.label_of(value)
    return Series(
        periods=_periods(year, period),
        codes=sorted(totals, key=lambda c: (-totals[c], french_key(labels[c]))),
        labels=labels,
        counts=counts,
    )


#: WHO AWaRe categories in their order (Access first: the one to prefer).
AWARE_ORDER = ("Access", "Watch", "Reserve", "Not recommended", "")


def aware_breakdown(requests: QuerySet[AdviceRequest]) -> list[AwareRow]:
    """The agents recommended by the answers to ``requests`` by WHO AWaRe category (the
    category stored with each agent when the answer was coded), Access first."""
    rows = (
        RecommendedAgent.objects.filter(answer__request__in=requests.values("pk"))
        .values("aware")
        .annotate(agents=Count("pk"), requests=Count("answer__request", distinct=True))
        .order_by()
    )
    return aware_rows({row["aware"] or "": row for row in rows})


def aware_rows(found: dict[str, dict[str, int]]) -> list[AwareRow]:
    """The rows of :func:`aware_breakdown` from the counts ``agents`` and ``requests`` of
    each category."""
    total = sum(row["agents"] for row in found.values())
    labels = {"Not recommended": str(_("Non recommandé")), "": str(_("non classé"))}
    ordered = [c for c in AWARE_ORDER if c in found]
    ordered += sorted(c for c in found if c not in AWARE_ORDER)
    return [
        AwareRow(
            code=code,
            label=labels.get(code, code),
            agents=found[code]["agents"],
            requests=found[code]["requests"],
            share=100 * found[code]["agents"] / total if total else None,
        )
        for code in ordered
    ]


def _periods(year: int, period: str) -> list[date]:
    if period == "month":
        return [date(year, month, 1) for month in range(1, 13)]
    first = date(year, 1, 1)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= date(year, 12, 31):
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def year_requests(year: int) -> QuerySet[AdviceRequest]:
    """The requests of the annual report: confirmed, received during ``year``."""
    return AdviceRequest.objects.confirmed().received_in(year)


def year_figures(year: int, *, dimension: str = "setting", period: str = "month") -> Figures:
    """One year's figures: summary, breakdown by ``dimension``, series per ``period``.

    The entry point for the annual activity report (and the figures page).
    """
    found = dimensions(detailed=True)[dimension]
    requests = year_requests(year)
    now = timezone.now()
    rows, summary = _breakdown_and_summary(requests, dimension=found, now=now)
    return Figures(
        year=year,
        period=period,
        dimension=found,
        summary=summary,
        breakdown=rows,
        series=series(requests, period=period, dimension=found, year=year),
        aware=aware_breakdown(requests),
    )


def cache_key(year: int, *, dimension: str, period: str, stamp: str | None = None) -> str:
    stamp = stamp or AdviceRequest.objects.change_stamp()
    return f"cratb.advice.figures:{year}:{dimension}:{period}:{stamp}"


def cached_years(stamp: str) -> tuple[list[int], int]:
    """:func:`years_and_latest`, cached like the figures."""
    return cached(f"cratb.advice.figures-years:{stamp}", years_and_latest, seconds=CACHE_SECONDS)


def years_and_latest() -> tuple[list[int], int]:
    """The years the figures can show (from the first request's to this one), newest
    first, and the latest year with a request (this year when there is none); one query."""
    row = AdviceRequest.objects.confirmed().aggregate(
        first=Min("received_at"), last=Max("received_at")
    )
    this_year = timezone.localdate().year
    if row["first"] is None:
        return [this_year], this_year
    first = timezone.localtime(row["first"]).year
    latest = timezone.localtime(row["last"]).year
    return list(range(max(latest, this_year), first - 1, -1)), latest


def available_years() -> list[int]:
    """The years the figures can show, newest first."""
    return years_and_latest()[0]
