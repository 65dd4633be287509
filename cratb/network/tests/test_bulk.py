"""Bulk import and export of the directory: every row checked, nothing half-imported."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from cratb.accounts.models import User
from cratb.engine.demo.codes import finess
from cratb.engine.identifiers import rpps
from cratb.network import bulk
from cratb.network.models import Organization, Practitioner, PractitionerRole, Territory
from cratb.network.tests.factories import EstablishmentFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

GOOD_FINESS = finess("75", 4242)
ORGS_CSV = (
    "FINESS,name,kind,category,beds,acute_beds,commune\n"
    f"{GOOD_FINESS},Hôpital Saint-Louis,hospital,ch,400,300,75110\n"
    "7500001,Clinique trop courte,clinic,,,,\n"
    f"{finess('75', 4243)},EHPAD Les Lilas,EHPAD,,80,,75120\n"
    f"{finess('75', 4244)},Sans type,,,,,\n"
)


def test_organisations_csv_rows_are_checked_and_rejected_rows_listed(
    departement: Territory,
) -> None:
    rows = bulk.read_table(ORGS_CSV.encode(), filename="orgs.csv")
    report = bulk.import_rows("organizations", rows, commit=True)

    assert (report.read, report.accepted, len(report.rejected)) == (4, 2, 2)
    assert report.read == report.accepted + len(report.rejected)
    assert [(r.row, r.column) for r in report.rejected] == [(3, "finess"), (5, "kind")]
    assert "9 caractères attendus, 7 reçus" in report.rejected[0].reason
    assert report.rejected[1].reason == "valeur obligatoire manquante"
    hospital = Organization.objects.get(finess=GOOD_FINESS)
    assert (hospital.kind, hospital.acute_beds, hospital.departement) == (
        "hospital",
        300,
        departement,
    )
    # The kind may be given by its French label.
    assert Organization.objects.get(name="EHPAD Les Lilas").kind == "nursing_home"


def test_second_import_of_the_same_file_writes_nothing(departement: Territory) -> None:
    rows = bulk.read_table(ORGS_CSV.encode(), filename="orgs.csv")
    bulk.import_rows("organizations", rows, commit=True)
    again = bulk.import_rows("organizations", rows, commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Organization.objects.count() == 2


def test_semicolon_latin1_file_is_read(departement: Territory) -> None:
    text = f"finess;name;kind\n{GOOD_FINESS};Hôpital Béclère;hospital\n"
    rows = bulk.read_table(text.encode("cp1252"), filename="export.csv")
    assert rows == [{"finess": GOOD_FINESS, "name": "Hôpital Béclère", "kind": "hospital"}]


def test_excel_file_is_read(departement: Territory) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["RPPS", "last_name", "first_name", "profession", "email"])
    sheet.append([rpps("1000000042"), "Martin", "Lou", "médecin", "lou@exemple.fr"])
    out = io.BytesIO()
    book.save(out)
    rows = bulk.read_table(out.getvalue(), filename="personnes.xlsx")
    report = bulk.import_rows("practitioners", rows, commit=True)
    assert report.accepted == 1
    assert Practitioner.objects.get().profession == "physician"


def test_people_with_a_wrong_rpps_key_or_twice_in_the_file_are_rejected() -> None:
    good = rpps("1000000001")
    wrong = good[:10] + str((int(good[10]) + 1) % 10)
    text = (
        "rpps,last_name,first_name,profession,email\n"
        f"{good},Martin,Lou,physician,lou@exemple.fr\n"
        f"{wrong},Petit,Sam,nurse,sam@exemple.fr\n"
        f"{good},Martin,Lou,physician,lou@exemple.fr\n"
        ",Roux,Eden,pharmacist,eden@exemple.fr\n"
        ",Roux,Eden,pharmacist,eden@exemple.fr\n"
    )
    report = bulk.import_rows("practitioners", bulk.read_table(text.encode(), filename="p.csv"),
                              commit=True)  # fmt: skip
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (3, "rpps", f"numéro RPPS « {wrong} » : clé de contrôle incorrecte (faute de frappe ?)."),
        (4, "rpps", "doublon de la ligne 2"),
        (6, "last_name", "doublon de la ligne 5"),
    ]
    assert Practitioner.objects.count() == 2


def test_roles_need_a_known_person_and_place() -> None:
    person = PractitionerFactory.create()
    org = EstablishmentFactory.create()
    text = (
        "rpps;function;organization_finess;start;fte\n"
        f"{person.rpps};référent en antibiothérapie;{org.finess};01/02/2025;0,4\n"
        f"{rpps('1999999999')};infectiologist;{org.finess};2025-01-01;1\n"
        f"{person.rpps};infectiologist;;2025-01-01;1\n"
        f"{person.rpps};infectiologist;{org.finess};2025-13-01;1\n"
        f"{person.rpps};infectiologist;{org.finess};2025-01-01;3\n"
    )
    report = bulk.import_rows(
        "roles", bulk.read_table(text.encode(), filename="r.csv"), commit=True
    )
    assert [(r.row, r.column) for r in report.rejected] == [
        (3, "rpps"),
        (4, "organization"),
        (5, "start"),
        (6, "fte"),
    ]
    role = PractitionerRole.objects.get()
    assert (role.function, str(role.fte), role.start.isoformat()) == (
        "antibiotic_referent",
        "0.40",
        "2025-02-01",
    )


def test_accepted_rows_are_written_all_or_none(departement: Territory) -> None:
    rows = bulk.read_table(ORGS_CSV.encode(), filename="orgs.csv")
    real_save = bulk._save
    calls = []

    def failing_save(*args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disque plein")
        return real_save(*args, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(bulk, "_save", failing_save), pytest.raises(RuntimeError):
        bulk.import_rows("organizations", rows, commit=True)
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"name,kind\n", "aucune ligne de données"),
        (b"nom;type\nA;B\n", "Colonne obligatoire absente : name, kind"),
        (b"PK\x03\x04garbage", "Classeur Excel illisible"),
    ],
)
def test_unreadable_files_are_refused_whole(content: bytes, message: str) -> None:
    with pytest.raises(bulk.BulkFileError, match=message):
        bulk.import_rows("organizations", bulk.read_table(content, filename="f.csv"), commit=True)


def test_import_page_previews_then_commits(
    client: Client, coordinator: User, departement: Territory
) -> None:
    client.force_login(coordinator)
    upload = SimpleUploadedFile("orgs.csv", ORGS_CSV.encode(), content_type="text/csv")
    preview = client.post("/reseau/import/", {"kind": "organizations", "file": upload})
    html = preview.content.decode()
    assert "rien n'est encore enregistré" in html
    assert "4 lignes lues : 2 acceptées, 2 rejetées." in html
    assert "9 caractères attendus, 7 reçus" in html
    assert Organization.objects.count() == 0

    done = client.post("/reseau/import/", {"confirm": "1"}).content.decode()
    assert "2 créées, 0 mises à jour, 0 déjà à jour." in done
    assert Organization.objects.count() == 2


def test_export_round_trip_in_excel(client: Client, coordinator: User) -> None:
    EstablishmentFactory.create(name="Hôpital Est")
    client.force_login(coordinator)
    response = client.get("/reseau/export/?kind=organizations&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="annuaire-organisations.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == bulk.COLUMNS["organizations"]
    assert rows[1][1] == "Hôpital Est"
    report = bulk.import_rows(
        "organizations", bulk.read_table(response.content, filename="x.xlsx"), commit=True
    )
    assert (report.accepted, report.unchanged, report.created) == (1, 1, 0)
