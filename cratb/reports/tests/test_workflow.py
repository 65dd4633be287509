"""The annual report's life: texts and their versions, two editors at once, validation
that freezes the document, downloads, the agency's reading, the command line, the demo."""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from docx import Document as read_docx
from odf import teletype
from odf.opendocument import load as load_odt
from pypdf import PdfReader

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import UserFactory
from cratb.cli import main
from cratb.dashboards.models import IndicatorValue
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.network.models import Territory
from cratb.reports.models import AnnualReport, EditConflict, ReportError, SectionText

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def published(departement: Territory) -> IndicatorValue:
    """The region's prescriptions per 1000 inhabitants in 2019 and in the report's year."""
    publication = PublicationFactory.create()
    IndicatorValueFactory.create(
        publication=publication,
        indicator="community.prescriptions_per_1000",
        year=2019,
        value=932.4,
    )
    return IndicatorValueFactory.create(
        publication=publication, indicator="community.prescriptions_per_1000", value=878.73
    )


def _html(response: Any) -> str:
    return html.unescape(response.content.decode())


def _docx_text(data: bytes) -> str:
    doc = read_docx(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _odt_text(data: bytes) -> str:
    return str(teletype.extractText(load_odt(io.BytesIO(data)).text))


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_each_save_is_a_new_version_and_the_history_keeps_them(coordinator: User) -> None:
    report = AnnualReport.objects.create(year=YEAR)
    report.save_text("advice", "Premier jet.", author=coordinator, base_version=0)
    report.save_text(
        "advice", "Second jet.\r\n\r\nAvec un paragraphe.", author=coordinator, base_version=1
    )
    assert [(t.version, t.text) for t in report.history("advice")] == [
        (2, "Second jet.\n\nAvec un paragraphe."),
        (1, "Premier jet."),
    ]
    assert report.texts()["advice"].version == 2
    assert report.version == 3  # created at 1, two saves


def test_a_save_from_an_old_version_is_refused_and_writes_nothing(coordinator: User) -> None:
    other = UserFactory.create(username="second", first_name="Dominique", role=Role.COORDINATOR)
    report = AnnualReport.objects.create(year=YEAR)
    report.save_text("advice", "Texte de Camille.", author=coordinator, base_version=0)
    # Dominique opened the page before Camille saved: she starts from version 0.
    with pytest.raises(EditConflict, match="modifié par Camille") as caught:
        report.save_text("advice", "Texte de Dominique.", author=other, base_version=0)
    assert caught.value.current is not None and caught.value.current.text == "Texte de Camille."
    assert SectionText.objects.filter(report=report).count() == 1


def test_two_editors_on_the_page_the_second_keeps_their_text(
    client: Client, coordinator: User
) -> None:
    other = UserFactory.create(username="second", first_name="Dominique", role=Role.COORDINATOR)
    report = AnnualReport.objects.create(year=YEAR)
    second = Client()
    client.force_login(coordinator)
    second.force_login(other)
    url = f"/rapports/{YEAR}/sections/advice/"
    first = client.post(url, {"advice-text": "Version de Camille.", "advice-base_version": "0"})
    assert first.status_code == 302
    late = second.post(url, {"advice-text": "Version de Dominique.", "advice-base_version": "0"})
    assert late.status_code == 409
    text = _html(late)
    assert "Ce texte a été modifié par Camille" in text
    assert "Version de Camille." in text  # what was saved meanwhile
    assert "Version de Dominique." in text  # their own text, kept in the field
    assert [t.text for t in report.history("advice")] == ["Version de Camille."]
    # Once they have read it, they save from the version now current.
    again = second.post(url, {"advice-text": "Version fusionnée.", "advice-base_version": "1"})
    assert again.status_code == 302
    assert report.texts()["advice"].text == "Version fusionnée."


def test_bad_input_gets_a_french_message_and_no_server_error(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post("/rapports/", {"year": "deux mille"})
    assert response.status_code == 400
    assert "Année : un nombre entier" in _html(response)
    response = client.post("/rapports/", {"year": "1990"})
    assert response.status_code == 400
    assert "Année : entre 2019 et" in _html(response)
    assert not AnnualReport.objects.exists()
    assert client.post("/rapports/", {"year": str(YEAR)}).status_code == 302
    too_long = client.post(
        f"/rapports/{YEAR}/sections/advice/",
        {"advice-text": "x" * 20_001, "advice-base_version": "0"},
    )
    assert too_long.status_code == 400
    assert "Texte trop long" in _html(too_long)
    no_version = client.post(f"/rapports/{YEAR}/valider/", {"version": "abc"})
    assert no_version.status_code == 400
    assert not SectionText.objects.exists()
    assert AnnualReport.objects.get(year=YEAR).status == AnnualReport.Status.DRAFT


def test_validation_refuses_a_report_changed_since_it_was_read(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    report = AnnualReport.objects.create(year=YEAR)
    seen = report.version
    report.save_text("advice", "Ajout de dernière minute.", author=coordinator, base_version=0)
    response = client.post(f"/rapports/{YEAR}/valider/", {"version": str(seen)})
    assert response.status_code == 409
    assert "a été modifié depuis que vous l'avez affiché" in _html(response)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT and report.snapshot is None


def test_coordination_edits_validates_downloads_and_the_agency_reads_it(
    client: Client, coordinator: User, agency_viewer: User, published: IndicatorValue
) -> None:
    client.force_login(coordinator)
    assert client.post("/rapports/", {"year": str(YEAR)}).status_code == 302
    page = _html(client.get(f"/rapports/{YEAR}/"))
    assert "878,7" in page and "932,4" in page  # the published values, French numbers
    saved = client.post(
        f"/rapports/{YEAR}/sections/surveillance/",
        {
            "surveillance-text": "La consommation baisse depuis 2019.",
            "surveillance-base_version": "0",
        },
    )
    assert saved.status_code == 302
    report = AnnualReport.objects.get(year=YEAR)
    validated = client.post(f"/rapports/{YEAR}/valider/", {"version": str(report.version)})
    assert validated.status_code == 302
    report.refresh_from_db()
    assert report.validated and report.validated_by == coordinator and report.data_date

    # Later data and edits do not change the frozen report.
    IndicatorValue.objects.filter(pk=published.pk).update(value=700.0)
    with pytest.raises(ReportError, match="est validé"):
        report.save_text("surveillance", "Réécrit.", author=coordinator, base_version=1)
    refused = client.post(
        f"/rapports/{YEAR}/sections/surveillance/",
        {"surveillance-text": "Réécrit.", "surveillance-base_version": "1"},
    )
    assert refused.status_code == 400
    assert "ne peuvent plus être modifiés" in _html(refused)
    assert (
        client.post(f"/rapports/{YEAR}/valider/", {"version": str(report.version)}).status_code
        == 400
    )

    docx = client.get(f"/rapports/{YEAR}/rapport.docx")
    odt = client.get(f"/rapports/{YEAR}/rapport.odt")
    pdf = client.get(f"/rapports/{YEAR}/rapport.pdf")
    assert docx["Content-Disposition"] == f'attachment; filename="rapport-annuel-{YEAR}.docx"'
    assert pdf["Content-Type"] == "application/pdf"
    for text in (_docx_text(docx.content), _odt_text(odt.content), _pdf_text(pdf.content)):
        assert "La consommation baisse depuis 2019." in text
        assert "878,7" in text and "700,0" not in text
        assert "Version validée le" in text

    # The agency reads the validated report and its files, as frozen.
    client.force_login(agency_viewer)
    listing = _html(client.get("/rapports/"))
    assert f"Rapport {YEAR}" in listing
    page = _html(client.get(f"/rapports/{YEAR}/"))
    assert "La consommation baisse depuis 2019." in page and "878,7" in page
    assert "700,0" not in page
    assert "Modifier le texte" not in page and "Valider" not in page
    assert _docx_text(client.get(f"/rapports/{YEAR}/rapport.docx").content) == _docx_text(
        docx.content
    )


def test_the_command_writes_the_web_document(
    client: Client,
    coordinator: User,
    published: IndicatorValue,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = AnnualReport.objects.create(year=YEAR)
    report.save_text(
        "advice", "Texte pour la ligne de commande.", author=coordinator, base_version=0
    )
    out = tmp_path / "rapport.docx"
    assert main(["report", "annual", "--year", str(YEAR), "--out", str(out)]) == 0
    client.force_login(coordinator)
    web = client.get(f"/rapports/{YEAR}/rapport.docx").content
    assert _docx_text(out.read_bytes()) == _docx_text(web)
    assert "Texte pour la ligne de commande." in _docx_text(web)
    assert "(projet)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--year", str(YEAR), "--out", "rapport.doc"],
            "extensions acceptées : .pdf, .docx ou .odt",
        ),
        (["--year", str(YEAR), "--out", "rapport"], "Format de fichier non pris en charge"),
        (["--year", "1990", "--out", "rapport.pdf"], "Année 1990 impossible"),
        (["--year", str(YEAR), "--out", "/dossier/inexistant/r.pdf"], "Dossier introuvable"),
    ],
)
def test_the_command_refuses_bad_input_in_french(
    arguments: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "annual", *arguments]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert not AnnualReport.objects.exists()


def test_the_demo_writes_a_draft_once(coordinator: User) -> None:
    from cratb.demo.reports import build_demo

    UserFactory.create(username="demo-coordination", role=Role.COORDINATOR)
    first = build_demo(year=YEAR)
    assert first.created and first.versions == 7
    report = AnnualReport.objects.get(year=YEAR)
    assert report.status == AnnualReport.Status.DRAFT
    assert len(report.history("surveillance")) == 2
    assert set(report.texts()) == {
        "surveillance",
        "advice",
        "network",
        "ema",
        "audits",
        "network_actions",
    }
    assert not build_demo(year=YEAR).created
    assert SectionText.objects.count() == 7
