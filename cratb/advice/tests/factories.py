# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories for advice requests and on-call shifts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import DepartementFactory, UserFactory
from cratb.advice import codes
from cratb.advice.models import AdviceRequest, OnCallShift, Status, target_time


class AdviceRequestFactory(DjangoModelFactory[AdviceRequest]):
    """A confirmed web request, open, received now (no event: use ``AdviceRequest.create``
    when a test is about the history)."""

    class Meta:
        model = AdviceRequest

    channel = codes.Channel.WEB
    status = Status.OPEN
    requester_name = Sequence(lambda n: f"Dr Demandeur {n}")
    requester_email = Sequence(lambda n: f"demandeur{n}@exemple.fr")
    profession = codes.Profession.GP
    setting = codes.Setting.COMMUNITY
    departement = SubFactory(DepartementFactory)
    syndrome = codes.Syndrome.CYSTITIS
    age_band = codes.AgeBand.ADULT
    sex = codes.Sex.FEMALE
    question = "Cystite récidivante chez une femme de 40 ans, quelle durée de traitement ?"
    received_at = LazyFunction(timezone.now)
    due_at = LazyAttribute(
        lambda r: target_time(r.received_at, departement_code=r.departement.code)
    )


class ResponderFactory(UserFactory):
    role = Role.EMA_MEMBER


class OnCallShiftFactory(DjangoModelFactory[OnCallShift]):
    class Meta:
        model = OnCallShift

    departement = SubFactory(DepartementFactory)
    responder = SubFactory(ResponderFactory)
    starts_at = LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = LazyAttribute(lambda s: s.starts_at + timedelta(hours=12))


def make_responder(**kwargs: object) -> User:
    return ResponderFactory.create(**kwargs)
