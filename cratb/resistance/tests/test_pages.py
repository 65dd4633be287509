"""The antibiogram page, the labs' code table page and the lab's API page, as used."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from cratb.accounts.models import User
from cratb.engine.sources import import_file, lab_codes
from cratb.resistance.models import ApiToken, LabAccount, LabEvent

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir"
)


def _isolates(warehouse: Path, tmp_path: Path) -> None:
    rows = [
        f"A{i},P{i},2025-03-01,urine,community,75,L1,E. coli,AMX,{'R' if i % 4 else 'S'}"
        for i in range(40)
    ] + ["K1,PK,2025-03-02,urine,community,75,L1,K. pneumoniae,CTX,S"]
    path = tmp_path / "i.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    import_file("isolates", path, warehouse=warehouse)


PERIOD = "setting=community&date_from=2025-01-01&date_to=2025-12-31"


def test_the_antibiogram_table(
    client: Client, agency_viewer: User, warehouse: Path, tmp_path: Path
) -> None:
    _isolates(warehouse, tmp_path)
    client.force_login(agency_viewer)
    html = client.get(f"/resistances/?{PERIOD}").content.decode()
    assert "Ville, du 01/01/2025 au 31/12/2025" in html
    # Wilson 95 % of 10/40: centre (0.25 + 0.0480)/1.0960 = 0.2719, half-width
    # 1.96·sqrt(0.0046875 + 0.0006002)/1.0960 = 0.1300 → 14,2–40,2 %.
    assert (
        '<td class="ab-poor" title="amoxicilline : 10 sensibles (dont 0 I) sur 40 testés ;'
        ' IC 95 % 14,2–40,2 %">25<span class="ab-ci">'
    ) in html
    assert '<span class="visually-hidden">IC 95 % </span>14–40</span></td>' in html
    assert (
        'title="céfotaxime : 1 sensibles (dont 0 I) sur 1 testés ; IC 95 % 20,7–100,0 %">100*'
        in html
    )
    assert (
        "Méthode : Premier isolat par patient et par espèce (CLSI M39, règle de l&#x27;épisode)"
        in html
    )
    assert 'href="/resistances/codes-laboratoires/"' not in html
    pdf = client.get(f"/resistances/?{PERIOD}&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        'filename="antibiogramme-community-2025-01-01-2025-12-31.pdf"' in pdf["Content-Disposition"]
    )
    xlsx = client.get(f"/resistances/?{PERIOD}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Antibiogramme"]
    assert [c.value for c in sheet[5]][:3] == ["Escherichia coli", 40, 25]
    csv_text = client.get(f"/resistances/?{PERIOD}&format=csv").content.decode("utf-8-sig")
    assert "community;;2025-01-01;2025-12-31;Escherichia coli;40;AMX" in csv_text
    # French column names on the French page (issue #14), the contract's on the English one.
    assert csv_text.startswith("lieu de vie;prélèvement;du;au;espèce;premiers isolats;")
    english = client.get(f"/en/resistances/?{PERIOD}&format=csv").content.decode("utf-8-sig")
    assert english.startswith("setting;specimen;date_from;date_to;organism;")


def test_the_antibiogram_page_without_data_or_with_a_bad_period(
    client: Client, coordinator: User, warehouse: Path, tmp_path: Path
) -> None:
    client.force_login(coordinator)
    html = client.get("/resistances/").content.decode()
    assert "l&#x27;entrepôt n&#x27;existe pas encore" in html
    assert 'href="/resistances/codes-laboratoires/"' in html
    _isolates(warehouse, tmp_path)
    empty = client.get("/resistances/?setting=hospital&date_from=2025-01-01&date_to=2025-12-31")
    assert "Aucun isolat pour ce secteur et cette période." in empty.content.decode()
    bad = client.get("/resistances/?setting=community&date_from=2025-12-31&date_to=2025-01-01")
    assert "La date de début est après la date de fin." in bad.content.decode()


def test_lab_codes_are_added_deleted_uploaded_as_versions(
    client: Client, coordinator: User, warehouse: Path
) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/resistances/codes-laboratoires/",
        {"action": "add", "add-lab_id": "L9", "add-lab_code": "amox", "add-whonet": "AMX"},
    )
    assert response.status_code == 302
    assert lab_codes.read_current(warehouse).by_key == {("L9", "AMOX"): "AMX"}
    upload = SimpleUploadedFile(
        "codes.csv", b"lab_id;lab_code;whonet\nL9;AUGM;AMC\n*;CIPRO;CIP\n", "text/csv"
    )
    client.post("/resistances/codes-laboratoires/", {"action": "upload", "upload-file": upload})
    client.post(
        "/resistances/codes-laboratoires/", {"action": "delete", "lab_id": "*", "lab_code": "CIPRO"}
    )
    current = lab_codes.read_current(warehouse)
    assert (current.version, current.by_key) == (3, {("L9", "AUGM"): "AMC"})
    assert current.changed_by == "coordination"
    html = client.get("/resistances/codes-laboratoires/").content.decode()
    assert "Version 3" in html
    assert "suppression de CIPRO (*)" in html
    assert LabEvent.objects.filter(kind=LabEvent.Kind.LAB_CODES_SAVED).count() == 3
    bad = SimpleUploadedFile("codes.csv", b"lab_id,lab_code,whonet\nL9,X,ZZZ\n", "text/csv")
    response = client.post(
        "/resistances/codes-laboratoires/", {"action": "upload", "upload-file": bad}
    )
    assert "code WHONET inconnu « ZZZ »" in response.content.decode()
    assert lab_codes.read_current(warehouse).version == 3


def test_tokens_are_created_shown_once_and_revoked(
    client: Client, lab_account: LabAccount, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(lab_account.user)
    created = client.post("/resistances/acces-api/", {"action": "create", "label": "site A"})
    html = created.content.decode()
    token = ApiToken.objects.get()
    key = html.split('<code class="secret">')[1].split("</code>")[0]
    assert ApiToken.authenticate(key) == token
    assert "Copiez cette clé maintenant" in html
    assert key not in client.get("/resistances/acces-api/").content.decode()
    for _ in range(3):
        ApiToken.issue(user=lab_account.user)
    with django_assert_num_queries(4):
        client.get("/resistances/acces-api/")
    client.post("/resistances/acces-api/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert not token.active
    assert ApiToken.authenticate(key) is None


def test_a_lab_cannot_revoke_another_labs_token(
    client: Client, lab_account: LabAccount, coordinator: User
) -> None:
    other, _key = ApiToken.issue(user=coordinator)
    client.force_login(lab_account.user)
    assert (
        client.post("/resistances/acces-api/", {"action": "revoke", "token": other.pk}).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.active


def test_a_lab_user_without_account_cannot_create_a_token(client: Client, lab_client: User) -> None:
    client.force_login(lab_client)
    html = client.post("/resistances/acces-api/", {"action": "create"}).content.decode()
    assert "aucun jeton créé" in html
    assert not ApiToken.objects.exists()
