"""The rota refuses dates far outside the plan and local times that do not exist in Paris
(the hour skipped when summer time starts) or that happen twice (when it ends): in the
CSV import, with a reason per row, and on the calendar's form."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.advice.models import OnCallShift
from cratb.advice.rota import import_rota
from cratb.network.models import Territory

pytestmark = pytest.mark.django_db
THIS_YEAR = date.today().year


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(["departement,responder,starts_at,ends_at", *rows]) + "\n").encode()


def test_the_import_refuses_far_years_and_times_that_do_not_exist(
    departement: Territory, ema_responder: User
) -> None:
    who = ema_responder.username
    report = import_rota(
        csv_bytes(
            f"75,{who},1900-01-01 08:00,1900-01-01 18:00",
            f"75,{who},9999-12-31 08:00,9999-12-31 18:00",
            # Summer time starts on the last Sunday of March at 02:00 in Paris.
            f"75,{who},2026-03-29 02:30,2026-03-29 12:00",
            f"75,{who},2026-10-25 00:00,2026-10-25 02:30",
            f"75,{who},{THIS_YEAR}-06-01 08:00,{THIS_YEAR}-06-01 18:00",
        ),
        by=None,
    )
    reasons = {(r.row, r.column): r.reason for r in report.rejected_rows}
    low, high = THIS_YEAR - 5, THIS_YEAR + 2
    assert reasons[(1, "starts_at")] == f"année 1900 hors du planning ({low}–{high})"
    assert reasons[(2, "starts_at")] == f"année 9999 hors du planning ({low}–{high})"
    assert reasons[(3, "starts_at")] == (
        "l'heure 2026-03-29 02:30 n'existe pas à Paris (passage à l'heure d'été)"
    )
    assert reasons[(4, "ends_at")] == (
        "l'heure 2026-10-25 02:30 existe deux fois à Paris (passage à l'heure d'hiver) :"
        " choisissez une heure avant 02:00 ou à partir de 03:00"
    )
    assert (report.read, report.created, report.rejected) == (5, 1, 4)
    assert OnCallShift.objects.count() == 1


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("9999-12-31T08:00", "9999-12-31T18:00", "hors du planning"),
        ("1900-01-01T08:00", "1900-01-01T18:00", "hors du planning"),
        ("2026-03-29T02:30", "2026-03-29T12:00", "n'existe pas à Paris"),
        ("2026-10-25T00:00", "2026-10-25T02:30", "existe deux fois à Paris"),
    ],
)
def test_the_calendar_form_refuses_them_too(
    client: Client,
    coordinator: User,
    ema_responder: User,
    departement: Territory,
    starts: str,
    ends: str,
    message: str,
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("advice:rota"),
        {
            "departement": "75",
            "responder": ema_responder.pk,
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not OnCallShift.objects.exists()
