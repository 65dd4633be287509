"""Grids versions, campaigns, cases (refusals), results, feedback sheet and CSV, the
yearly summary."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cratb.accounts.append_only import AppendOnlyError
from cratb.accounts.models import User
from cratb.audits.grids import GridError
from cratb.audits.models import AuditCampaign, AuditCase, AuditError, AuditGrid, Participant
from cratb.audits.services import campaign_results
from cratb.audits.summaries import participations, year_summary
from cratb.audits.tests.conftest import FILES
from cratb.network.models import Organization

pytestmark = pytest.mark.django_db

GOOD = {
    "situation": "cystite_simple",
    "bandelette": "oui",
    "molecule": "fosfomycine",
    "duree": "1",
    "fluoroquinolone": "oui",
}
BAD = {**GOOD, "bandelette": "non", "molecule": "fluoroquinolone", "fluoroquinolone": "non"}


def _participant(campaign: AuditCampaign, organization: Organization) -> Participant:
    return campaign.participants.get(organization=organization)


def test_a_new_version_keeps_the_old_one_for_the_audits_that_used_it(
    campaign: AuditCampaign,
) -> None:
    old = campaign.grid_version
    text = (FILES / "cystite-ville.yaml").read_text(encoding="utf-8")
    new = AuditGrid.save_version(text.replace("max: 3}", "max: 5}"), code="cystite-ville")
    assert (old.number, new.number) == (1, 2)
    campaign.refresh_from_db()
    assert campaign.grid_version == old
    assert campaign.grid.field("duree").rule_text() == "entre 1 et 3 jours"
    assert new.parsed.field("duree").rule_text() == "entre 1 et 5 jours"
    # The same text again stores nothing new; a version is never changed.
    assert AuditGrid.save_version(text.replace("max: 3}", "max: 5}"), code="cystite-ville") == new
    with pytest.raises(AppendOnlyError):
        old.save()


def test_an_invalid_grid_stores_nothing(db: None) -> None:
    text = (FILES / "cystite-ville.yaml").read_text(encoding="utf-8")
    with pytest.raises(GridError, match="le minimum \\(9\\) est supérieur au maximum \\(3\\)"):
        AuditGrid.save_version(
            text.replace("expected: {min: 1, max: 3}", "expected: {min: 9, max: 3}")
        )
    with pytest.raises(GridError, match="absente des choix"):
        AuditGrid.save_version(
            text.replace("expected: [fosfomycine, pivmecillinam]", "expected: [fosfomycin]")
        )
    assert not AuditGrid.objects.exists()


def test_cases_and_results_per_participant_against_the_region(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User
) -> None:
    team = _participant(campaign, ema_team)
    other = campaign.participants.get(organization__name="Cabinet des Lilas")
    for _i in range(3):
        campaign.add_case(team, GOOD, user=ema_responder)
    campaign.add_case(team, BAD, user=ema_responder)
    for _i in range(4):
        campaign.add_case(other, BAD, user=ema_responder)
    results = campaign_results(campaign)
    assert results.cases == 8
    region = {c.code: (c.met, c.evaluated) for c in results.region}
    assert region["bandelette"] == (3, 8)
    mine = results.of(team.pk)
    assert mine is not None and mine.cases == 4
    row = next(r for r in mine.rows if r.code == "molecule")
    assert (row.mine.met, row.mine.evaluated, row.region.met, row.region.evaluated) == (3, 4, 3, 8)
    # 3/4 = 75 %, Wilson 30.1 – 95.4: contains the region's 37.5 %.
    assert row.position == "same"
    theirs = results.of(other.pk)
    assert theirs is not None
    # 0/4: Wilson 0 – 49.0 contains 37.5 % too; the criterion stays « comparable ».
    assert next(r for r in theirs.rows if r.code == "molecule").position == "same"
    assert AuditCase.objects.filter(participant=team).values_list("number", flat=True).count() == 4


def test_refused_cases(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User
) -> None:
    team = _participant(campaign, ema_team)
    with pytest.raises(AuditError, match="n'est pas un des choix permis"):
        campaign.add_case(team, {**GOOD, "molecule": "ciprofloxacine"}, user=ema_responder)
    with pytest.raises(AuditError, match="NIR"):
        campaign.add_case(team, GOOD, comment="patient 1 85 05 78 006 084 91", user=ema_responder)
    with pytest.raises(AuditError, match="vide"):
        campaign.add_case(team, {}, user=ema_responder)
    campaign.close()
    with pytest.raises(AuditError, match="clôturée"):
        campaign.add_case(team, GOOD, user=ema_responder)
    assert not AuditCase.objects.exists()
    with pytest.raises(AuditError, match="déjà clôturée"):
        campaign.close()


def test_a_case_cannot_be_changed(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User
) -> None:
    case = campaign.add_case(_participant(campaign, ema_team), GOOD, user=ema_responder)
    case.answers = BAD
    with pytest.raises(AppendOnlyError):
        case.save()
    with pytest.raises(AppendOnlyError):
        AuditCase.objects.all().delete()


def test_second_round_uses_the_same_grid_and_the_same_participants(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User, coordinator: User
) -> None:
    team = _participant(campaign, ema_team)
    for answers in [BAD, BAD, GOOD]:
        campaign.add_case(team, answers, user=ema_responder)
    campaign.close()
    second = AuditCampaign.launch(
        title="Cystites 2025, second tour",
        grid_version=campaign.grid_version,
        period_start=datetime.date(2025, 10, 1),
        period_end=datetime.date(2025, 11, 30),
        previous_round=campaign,
        organizations=[],
        practitioners=[],
        user=coordinator,
    )
    assert second.round_number == 2 and second.participants.count() == 3
    team2 = _participant(second, ema_team)
    for answers in [GOOD, GOOD, GOOD]:
        second.add_case(team2, answers, user=ema_responder)
    results = campaign_results(second)
    change = {c.code: c for c in results.change}
    # bandelette: 1/3 → 3/3, +66.7 points.
    assert change["bandelette"].difference == pytest.approx(66.67, abs=0.01)
    mine = results.of(team2.pk)
    assert mine is not None and [c.code for c in mine.change] == [c.code for c in results.change]
    # Another version of the grid is refused for a second round, as a third « second » round.
    other = AuditGrid.save_version(
        (FILES / "cystite-ville.yaml").read_text(encoding="utf-8").replace("max: 3}", "max: 5}"),
        code="cystite-ville",
    )
    with pytest.raises(AuditError, match="même version de grille"):
        AuditCampaign.launch(
            title="x", grid_version=other, period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 2, 1), previous_round=campaign,
            organizations=[ema_team], practitioners=[],
        )  # fmt: skip
    with pytest.raises(AuditError, match="déjà un tour suivant"):
        AuditCampaign.launch(
            title="x", grid_version=campaign.grid_version, period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 2, 1), previous_round=campaign,
            organizations=[ema_team], practitioners=[],
        )  # fmt: skip


def test_year_summary_is_the_pages_computation(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User
) -> None:
    team = _participant(campaign, ema_team)
    for answers in [GOOD, GOOD, BAD]:
        campaign.add_case(team, answers, user=ema_responder)
    summary = year_summary(2025)
    assert (summary.audits_count, summary.participants, summary.cases) == (1, 3, 3)
    (audit,) = summary.audits
    assert audit.participants_with_cases == 1
    region = campaign_results(campaign).region
    assert [(c.code, c.met, c.evaluated, c.low) for c in audit.criteria] == [
        (c.code, c.met, c.evaluated, c.low) for c in region
    ]
    assert year_summary(2024).audits == ()
    # An EMA's part in the year's audits: its own cases and compliance, as on its page.
    (part,) = participations(2025, organization_id=ema_team.pk)
    mine = campaign_results(campaign).of(team.pk)
    assert mine is not None and part.cases == 3
    assert [(c.met, c.evaluated) for c in part.criteria] == [
        (r.mine.met, r.mine.evaluated) for r in mine.rows
    ]
    other = Organization.objects.create(name="Sans audit", kind=Organization.Kind.EMA)
    assert participations(2025, organization_id=other.pk) == ()


def test_feedback_sheet_and_csv(
    campaign: AuditCampaign, ema_team: Organization, ema_responder: User, client: Client
) -> None:
    team = _participant(campaign, ema_team)
    campaign.add_case(team, GOOD, user=ema_responder)
    campaign.add_case(team, BAD, user=ema_responder)
    client.force_login(ema_responder)
    pdf = client.get(f"/audits/campagnes/{campaign.pk}/participants/{team.pk}/fiche.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = client.get(f"/audits/campagnes/{campaign.pk}/resultats/?format=csv")
    text = csv.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("participant;critere;attendu;conformes")
    assert any(
        line.startswith(
            "Ensemble des participants;Bandelette urinaire réalisée;oui;1;1;0;0;50,0;9,5;90,5"
        )
        for line in lines
    )
    # The EMA member sees their team's rows and the region's, not the other participants'.
    assert not any("Cabinet des Lilas" in line for line in lines)
    assert any(line.startswith(str(ema_team)) for line in lines)
    xlsx = client.get(f"/audits/campagnes/{campaign.pk}/resultats/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert client.get(f"/audits/campagnes/{campaign.pk}/resultats/?format=ods").status_code == 404


def test_load_audit_grid_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_audit_grid", "--examples")
    assert sorted(AuditGrid.objects.values_list("code", flat=True)) == [
        "cystite-ville",
        "duree-etablissement",
    ]
    changed = tmp_path / "cystite.yaml"
    text = (FILES / "cystite-ville.yaml").read_text(encoding="utf-8")
    changed.write_text(text.replace("max: 3}", "max: 5}"), encoding="utf-8")
    call_command("load_audit_grid", str(changed))
    assert AuditGrid.objects.get(code="cystite-ville").latest().number == 2  # type: ignore[union-attr]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("max: 3}", "max: 0}"), encoding="utf-8")
    with pytest.raises(CommandError, match="1 fichier"):
        call_command("load_audit_grid", str(bad))
    assert "le minimum (1) est supérieur au maximum (0)" in capsys.readouterr().err
    assert AuditGrid.objects.get(code="cystite-ville").versions.count() == 2


def test_english_pages(campaign: AuditCampaign, coordinator: User, client: Client) -> None:
    client.force_login(coordinator)
    page = client.get(f"/en/audits/campagnes/{campaign.pk}/").content.decode()
    assert "Compliance per criterion, all participants" in page
    assert "Practice audits" in client.get("/en/audits/").content.decode()
