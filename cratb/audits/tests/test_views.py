"""Audit pages: who may open each (anonymous, wrong role, right role, a participant of
another campaign), and what they do with good and bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import PERSONAS, UserFactory
from cratb.audits.models import AuditCampaign, AuditCase, AuditGrid, GridVersion
from cratb.audits.tests.conftest import FILES
from cratb.network.models import Organization

pytestmark = pytest.mark.django_db

MANAGERS: set[str | None] = {Role.COORDINATOR, Role.ADMIN}
READERS: set[str | None] = {Role.COORDINATOR, Role.ADMIN, Role.AGENCY_VIEWER}
PARTICIPANTS: set[str | None] = {Role.EMA_MEMBER, Role.REQUESTER}
ALL_AUDIT: set[str | None] = READERS | PARTICIPANTS


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_audit_page_for_every_persona(
    persona: str, campaign: AuditCampaign, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    participant = campaign.participants.get(organization__kind=Organization.Kind.EMA)
    base = f"/audits/campagnes/{campaign.pk}"
    # The EMA persona and the requester both take part in the campaign (their team, their
    # own prescriber record): they see it and their own participation.
    pages = {
        "/audits/": ALL_AUDIT,
        "/audits/grilles/": MANAGERS,
        "/audits/grilles/nouvelle/": MANAGERS,
        "/audits/grilles/cystite-ville/": MANAGERS,
        "/audits/grilles/cystite-ville/nouvelle-version/": MANAGERS,
        "/audits/campagnes/nouvelle/": MANAGERS,
        f"{base}/": ALL_AUDIT,
        f"{base}/saisie/": PARTICIPANTS,
        f"{base}/resultats/?format=csv": ALL_AUDIT,
    }
    # The requester takes part as a prescriber, not as the team; the agency reads the
    # region's results only: both are told the team's page does not exist for them.
    hidden = role in (Role.REQUESTER, Role.AGENCY_VIEWER)
    pages[f"{base}/participants/{participant.pk}/"] = ALL_AUDIT
    pages[f"{base}/participants/{participant.pk}/fiche.pdf"] = ALL_AUDIT
    wrong = []
    for url, audience in pages.items():
        status = client.get(url).status_code
        expected = 200 if role in audience else (302 if role is None else 403)
        if hidden and "/participants/" in url:
            expected = 404
        if status != expected:
            wrong.append(f"{url}: {status}, attendu {expected}")
    close = client.post(f"{base}/cloturer/").status_code
    if close != (302 if role in MANAGERS or role is None else 403):
        wrong.append(f"clôture : {close}")
    assert wrong == []


def test_the_requester_sees_their_own_participation_only(
    campaign: AuditCampaign, requester: User, client: Client
) -> None:
    client.force_login(requester)
    team = campaign.participants.get(organization__kind=Organization.Kind.EMA)
    mine = campaign.participants.get(practitioner__user=requester)
    base = f"/audits/campagnes/{campaign.pk}"
    assert client.get(f"{base}/participants/{mine.pk}/").status_code == 200
    assert client.get(f"{base}/participants/{team.pk}/").status_code == 404
    assert client.get(f"{base}/participants/{team.pk}/fiche.pdf").status_code == 404


def test_the_agency_reads_the_region_not_the_participants(
    campaign: AuditCampaign, agency_viewer: User, client: Client
) -> None:
    client.force_login(agency_viewer)
    page = client.get(f"/audits/campagnes/{campaign.pk}/").content.decode()
    assert "Conformité par critère" in page and "Cabinet des Lilas" not in page
    csv = client.get(f"/audits/campagnes/{campaign.pk}/resultats/?format=csv")
    rows = csv.content.decode("utf-8-sig").splitlines()[1:]
    assert rows and all(row.startswith("Ensemble des participants;") for row in rows)


def test_a_participant_of_no_campaign_sees_none(campaign: AuditCampaign, client: Client) -> None:
    stranger = UserFactory.create(username="autre-ema", role=Role.EMA_MEMBER)
    client.force_login(stranger)
    assert campaign.title not in client.get("/audits/").content.decode()
    base = f"/audits/campagnes/{campaign.pk}"
    for url in (f"{base}/", f"{base}/saisie/", f"{base}/resultats/?format=csv"):
        assert client.get(url).status_code == 404, url


def test_a_participant_enters_a_case_and_bad_input_is_refused(
    campaign: AuditCampaign, ema_responder: User, client: Client
) -> None:
    client.force_login(ema_responder)
    url = f"/audits/campagnes/{campaign.pk}/saisie/"
    good = {
        "situation": "cystite_simple",
        "bandelette": "oui",
        "molecule": "pivmecillinam",
        "duree": "3",
        "fluoroquinolone": "oui",
        "ecbu": "",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    case = AuditCase.objects.get()
    assert case.answers["duree"] == 3.0 and case.answers["ecbu"] is None
    # A value outside the allowed choices, a number out of bounds, a NIR in the comment.
    for bad, message in (
        ({**good, "molecule": "ciprofloxacine"}, "Sélectionnez un choix valide"),
        ({**good, "duree": "45"}, "inférieure ou égale à 30"),
        ({**good, "comment": "1 85 05 78 006 084 91"}, "numéro de sécurité sociale (NIR)"),
    ):
        response = client.post(url, bad)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert AuditCase.objects.count() == 1
    # A closed campaign: nothing more is entered.
    campaign.close()
    response = client.post(url, good, follow=True)
    assert "est clôturée : plus aucune saisie" in response.content.decode()
    assert AuditCase.objects.count() == 1


def test_coordination_loads_a_grid_refuses_an_invalid_one_and_launches_a_campaign(
    coordinator: User, ema_team: Organization, client: Client
) -> None:
    client.force_login(coordinator)
    text = (FILES / "duree-etablissement.yaml").read_text(encoding="utf-8")
    bad = text.replace("expected: {max: 7}", "expected: {min: 10, max: 7}")
    response = client.post("/audits/grilles/nouvelle/", {"text": bad})
    assert response.status_code == 200
    assert "le minimum (10) est supérieur au maximum (7)" in response.content.decode()
    assert not AuditGrid.objects.exists()
    response = client.post("/audits/grilles/nouvelle/", {"text": text})
    assert response.status_code == 302
    version = GridVersion.objects.get()
    # A second grid with the same code is refused: it is a version of the first.
    assert (
        "existe déjà" in client.post("/audits/grilles/nouvelle/", {"text": text}).content.decode()
    )
    response = client.post(
        "/audits/grilles/duree-etablissement/nouvelle-version/",
        {"text": text.replace("expected: {max: 7}", "expected: {max: 8}")},
    )
    assert response.status_code == 302 and version.grid.versions.count() == 2
    form = {
        "title": "Durées 2025",
        "grid_version": version.pk,
        "period_start": "2025-05-01",
        "period_end": "2025-04-01",
        "organizations": [ema_team.pk],
    }
    response = client.post("/audits/campagnes/nouvelle/", form)
    assert "La fin de la période précède son début." in response.content.decode()
    response = client.post("/audits/campagnes/nouvelle/", {**form, "period_end": "2025-06-30"})
    assert response.status_code == 302
    campaign = AuditCampaign.objects.get()
    assert list(campaign.participants.values_list("organization", flat=True)) == [ema_team.pk]


def test_a_grid_from_an_uploaded_file(coordinator: User, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    latin1 = SimpleUploadedFile("grille.yaml", "code: é".encode("latin-1"))
    response = client.post("/audits/grilles/nouvelle/", {"upload": latin1})
    assert "pas un texte UTF-8" in response.content.decode()
    empty = client.post("/audits/grilles/nouvelle/", {"text": "  "})
    assert "Collez la définition YAML" in empty.content.decode()
    good = SimpleUploadedFile("grille.yaml", (FILES / "cystite-ville.yaml").read_bytes())
    assert client.post("/audits/grilles/nouvelle/", {"upload": good}).status_code == 302
    assert AuditGrid.objects.get().code == "cystite-ville"
