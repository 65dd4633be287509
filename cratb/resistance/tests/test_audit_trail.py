"""The labs' access events and the API's targeted-report decisions are an audit trail:
no role may change or delete them, the administrator in Django's admin included, and
the login records of django-axes are read-only there too."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django.utils import timezone

from cratb.accounts.append_only import AppendOnlyError
from cratb.accounts.models import User
from cratb.resistance.models import ApiToken, LabAccount, LabEvent, TargetedReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(lab_account: LabAccount) -> tuple[LabEvent, TargetedReport]:
    token, _key = ApiToken.issue(user=lab_account.user, label="logiciel")
    report = TargetedReport.objects.create(
        lab_id="LBM-75-01",
        isolate_id="ECBU-1",
        sampled_on=timezone.localdate(),
        clinical_context="unknown",
        mode="targeted",
        ruleset="cratb-derive",
        rules_version=1,
        token=token,
    )
    event = LabEvent.objects.order_by("-id").first()
    assert event is not None
    return event, report


def test_the_models_refuse_changes_and_deletions(trail: tuple[LabEvent, TargetedReport]) -> None:
    for row in trail:
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            row.save()
        rows = type(row).objects.all()
        with pytest.raises(AppendOnlyError):
            rows.delete()
        with pytest.raises(AppendOnlyError):
            rows.update(pk=row.pk)
    assert LabEvent.objects.filter(pk=trail[0].pk).exists()
    assert TargetedReport.objects.filter(pk=trail[1].pk).exists()


def test_a_user_with_a_trail_is_kept(trail: tuple[LabEvent, TargetedReport]) -> None:
    from django.db.models import ProtectedError

    user = trail[0].user
    assert user is not None
    with pytest.raises(ProtectedError):
        user.delete()
    assert LabEvent.objects.get(pk=trail[0].pk).user == user


def test_the_admin_can_look_but_not_change_nor_delete(
    client: Client, administrator: User, trail: tuple[LabEvent, TargetedReport]
) -> None:
    event, report = trail
    log = AccessLog.objects.create(
        username="x", ip_address="127.0.0.1", attempt_time=timezone.now()
    )
    failure = AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1", attempt_time=timezone.now(), locked_out=False
    )
    client.force_login(administrator)
    pages = {
        "/admin/resistance/labevent/": event.pk,
        "/admin/resistance/targetedreport/": report.pk,
        "/admin/axes/accesslog/": log.pk,
        "/admin/axes/accessfailurelog/": failure.pk,
    }
    for page, pk in pages.items():
        assert client.get(page).status_code == 200, page
        assert client.get(f"{page}{pk}/delete/").status_code == 403, page
        changed = client.post(f"{page}{pk}/change/", {})
        assert changed.status_code == 403, page
        bulk = client.post(
            page, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302), page
    assert LabEvent.objects.filter(pk=event.pk).exists()
    assert TargetedReport.objects.filter(pk=report.pk).exists()
    assert AccessLog.objects.filter(pk=log.pk).exists()
    assert AccessFailureLog.objects.filter(pk=failure.pk).exists()
