"""The directory and training models in Django's admin, for the administrator."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.network.tests.factories import AgreementFactory, RoleFactory
from cratb.training.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_opens_every_new_model(client: Client, administrator: User) -> None:
    role = RoleFactory.create()
    agreement = AgreementFactory.create()
    registration = RegistrationFactory.create()
    client.force_login(administrator)
    pages = [
        "/admin/network/practitioner/",
        f"/admin/network/practitioner/{role.practitioner_id}/change/",
        "/admin/network/practitionerrole/",
        "/admin/network/coverageagreement/",
        f"/admin/network/coverageagreement/{agreement.pk}/change/",
        "/admin/network/territory/",
        "/admin/training/trainingplan/",
        "/admin/training/trainingsession/",
        f"/admin/training/trainingsession/{registration.session_id}/change/",
        "/admin/training/registration/",
        f"/admin/training/registration/{registration.pk}/change/",
        "/admin/training/satisfactionresponse/",
    ]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 200)
