"""Feedback reports: hand-checked figures, the PDFs, the sending and its log, the links."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from cratb.accounts.models import User
from cratb.dashboards.models import IndicatorValue
from cratb.feedback import figures, reports, sending
from cratb.feedback.figures import NoReport
from cratb.feedback.models import Delivery, FeedbackBatch, Kind, SentReport
from cratb.feedback.tests.conftest import FINESS, HASHED, RPPS, World
from cratb.network.models import Practitioner

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_position_among_peers_by_hand() -> None:
    # 10, 20, 30, 40: inclusive quartiles 17.5, 25, 32.5; 30 is the 3rd of 4 → 75 %.
    pos = figures.position(30.0, [10.0, 20.0, 30.0, 40.0])
    assert pos is not None
    assert (pos.p25, pos.median, pos.p75, pos.rank, pos.peers) == (17.5, 25.0, 32.5, 3, 4)
    assert pos.percentile == 75.0
    assert figures.position(30.0, [30.0, 40.0]) is None  # too few peers


def test_establishment_report_reads_the_published_values(world: World) -> None:
    org = world.hospitals[2]
    assert figures.peer_values("ch", 2025) == dict(
        zip(FINESS, (10.0, 20.0, 30.0, 40.0), strict=True)
    )
    text = _text(reports.pdf(reports.establishment_document(org, 2025)))
    assert "Centre hospitalier 3" in text
    assert "30,0" in text  # its value
    assert "25,0" in text  # the category's median
    assert "75 %" in text  # its position
    assert "J01C" in text  # by class
    assert "Aucun laboratoire" in text


def test_establishment_report_by_sector(world: World) -> None:
    org = world.hospitals[2]
    text = _text(reports.pdf(reports.establishment_document(org, 2025)))
    assert "Par secteur : non disponible" in text  # no value by sector published
    for sector, ddd, days, value in (
        ("medicine", 900.0, 2.0, 450.0),
        ("intensive_care", 1200.0, 0.8, 1500.0),
    ):
        IndicatorValue.objects.create(
            publication=world.publication,
            indicator=figures.HOSPITAL,
            grouping="finess,sector",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            year=2025,
            departement="75",
            dimensions={"finess": FINESS[2], "sector": sector},
            numerator=ddd,
            denominator=days,
            value=value,
        )
    text = _text(reports.pdf(reports.establishment_document(org, 2025)))
    assert "Par secteur d'hospitalisation" in text
    assert "réanimation" in text and "médecine" in text
    assert text.index("réanimation") < text.index("médecine")  # highest first
    assert "1 500,0" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "450,0" in text
    other = _text(reports.pdf(reports.establishment_document(world.hospitals[0], 2025)))
    assert "Par secteur : non disponible pour 2025" in other


def test_establishment_alone_in_its_category_is_compared_to_all(world: World) -> None:
    org = world.hospitals[0]
    org.category = "clinic"
    org.save()
    text = _text(reports.pdf(reports.establishment_document(org, 2025)))
    assert "la comparaison porte sur tous les établissements" in text, text[:1500]
    assert "25 %" in text  # 10 is the lowest of 4


def test_establishment_without_published_consumption(
    world: World, coordinator: User, client: Client
) -> None:
    client.force_login(coordinator)
    response = client.get(f"/retours/etablissements/{FINESS[0]}/2023.pdf")
    assert response.status_code == 404
    assert "Aucune consommation publiée" in response.content.decode()


def test_prescriber_report_states_what_the_share_measures(world: World) -> None:
    text = _text(reports.pdf(reports.prescriber_document(RPPS[1], 2025)))
    assert "50,0 %" in text  # 150 / 300
    assert "au-dessus de la cible" in text
    assert "lignes de prescription" in text
    assert "ROSP" in text


def test_hashed_prescriber_gets_a_clear_refusal(world: World) -> None:
    with pytest.raises(NoReport, match="hachés"):
        reports.prescriber_document(HASHED, 2025)
    assert HASHED not in figures.identified_prescribers(2025)
    assert figures.identified_prescribers(2025) == sorted(RPPS)


def test_cpts_sheet_falls_back_to_the_departement(world: World) -> None:
    text = _text(reports.pdf(reports.cpts_document(world.cpts, 2025)))
    assert "41,0 %" in text
    assert "département 75" in text
    assert "non disponible" in text  # the boxes
    assert "Angine et TROD" in text
    assert "Durand" in text


def _cpts_value(world: World, indicator: str, value: float | None, **kw: object) -> None:
    IndicatorValue.objects.create(
        publication=world.publication,
        indicator=indicator,
        grouping="cpts",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        year=2025,
        dimensions={"cpts": world.cpts.code},
        value=value,
        **kw,
    )


def test_cpts_sheet_shows_boxes_and_the_share_of_patients(world: World) -> None:
    _cpts_value(world, figures.HIGH_RISK_BOXES, 1234.0, numerator=1234.0)
    _cpts_value(world, figures.PATIENT_SHARE, 38.5, numerator=77, denominator=200)
    _cpts_value(world, figures.CRITICAL, 44.0, numerator=440, denominator=1000)
    IndicatorValue.objects.create(
        publication=world.publication,
        indicator=figures.ORDERING,
        grouping="cpts,place_kind",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        year=2025,
        dimensions={"cpts": world.cpts.code, "place_kind": "practice"},
        numerator=9,
        denominator=24,
        value=37.5,
    )
    text = _text(reports.pdf(reports.cpts_document(world.cpts, 2025)))
    assert "37,5 %" in text and "9 cabinets sur 24 au répertoire" in text
    assert "1 234" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Part des patients traités" in text
    assert "38,5 %" in text and "44,0 %" not in text  # patients, not lines
    assert "au-dessus de la cible, sous le seuil intermédiaire" in text
    assert "département 75" not in text


def test_cpts_sheet_says_a_masked_share_is_masked(world: World) -> None:
    _cpts_value(world, figures.HIGH_RISK_BOXES, None)
    _cpts_value(world, figures.PATIENT_SHARE, None)
    text = _text(reports.pdf(reports.cpts_document(world.cpts, 2025)))
    assert "masquée : moins de 11 patients traités" in text
    assert "masqué : moins de 11 lignes de ces antibiotiques" in text


def test_cpts_sheet_falls_back_to_lines_clearly_labelled(world: World) -> None:
    _cpts_value(world, figures.CRITICAL, 44.0, numerator=440, denominator=1000)
    text = _text(reports.pdf(reports.cpts_document(world.cpts, 2025)))
    assert "44,0 %" in text
    assert "Part des lignes de prescription" in text
    assert "non comparable aux seuils ROSP" in text
    assert "La part des patients n'est pas publiée pour ce territoire" in text


def test_batch_sends_only_to_directory_addresses_and_logs_everything(
    world: World, coordinator: User
) -> None:
    batch = FeedbackBatch.objects.create(
        kind=Kind.ESTABLISHMENT, year=2025, delivery=Delivery.EMAIL, requested_by=coordinator
    )
    sending.run_batch(batch)
    batch.refresh_from_db()
    assert batch.status == FeedbackBatch.Status.DONE
    assert (batch.sent, batch.skipped, batch.steps_done, batch.steps_total) == (3, 1, 4, 4)
    held = {o.email for o in world.hospitals if o.email}
    sent_to = {address for message in mail.outbox for address in message.to}
    assert sent_to == held
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    skipped = SentReport.objects.get(batch=batch, sent=False)
    assert skipped.key == FINESS[3]
    assert "aucune adresse" in skipped.reason
    with pytest.raises(PermissionError):
        skipped.save()
    with pytest.raises(PermissionError):
        SentReport.objects.all().delete()


def test_prescriber_batch_with_links(world: World, coordinator: User, client: Client) -> None:
    batch = FeedbackBatch.objects.create(
        kind=Kind.PRESCRIBER,
        year=2025,
        delivery=Delivery.LINK,
        targets=[RPPS[0], RPPS[1]],
        link_days=7,
        requested_by=coordinator,
    )
    sending.run_batch(batch)
    assert [m.to for m in mail.outbox] == [["anne.martin@cabinet.example"]]
    entry = SentReport.objects.get(batch=batch, sent=True)
    assert entry.recipient == "anne.martin@cabinet.example"
    assert entry.expires_at is not None
    assert timedelta(days=6) < entry.expires_at - timezone.now() <= timedelta(days=7)
    found = re.search(r"/retours/lien/([^/\s]+)/", str(mail.outbox[0].body))
    assert found is not None
    token = found.group(1)
    no_contact = SentReport.objects.get(batch=batch, sent=False)
    assert no_contact.key == RPPS[1]
    response = client.get(f"/retours/lien/{token}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # Expired: a log line whose link ended yesterday.
    old = SentReport.objects.create(
        kind=Kind.PRESCRIBER,
        key=RPPS[0],
        label="x",
        year=2025,
        delivery=Delivery.LINK,
        recipient="anne.martin@cabinet.example",
        sent=True,
        expires_at=timezone.now() - timedelta(days=1),
    )
    response = client.get(f"/retours/lien/{sending.make_token(old)}/")
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    response = client.get(f"/retours/lien/{token[:-2]}xx/")
    assert response.status_code == 410
    assert "invalide" in response.content.decode()


def test_requester_reads_their_own_report_only(
    world: World, requester: User, client: Client
) -> None:
    client.force_login(requester)
    page = client.get("/retours/mon-rapport/")
    assert "ne porte pas de numéro RPPS" in page.content.decode()
    Practitioner.objects.filter(rpps=RPPS[0]).update(user=requester)
    page = client.get("/retours/mon-rapport/")
    assert f"/retours/prescripteurs/{RPPS[0]}/2025.pdf" in page.content.decode()
    assert client.get(f"/retours/prescripteurs/{RPPS[0]}/2025.pdf").status_code == 200
    assert client.get(f"/retours/prescripteurs/{RPPS[1]}/2025.pdf").status_code == 403


def test_coordinator_asking_for_a_hashed_prescriber(
    world: World, coordinator: User, client: Client
) -> None:
    client.force_login(coordinator)
    response = client.get(f"/retours/prescripteurs/{HASHED}/2025.pdf")
    assert response.status_code == 404
    assert "hachés" in response.content.decode()


def test_batch_form_refuses_a_bad_rpps(world: World, coordinator: User, client: Client) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/retours/",
        {
            "kind": "prescriber",
            "year": "2025",
            "delivery": "email",
            "link_days": "30",
            "prescribers": f"{RPPS[0]}\n12345",
        },
    )
    assert response.status_code == 400
    assert "Ligne 2" in response.content.decode()
    assert not FeedbackBatch.objects.exists()


def test_the_english_page(world: World, coordinator: User, client: Client) -> None:
    client.force_login(coordinator)
    page = client.get("/en/retours/").content.decode()
    assert "Feedback reports" in page
    assert "Send a batch of reports" in page


def test_coordinator_types_a_hashed_identifier(
    world: World, coordinator: User, client: Client
) -> None:
    client.force_login(coordinator)
    response = client.get("/retours/", {"annee": "2025", "prescripteur": HASHED})
    assert response.status_code == 400
    assert "hachés" in response.content.decode()
    response = client.get("/retours/", {"annee": "2025", "prescripteur": "a/b"})
    assert response.status_code == 400
    response = client.get("/retours/", {"annee": "2025", "prescripteur": RPPS[0]})
    assert response.status_code == 302
    assert response["Location"] == f"/retours/prescripteurs/{RPPS[0]}/2025.pdf"


def test_requester_when_every_identifier_was_hashed(
    world: World, requester: User, client: Client
) -> None:
    IndicatorValue.objects.filter(indicator="community.prescriber_profile").exclude(
        dimensions__prescriber_id=HASHED
    ).delete()
    Practitioner.objects.filter(rpps=RPPS[0]).update(user=requester)
    client.force_login(requester)
    page = client.get("/retours/mon-rapport/").content.decode()
    assert "hachés" in page
