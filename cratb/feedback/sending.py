"""Sending a batch of feedback reports: each report by e-mail to the addresses the
directory holds for its subject (attached, or as a private link that expires), each
sending written to the append-only log, nothing sent to an address the directory does not
hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cratb.feedback import figures, reports
from cratb.feedback.figures import NoReport
from cratb.feedback.models import Delivery, FeedbackBatch, Kind, SentReport
from cratb.network.models import Organization, Territory

SALT = "cratb.feedback.link"


class LinkError(Exception):
    """A download link that cannot be used; the message says why, in French."""


def make_token(entry: SentReport) -> str:
    return signing.dumps({"log": entry.pk}, salt=SALT, compress=True)


def read_token(token: str) -> SentReport:
    """The log entry of a link; ``LinkError`` when the link is forged or has expired."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkError("Lien de téléchargement invalide : vérifiez l'adresse reçue.") from None
    entry = SentReport.objects.filter(pk=data.get("log"), sent=True).first()
    if entry is None or entry.delivery != Delivery.LINK:
        raise LinkError("Lien de téléchargement invalide : vérifiez l'adresse reçue.")
    if entry.expires_at is None or entry.expires_at < timezone.now():
        raise LinkError(
            f"Ce lien a expiré le {timezone.localtime(entry.expires_at):%d/%m/%Y} :"
            " demandez un nouvel envoi au CRAtb."
            if entry.expires_at
            else "Ce lien a expiré : demandez un nouvel envoi au CRAtb."
        )
    return entry


@dataclass(frozen=True)
class Target:
    kind: str
    key: str


def targets_of(batch: FeedbackBatch) -> list[Target]:
    """Whom the batch is for: the keys asked for, else every subject of its kind."""
    if batch.targets:
        return [Target(batch.kind, str(k)) for k in batch.targets]
    keys: list[str]
    if batch.kind == Kind.ESTABLISHMENT:
        keys = list(
            Organization.objects.establishments()
            .exclude(finess="")
            .order_by("name")
            .values_list("finess", flat=True)
        )
    elif batch.kind == Kind.CPTS:
        keys = list(
            Territory.objects.filter(kind=Territory.Kind.CPTS)
            .order_by("code")
            .values_list("code", flat=True)
        )
    else:
        keys = figures.identified_prescribers(batch.year)
    return [Target(batch.kind, k) for k in keys]


def contacts(kind: str, key: str) -> list[str]:
    on = timezone.localdate()
    if kind == Kind.ESTABLISHMENT:
        org = Organization.objects.filter(finess=key).first()
        return figures.establishment_contacts(org, on) if org else []
    if kind == Kind.PRESCRIBER:
        return figures.prescriber_contacts(key)
    territory = Territory.objects.filter(kind=Territory.Kind.CPTS, code=key).first()
    return figures.cpts_contacts(territory, on) if territory else []


def _log(batch: FeedbackBatch, *, key: str, label: str, **fields: Any) -> SentReport:
    return SentReport.objects.create(
        batch=batch,
        key=key[:40],
        label=label[:200],
        year=batch.year,
        delivery=batch.delivery,
        sent_by=batch.requested_by,
        **fields,
    )


def _body(label: str, year: int, link: str = "", expires: str = "") -> str:
    lines = [
        "Bonjour,",
        "",
        f"Veuillez trouver le rapport de retour d'information {year} du CRAtb : {label}.",
    ]
    if link:
        lines += [
            "",
            f"Téléchargez-le à cette adresse (lien personnel, valable jusqu'au {expires}) :",
            link,
        ]
    else:
        lines += ["", "Il est joint à ce message (PDF)."]
    lines += ["", "L'équipe du CRAtb", "Ce message est envoyé aux contacts de l'annuaire du CRAtb."]
    return "\n".join(lines)


def send_one(batch: FeedbackBatch, target: Target, *, connection: Any = None) -> int:
    """Send one report to its contacts; the number of messages sent (0 with a log line
    saying why when nothing can be sent)."""
    try:
        subject, document = reports.subject_and_document(target.kind, target.key, batch.year)
    except NoReport as exc:
        _log(batch, kind=target.kind, key=target.key, label=target.key, reason=str(exc))
        return 0
    addresses = contacts(target.kind, subject.key)
    if not addresses:
        _log(
            batch,
            kind=target.kind,
            key=subject.key,
            label=subject.label,
            reason="aucune adresse dans l'annuaire : rapport non envoyé",
        )
        return 0
    data = reports.pdf(document)
    title = f"CRAtb — rapport de retour d'information {batch.year} : {subject.label}"
    sent = 0
    for address in addresses:
        with transaction.atomic():  # the log line only with the message gone
            _send_to(batch, target, subject, address, title=title, data=data, connection=connection)
        sent += 1
    return sent


def _send_to(
    batch: FeedbackBatch,
    target: Target,
    subject: reports.Subject,
    address: str,
    *,
    title: str,
    data: bytes,
    connection: Any = None,
) -> None:
    fields = {"kind": target.kind, "key": subject.key, "label": subject.label}
    if batch.delivery == Delivery.LINK:
        expires = timezone.now() + timedelta(days=batch.link_days)
        entry = _log(batch, recipient=address, sent=True, expires_at=expires, **fields)
        link = settings.SITE_URL.rstrip("/") + reverse("feedback:link", args=[make_token(entry)])
        body = _body(subject.label, batch.year, link, f"{timezone.localtime(expires):%d/%m/%Y}")
        message = EmailMessage(
            title, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection
        )
    else:
        message = EmailMessage(
            title,
            _body(subject.label, batch.year),
            settings.DEFAULT_FROM_EMAIL,
            [address],
            connection=connection,
        )
        name = f"rapport-{target.kind}-{subject.key}-{batch.year}.pdf"
        message.attach(name, data, "application/pdf")
        _log(batch, recipient=address, sent=True, **fields)
    message.send()


def run_batch(batch: FeedbackBatch, *, connection: Any = None) -> FeedbackBatch:
    """Send every report of ``batch`` (``connection``: an e-mail connection, Django's
    default when None), advancing its progress."""
    targets = targets_of(batch)
    if not targets:
        batch.refuse("Aucun rapport à envoyer : aucun destinataire de ce type dans l'annuaire.")
        return batch
    batch.start(steps_total=len(targets))
    for target in targets:
        if send_one(batch, target, connection=connection):
            batch.sent += 1
        else:
            batch.skipped += 1
        batch.save(update_fields=["sent", "skipped"])
        batch.advance(message=target.key)
    batch.succeed(
        message=f"{batch.sent} rapport(s) envoyé(s), {batch.skipped} non envoyé(s)"
        " (voir le journal)."
    )
    return batch
