"""News items, the letters composed from them and from guidelines, the people who
subscribed on the public site, their consent trail, the delivery log and the bounced
addresses."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from cratb.guidelines.models import Document
from cratb.jobs import Job, status_field
from cratb.network.models import Territory


class NewsQuerySet(models.QuerySet["NewsItem"]):
    def published(self) -> NewsQuerySet:
        return self.filter(published=True, date__lte=timezone.localdate())


class NewsItem(models.Model):
    """A news item of the public site: plain text, paragraphs split by blank lines."""

    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(
        _("résumé"),
        max_length=300,
        help_text=_("Une ou deux phrases : la description de la page et l'extrait du flux RSS."),
    )
    body = models.TextField(
        _("texte"),
        max_length=20000,
        help_text=_("Texte simple ; une ligne vide sépare les paragraphes."),
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    published = models.BooleanField(_("publiée"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[NewsQuerySet] = NewsQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        blocks = self.body.replace("\r\n", "\n").split("\n\n")
        return [" ".join(b.split()) for b in blocks if b.strip()]


class ConsentLogError(AppendOnlyError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or "Le registre des consentements est en ajout seul.")


class Consent(AppendOnlyModel):
    """One event of an address's consent to receive the letters, with its date: asked on
    the public form, confirmed by the link, withdrawn by the unsubscribe link. The last
    event of an address says whether it receives the letters."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Inscription demandée")
        CONFIRMED = "confirmed", _("Inscription confirmée")
        WITHDRAWN = "withdrawn", _("Désinscription")

    append_only_error = ConsentLogError

    email = models.EmailField(_("adresse"), db_index=True)
    action = models.CharField(_("événement"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    source = models.CharField(_("par"), max_length=100, blank=True)

    objects: ClassVar[AppendOnlyQuerySet[Consent]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("registre des consentements")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} : {self.get_action_display()} ({self.at:%d/%m/%Y})"

    @classmethod
    def last_action(cls, email: str) -> str:
        last = cls.objects.filter(email__iexact=email).order_by("-at", "-id").first()
        return last.action if last else ""

    @classmethod
    def subscribed(cls) -> list[str]:
        """The addresses whose last event is a confirmation, in alphabetical order."""
        last: dict[str, str] = {}
        for email, action in cls.objects.order_by("at", "id").values_list("email", "action"):
            last[email.lower()] = action
        return sorted(e for e, a in last.items() if a == cls.Action.CONFIRMED)

    @classmethod
    def withdrawn(cls) -> set[str]:
        last: dict[str, str] = {}
        for email, action in cls.objects.order_by("at", "id").values_list("email", "action"):
            last[email.lower()] = action
        return {e for e, a in last.items() if a == cls.Action.WITHDRAWN}


class Bounce(models.Model):
    """An address the mail server returned as undeliverable: no letter goes to it."""

    email = models.EmailField(_("adresse"), unique=True)
    at = models.DateTimeField(_("marquée le"), default=timezone.now)
    source = models.CharField(_("origine"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("adresse en échec")
        verbose_name_plural = _("adresses en échec")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Audience(models.TextChoices):
    SUBSCRIBERS = "subscribers", _("Abonnés du site public")
    PRESCRIBERS = "prescribers", _("Prescripteurs d'un territoire (annuaire)")
    BIOLOGISTS = "biologists", _("Biologistes des laboratoires (annuaire)")
    EMA = "ema", _("Membres des EMA (annuaire)")


class Letter(Job):
    """A letter: its text, the news and documents it carries, its audience; once sent, a
    background job (``submitted_at`` set) that sends it at the set rate."""

    status = status_field(done=_("Envoyée"), queued=_("En attente d'envoi"))
    subject = models.CharField(_("objet"), max_length=200)
    introduction = models.TextField(
        _("introduction"), max_length=5000, blank=True, help_text=_("Texte simple.")
    )
    audience = models.CharField(_("destinataires"), max_length=20, choices=Audience.choices)
    include_subscribers = models.BooleanField(
        _("avec les abonnés du site public"),
        default=True,
        help_text=_("Ajoute les abonnés au public choisi dans l'annuaire."),
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Pour les prescripteurs : le département, la CPTS ou le GHT."),
    )
    news = models.ManyToManyField(NewsItem, verbose_name=_("actualités"), blank=True)
    documents = models.ManyToManyField(
        Document, verbose_name=_("documents"), blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("envoi demandé le"), null=True, blank=True)
    sent = models.PositiveIntegerField(_("envoyés"), default=0)
    skipped = models.PositiveIntegerField(_("non envoyés"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("lettre")
        verbose_name_plural = _("lettres")

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class DeliveryLogError(AppendOnlyError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Le journal des envois est en ajout seul : rien ne s'y modifie."
        )


class Delivery(AppendOnlyModel):
    """One line of a letter's delivery log: to whom, when, sent or why not."""

    append_only_error = DeliveryLogError

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="log")
    email = models.EmailField(_("destinataire"))
    sent = models.BooleanField(_("envoyée"), default=False)
    reason = models.CharField(_("raison"), max_length=300, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)

    objects: ClassVar[AppendOnlyQuerySet[Delivery]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("envoi d'une lettre")
        verbose_name_plural = _("journal des envois de lettres")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "email"], name="letters_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.at:%d/%m/%Y %H:%M})"
