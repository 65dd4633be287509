"""Feedback batches (background jobs), the log of what was sent, and the lab serving an
establishment (where its isolates' figures come from)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from cratb.jobs import Job, status_field
from cratb.network.models import Organization


class Kind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Établissement")
    PRESCRIBER = "prescriber", _("Prescripteur")
    CPTS = "cpts", _("CPTS")


class Delivery(models.TextChoices):
    EMAIL = "email", _("Courriel avec le rapport en pièce jointe")
    LINK = "link", _("Courriel avec un lien de téléchargement privé")


class FeedbackBatch(Job):
    """One sending: the reports of a kind for a year, to the directory's contacts."""

    status = status_field(done=_("Terminé"))
    kind = models.CharField(_("rapports"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    delivery = models.CharField(_("envoi"), max_length=10, choices=Delivery.choices)
    #: The targets asked for (prescribers: their RPPS); empty: all of the kind.
    targets = models.JSONField(_("destinataires demandés"), default=list, blank=True)
    link_days = models.PositiveSmallIntegerField(_("validité du lien (jours)"), default=30)
    sent = models.PositiveIntegerField(_("rapports envoyés"), default=0)
    skipped = models.PositiveIntegerField(_("rapports non envoyés"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("envoi de rapports")
        verbose_name_plural = _("envois de rapports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.created_at:%d/%m/%Y %H:%M})"


class SendLogError(AppendOnlyError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Le journal des envois est en ajout seul : rien ne s'y modifie."
        )


class SentReport(AppendOnlyModel):
    """One line of the sending log: which report, to whom, when, how — or why not."""

    append_only_error = SendLogError

    batch = models.ForeignKey(
        FeedbackBatch, on_delete=models.PROTECT, related_name="log", null=True, blank=True
    )
    kind = models.CharField(_("rapport"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("sujet"), max_length=40)  # FINESS, RPPS or CPTS code
    label = models.CharField(_("libellé"), max_length=200)
    year = models.PositiveSmallIntegerField(_("année"))
    delivery = models.CharField(_("envoi"), max_length=10, choices=Delivery.choices)
    recipient = models.EmailField(_("destinataire"), blank=True)
    sent = models.BooleanField(_("envoyé"), default=False)
    reason = models.CharField(_("raison"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("lien valable jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects: ClassVar[AppendOnlyQuerySet[SentReport]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("envoi d'un rapport")
        verbose_name_plural = _("journal des envois")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} → {self.recipient or '—'} ({self.created_at:%d/%m/%Y})"


class EstablishmentLab(models.Model):
    """The lab (``lab_id`` of the result files) serving an establishment: its isolates'
    resistance and targeted-reporting figures go into the establishment's report."""

    establishment = models.OneToOneField(
        Organization,
        verbose_name=_("établissement"),
        on_delete=models.CASCADE,
        related_name="feedback_lab",
        limit_choices_to={"kind__in": Organization.ESTABLISHMENT_KINDS},
    )
    lab_id = models.CharField(_("identifiant du laboratoire"), max_length=40)

    class Meta:
        verbose_name = _("laboratoire d'un établissement")
        verbose_name_plural = _("laboratoires des établissements")

    def __str__(self) -> str:
        return f"{self.establishment} → {self.lab_id}"
