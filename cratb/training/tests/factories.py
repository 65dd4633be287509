# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories for training plans, sessions and registrations."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from factory.declarations import LazyAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory

from cratb.accounts.tests.factories import DepartementFactory
from cratb.training.models import Registration, TrainingPlan, TrainingSession


class PlanFactory(DjangoModelFactory[TrainingPlan]):
    class Meta:
        model = TrainingPlan
        django_get_or_create = ("year",)

    year = 2025
    title = LazyAttribute(lambda plan: f"Plan régional de formation {plan.year}")


class SessionFactory(DjangoModelFactory[TrainingSession]):
    class Meta:
        model = TrainingSession

    plan = SubFactory(PlanFactory)
    title = Sequence(lambda n: f"Atelier entre pairs {n}")
    theme = "Infections urinaires"
    format = TrainingSession.Format.PEER_WORKSHOP
    starts_at = LazyAttribute(lambda _s: timezone.now() + datetime.timedelta(days=30))
    ends_at = LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=3))
    duration_hours = Decimal("3")
    venue = "Maison des associations, Créteil"
    capacity = 12


class RegistrationFactory(DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    session = SubFactory(SessionFactory)
    first_name = "Lou"
    last_name = Sequence(lambda n: f"Participant{n}")
    email = LazyAttribute(lambda r: f"{r.last_name.lower()}@exemple.fr")
    profession = "physician"
    organization_name = "Cabinet libéral"
    departement = SubFactory(DepartementFactory)
