# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories for published indicator values."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from factory.declarations import LazyFunction, SubFactory
from factory.django import DjangoModelFactory

from cratb.dashboards.models import IndicatorValue, Publication


class PublicationFactory(DjangoModelFactory[Publication]):
    class Meta:
        model = Publication

    status = Publication.Status.DONE
    finished_at = LazyFunction(timezone.now)
    editions = LazyFunction(lambda: {"atc_ddd": "2026-04-25", "aware": "2023"})


class IndicatorValueFactory(DjangoModelFactory[IndicatorValue]):
    class Meta:
        model = IndicatorValue

    publication = SubFactory(PublicationFactory)
    indicator = "community.did"
    grouping = ""
    period_start = date(2025, 1, 1)
    period_end = date(2025, 12, 31)
    year = 2025
    numerator = 100.0
    denominator = 5.0
    value = 20.0
