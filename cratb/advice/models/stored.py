"""The figures of each year, kept as aggregates (issue #19).

Computing a year's figures reads every request of the year (50 000 in the load
benchmark: about 200 ms of PostgreSQL). The figures page reads these tables instead:
per year and breakdown value, the counts and the delay percentiles; per period and
breakdown value, the number of requests; per AWaRe category, the agents recommended.
The page still assembles the figures on every view (totals, order, shares, the requests
past their target time, which time alone changes).

:class:`FigureState` says whether a year's tables are up to date: every change to the
data the figures read adds one to ``changes`` (``cratb.advice.stored_figures``); the
tables reflect ``built`` changes. A view that finds ``built < changes`` builds the year
again first, so the figures always show the data as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import models
from django.db.models import F
from django.utils import timezone

#: The request fields the figures read: a change to any of them changes the figures.
FIGURE_FIELDS = frozenset(
    {
        "status",
        "received_at",
        "due_at",
        "first_answer_at",
        "channel",
        "setting",
        "profession",
        "departement",
        "departement_id",
        "syndrome",
        "team",
        "team_id",
        "context_critical",
        "answer_critical",
    }
)


def year_of(moment: datetime | None) -> int | None:
    """The year a request received at ``moment`` counts in (platform time zone)."""
    return None if moment is None else timezone.localtime(moment).year


def mark_changed(years: Iterable[int | None]) -> None:
    """The figures of ``years`` no longer reflect the data: the next view builds them."""
    for year in {y for y in years if y is not None}:
        if not FigureState.objects.filter(year=year).update(changes=F("changes") + 1):
            FigureState.objects.get_or_create(year=year, defaults={"changes": 1})


class FigureState(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    changes = models.PositiveIntegerField(default=1)
    built = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.year}: {self.built}/{self.changes}"


class FigureGroup(models.Model):
    """The figures of one breakdown value of a year (``dimension`` empty: all requests).

    ``code`` is the value as the breakdown names it (empty when not given)."""

    year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=20, blank=True)
    code = models.CharField(max_length=200, blank=True)
    total = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    in_time = models.PositiveIntegerField()
    surveys = models.PositiveIntegerField()
    followed = models.PositiveIntegerField()
    critical_context = models.PositiveIntegerField()
    avoided = models.PositiveIntegerField()
    median_hours = models.FloatField(null=True, blank=True)
    p90_hours = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "dimension", "code"], name="advice_figure_group_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.dimension}={self.code}: {self.total}"


class FigureCount(models.Model):
    """Requests received in one week or month (``start``: its first day) with one
    breakdown value."""

    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=5)
    start = models.DateField()
    dimension = models.CharField(max_length=20)
    code = models.CharField(max_length=200, blank=True)
    requests = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period", "dimension", "start", "code"],
                name="advice_figure_count_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.period} {self.start} {self.dimension}={self.code}"


class FigureAware(models.Model):
    """The agents recommended in a year's answers, for one WHO AWaRe category."""

    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=30, blank=True)
    agents = models.PositiveIntegerField()
    requests = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="advice_figure_aware_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.code}: {self.agents}"
