"""The directory import checks a row once, the same way for the preview and the commit:
what the preview accepts, the commit writes without a server error; rows with missing or
extra cells are refused with a reason."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cratb.accounts.models import User
from cratb.engine.demo.codes import finess
from cratb.network import bulk
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db

HEADER = "finess,name,kind,beds,acute_beds,phone\n"


def both(kind: str, content: str) -> tuple[bulk.Report, bulk.Report]:
    rows = bulk.read_table(content.encode(), filename="f.csv")
    preview = bulk.import_rows(kind, rows, commit=False)
    committed = bulk.import_rows(
        kind, bulk.read_table(content.encode(), filename="f.csv"), commit=True
    )
    return preview, committed


def test_what_the_database_cannot_hold_is_refused_at_the_preview(departement: Territory) -> None:
    content = (
        HEADER
        + f"{finess('75', 1)},Hôpital géant,hospital,99999999999999999999,,\n"
        + f"{finess('75', 2)},{'N' * 201},hospital,10,,\n"
        + f"{finess('75', 3)},Hôpital bavard,hospital,10,,{'0' * 31}\n"
        + f"{finess('75', 4)},Hôpital normal,hospital,10,5,\n"
    )
    preview, committed = both("organizations", content)
    assert [(r.row, r.column) for r in preview.rejected] == [
        (2, "beds"),
        (3, "name"),
        (4, "phone"),
    ]
    assert preview.rejected == committed.rejected
    assert committed.created == 1
    assert list(Organization.objects.values_list("name", flat=True)) == ["Hôpital normal"]


def test_rows_with_missing_or_extra_cells_are_refused(departement: Territory) -> None:
    content = (
        "finess,name,kind\n"
        f"{finess('75', 1)},Hôpital A\n"
        f"{finess('75', 2)},Hôpital B,hospital,en trop\n"
        f"{finess('75', 3)},Hôpital C,hospital\n"
    )
    preview, committed = both("organizations", content)
    assert [(r.row, r.reason) for r in preview.rejected] == [
        (2, "ligne mal formée : 2 champs lus, 3 attendus (un par colonne de l'en-tête)"),
        (3, "ligne mal formée : 4 champs lus, 3 attendus (un par colonne de l'en-tête)"),
    ]
    assert preview.rejected == committed.rejected
    assert preview.read == preview.accepted + len(preview.rejected) == 3
    assert list(Organization.objects.values_list("name", flat=True)) == ["Hôpital C"]


def test_the_import_page_never_fails_on_what_its_preview_accepted(
    client: Client, coordinator: User, departement: Territory
) -> None:
    client.force_login(coordinator)
    content = HEADER + f"{finess('75', 1)},Hôpital géant,hospital,99999999999999999999,,\n"
    upload = SimpleUploadedFile("orgs.csv", content.encode(), content_type="text/csv")
    preview = html.unescape(
        client.post("/reseau/import/", {"kind": "organizations", "file": upload}).content.decode()
    )
    assert "1 ligne lue : 0 acceptées, 1 rejetée." in preview
    done = client.post("/reseau/import/", {"confirm": "1"})
    assert done.status_code == 200
    assert Organization.objects.count() == 0
