"""The figures page's figures, from aggregates kept per year (issue #19).

:func:`year_figures` in :mod:`cratb.advice.figures` computes a year's figures from the
requests: every view of the figures page would read the year's requests again (about
200 ms of PostgreSQL for 50 000 requests). Here the same functions fill, once per change,
tables of aggregates (``cratb.advice.models.stored``): for each breakdown the counts and
delay percentiles of each value, the requests per week and month, the agents per AWaRe
category. :func:`stored_year_figures` assembles a :class:`~cratb.advice.figures.Figures`
from them, equal to :func:`~cratb.advice.figures.year_figures` (a test checks every
breakdown and period), counting on each view the requests past their target time without
an answer, which time alone changes.

What keeps them true: every change to what the figures read marks its year
(:func:`mark_changed`): a request added, confirmed, answered, re-coded or deleted
(``AdviceRequest._change`` and the signals below), a survey or a recommended agent saved
or deleted, an answer deleted, a team or département renamed. Bulk writes that send no signal
(the demo generator) call :func:`mark_every_year`. A view that finds its year marked
builds the year again before reading (:func:`ensure_built`): one build per change, shared
by every server process, instead of one computation per view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from cratb.advice import figures as computed
from cratb.advice.caching import cached
from cratb.advice.figures import (
    PERIODS,
    BreakdownRow,
    Figures,
    Measures,
    Series,
    Share,
)
from cratb.advice.models import (
    AdviceRequest,
    Answer,
    FigureAware,
    FigureCount,
    FigureGroup,
    FigureState,
    RecommendedAgent,
    Survey,
)
from cratb.advice.models.stored import FIGURE_FIELDS, mark_changed, year_of
from cratb.collation import french_key

__all__ = [
    "FIGURE_FIELDS",
    "build",
    "cached_year_figures",
    "connect",
    "ensure_built",
    "mark_changed",
    "mark_every_year",
    "stored_year_figures",
    "year_of",
]

#: The key of the PostgreSQL advisory lock taken while a year is built: one build at a
#: time per year (see :func:`ensure_built` for who waits).
LOCK_KEY = 0x0CA7B0F1


def mark_every_year() -> None:
    """After writes that sent no signal (bulk creation): every year with requests, and
    every year built before."""
    mark_changed({*computed.available_years(), *FigureState.objects.values_list("year", flat=True)})


def build(year: int, *, wait: bool = True) -> bool:
    """Compute the figures of ``year`` from its requests and store them, if they are
    marked as changed. One build at a time per year (PostgreSQL): when another process
    is building them, wait for it (``wait``) or return False at once."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_KEY, year])
                (locked,) = cursor.fetchone() or (False,)
            if not wait and locked is False:
                return False
        state, _created = FigureState.objects.get_or_create(year=year)
        if state.built >= state.changes:
            return True
        target = state.changes
        FigureGroup.objects.filter(year=year).delete()
        FigureCount.objects.filter(year=year).delete()
        FigureAware.objects.filter(year=year).delete()
        requests = computed.year_requests(year)
        now = timezone.now()
        groups: list[FigureGroup] = []
        counts: list[FigureCount] = []
        summary: Measures | None = None
        for key, dimension in computed.dimensions(detailed=True).items():
            rows, summary = computed._breakdown_and_summary(requests, dimension=dimension, now=now)
            groups += [_group(year, key, row.code, row.measures) for row in rows]
            for period in PERIODS:
                series = computed.series(requests, period=period, dimension=dimension, year=year)
                counts += [
                    FigureCount(
                        year=year,
                        period=period,
                        start=start,
                        dimension=key,
                        code=code,
                        requests=n,
                    )
                    for start, by_code in series.counts.items()
                    for code, n in by_code.items()
                ]
        if summary is not None:
            groups.append(_group(year, "", "", summary))
        FigureGroup.objects.bulk_create(groups, batch_size=1000)
        FigureCount.objects.bulk_create(counts, batch_size=1000)
        FigureAware.objects.bulk_create(
            FigureAware(year=year, code=row.code, agents=row.agents, requests=row.requests)
            for row in computed.aware_breakdown(requests)
        )
        FigureState.objects.filter(year=year).update(
            built=Greatest(F("built"), target), built_at=now
        )
    return True


def _group(year: int, dimension: str, code: str, m: Measures) -> FigureGroup:
    return FigureGroup(
        year=year,
        dimension=dimension,
        code=code,
        total=m.total,
        answered=m.answered,
        in_time=m.within_target.numerator,
        surveys=m.followed.denominator,
        followed=m.followed.numerator,
        critical_context=m.avoided_critical.denominator,
        avoided=m.avoided_critical.numerator,
        median_hours=m.median_hours,
        p90_hours=m.p90_hours,
    )


