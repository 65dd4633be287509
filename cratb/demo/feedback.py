"""The demo region's feedback reports (``cratb demo``): each demo hospital's lab (the demo
isolates of a hospital come from ``LAB-<FINESS>``), the demo requester's directory entry
with an identified prescriber's RPPS, and three sendings already made (every
establishment, every CPTS, a list of prescribers) with their log.

The demo sends nothing: its messages go to Django's dummy e-mail backend (the log still
says to whom each would have gone). Safe to run twice: the sendings are made once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import mail
from django.db import transaction

from cratb.accounts.models import Role, User
from cratb.feedback import figures
from cratb.feedback.models import Delivery, EstablishmentLab, FeedbackBatch, Kind
from cratb.feedback.sending import run_batch
from cratb.network.models import Organization, Practitioner

DUMMY = "django.core.mail.backends.dummy.EmailBackend"
PRESCRIBERS = 6


@dataclass(frozen=True)
class FeedbackDemo:
    labs: int
    batches: int
    sent: int
    requester_rpps: str
    created: bool = True

    @property
    def summary(self) -> str:
        if not self.created:
            return "envois de rapports déjà faits"
        return (
            f"{self.labs} laboratoires d'établissement, {self.batches} envois de rapports"
            f" ({self.sent} rapports envoyés)"
            + (
                f", demandeur de démonstration : RPPS {self.requester_rpps}"
                if self.requester_rpps
                else ""
            )
        )


def _requester_rpps(rpps: list[str]) -> str:
    """Give the demo requester's directory entry the RPPS of an identified prescriber that
    no one in the directory has yet."""
    user = User.objects.filter(role=Role.REQUESTER, username="demo-demandeur").first()
    if user is None:
        return ""
    person = Practitioner.objects.filter(user=user).first()
    if person is not None and person.rpps:
        return person.rpps
    taken = set(Practitioner.objects.exclude(rpps="").values_list("rpps", flat=True))
    free = [number for number in rpps if number not in taken]
    if not free:
        return ""
    if person is None:
        person = Practitioner(
            last_name=user.last_name or "Généraliste", first_name=user.first_name, user=user
        )
    person.rpps = free[0]
    if not person.email:
        person.email = user.email
    person.save()
    return free[0]


def build_demo(*, year: int) -> FeedbackDemo:
    with transaction.atomic():
        labs = 0
        for hospital in Organization.objects.establishments().exclude(finess=""):
            _link, created = EstablishmentLab.objects.get_or_create(
                establishment=hospital, defaults={"lab_id": f"LAB-{hospital.finess}"}
            )
            labs += created
        rpps = figures.identified_prescribers(year)
        requester = _requester_rpps(rpps)
    if FeedbackBatch.objects.exists():
        return FeedbackDemo(labs, 0, 0, requester, created=False)
    coordinator = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    batches = (
        FeedbackBatch(
            kind=Kind.ESTABLISHMENT, year=year, delivery=Delivery.EMAIL, requested_by=coordinator
        ),
        FeedbackBatch(kind=Kind.CPTS, year=year, delivery=Delivery.LINK, requested_by=coordinator),
        FeedbackBatch(
            kind=Kind.PRESCRIBER,
            year=year,
            delivery=Delivery.LINK,
            targets=rpps[:PRESCRIBERS],
            requested_by=coordinator,
        ),
    )
    sent = made = 0
    with mail.get_connection(DUMMY) as connection:
        for batch in batches:
            if batch.kind == Kind.PRESCRIBER and not batch.targets:
                continue  # no identified prescriber in the demo's data
            batch.save()
            run_batch(batch, connection=connection)
            sent += batch.sent
            made += 1
    return FeedbackDemo(labs, made, sent, requester)
