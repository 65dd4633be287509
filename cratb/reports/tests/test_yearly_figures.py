"""One source per figure for the sections of the yearly cycle (issue #15, points 7–8):
« Activité des EMA », « Audits de pratiques » and « Actions du réseau » of the annual
report equal the pages they come from, on the same records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory, OrganizationFactory
from cratb.activity.models import NetworkAction
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.audits.models import AuditCampaign, AuditGrid
from cratb.audits.services import campaign_results
from cratb.audits.tests.conftest import FILES
from cratb.documents import ChartBlock, Document, Paragraph, Section, Table, render
from cratb.network.models import Organization, Practitioner, Profession, Territory
from cratb.reports.tests.test_figures import YEAR, _blocks, _figure, _page, _table

pytestmark = pytest.mark.django_db


# --- EMA activity --------------------------------------------------------------------------


@pytest.fixture
def ema_reports(coordinator: User, ema_team: Organization, region: Territory) -> None:
    other = DepartementFactory.create(code="94", name="Val-de-Marne", parent=region)
    second = OrganizationFactory.create(name="EMA B", kind="ema", departement=other)
    third = OrganizationFactory.create(name="EMA C", kind="ema", departement=other)
    campaign = report_campaign(coordinator, [ema_team, second, third], year=YEAR)
    for team, meetings, fte in ((ema_team, 4, "1.5"), (second, 6, "0.8"), (third, 100, "9")):
        form = form_of(campaign, team)
        form.meetings_count = meetings
        form.fte_worked = Decimal(fte)
        form.save_edit(expected_version=1, fields=["meetings_count", "fte_worked"])
        if team is not third:  # the third stays a draft: not summed
            form.submit(by=coordinator, expected_version=2)
            form.validate(by=coordinator, expected_version=3, snapshot={"staff_fte": "0.50"})


def test_ema_section_is_the_synthesis_page(
    client: Client, coordinator: User, ema_reports: None
) -> None:
    client.force_login(coordinator)
    response = client.get("/activite/synthese/", {"annee": str(YEAR)})
    page = _page(response)
    synthesis = response.context["synthesis"]
    blocks = _blocks("ema")
    c = synthesis.completeness
    assert _figure(blocks, "Rapports attendus").value == c.expected == 3
    assert _figure(blocks, "Rapports validés").value == c.validated == 2
    assert _figure(blocks, "Rapports en retard").value == c.late
    assert f'<td class="num">{c.validated} / {c.expected}</td>' in page
    # The region's sums: the page's last column, figure by figure.
    totals = {v.label: v.value for v in synthesis.totals}
    for label, value in totals.items():
        figure = _figure(blocks, label)
        assert figure.value == (float(value) if isinstance(value, Decimal) else value), label
    assert _figure(blocks, "Réunions tenues").value == 10  # 4 + 6, the draft left out
    assert _figure(blocks, "Temps de personnel travaillé").value == pytest.approx(2.3)
    # Completeness per département, as on the page's first row.
    table = _table(blocks, "Complétude des rapports d'activité")
    assert [(r[0], r[1], r[3]) for r in table.rows] == [
        (f"{t.name} ({t.code})", t.teams, t.completeness.validated) for t in synthesis.territories
    ]
    assert [r[3] for r in table.rows] == [1, 1]
    # The figures per département: the page's table, cell for cell.
    by_dep = _table(blocks, "Chiffres des rapports validés par département")
    assert [col.label for col in by_dep.columns][1:-1] == [t.code for t in synthesis.territories]
    meetings = next(r for r in by_dep.rows if r[0] == "Réunions tenues")
    assert meetings[1:] == ("4", "6", "10")
    for row in by_dep.rows:
        key = next(v.key for v in synthesis.totals if v.label == row[0])
        for t, cell in zip(synthesis.territories, row[1:-1], strict=True):
            value = next(v.value for v in t.figures if v.key == key)
            assert cell == (str(value) if isinstance(value, int) else float(value)), (key, t.code)
    assert any(isinstance(b, ChartBlock) for b in blocks)


def test_ema_section_without_a_campaign(db: None) -> None:
    (only,) = _blocks("ema")
    assert isinstance(only, Paragraph) and "Aucune campagne" in only.text


# --- practice audits -------------------------------------------------------------------------

GOOD = {
    "situation": "cystite_simple",
    "bandelette": "oui",
    "molecule": "fosfomycine",
    "duree": "1",
    "fluoroquinolone": "oui",
}
BAD = {**GOOD, "bandelette": "non", "molecule": "fluoroquinolone", "fluoroquinolone": "non"}


@pytest.fixture
def audits(
    coordinator: User, ema_team: Organization, ema_responder: User
) -> tuple[AuditCampaign, AuditCampaign]:
    grid = AuditGrid.save_version((FILES / "cystite-ville.yaml").read_text(encoding="utf-8"))
    other = Organization.objects.create(name="Cabinet des Lilas", kind=Organization.Kind.OTHER)
    prescriber = Practitioner.objects.create(
        last_name="Généraliste", first_name="Dominique", profession=Profession.PHYSICIAN
    )
    first = AuditCampaign.launch(
        title="Cystites 2025", grid_version=grid, period_start=datetime.date(YEAR, 3, 1),
        period_end=datetime.date(YEAR, 4, 30), organizations=[ema_team, other],
        practitioners=[prescriber], user=coordinator,
    )  # fmt: skip
    second = AuditCampaign.launch(
        title="Cystites 2025, second tour", grid_version=grid,
        period_start=datetime.date(YEAR, 10, 1), period_end=datetime.date(YEAR, 11, 30),
        organizations=[ema_team, other], practitioners=[], previous_round=first, user=coordinator,
    )  # fmt: skip
    for campaign, answers in ((first, [GOOD, BAD, BAD]), (second, [GOOD, GOOD, GOOD, BAD])):
        team = campaign.participants.get(organization=ema_team)
        for raw in answers:
            campaign.add_case(team, raw, user=ema_responder)
    return first, second


def test_audits_section_is_the_audit_pages(
    client: Client, coordinator: User, audits: tuple[AuditCampaign, AuditCampaign]
) -> None:
    client.force_login(coordinator)
    home = client.get("/audits/")
    assert home.status_code == 200
    listed = {c.pk: c for c in home.context["campaigns"]}
    blocks = _blocks("audits")
    assert _figure(blocks, "Audits réalisés").value == 2
    assert _figure(blocks, "Participants").value == sum(
        listed[a.pk].participants_count for a in audits
    )
    assert _figure(blocks, "Cas audités").value == sum(listed[a.pk].cases_count for a in audits)
    assert _figure(blocks, "Cas audités").value == 7
    overview = _table(blocks, "Audits de pratiques dont la période")
    assert [(r[0], r[2], r[4], r[6]) for r in overview.rows] == [
        (a.title, a.round_number, listed[a.pk].participants_count, listed[a.pk].cases_count)
        for a in audits
    ]
    for campaign in audits:
        page = client.get(f"/audits/campagnes/{campaign.pk}/")
        assert page.status_code == 200
        results = page.context["results"]
        table = next(
            b for b in blocks if isinstance(b, Table) and b.caption.endswith(campaign.title)
        )
        assert [r[:6] for r in table.rows] == [
            (c.label, c.met, c.evaluated, c.percent, c.low, c.high) for c in results.region
        ]
        if campaign.round_number == 2:
            change = {c.code: c for c in results.change}
            codes = [c.code for c in results.region]
            assert [r[6] for r in table.rows] == [
                change[code].difference if code in change else None for code in codes
            ]
            assert any(r[6] is not None for r in table.rows)
    # Hand-checked: the test strip was done in 1 of 3 first-round cases, 3 of 4 later.
    first, second = (campaign_results(a) for a in audits)
    strip = next(c for c in first.region if c.code == "bandelette")
    assert (strip.met, strip.evaluated) == (1, 3)
    strip = next(c for c in second.region if c.code == "bandelette")
    assert (strip.met, strip.evaluated) == (3, 4)
    second_table = next(
        b for b in blocks if isinstance(b, Table) and b.caption.endswith(audits[1].title)
    )
    row = next(r for r in second_table.rows if r[0] == strip.label)
    assert row[6] == pytest.approx(75.0 - 100 / 3, abs=0.05)  # 3/4 against 1/3, in points


def test_audits_section_without_audits(db: None) -> None:
    (only,) = _blocks("audits")
    assert isinstance(only, Paragraph) and "Aucun audit" in only.text


# --- network actions -------------------------------------------------------------------------


@pytest.fixture
def actions(coordinator: User, departement: Territory) -> None:
    for kind, people, day in (
        ("peer_workshop", 12, datetime.date(YEAR, 3, 1)),
        ("peer_workshop", 8, datetime.date(YEAR, 5, 1)),
        ("school_event", 60, datetime.date(YEAR, 6, 1)),
        ("meeting", 5, datetime.date(YEAR - 1, 6, 1)),  # another year
    ):
        NetworkAction.objects.create(
            actor_function="gp_ambassador", kind=kind, date=day, territory=departement,
            audience="gps", people_reached=people, title="x", recorded_by=coordinator,
        )  # fmt: skip
    cpts = Territory.objects.create(
        kind="cpts", code="CPTS-75-1", name="CPTS Paris 15", parent=departement
    )
    NetworkAction.objects.create(
        actor_function="cpts_referent", kind="meeting", date=datetime.date(YEAR, 9, 1),
        territory=cpts, audience="gps", people_reached=7, title="y", recorded_by=coordinator,
    )  # fmt: skip


def test_network_actions_section_is_the_summary_page(
    client: Client, coordinator: User, actions: None
) -> None:
    client.force_login(coordinator)
    response = client.get("/activite/actions-reseau/synthese/", {"annee": str(YEAR)})
    page = _page(response)
    summary = response.context["summary"]
    blocks = _blocks("network_actions")
    assert _figure(blocks, "Actions menées").value == summary.actions == 4
    assert _figure(blocks, "Personnes touchées").value == summary.people_reached == 87
    assert f"<dd>{summary.people_reached}</dd>" in page
    for caption, rows in (
        ("Actions du réseau par département", summary.by_territory),
        ("Actions du réseau par type", summary.by_kind),
        ("Actions du réseau par fonction", summary.by_function),
    ):
        table = _table(blocks, caption)
        assert list(table.rows) == [(r.label, r.actions, r.people_reached) for r in rows]
    assert list(_table(blocks, "Actions du réseau par département").rows) == [("Paris (75)", 4, 87)]


def test_network_actions_section_without_actions(db: None) -> None:
    (only,) = _blocks("network_actions")
    assert isinstance(only, Paragraph) and "Aucune action" in only.text


# --- the documents -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx", "odt"])
def test_the_three_sections_are_written_in_every_format(
    fmt: str, ema_reports: None, audits: tuple[AuditCampaign, AuditCampaign], actions: None
) -> None:
    document = Document(
        title="Rapport",
        sections=tuple(
            Section(title, tuple(_blocks(key)))
            for key, title in (
                ("ema", "Activité des EMA"),
                ("audits", "Audits de pratiques"),
                ("network_actions", "Actions du réseau"),
            )
        ),
    )
    data = render(document, fmt)
    assert len(data) > 2000


def test_the_new_sections_take_a_text_and_are_shown(
    client: Client, coordinator: User, actions: None
) -> None:
    client.force_login(coordinator)
    assert client.post("/rapports/", {"year": str(YEAR)}).status_code == 302
    saved = client.post(
        f"/rapports/{YEAR}/sections/network_actions/",
        {
            "network_actions-text": "Les ateliers entre pairs restent l'action la plus fréquente.",
            "network_actions-base_version": "0",
        },
    )
    assert saved.status_code == 302
    page = _page(client.get(f"/rapports/{YEAR}/"))
    for title in ("5. Activité des EMA", "6. Audits de pratiques", "7. Actions du réseau"):
        assert title in page
    assert "Les ateliers entre pairs restent l'action la plus fréquente." in page
    assert "Personnes touchées" in page
    for source in ("/activite/synthese/", "/audits/", "/activite/actions-reseau/synthese/"):
        assert f'href="{source}' in page


def test_many_departements_are_split_in_several_tables(
    ema_reports: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cratb.reports import yearly

    monkeypatch.setattr(yearly, "PER_TABLE", 1)
    tables = [
        b
        for b in _blocks("ema")
        if isinstance(b, Table) and b.caption.startswith("Chiffres des rapports validés par")
    ]
    assert [t.caption[-5:] for t in tables] == ["(1/2)", "(2/2)"]
    assert [[c.label for c in t.columns] for t in tables] == [
        ["Chiffre", "75"],
        ["Chiffre", "94", "Région"],
    ]
    meetings = [next(r for r in t.rows if r[0] == "Réunions tenues") for t in tables]
    assert meetings == [("Réunions tenues", "4"), ("Réunions tenues", "6", "10")]