def ensure_built(year: int) -> None:
    """Build ``year`` first when a change since its last build is marked (or never built).

    While another process builds a year built before, the figures of its last build are
    read meanwhile (older by one build at most: 1.5 s with 50 000 requests a year) rather
    than waiting: the next view shows the new ones."""
    state = FigureState.objects.filter(year=year).values_list("changes", "built").first()
    if state is None or state[1] < state[0]:
        try:
            build(year, wait=state is None or state[1] == 0)
        except OperationalError:
            # SQLite (development, tests) has no advisory lock: another thread writing at
            # the same moment makes this build fail. Its figures are the last build's.
            if connection.vendor != "sqlite" or state is None or state[1] == 0:
                raise


def stored_year_figures(
    year: int, *, dimension: str = "setting", period: str = "month", now: datetime | None = None
) -> Figures:
    """:func:`cratb.advice.figures.year_figures`, assembled from the stored aggregates."""
    found = computed.dimensions(detailed=True)[dimension]
    now = now or timezone.now()
    ensure_built(year)
    # Requests without an answer past their target time: judged (late) from that moment.
    late: dict[str, int] = {}
    for value, n in (
        computed.year_requests(year)
        .filter(first_answer_at__isnull=True, due_at__lt=now)
        .values_list(found.field)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        late[str(value or "")] = late.get(str(value or ""), 0) + n
    rows: list[BreakdownRow] = []
    summary = _measures(None, 0)
    for group in FigureGroup.objects.filter(year=year, dimension__in=(dimension, "")):
        if group.dimension == "":
            summary = _measures(group, sum(late.values()))
        else:
            rows.append(
                BreakdownRow(
                    code=group.code,
                    label=found.label_of(group.code),
                    measures=_measures(group, late.get(group.code, 0)),
                )
            )
    rows.sort(key=lambda r: (-r.measures.total, french_key(r.label)))
    return Figures(
        year=year,
        period=period,
        dimension=found,
        summary=summary,
        breakdown=rows,
        series=_series(year, period=period, dimension=dimension),
        aware=computed.aware_rows(
            {
                row.code: {"agents": row.agents, "requests": row.requests}
                for row in FigureAware.objects.filter(year=year)
            }
        ),
    )


def cached_year_figures(
    year: int, *, dimension: str, period: str, stamp: str | None = None
) -> Figures:
    """:func:`stored_year_figures`, kept in the process's cache until a request changes
    (or 10 minutes)."""
    return cached(
        computed.cache_key(year, dimension=dimension, period=period, stamp=stamp),
        lambda: stored_year_figures(year, dimension=dimension, period=period),
        seconds=computed.CACHE_SECONDS,
    )


def _measures(group: FigureGroup | None, late: int) -> Measures:
    if group is None:
        return Measures(0, 0, None, None, Share(0, 0), Share(0, 0), Share(0, 0))
    return Measures(
        total=group.total,
        answered=group.answered,
        median_hours=group.median_hours,
        p90_hours=group.p90_hours,
        within_target=Share(group.in_time, group.answered + late),
        followed=Share(group.followed, group.surveys),
        avoided_critical=Share(group.avoided, group.critical_context),
    )


def _series(year: int, *, period: str, dimension: str) -> Series:
    return computed.series_of(
        FigureCount.objects.filter(year=year, period=period, dimension=dimension).values_list(
            "start", "code", "requests"
        ),
        period=period,
        dimension=computed.dimensions(detailed=True)[dimension],
        year=year,
    )


# --- what marks a year as changed --------------------------------------------------------


def _request_saved(sender: Any, instance: AdviceRequest, **kwargs: Any) -> None:
    read = getattr(instance, "_figures_received", None)
    mark_changed([year_of(instance.received_at), year_of(read)])


def _request_loaded(sender: Any, instance: AdviceRequest, **kwargs: Any) -> None:
    # When the request was received as read, so that a save moving it to another year
    # marks both years.
    instance._figures_received = instance.__dict__.get("received_at")  # type: ignore[attr-defined]


def _record_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    request_id = (
        instance.answer.request_id
        if isinstance(instance, RecommendedAgent)
        else instance.request_id
    )
    received = AdviceRequest.objects.filter(pk=request_id).values_list("received_at", flat=True)
    mark_changed([year_of(received.first())])


def _name_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Teams and départements appear in the figures by name.
    FigureState.objects.update(changes=F("changes") + 1)


def connect() -> None:
    """Connect the signals (``AdviceConfig.ready``)."""
    from cratb.network.models import Organization, Territory

    post_save.connect(_request_saved, sender=AdviceRequest, dispatch_uid="figures-request")
    post_delete.connect(_request_saved, sender=AdviceRequest, dispatch_uid="figures-request-del")
    post_init.connect(_request_loaded, sender=AdviceRequest, dispatch_uid="figures-loaded")
    # An answer given marks its year through ``AdviceRequest.answer`` (its request's
    # first answer time and status change); saving it otherwise changes no figure.
    for model in (Survey, RecommendedAgent):
        post_save.connect(_record_saved, sender=model, dispatch_uid=f"figures-{model.__name__}")
    for record in (Survey, Answer, RecommendedAgent):
        post_delete.connect(
            _record_saved, sender=record, dispatch_uid=f"figures-{record.__name__}-del"
        )
    for named in (Organization, Territory):
        post_save.connect(_name_changed, sender=named, dispatch_uid=f"figures-{named.__name__}")
