# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories of the resistance app."""

from __future__ import annotations

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import UserFactory
from cratb.resistance.models import LabAccount


class LabAccountFactory(DjangoModelFactory[LabAccount]):
    class Meta:
        model = LabAccount

    user = SubFactory(UserFactory, role=Role.LAB)
    lab_id = Sequence(lambda n: f"LBM-75-{n + 1:02d}")
    name = "Laboratoire de biologie médicale de test"
