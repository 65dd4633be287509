"""The demo region's yearly cycle (``cratb demo``): a campaign in progress and the
network activity log.

- the action plans of the demo ``year``, validated for every EMA team, three to five
  objectives each across the five axes;
- the activity reports of the demo ``year``, whose deadline passed ten days before the
  run: most teams validated (their figures frozen at validation), one team transmitted
  late and awaits validation, one is still a draft (late), and the demo EMA user's team
  had its report returned with a comment, to correct and transmit again;
- the network activity log of the year: actions of the directory's GP ambassadors, CPTS
  referents and EMA GP referents (workshops, practice visits, school and pharmacy
  events…), with the people reached.

Deterministic for (region, seed, year) and the current date, and written once: a second
run finds the campaigns and the log's actions (by their natural keys) and writes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cratb.accounts.models import Role, User
from cratb.activity import summaries
from cratb.activity.figures import team_figures
from cratb.activity.models import (
    ACTOR_FUNCTIONS,
    Axis,
    Campaign,
    Kind,
    NetworkAction,
    Objective,
    Submission,
)
from cratb.network.models import Organization, PractitionerRole, Territory

OBJECTIVES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        Axis.SURVEILLANCE,
        "Restituer les consommations aux établissements conventionnés",
        "Envoi d'une fiche de retour annuelle à chaque établissement",
        "100 % des établissements conventionnés",
        "Part des établissements ayant reçu leur fiche",
    ),
    (
        Axis.ADVICE,
        "Répondre aux demandes d'avis dans le délai cible",
        "Astreinte téléphonique partagée, réponses écrites codées",
        "90 % des avis dans le délai",
        "Part des demandes répondues dans le délai",
    ),
    (
        Axis.NETWORK,
        "Former les infirmiers des EHPAD conventionnés",
        "Deux ateliers entre pairs, un webinaire",
        "60 personnes formées",
        "Personnes formées (présences enregistrées)",
    ),
    (
        Axis.AUDITS,
        "Auditer la durée des traitements des pneumonies",
        "Audit de 30 dossiers, restitution en CAI",
        "Deux établissements audités",
        "Part des traitements de 5 jours ou moins",
    ),
    (
        Axis.COMMUNICATION,
        "Faire connaître l'équipe aux médecins de ville",
        "Lettre d'information semestrielle, présentation en CPTS",
        "Toutes les CPTS du territoire",
        "CPTS rencontrées",
    ),
)

ACTION_TITLES = {
    NetworkAction.ActionKind.MEETING: "Réunion du groupe de pairs",
    NetworkAction.ActionKind.PEER_WORKSHOP: "Atelier entre pairs : cystite de la femme",
    NetworkAction.ActionKind.PRACTICE_VISIT: "Visite d'un cabinet de groupe",
    NetworkAction.ActionKind.AWARENESS: "Sensibilisation au bon usage des antibiotiques",
    NetworkAction.ActionKind.PHARMACY_EVENT: "Journée angine en pharmacie (TROD)",
    NetworkAction.ActionKind.SCHOOL_EVENT: "Intervention en collège : e-Bug",
}
AUDIENCE_OF = {
    NetworkAction.ActionKind.MEETING: NetworkAction.Audience.GPS,
    NetworkAction.ActionKind.PEER_WORKSHOP: NetworkAction.Audience.MIXED,
    NetworkAction.ActionKind.PRACTICE_VISIT: NetworkAction.Audience.GPS,
    NetworkAction.ActionKind.AWARENESS: NetworkAction.Audience.PUBLIC,
    NetworkAction.ActionKind.PHARMACY_EVENT: NetworkAction.Audience.PHARMACISTS,
    NetworkAction.ActionKind.SCHOOL_EVENT: NetworkAction.Audience.PUPILS,
}
REACH = {
    NetworkAction.ActionKind.MEETING: (6, 15),
    NetworkAction.ActionKind.PEER_WORKSHOP: (8, 20),
    NetworkAction.ActionKind.PRACTICE_VISIT: (2, 6),
    NetworkAction.ActionKind.AWARENESS: (20, 120),
    NetworkAction.ActionKind.PHARMACY_EVENT: (15, 60),
    NetworkAction.ActionKind.SCHOOL_EVENT: (25, 90),
}


@dataclass(frozen=True)
class DemoActivity:
    forms: int
    validated: int
    actions: int

    @property
    def summary(self) -> str:
        return (
            f"{self.forms} formulaires d'EMA ({self.validated} validés), "
            f"{self.actions} actions du réseau"
        )


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone()
    )


def build_demo(*, region_code: str, seed: int, year: int) -> DemoActivity:
    """Write the demo campaigns and network actions of ``region_code`` for ``year``."""

    def rng(part: str) -> random.Random:  # one per part: a part skipped changes no other
        return random.Random(f"cratb-demo-activity|{part}|{region_code}|{seed}|{year}")

    coordinator = User.objects.filter(role=Role.COORDINATOR, username="demo-coordination").first()
    coordinator = coordinator or User.objects.filter(role=Role.COORDINATOR).first()
    if coordinator is None:
        return DemoActivity(forms=0, validated=0, actions=0)
    demo_ema = User.objects.filter(username="demo-ema").select_related("membership").first()
    demo_team_id = (
        demo_ema.membership.team_id if demo_ema and hasattr(demo_ema, "membership") else None
    )
    teams = list(Organization.objects.filter(kind=Organization.Kind.EMA).order_by("name"))
    with transaction.atomic():
        _plans(rng("plans"), coordinator, teams, year)
        _reports(rng("reports"), coordinator, teams, year, demo_team_id)
        actions = _actions(rng("actions"), coordinator, year)
    forms = Submission.objects.filter(campaign__year=year)
    return DemoActivity(
        forms=forms.count(), validated=forms.filter(state="validated").count(), actions=actions
    )


def _plans(rng: random.Random, by: User, teams: list[Organization], year: int) -> None:
    if Campaign.objects.filter(year=year, kind=Kind.PLAN).exists():
        return
    campaign = Campaign.objects.create(
        year=year,
        kind=Kind.PLAN,
        opens_on=datetime.date(year - 1, 11, 15),
        deadline=datetime.date(year, 1, 31),
        created_by=by,
        reminded_at=_at(datetime.date(year, 1, 24)),
    )
    for team in teams:
        plan = Submission.objects.create(campaign=campaign, team=team)
        chosen = rng.sample(OBJECTIVES, rng.randint(3, 5))
        for axis, title, actions, target, indicator in sorted(chosen):
            Objective.objects.create(
                submission=plan,
                axis=axis,
                title=title,
                actions=actions,
                target=target,
                indicator=indicator,
                scope=team.departement.name if team.departement else "",
                fte_planned=Decimal(rng.choice(("0.1", "0.2", "0.3", "0.5"))),
            )
        plan.submit(by=by, expected_version=1, now=_at(datetime.date(year, 1, rng.randint(10, 30))))
        plan.validate(by=by, expected_version=plan.version)


def _reports(
    rng: random.Random, by: User, teams: list[Organization], year: int, demo_team_id: int | None
) -> None:
    if Campaign.objects.filter(year=year, kind=Kind.REPORT).exists():
        return
    today = timezone.localdate()
    deadline = today - datetime.timedelta(days=10)
    campaign = Campaign.objects.create(
        year=year,
        kind=Kind.REPORT,
        opens_on=deadline - datetime.timedelta(days=60),
        deadline=deadline,
        created_by=by,
        reminded_at=_at(deadline - datetime.timedelta(days=7)),
    )
    # The demo user's team gets the returned report; of the others, the last two are the
    # late one (transmitted after the deadline) and the draft.
    ordered = sorted(teams, key=lambda t: (t.pk == demo_team_id, t.name))
    others = [t for t in ordered if t.pk != demo_team_id]
    late_team = others[-1] if len(others) >= 2 else None
    draft_team = others[-2] if len(others) >= 3 else None
    for team in ordered:
        report = Submission.objects.create(campaign=campaign, team=team)
        if team == draft_team:
            continue
        _fill(rng, report)
        report.save_edit(expected_version=1, fields=FILLED)
        for objective in Objective.objects.filter(
            submission__team=team,
            submission__campaign__year=year,
            submission__campaign__kind=Kind.PLAN,
        ):
            status = rng.choice(("done", "done", "partly", "not_done"))
            report.objective_statuses.create(
                objective=objective,
                status=status,
                comment="" if status == "done" else "Reporté faute de temps médical.",
            )
        if team == late_team:
            report.submit(
                by=by,
                expected_version=report.version,
                now=_at(deadline + datetime.timedelta(days=3)),
            )
            continue
        submitted = deadline - datetime.timedelta(days=rng.randint(1, 20))
        report.submit(by=by, expected_version=report.version, now=_at(submitted))
        if team.pk == demo_team_id:
            report.send_back(
                by=by,
                comment=(
                    "Merci de préciser la liste des CAI/CLIN auxquels l'équipe a participé, "
                    "et de commenter l'objectif d'audit non réalisé."
                ),
                expected_version=report.version,
            )
            continue
        found = summaries.snapshot(team_figures(year, team, today=today))
        report.validate(by=by, expected_version=report.version, snapshot=found)


FILLED = [
    "commissions_count",
    "commissions_list",
    "committees_count",
    "committees_list",
    "meetings_count",
    "audits_list",
    "fte_worked",
    "free_text",
]


def _fill(rng: random.Random, report: Submission) -> None:
    commissions = rng.randint(2, 8)
    committees = rng.randint(1, 5)
    report.commissions_count = commissions
    report.commissions_list = "\n".join(
        f"Commission de coordination gériatrique, EHPAD n° {i + 1}" for i in range(commissions)
    )
    report.committees_count = committees
    report.committees_list = "\n".join(
        f"CAI du centre hospitalier partenaire n° {i + 1}" for i in range(committees)
    )
    report.meetings_count = rng.randint(4, 14)
    # The audits the team took part in are counted from the audits app; the team only
    # comments on them (or names an audit led outside cratb).
    audits = rng.randint(0, 3)
    report.audits_list = "\n".join(
        (
            "Audit interne : durée des traitements des pneumonies",
            "Audit interne : antibioprophylaxie chirurgicale",
            "Audit interne : ECBU en EHPAD",
        )[:audits]
    )
    report.fte_worked = Decimal(rng.choice(("1.2", "1.5", "1.8", "2.0", "2.4")))
    report.free_text = (
        "Année marquée par l'extension des conventions aux EHPAD du territoire "
        "et le renforcement de l'astreinte d'avis."
    )


def _actions(rng: random.Random, by: User, year: int) -> int:
    roles = list(
        PractitionerRole.objects.filter(function__in=[f.value for f in ACTOR_FUNCTIONS])
        .select_related("practitioner", "territory", "organization__departement")
        .order_by("practitioner__last_name", "pk")
    )
    written = 0
    fallback = Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT).order_by("code").first()
    kinds = list(NetworkAction.ActionKind)
    for index, role in enumerate(roles):
        territory = role.territory or (role.organization.departement if role.organization else None)
        territory = territory or fallback
        if territory is None:
            continue
        for n in range(rng.randint(1, 4)):
            kind = kinds[(index + n) % len(kinds)] if rng.random() < 0.7 else rng.choice(kinds)
            low, high = REACH[kind]
            day = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            title = f"{ACTION_TITLES[kind]} — {role.practitioner.last_name}"
            _obj, created = NetworkAction.objects.get_or_create(
                title=title,
                date=day,
                territory=territory,
                defaults={
                    "actor_function": role.function,
                    "kind": kind,
                    "audience": AUDIENCE_OF[kind],
                    "people_reached": rng.randint(low, high),
                    "recorded_by": role.practitioner.user or by,
                },
            )
            written += created
    return written
