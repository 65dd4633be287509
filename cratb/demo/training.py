"""The demo region's training: a year of sessions with registrations, attendance and
satisfaction, and the next year's agenda open for registration (``cratb demo``).

- the plan of the demo ``year``: a peer workshop on urinary infections in each
  département, webinars, an e-learning course, a lecture, the training of CPTS
  referents and the yearly regional day; registrations, attendance (about 85 %) and
  satisfaction answers (about 60 % of those present) for every session already over;
- the plan of the following year (the year after the demo year or after the current
  one, whichever is later), so the public agenda always has sessions open: one peer
  workshop is already full, so its next registrations go to the waiting list.

Some CPTS referents of the demo directory register (by their e-mail) and attend: they
count as trained. Deterministic for (region, seed, year) and the current year, and
written by natural keys (plan year, session title and start, registration e-mail), so a
second run writes nothing new.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cratb.network.models import Practitioner, PractitionerRole, Profession, Territory
from cratb.training.models import (
    Registration,
    RegistrationEvent,
    SatisfactionResponse,
    TrainingPlan,
    TrainingSession,
)

Format = TrainingSession.Format
Label = TrainingSession.Label
PROFESSION_MIX = (
    (Profession.PHYSICIAN, 0.45),
    (Profession.PHARMACIST, 0.2),
    (Profession.NURSE, 0.2),
    (Profession.DENTIST, 0.08),
    (Profession.MIDWIFE, 0.04),
    (Profession.BIOLOGIST, 0.03),
)
ALL = [p.value for p in Profession if p != Profession.OTHER]


@dataclass(frozen=True)
class SessionSpec:
    title: str
    theme: str
    format: str
    month: int
    day: int
    hours: float
    capacity: int
    audience: tuple[str, ...]
    label: str
    online: bool
    fill: float  # share of the capacity registered


YEAR_SESSIONS = (
    SessionSpec("Webinaire : angine et TROD streptocoque", "Infections ORL", Format.WEBINAR,
                2, 6, 1.5, 150, ("physician", "pharmacist"), Label.CRATB, True, 0.6),
    SessionSpec("Antibiothérapie en EHPAD", "Infections en EHPAD", Format.WEBINAR,
                3, 14, 2, 100, ("physician", "nurse"), Label.CRATB, True, 0.7),
    SessionSpec("Formation des référents antibiotiques de CPTS", "Référents de CPTS",
                Format.PEER_WORKSHOP, 4, 10, 7, 20, ("physician", "pharmacist"), Label.CRATB_DPC,
                False, 0.8),
    SessionSpec("Bon usage des antibiotiques : les bases", "Bases du bon usage", Format.ELEARNING,
                1, 15, 3, 500, (), Label.DPC, True, 0.12),
    SessionSpec("Antibiorésistance : les données de la région", "Surveillance", Format.LECTURE,
                6, 12, 2, 80, (), "", False, 0.5),
    SessionSpec("Journée régionale du bon usage des antibiotiques", "Journée régionale",
                Format.REGIONAL_DAY, 11, 20, 7, 250, (), Label.CRATB, False, 0.7),
)  # fmt: skip
WORKSHOP = SessionSpec(
    "Atelier entre pairs : infections urinaires de l'adulte", "Infections urinaires",
    Format.PEER_WORKSHOP, 9, 18, 3, 12, ("physician",), Label.CRATB_DPC, False, 0.9,
)  # fmt: skip
NEXT_SESSIONS = (
    SessionSpec("Webinaire : durées courtes d'antibiothérapie", "Durées de traitement",
                Format.WEBINAR, 3, 5, 1.5, 150, ("physician", "pharmacist", "dentist"),
                Label.CRATB, True, 0.3),
    SessionSpec("Formation des référents antibiotiques de CPTS", "Référents de CPTS",
                Format.PEER_WORKSHOP, 4, 9, 7, 20, ("physician", "pharmacist"), Label.CRATB_DPC,
                False, 0.3),
    SessionSpec("Antibioprophylaxie en chirurgie dentaire", "Chirurgie dentaire", Format.LECTURE,
                5, 21, 2, 60, ("dentist",), Label.DPC, False, 0.2),
    SessionSpec("Journée régionale du bon usage des antibiotiques", "Journée régionale",
                Format.REGIONAL_DAY, 11, 19, 7, 250, (), Label.CRATB, False, 0.1),
)  # fmt: skip
FULL_WORKSHOP = SessionSpec(
    "Atelier entre pairs : prescrire moins en ville", "Prescription en ville",
    Format.PEER_WORKSHOP, 2, 12, 3, 12, ("physician", "pharmacist"), Label.CRATB_DPC, False, 1.0,
)  # fmt: skip

FIRST_NAMES = ("Agathe", "Bastien", "Céline", "Damien", "Elsa", "Fabien", "Gaëlle", "Henri",
               "Iris", "Jérôme", "Katia", "Loïc", "Marion", "Nicolas", "Océane", "Pierre",
               "Quentin", "Rose", "Simon", "Tiphaine", "Ulysse", "Valérie", "William",
               "Yasmine")  # fmt: skip
LAST_NAMES = ("Aubert", "Barbier", "Caron", "Dumas", "Étienne", "Fleury", "Gilles", "Hamon",
              "Imbert", "Jacob", "Klein", "Lucas", "Marchand", "Noël", "Olivier", "Picard",
              "Renaud", "Schmitt", "Tessier", "Vidal", "Weber", "Zimmermann")  # fmt: skip


@dataclass(frozen=True)
class DemoTraining:
    sessions: int
    registrations: int

    @property
    def summary(self) -> str:
        return (
            f"{self.sessions} sessions et {self.registrations} inscriptions écrites "
            "(0 : déjà à jour)"
        )


class _Builder:
    def __init__(self, *, region_code: str, seed: int, year: int) -> None:
        self.rng = random.Random(f"cratb-training-demo|{region_code}|{seed}|{year}")
        self.region = Territory.objects.get(kind=Territory.Kind.REGION, code=region_code)
        self.deps = list(
            Territory.objects.departements().filter(parent=self.region).order_by("code")
        )
        self.sessions = 0
        self.registrations = 0
        self.participant_seq = 0
        self.now = timezone.now()

    def plan(self, year: int, *, adopted: bool) -> TrainingPlan:
        plan, _created = TrainingPlan.objects.get_or_create(
            year=year,
            defaults={
                "title": f"Plan régional de formation {year}",
                "objectives": (
                    "Former en priorité les médecins généralistes, les pharmaciens d'officine "
                    "et les équipes d'EHPAD, par des ateliers entre pairs en petits groupes "
                    "plutôt que des conférences ; un référent antibiotiques formé dans chaque "
                    "CPTS ; une journée régionale du bon usage des antibiotiques."
                    + ("" if adopted else " Plan en préparation : l'agenda s'enrichit.")
                ),
            },
        )
        return plan

    def session(
        self, plan: TrainingPlan, spec: SessionSpec, *, departement: Territory | None
    ) -> TrainingSession:
        place = departement or self.deps[0]
        start = timezone.make_aware(
            datetime.datetime(plan.year, spec.month, spec.day, 9 if spec.hours > 3 else 14, 0)
        )
        end = start + datetime.timedelta(hours=float(spec.hours) + (1 if spec.hours > 3 else 0))
        title = spec.title if departement is None else f"{spec.title} ({departement.name})"
        session, created = TrainingSession.objects.get_or_create(
            plan=plan,
            title=title,
            starts_at=start,
            defaults={
                "theme": spec.theme,
                "format": spec.format,
                "description": f"{spec.theme} : cas cliniques, recommandations et échanges.",
                "audience": list(spec.audience),
                "ends_at": end,
                "duration_hours": Decimal(str(spec.hours)),
                "online": spec.online,
                "venue": "" if spec.online else f"Salle de démonstration, {place.name}",
                "departement": departement,
                "capacity": spec.capacity,
                "label": spec.label,
                "trainers_note": "Équipe de coordination du CRAtb",
            },
        )
        if created:
            self.sessions += 1
            trainers = Practitioner.objects.filter(
                roles__function__in=[
                    PractitionerRole.Function.EMA_GP_REFERENT,
                    PractitionerRole.Function.INFECTIOLOGIST,
                ],
                roles__organization__departement=place,
            ).distinct()[:2]
            session.trainers.set(trainers)
        return session

    def participants(
        self, session: TrainingSession, count: int, *, referents: list[Practitioner]
    ) -> None:
        for person in referents[:count]:
            self.register(session, first=person.first_name, last=person.last_name,
                          email=person.email, profession=person.profession,
                          organisation="CPTS", practitioner=person)  # fmt: skip
        for _i in range(count - min(count, len(referents))):
            self.participant_seq += 1
            profession = self.rng.choices(
                [p for p, _w in PROFESSION_MIX], weights=[w for _p, w in PROFESSION_MIX]
            )[0]
            if session.audience and profession not in session.audience:
                profession = session.audience[0]
            first = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(LAST_NAMES)
            self.register(
                session,
                first=first,
                last=last,
                email=f"participant.{self.participant_seq}@demo.cratb.localhost",
                profession=profession,
                organisation=self.rng.choice(
                    ["Cabinet libéral", "Maison de santé pluriprofessionnelle", "Officine",
                     "EHPAD", "Centre hospitalier", "Centre de santé"]
                ),
            )  # fmt: skip

    def register(
        self,
        session: TrainingSession,
        *,
        first: str,
        last: str,
        email: str,
        profession: str,
        organisation: str,
        practitioner: Practitioner | None = None,
    ) -> None:
        departement = session.departement or self.rng.choice(self.deps)
        confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
        status = (
            Registration.Status.CONFIRMED
            if confirmed < session.capacity
            else Registration.Status.WAITLISTED
        )
        registration, created = Registration.objects.get_or_create(
            session=session,
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "profession": profession,
                "organization_name": organisation,
                "departement": departement,
                "practitioner": practitioner,
                "status": status,
                "created_at": session.starts_at - datetime.timedelta(days=30),
            },
        )
        if created:
            self.registrations += 1
            registration._log(
                RegistrationEvent.Kind.REGISTERED
                if status == Registration.Status.CONFIRMED
                else RegistrationEvent.Kind.WAITLISTED
            )
        if session.ends_at < self.now and registration.status == Registration.Status.CONFIRMED:
            if registration.attended is None:
                registration.mark_attendance(attended=self.rng.random() < 0.85, by=None)
            if registration.attended and self.rng.random() < 0.6:
                SatisfactionResponse.objects.get_or_create(
                    registration=registration,
                    defaults={
                        "overall": self.rng.choices([3, 4, 5], weights=[1, 4, 4])[0],
                        "usefulness": self.rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0],
                        "would_recommend": self.rng.random() < 0.9,
                        "answered_at": session.ends_at + datetime.timedelta(days=2),
                    },
                )


def _cpts_referents(*, keep_untrained: str) -> list[Practitioner]:
    """CPTS referents not yet trained, in a stable order (the demo trains some of them).

    The referents of the CPTS territory ``keep_untrained`` stay untrained: the network
    demo leaves that CPTS with an untrained referent on purpose.
    """
    untrained = (
        PractitionerRole.objects.filter(
            function=PractitionerRole.Function.CPTS_REFERENT, trained_on__isnull=True
        )
        .exclude(territory__code=keep_untrained)
        .select_related("practitioner")
        .order_by("practitioner__rpps")
    )
    return [role.practitioner for role in untrained]


def build_demo(*, region_code: str, seed: int, year: int) -> DemoTraining:
    """Write the demo plans, sessions and registrations of ``region_code``."""
    with transaction.atomic():
        builder = _Builder(region_code=region_code, seed=seed, year=year)
        first = builder.deps[0].code if builder.deps else ""
        referents = _cpts_referents(keep_untrained=f"CPTS-{first}-2")
        # Half of the untrained referents attend this year's training; the others stay gaps.
        trained_now = [p for i, p in enumerate(referents) if i % 2 == 1]
        plan = builder.plan(year, adopted=True)
        for spec in YEAR_SESSIONS:
            session = builder.session(plan, spec, departement=None)
            chosen = trained_now if spec.title.startswith("Formation des référents") else []
            builder.participants(session, round(spec.capacity * spec.fill), referents=chosen)
        for dep in builder.deps:
            session = builder.session(plan, WORKSHOP, departement=dep)
            builder.participants(session, round(WORKSHOP.capacity * WORKSHOP.fill), referents=[])
        next_year = max(year, timezone.localdate().year) + 1
        agenda = builder.plan(next_year, adopted=False)
        for spec in NEXT_SESSIONS:
            session = builder.session(agenda, spec, departement=None)
            builder.participants(session, round(spec.capacity * spec.fill), referents=[])
        full = builder.session(agenda, FULL_WORKSHOP, departement=builder.deps[0])
        builder.participants(full, FULL_WORKSHOP.capacity, referents=[])
    return DemoTraining(sessions=builder.sessions, registrations=builder.registrations)
