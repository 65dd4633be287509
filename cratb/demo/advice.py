"""Demo content of the advice desk: two years of requests, answers, rota and surveys.

Deterministic for (region, seed, year, day it runs): the two years end on the day it
runs, so the inbox holds the last days' requests and the figures open on the current
year. Safe to run twice: a second run finds the demo rows (tagged by the requesters'
address domain) and adds nothing. Rows are written with ``bulk_create``
(inserts only: the append-only history is respected) so ``make run`` stays fast.

The volume (~1,600 requests a year) and the mix follow the field presentations
(shared/domain/field-requirements.md): two thirds of the requests from the community,
urinary infections first, half by phone, most answered within the working day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cratb.accounts.models import Role, User
from cratb.advice import codes
from cratb.advice.models import (
    AdviceEvent,
    AdviceMessage,
    AdviceRequest,
    Answer,
    EventKind,
    OnCallShift,
    RecommendedAgent,
    RoutedVia,
    Status,
    Survey,
    any_critical,
)
from cratb.advice.stored_figures import mark_every_year
from cratb.advice.workdays import PARIS, add_working_days, is_working_day
from cratb.engine import reference
from cratb.network.models import Membership, Organization, Territory

REQUESTS_PER_YEAR = 1600
#: The demo EMA teams' switchboard and mail domain (as cratb.demo.network writes them).
EMA_PHONE = "01 00 00 11 11"
EMA_DOMAIN = "demo.cratb.localhost"
#: Requests of the last OPEN_DAYS not answered yet: the inbox's content.
OPEN_DAYS = 3
OPEN_REQUESTS = 25

SETTINGS = (("community", 60), ("nursing_home", 20), ("hospital", 12), ("medico_social", 8))
PROFESSIONS = {
    "community": (
        ("gp", 65),
        ("pharmacist", 15),
        ("dentist", 8),
        ("nurse", 7),
        ("midwife", 3),
        ("other", 2),
    ),
    "nursing_home": (("nursing_home_doctor", 50), ("nurse", 30), ("gp", 20)),
    "hospital": (("hospital_doctor", 70), ("hospital_pharmacist", 20), ("other_specialist", 10)),
    "medico_social": (("nurse", 50), ("gp", 50)),
}
CHANNELS = (("web", 45), ("phone", 45), ("tele_expertise", 8), ("email", 2))

#: syndrome: (weight, considered agents, recommendation mix, recommended agents)
SYNDROMES: dict[
    str, tuple[int, tuple[str, ...], tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]
] = {
    "uti_cystitis": (
        15,
        ("J01MA02", "J01XX01", "J01CR02"),
        (("change", 40), ("start", 30), ("shorten", 20), ("other", 10)),
        (("J01XX01", "O"), ("J01CA08", "O")),
    ),
    "uti_pyelonephritis": (
        10,
        ("J01MA02", "J01DD04", "J01DD08"),
        (("change", 40), ("narrow", 30), ("shorten", 20), ("refer", 10)),
        (("J01DD04", "P"), ("J01EE01", "O")),
    ),
    "uti_male": (
        8,
        ("J01MA02", "J01EE01"),
        (("change", 40), ("shorten", 30), ("start", 30)),
        (("J01EE01", "O"), ("J01MA02", "O")),
    ),
    "uti_bacteriuria": (6, ("J01MA02", "J01XX01"), (("do_not_start", 70), ("stop", 30)), ()),
    "rti_pneumonia": (
        8,
        ("J01CR02", "J01MA12", "J01DD04"),
        (("narrow", 40), ("start", 30), ("shorten", 20), ("refer", 10)),
        (("J01CA04", "O"),),
    ),
    "rti_pharyngitis": (
        3,
        ("J01CA04", "J01FA10"),
        (("do_not_start", 50), ("start", 50)),
        (("J01CA04", "O"),),
    ),
    "rti_otitis": (2, ("J01CR02",), (("narrow", 60), ("do_not_start", 40)), (("J01CA04", "O"),)),
    "rti_sinusitis": (
        2,
        ("J01CR02", "J01MA12"),
        (("narrow", 50), ("do_not_start", 50)),
        (("J01CA04", "O"),),
    ),
    "rti_bronchitis": (2, ("J01CR02", "J01FA10"), (("do_not_start", 80), ("stop", 20)), ()),
    "rti_copd": (3, ("J01CR02", "J01MA12"), (("start", 50), ("shorten", 50)), (("J01CA04", "O"),)),
    "ssti_skin": (
        7,
        ("J01CR02", "J01FF01"),
        (("start", 40), ("narrow", 40), ("shorten", 20)),
        (("J01CA04", "O"), ("J01CF02", "O")),
    ),
    "ssti_wound": (3, ("J01CR02",), (("do_not_start", 50), ("start", 50)), (("J01CR02", "O"),)),
    "ssti_diabetic_foot": (
        3,
        ("J01CR02", "J01MA02"),
        (("refer", 40), ("start", 40), ("other", 20)),
        (("J01CR02", "O"),),
    ),
    "bji": (4, ("J01MA02", "J01FF01"), (("refer", 50), ("other", 50)), (("J01CF02", "P"),)),
    "bji_prosthesis": (2, ("J01XA01",), (("refer", 80), ("other", 20)), ()),
    "dental": (
        4,
        ("J01CR02", "J01FF01", "J01RA04"),
        (("narrow", 50), ("do_not_start", 30), ("shorten", 20)),
        (("J01CA04", "O"),),
    ),
    "intra_abdominal": (
        3,
        ("J01CR02", "J01MA02"),
        (("start", 50), ("shorten", 50)),
        (("J01CR02", "O"), ("J01XD01", "O")),
    ),
    "digestive": (
        2,
        ("J01MA02", "J01FA10"),
        (("do_not_start", 70), ("start", 30)),
        (("J01FA10", "O"),),
    ),
    "c_difficile": (2, ("J01XD01",), (("start", 60), ("other", 40)), ()),
    "bacteraemia": (
        3,
        ("J01DD04", "J01CR05"),
        (("narrow", 60), ("refer", 40)),
        (("J01DD04", "P"),),
    ),
    "endocarditis": (1, ("J01CA04", "J01GB03"), (("refer", 100),), ()),
    "cns": (1, ("J01DD01",), (("refer", 100),), ()),
    "sti": (
        2,
        ("J01DD04", "J01AA02"),
        (("start", 70), ("other", 30)),
        (("J01DD04", "P"), ("J01AA02", "O")),
    ),
    "lyme": (2, ("J01AA02", "J01CA04"), (("start", 60), ("do_not_start", 40)), (("J01AA02", "O"),)),
    "eye_ent": (1, ("J01MA12",), (("other", 100),), ()),
    "fever": (1, ("J01CR02", "J01DD04"), (("do_not_start", 60), ("refer", 40)), ()),
    "mdro": (5, ("J01DH03", "J01MA02"), (("do_not_start", 50), ("other", 50)), ()),
    "prophylaxis": (2, ("J01CR02",), (("other", 60), ("do_not_start", 40)), ()),
    "other": (2, ("J01CR02",), (("other", 100),), ()),
}
AGE_BANDS = (("0-2", 4), ("3-15", 8), ("16-64", 38), ("65-74", 16), ("75-84", 18), ("85+", 16))
FIRST_NAMES = (
    "Anne",
    "Bruno",
    "Chloé",
    "David",
    "Élise",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Julien",
    "Karima",
    "Louis",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


@dataclass
class AdviceDemoReport:
    requests: int
    shifts: int
    already_there: bool

    def __str__(self) -> str:
        if self.already_there:
            return f"{self.requests} demandes d'avis déjà présentes, rien de nouveau"
        return f"{self.requests} demandes d'avis sur deux ans, {self.shifts} astreintes"


def _domain(region_code: str, seed: int) -> str:
    return f"demo-{region_code}-{seed}.cratb.localhost"


def _teams_and_responders(
    departements: list[Territory], *, region_code: str, seed: int
) -> tuple[dict[int, Organization], dict[int, list[User]]]:
    """One EMA team per département, two or three infectiologists each (no password)."""
    rng = random.Random(f"advice-staff-{region_code}-{seed}")
    teams: dict[int, Organization] = {}
    people: dict[int, list[User]] = {}
    demo_ema = User.objects.filter(username="demo-ema").select_related("membership").first()
    for departement in departements:
        team, _ = Organization.objects.get_or_create(
            kind=Organization.Kind.EMA,
            name=f"EMA de démonstration — {departement.name}",
            defaults={"departement": departement},
        )
        # « Qui contacter ? » lists the team: it needs a way to reach it.
        contact = {"phone": EMA_PHONE, "email": f"ema.{departement.code.lower()}@{EMA_DOMAIN}"}
        missing = [name for name, value in contact.items() if not getattr(team, name)]
        if missing:
            for name in missing:
                setattr(team, name, contact[name])
            team.save(update_fields=missing)
        teams[departement.pk] = team
        members = []
        for n in range(2 + departement.pk % 2):
            username = f"demo-infectio-{departement.code.lower()}-{n + 1}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": Role.EMA_MEMBER,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "email": f"{username}@cratb.localhost",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                Membership.objects.create(user=user, team=team).territories.set([departement])
            members.append(user)
        if demo_ema is not None and Membership.of(demo_ema).team_id == team.pk:
            members.append(demo_ema)
        people[departement.pk] = members
    return teams, people


def _shifts(
    departements: list[Territory],
    people: dict[int, list[User]],
    teams: dict[int, Organization],
    *,
    start: date,
    end: date,
    rng: random.Random,
) -> list[OnCallShift]:
    """Day duty on working days (08:00–18:00) and out-of-hours on call (nights, whole
    weekends and holidays); a few départements leave some nights uncovered, as the
    calendar's warnings show (their requests then go to the EMA team)."""
    shifts = []
    day = start
    while day < end:
        for index, departement in enumerate(departements):
            working = is_working_day(day, departement=departement.code)
            spans = []
            if working:
                spans.append((time(8), day, time(18)))
            if not (index % 4 == 3 and rng.random() < 0.3):
                spans.append((time(18) if working else time(8), day + timedelta(days=1), time(8)))
            for begins, end_day, ends in spans:
                shifts.append(
                    OnCallShift(
                        departement=departement,
                        responder=rng.choice(people[departement.pk]),
                        team=teams[departement.pk],
                        starts_at=datetime.combine(day, begins, tzinfo=PARIS),
                        ends_at=datetime.combine(end_day, ends, tzinfo=PARIS),
                    )
                )
        day += timedelta(days=1)
    return shifts


