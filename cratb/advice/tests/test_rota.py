"""On-call rota: uncovered periods, the calendar page, the CSV import and its guarantees."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory, RegionFactory
from cratb.advice.models import OnCallShift
from cratb.advice.rota import RefusedRotaFile, gaps, import_rota
from cratb.advice.tests.factories import OnCallShiftFactory
from cratb.advice.workdays import PARIS
from cratb.cli import main
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=PARIS)


def test_gaps_between_and_around_shifts(departement: Territory, ema_responder: User) -> None:
    shifts = [
        OnCallShiftFactory.create(
            departement=departement, responder=ema_responder, starts_at=at(1, 8), ends_at=at(1, 18)
        ),
        OnCallShiftFactory.create(
            departement=departement, responder=ema_responder, starts_at=at(1, 18), ends_at=at(2, 8)
        ),
        OnCallShiftFactory.create(
            departement=departement, responder=ema_responder, starts_at=at(2, 12), ends_at=at(2, 20)
        ),
    ]
    found = gaps(shifts, departements=[departement], start=at(1, 0), end=at(3, 0))
    assert [(g.start, g.end) for g in found] == [
        (at(1, 0), at(1, 8)),
        (at(2, 8), at(2, 12)),
        (at(2, 20), at(3, 0)),
    ]


def csv_bytes(*rows: str, header: str = "departement,responder,starts_at,ends_at,team") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_import_keeps_good_rows_and_explains_each_rejected_one(
    departement: Territory, ema_responder: User, ema_team: Organization, requester: User
) -> None:
    DepartementFactory.create(
        code="13", name="Bouches-du-Rhône", parent=RegionFactory.create(code="93", name="PACA")
    )
    data = csv_bytes(
        f"75,{ema_responder.username},2025-03-01 18:00,2025-03-02 08:00,{ema_team.name}",
        f"75,{ema_responder.email},2025-03-02 08:00,2025-03-02 18:00,",
        f"13,{ema_responder.username},2025-03-01 18:00,2025-03-02 08:00,",
        "75,inconnu,2025-03-03 18:00,2025-03-04 08:00,",
        f"75,{requester.username},2025-03-03 18:00,2025-03-04 08:00,",
        f"75,{ema_responder.username},03/03/2025 18h,2025-03-04 08:00,",
        f"75,{ema_responder.username},2025-03-01 20:00,2025-03-01 22:00,",
        f"75,{ema_responder.username},2025-03-05 18:00,2025-03-05 08:00,EMA fantôme",
    )
    report = import_rota(data, by=None)
    assert report.read == 8
    assert report.created == 2 and report.already_present == 0
    assert report.read == report.accepted + report.rejected
    reasons = {(r.row, r.column): r.reason for r in report.rejected_rows}
    assert reasons[(3, "departement")] == "département 13 (Bouches-du-Rhône) hors de la région"
    assert reasons[(4, "responder")] == "aucun compte « inconnu »"
    assert "n'est pas un répondant actif" in reasons[(5, "responder")]
    assert reasons[(6, "starts_at")].startswith("date et heure attendues")
    assert reasons[(7, "starts_at")].startswith("chevauche une autre ligne du fichier")
    assert reasons[(8, "ends_at")] == "la fin doit suivre le début"
    assert reasons[(8, "team")] == "équipe inconnue « EMA fantôme »"
    assert OnCallShift.objects.count() == 2
    assert OnCallShift.objects.filter(team=ema_team).count() == 1

    again = import_rota(data, by=None)
    assert again.created == 0 and again.already_present == 2
    assert OnCallShift.objects.count() == 2


def test_semicolon_latin1_and_case_insensitive_header(
    departement: Territory, ema_responder: User
) -> None:
    text = (
        "DEPARTEMENT;Responder;starts_at;ends_at;équipe\n"
        f"75;{ema_responder.username};2025-03-01 18:00;2025-03-02 08:00;\n"
    )
    report = import_rota(text.encode("cp1252"), by=None)
    assert report.created == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "le fichier est vide."),
        (b"PK\x03\x04binary", "ce n'est pas un fichier CSV"),
        (
            b"departement,responder,starts_at\n75,x,2025-01-01 08:00\n",
            "colonne obligatoire absente : ends_at",
        ),
        (b"departement,responder,starts_at,ends_at\n", "aucune ligne de données"),
        (
            b"departement,Departement,responder,starts_at,ends_at\n75,75,x,a,b\n",
            "colonne en double : departement",
        ),
    ],
)
def test_unreadable_files_are_refused_whole(
    departement: Territory, data: bytes, message: str
) -> None:
    with pytest.raises(RefusedRotaFile, match=message):
        import_rota(data, by=None)
    assert not OnCallShift.objects.exists()


def test_import_page_and_cli(
    client: Client,
    coordinator: User,
    ema_responder: User,
    departement: Territory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client.force_login(coordinator)
    good = csv_bytes(
        f"75,{ema_responder.username},2025-03-01 18:00,2025-03-02 08:00,",
        "75,personne,2025-03-05 18:00,2025-03-06 08:00,",
    )
    response = client.post(
        reverse("advice:rota-import"), {"file": SimpleUploadedFile("p.csv", good)}
    )
    page = html.unescape(response.content.decode())
    assert "2 lignes lues : 1 acceptée (1 nouvelle, 0 déjà présentes), 1 rejetée." in page
    assert "aucun compte « personne »" in page
    refused = client.post(
        reverse("advice:rota-import"), {"file": SimpleUploadedFile("p.csv", b"a,b\n1,2\n")}
    )
    assert refused.status_code == 400
    assert "Fichier refusé, rien n'a été importé : colonne obligatoire absente" in html.unescape(
        refused.content.decode()
    )

    path = tmp_path / "planning.csv"
    path.write_bytes(good)
    assert main(["advice", "import-rota", str(path), "--report", str(tmp_path / "r.json")]) == 0
    assert "1 déjà présente(s)" in capsys.readouterr().out
    assert (tmp_path / "r.json").exists()
    path.write_bytes(b"x\n")
    assert main(["advice", "import-rota", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cratb : fichier refusé, rien n'a été importé")
    assert err.count("\n") == 1


def test_calendar_shows_shifts_and_warns_about_uncovered_periods(
    client: Client, coordinator: User, ema_responder: User, departement: Territory
) -> None:
    OnCallShiftFactory.create(
        departement=departement, responder=ema_responder, starts_at=at(1, 0), ends_at=at(15, 0)
    )
    client.force_login(coordinator)
    page = html.unescape(client.get(reverse("advice:rota") + "?mois=2025-03").content.decode())
    assert "Planning d'astreinte — mars 2025" in page
    assert "1 période sans astreinte ce mois-ci" in page
    assert (
        "Paris (75) : du 15/03 00:00 au 01/04 00:00 — les demandes iront à "
        "EMA du territoire de Paris" in " ".join(page.split())
    )
    assert ema_responder.username in page or ema_responder.get_full_name() in page


def test_calendar_form_adds_a_shift_and_refuses_an_overlap(
    client: Client, coordinator: User, ema_responder: User, departement: Territory
) -> None:
    client.force_login(coordinator)
    data = {
        "departement": "75",
        "responder": ema_responder.pk,
        "starts_at": "2025-03-01T18:00",
        "ends_at": "2025-03-02T08:00",
    }
    assert client.post(reverse("advice:rota") + "?mois=2025-03", data).status_code == 302
    again = client.post(
        reverse("advice:rota") + "?mois=2025-03", {**data, "starts_at": "2025-03-01T20:00"}
    )
    assert again.status_code == 400
    assert "Astreinte refusée : elle chevauche l'astreinte de" in html.unescape(
        again.content.decode()
    )
    assert OnCallShift.objects.count() == 1


def test_ema_member_sees_the_calendar_but_cannot_edit(
    client: Client, ema_responder: User, departement: Territory
) -> None:
    client.force_login(ema_responder)
    page = client.get(reverse("advice:rota"))
    assert page.status_code == 200
    assert "Ajouter une astreinte" not in page.content.decode()
    assert client.post(reverse("advice:rota"), {"departement": "75"}).status_code == 403
