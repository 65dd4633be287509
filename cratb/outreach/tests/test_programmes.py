"""Targeted reporting: a programme's funnel (by hand), its pages and their bad input, and
each lab's monthly adoption (the lab sees its own only)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.outreach import programmes
from cratb.outreach.models import Invitation, Programme
from cratb.resistance.models import LabAccount


@pytest.fixture
def programme(db: None) -> Programme:
    """6 invited in the zone: 4 signed, 3 took part; 2 participants from outside."""
    programme = Programme.objects.create(title="ECBU 2025", started_on=date(2025, 5, 1))
    for n, (signed, took_part, outside) in enumerate(
        [
            (True, True, False),
            (True, True, False),
            (True, True, False),
            (True, False, False),
            (False, False, False),
            (False, False, False),
            (True, True, True),
            (True, True, True),
        ]
    ):
        Invitation.objects.create(
            programme=programme,
            prescriber=f"Dr {n}",
            invited_on=date(2025, 3, 1),
            signed_on=date(2025, 3, 15) if signed else None,
            took_part=took_part,
            outside_zone=outside,
        )
    return programme


def test_the_funnel_by_hand(programme: Programme) -> None:
    f = programmes.funnel(programme.invitations.all())
    assert (f.invited, f.signed, f.took_part, f.outside_zone) == (6, 4, 3, 2)
    assert f.signed_pct == pytest.approx(400 / 6)
    assert f.took_part_pct == pytest.approx(50.0)
    assert f.took_part_of_signed_pct == pytest.approx(75.0)


def test_the_hauts_de_france_example() -> None:
    invitations = [
        Invitation(
            prescriber=str(n),
            invited_on=date(2025, 1, 1),
            signed_on=date(2025, 2, 1) if n < 112 else None,
            took_part=n < 98,
        )
        for n in range(137)
    ]
    f = programmes.funnel(invitations)
    assert (f.invited, f.signed, f.took_part) == (137, 112, 98)
    assert round(f.signed_pct or 0) == 82 and round(f.took_part_pct or 0) == 72


@pytest.mark.parametrize(
    "persona", ["insurance_viewer", "agency_viewer", "requester", "lab_client"]
)
def test_only_coordination_manages_programmes(
    client: Client, programme: Programme, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/campagnes/rendu-cible/programmes/").status_code == 403
    assert client.get(f"/campagnes/rendu-cible/programmes/{programme.pk}/").status_code == 403


def test_anonymous_visitors_log_in_first(client: Client, programme: Programme) -> None:
    for url in (
        "/campagnes/rendu-cible/programmes/",
        f"/campagnes/rendu-cible/programmes/{programme.pk}/",
        "/campagnes/rendu-cible/laboratoire/",
    ):
        assert client.get(url).status_code == 302


def test_coordination_reads_the_funnel_and_invites(
    client: Client, programme: Programme, coordinator: User
) -> None:
    client.force_login(coordinator)
    html = client.get("/campagnes/rendu-cible/programmes/").content.decode()
    assert "ECBU 2025" in html
    html = client.get(f"/campagnes/rendu-cible/programmes/{programme.pk}/").content.decode()
    assert "<svg" in html and "Dr 5" in html
    response = client.post(
        f"/campagnes/rendu-cible/programmes/{programme.pk}/",
        {"prescriber": "Dr Nouveau", "invited_on": "2025-04-01"},
    )
    assert response.status_code == 302
    assert programmes.funnel(programme.invitations.all()).invited == 7


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"prescriber": "Dr X", "invited_on": "2025-04-01", "signed_on": "2025-03-01"},
            "Engagement signé le : avant la date de l&#x27;invitation.",
        ),
        (
            {"prescriber": "Dr X", "invited_on": "2025-04-01", "took_part": "on"},
            "A participé : seulement après un engagement signé.",
        ),
        (
            {"prescriber": "Dr 1", "invited_on": "2025-04-01"},
            "Prescripteur Dr 1 : déjà invité à ce programme.",
        ),
    ],
)
def test_bad_invitations_are_refused(
    client: Client, programme: Programme, coordinator: User, fields: dict[str, str], message: str
) -> None:
    client.force_login(coordinator)
    response = client.post(f"/campagnes/rendu-cible/programmes/{programme.pk}/", fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert programme.invitations.count() == 8


def test_monthly_shares_of_one_lab() -> None:
    rows = [
        {"lab_id": "L1", "month": "2025-06", "numerator": 366, "denominator": 694},
        {"lab_id": "L1", "month": "2025-05", "numerator": 260, "denominator": 791},
        {"lab_id": "L2", "month": "2025-05", "numerator": 1, "denominator": 2},
    ]
    months, total = programmes.monthly_shares(rows, "L1")
    assert [(m.month, m.isolates, m.targeted) for m in months] == [
        ("2025-05", 791, 260),
        ("2025-06", 694, 366),
    ]
    assert round(months[0].share or 0) == 33 and round(months[1].share or 0) == 53
    assert (total.isolates, total.targeted) == (1485, 626)
    assert months[0].label == "mai 2025"


def test_a_lab_sees_its_own_adoption(
    client: Client, lab_client: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    LabAccount.objects.create(user=lab_client, lab_id="L1", name="Biologie du Nord")
    asked: list[str] = []

    def adoption(lab_id: str) -> tuple[list[programmes.MonthShare], programmes.MonthShare]:
        asked.append(lab_id)
        months = [
            programmes.MonthShare("2025-05", 791, 260),
            programmes.MonthShare("2025-06", 694, 366),
        ]
        return months, programmes.MonthShare("total", 1485, 626)

    monkeypatch.setattr(programmes, "lab_adoption", adoption)
    client.force_login(lab_client)
    html = client.get("/campagnes/rendu-cible/laboratoire/?laboratoire=L2").content.decode()
    assert asked == ["L1"]  # never another lab's
    assert "791" in html and "33" in html and 'name="laboratoire"' not in html
    assert "<svg" in html and "mai 2025" in html


def test_the_adoption_page_says_when_the_warehouse_is_empty(
    client: Client, coordinator: User, lab_client: User
) -> None:
    LabAccount.objects.create(user=lab_client, lab_id="L1")
    client.force_login(coordinator)
    html = client.get("/campagnes/rendu-cible/laboratoire/").content.decode()
    assert "Données indisponibles" in html and 'name="laboratoire"' in html


@pytest.mark.parametrize("persona", ["insurance_viewer", "agency_viewer", "requester"])
def test_other_roles_do_not_see_lab_adoption(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/campagnes/rendu-cible/laboratoire/").status_code == 403
