"""What hangs off a request: its append-only history, messages, answers, files, survey."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts import append_only
from cratb.accounts.models import User
from cratb.advice import codes
from cratb.advice.models.choices import EventKind, FastDisplay
from cratb.engine import reference

REQUEST = "advice.AdviceRequest"


class AppendOnlyError(append_only.AppendOnlyError):
    def __init__(self) -> None:
        super().__init__("Le journal d'une demande est en ajout seul : rien ne s'y modifie.")


class AdviceEventQuerySet(append_only.AppendOnlyQuerySet["AdviceEvent"]):
    error = AppendOnlyError

    def overwrite_for_redaction(self, pk: int, *, text: str, data: Any) -> None:
        """The one change the history allows: ``AdviceRequest.redact`` overwriting a
        removed passage in one event (``cratb.advice.models.redaction``)."""
        models.QuerySet.update(self.filter(pk=pk), text=text, data=data)


class AdviceEvent(FastDisplay, append_only.AppendOnlyModel):
    """One line of a request's history. Append-only: written once, never changed (the
    one exception: ``AdviceRequest.redact`` overwriting a removed passage)."""

    append_only_error = AppendOnlyError

    request = models.ForeignKey(
        REQUEST, on_delete=models.PROTECT, related_name="events", verbose_name=_("demande")
    )
    kind = models.CharField(_("événement"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("date"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200)
    version = models.PositiveIntegerField(_("version de la demande"))
    data = models.JSONField(_("détails"), default=dict, blank=True)
    text = models.TextField(_("texte"), blank=True)

    objects: ClassVar[AdviceEventQuerySet] = AdviceEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="advice_event_request_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.actor_label}"


class AdviceMessage(FastDisplay, models.Model):
    """A question to the requester, or the requester's reply."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question au demandeur")
        REPLY = "reply", _("Réponse du demandeur")

    request = models.ForeignKey(REQUEST, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.author_label}"


class Answer(FastDisplay, models.Model):
    """A coded answer: recommendation, agents with their AWaRe category, duration."""

    request = models.ForeignKey(REQUEST, on_delete=models.PROTECT, related_name="answers")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(
        _("canal de la réponse"),
        max_length=20,
        choices=codes.Channel.choices,
        default=codes.Channel.WEB,
    )
    recommendation = models.CharField(
        _("recommandation"), max_length=20, choices=codes.Recommendation.choices
    )
    duration_days = models.PositiveSmallIntegerField(_("durée (jours)"), null=True, blank=True)
    text = models.TextField(_("avis"))
    recommends_critical = models.BooleanField(default=False)
    # The guidelines and care pathways the responder points the requester to (cratb/guidelines,
    # whose figures count them).
    documents = models.ManyToManyField(
        "guidelines.Document", verbose_name=_("documents cités"), blank=True, related_name="answers"
    )
    pathways = models.ManyToManyField(
        "guidelines.Pathway",
        verbose_name=_("fiches parcours citées"),
        blank=True,
        related_name="answers",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_recommendation_display()} ({self.created_at:%Y-%m-%d})"


class RecommendedAgent(FastDisplay, models.Model):
    """An agent recommended by an answer, with its AWaRe category when answered."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="agents")
    atc = models.CharField(_("code ATC"), max_length=7)
    route = models.CharField(_("voie"), max_length=2, choices=codes.Route.choices)
    aware = models.CharField(_("catégorie AWaRe"), max_length=10, blank=True)
    aware_edition = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_route_display()})"

    @property
    def name(self) -> str:
        agent = reference.antibacterials().get(self.atc)
        return agent.name_fr if agent else self.atc

    @property
    def critical(self) -> bool:
        return reference.is_critical(self.atc)


class Attachment(FastDisplay, models.Model):
    """A susceptibility report (PDF or image) kept under MEDIA_ROOT, served by a checked view."""

    request = models.ForeignKey(REQUEST, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_requester = models.BooleanField(default=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Survey(FastDisplay, models.Model):
    """The close-out survey: was the advice followed, and what happened."""

    request = models.OneToOneField(REQUEST, on_delete=models.PROTECT, related_name="survey")
    followed = models.CharField(_("avis suivi"), max_length=10, choices=codes.Followed.choices)
    outcome = models.CharField(_("évolution"), max_length=20, choices=codes.Outcome.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_followed_display()} / {self.get_outcome_display()}"