def _received(rng: random.Random, start: date, days: int) -> datetime:
    """A reception time: more in winter, fewer on weekends, mostly office hours."""
    while True:
        day = start + timedelta(days=rng.randrange(days))
        weight = 1.3 if day.month in (12, 1, 2) else (0.8 if day.month in (7, 8) else 1.0)
        weight *= 0.25 if day.weekday() >= 5 else 1.0
        if rng.random() < weight / 1.3:
            break
    hour = min(22, max(7, int(rng.gauss(13, 3))))
    return datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=PARIS)


def build_demo(
    *, region_code: str, seed: int, year: int = 2025, today: date | None = None
) -> AdviceDemoReport:
    """Two years of advice activity for the demo region, up to ``today`` (the day it
    runs by default): the inbox holds the requests of the last days, not year-old
    overdue ones, and the figures open on a year with data. The on-call rota goes on six
    weeks past ``today``. ``year`` only seeds the random draws."""
    today = today or timezone.localdate()
    domain = _domain(region_code, seed)
    existing = AdviceRequest.objects.filter(requester_email__endswith=f"@{domain}").count()
    if existing:
        return AdviceDemoReport(requests=existing, shifts=0, already_there=True)
    departements = list(
        Territory.objects.filter(
            kind=Territory.Kind.DEPARTEMENT, parent__code=region_code
        ).order_by("code")
    )
    if not departements:
        return AdviceDemoReport(requests=0, shifts=0, already_there=False)
    rng = random.Random(f"advice-{region_code}-{seed}-{year}")
    now = timezone.now()
    end = today
    start = end - timedelta(days=730)
    days = (end - start).days
    with transaction.atomic():
        teams, people = _teams_and_responders(departements, region_code=region_code, seed=seed)
        shifts = _shifts(
            departements, people, teams, start=start, end=end + timedelta(weeks=6), rng=rng
        )
        OnCallShift.objects.bulk_create(shifts, batch_size=2000)
        requester = User.objects.filter(username="demo-demandeur").first()
        coordinators = list(
            User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("pk")
        )
        weights = [d.population or 1 for d in departements]
        syndromes = list(SYNDROMES)
        total = REQUESTS_PER_YEAR * 2
        # The last OPEN_REQUESTS are still waiting: received in the days before today.
        moments = sorted(
            _received(rng, start, days - OPEN_DAYS) for _ in range(total - OPEN_REQUESTS)
        )
        moments += sorted(
            _received(rng, end - timedelta(days=OPEN_DAYS), OPEN_DAYS) for _ in range(OPEN_REQUESTS)
        )
        shifts_by_dep: dict[int, list[OnCallShift]] = {}
        for shift in shifts:
            shifts_by_dep.setdefault(shift.departement_id, []).append(shift)
        plans = []
        for number, received in enumerate(moments):
            departement = rng.choices(departements, weights=weights)[0]
            setting = _pick(rng, SETTINGS)
            syndrome = rng.choices(syndromes, weights=[SYNDROMES[s][0] for s in syndromes])[0]
            _weight, considered_pool, recommendations, recommended = SYNDROMES[syndrome]
            channel = _pick(rng, CHANNELS)
            considered = [a for a in considered_pool if rng.random() < 0.45]
            on_call = next(
                (
                    s
                    for s in shifts_by_dep.get(departement.pk, [])
                    if s.starts_at <= received < s.ends_at
                ),
                None,
            )
            if channel in ("phone", "tele_expertise", "email"):
                via, assignee = RoutedVia.DIRECT, rng.choice(people[departement.pk])
            elif on_call is not None:
                via, assignee = RoutedVia.ON_CALL, on_call.responder
            else:
                via, assignee = RoutedVia.EMA, rng.choice(people[departement.pk])
            due = add_working_days(received, 1, departement=departement.code)
            if channel == "phone":
                delay = timedelta(minutes=rng.randint(3, 25))
            else:
                delay = timedelta(hours=rng.lognormvariate(1.2, 1.1))
            last_ones = number >= total - OPEN_REQUESTS
            # Nothing is dated after now: a request whose answer would come later is still
            # waiting, as the last ones are (its closing and survey are settled below).
            waiting = last_ones or received + delay > now
            answered_at = None if waiting else received + delay
            luck = rng.random()
            late = answered_at is not None and answered_at > due
            reminded = (answered_at is None and luck < 0.5) or (late and luck > 0.6)
            surveyed = answered_at is not None and channel == "web" and luck < 0.55
            mine = requester is not None and channel == "web" and rng.random() < 0.03
            request = AdviceRequest(
                created_at=received - timedelta(minutes=2),
                updated_at=answered_at or received,
                version=1,
                status=Status.OPEN if waiting else Status.CLOSED,
                channel=channel,
                requester=requester if mine else None,
                requester_name=f"Dr {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                requester_email=f"demandeur{number}@{domain}",
                access_key=f"{rng.getrandbits(128):032x}",
                profession=_pick(rng, PROFESSIONS[setting]),
                setting=setting,
                departement=departement,
                syndrome=syndrome,
                organism=rng.choice(
                    ("", "", "Escherichia coli", "Klebsiella pneumoniae", "Staphylococcus aureus")
                ),
                resistance=rng.choice(("unknown", "unknown", "none", "esbl"))
                if syndrome.startswith("uti")
                else "unknown",
                agents_considered=considered,
                agents_given=[
                    a for a in considered_pool if a not in considered and rng.random() < 0.15
                ],
                allergy=rng.choice(("none", "none", "none", "unknown", "penicillin")),
                renal_function=rng.choice(("unknown", "normal", "normal", "moderate")),
                pregnancy="not_applicable",
                age_band=_pick(rng, AGE_BANDS),
                sex=rng.choice(("F", "F", "M")),
                question=(
                    f"Demande de démonstration n° {number + 1} : "
                    f"{codes.Syndrome(syndrome).label}, conduite à tenir ?"
                ),
                identity_confirmed=False,
                routed_via=via,
                team=teams[departement.pk],
                assignee=assignee,
                received_at=received,
                due_at=due,
                first_answer_at=answered_at,
                closed_at=(answered_at + timedelta(days=rng.randint(1, 10)))
                if answered_at
                else None,
                reminded_at=due if reminded else None,
                escalated_at=(
                    due + timedelta(hours=4)
                    if late
                    and luck > 0.6
                    and answered_at
                    and answered_at > due + timedelta(hours=4)
                    else None
                ),
                survey_requested_at=answered_at + timedelta(days=7)
                if surveyed and answered_at
                else None,
            )
            # Due later: not reminded yet. Answered lately: not closed yet, its survey not
            # asked yet.
            if request.reminded_at is not None and request.reminded_at > now:
                request.reminded_at = None
            if request.closed_at is not None and request.closed_at > now:
                request.closed_at = None
                request.status = Status.ANSWERED
            asked = request.survey_requested_at
            if asked is not None and asked + timedelta(days=1) > now:
                request.survey_requested_at = None
            request.context_critical = any_critical(
                [*request.agents_considered, *request.agents_given]
            )
            recommendation = _pick(rng, recommendations)
            agents = list(recommended) if recommendation in ("start", "change", "narrow") else []
            request.answer_critical = any_critical(a for a, _r in agents) if answered_at else None
            plans.append((request, recommendation, agents, luck))
        AdviceRequest.objects.bulk_create([p[0] for p in plans], batch_size=1000)
        created = list(
            AdviceRequest.objects.filter(requester_email__endswith=f"@{domain}").order_by("pk")
        )
        by_email = {r.requester_email: r for r in created}
        events, answers, surveys, messages = [], [], [], []
        answer_agents = []
        edition = reference.editions().get("aware", "")
        coordinator_label = coordinators[0].get_full_name() if coordinators else "Coordination"
        for request_plan, recommendation, _agents, luck in plans:
            request = by_email[request_plan.requester_email]
            label = (
                request.assignee.get_full_name() or request.assignee.username
                if request.assignee
                else ""
            )
            version = 1

            def event(
                kind: str,
                at: datetime,
                actor: User | None,
                actor_label: str,
                request: AdviceRequest = request,
                **data: object,
            ) -> None:
                nonlocal version
                events.append(
                    AdviceEvent(
                        request=request,
                        kind=kind,
                        at=at,
                        actor=actor,
                        actor_label=actor_label,
                        version=version,
                        data=data,
                    )
                )
                version += 1

            received_on = request.received_at
            assert received_on is not None
            event(
                EventKind.CREATED,
                request.created_at,
                None,
                request.requester_name,
                channel=request.channel,
            )
            if request.channel == "web":
                event(EventKind.CONFIRMED, received_on, None, "Demandeur")
                event(
                    EventKind.ROUTED,
                    received_on,
                    None,
                    "Orientation automatique",
                    via=request.routed_via,
                    assignee=label,
                )
            if request.first_answer_at is None:
                if request.reminded_at is not None:
                    event(EventKind.REMINDED, request.reminded_at, None, "Relance automatique")
                request.version = version - 1
                continue
            answered = request.first_answer_at
            if request.channel == "web" and luck < 0.15:
                asked = received_on + (answered - received_on) / 3
                messages.append(
                    AdviceMessage(
                        request=request,
                        kind="question",
                        author=request.assignee,
                        author_label=label,
                        text="Pouvez-vous préciser la fonction rénale et le poids ?",
                        created_at=asked,
                    )
                )
                event(EventKind.INFO_REQUESTED, asked, request.assignee, label)
                replied = asked + (answered - asked) / 2
                messages.append(
                    AdviceMessage(
                        request=request,
                        kind="reply",
                        author=None,
                        author_label="Demandeur",
                        text="DFG 55 mL/min, 70 kg.",
                        created_at=replied,
                    )
                )
                event(EventKind.INFO_PROVIDED, replied, None, "Demandeur")
            if request.reminded_at is not None:
                event(EventKind.REMINDED, request.reminded_at, None, "Relance automatique")
                if request.escalated_at is not None:
                    event(
                        EventKind.ESCALATED,
                        request.escalated_at,
                        None,
                        "Relance automatique",
                        recipients=[coordinator_label],
                    )
            answers.append(
                Answer(
                    request=request,
                    author=request.assignee,
                    created_at=answered,
                    channel="phone" if request.channel == "phone" else "web",
                    recommendation=recommendation,
                    duration_days=rng.choice((None, 3, 5, 7, 7, 10)),
                    text=f"{codes.Recommendation(recommendation).label} (avis de démonstration).",
                    recommends_critical=bool(request.answer_critical),
                )
            )
            event(
                EventKind.ANSWERED,
                answered,
                request.assignee,
                label,
                recommendation=recommendation,
            )
            if request.survey_requested_at is not None:
                asked_at = request.survey_requested_at
                event(EventKind.SURVEY_REQUESTED, asked_at, None, "Relance automatique")
                followed = "yes" if luck < 0.42 else ("partly" if luck < 0.50 else "no")
                outcome = (
                    "cured"
                    if followed != "no" or luck < 0.52
                    else rng.choice(("no_change", "worse", "hospitalised"))
                )
                surveys.append(
                    Survey(
                        request=request,
                        followed=followed,
                        outcome=outcome,
                        answered_at=asked_at + timedelta(days=1),
                    )
                )
                event(
                    EventKind.SURVEY_ANSWERED,
                    asked_at + timedelta(days=1),
                    None,
                    "Demandeur",
                    followed=followed,
                )
            if request.closed_at is not None:
                event(EventKind.CLOSED, request.closed_at, request.assignee, label)
            request.version = version - 1
        AdviceMessage.objects.bulk_create(messages, batch_size=2000)
        Answer.objects.bulk_create(answers, batch_size=2000)
        stored_answers = {a.request_id: a for a in Answer.objects.filter(request__in=created)}
        for request_plan, _recommendation, agents, _luck in plans:
            answer = stored_answers.get(by_email[request_plan.requester_email].pk)
            if answer is None:
                continue
            for atc, route in agents:
                answer_agents.append(
                    RecommendedAgent(
                        answer=answer,
                        atc=atc,
                        route=route,
                        aware=reference.aware_category(atc, route) or "",
                        aware_edition=edition,
                    )
                )
        RecommendedAgent.objects.bulk_create(answer_agents, batch_size=2000)
        Survey.objects.bulk_create(surveys, batch_size=2000)
        AdviceEvent.objects.bulk_create(events, batch_size=2000)
        AdviceRequest.objects.bulk_update(created, ["version"], batch_size=1000)
        # bulk_create sends no signal: the stored figures of every year are now stale.
        mark_every_year()
    return AdviceDemoReport(requests=len(created), shifts=len(shifts), already_there=False)
