"""Training: the annual plan, its sessions, registrations, attendance and satisfaction.

A registration holds the participant's professional identity (name, e-mail, profession,
département), never more; its secret ``token`` is the participant's key to their
registration page, questionnaire and attendance certificate (sent by e-mail). Every
change of a registration's state writes a ``RegistrationEvent`` in the same transaction.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.network.models import Practitioner, Profession, Territory


class TrainingPlan(models.Model):
    """The year's training plan: whom to train and how, adopted by the coordination."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    objectives = models.TextField(_("objectifs et publics visés"), blank=True)

    class Meta:
        verbose_name = _("plan de formation")
        verbose_name_plural = _("plans de formation")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(models.QuerySet["TrainingSession"]):
    def published(self) -> SessionQuerySet:
        return self.filter(published=True)

    def upcoming(self) -> SessionQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def with_counts(self) -> SessionQuerySet:
        return self.annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            waitlisted_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
        )


class TrainingSession(models.Model):
    class Format(models.TextChoices):
        PEER_WORKSHOP = "peer_workshop", _("Atelier entre pairs")
        WEBINAR = "webinar", _("Webinaire")
        ELEARNING = "elearning", _("E-learning")
        LECTURE = "lecture", _("Conférence")
        REGIONAL_DAY = "regional_day", _("Journée régionale")

    class Label(models.TextChoices):
        NONE = "", _("Aucun")
        CRATB = "cratb", _("Label CRAtb")
        DPC = "dpc", _("Développement professionnel continu (DPC)")
        CRATB_DPC = "cratb_dpc", _("Label CRAtb et DPC")

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("titre"), max_length=200)
    theme = models.CharField(_("thème"), max_length=200)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    description = models.TextField(_("présentation"), blank=True)
    audience = models.JSONField(
        _("professions visées"), default=list, blank=True, help_text=_("Vide : tous publics.")
    )
    trainers = models.ManyToManyField(
        Practitioner, verbose_name=_("formateurs"), blank=True, related_name="sessions_given"
    )
    trainers_note = models.CharField(_("autres intervenants"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    duration_hours = models.DecimalField(
        _("durée (heures)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    online = models.BooleanField(_("en ligne"), default=False)
    venue = models.CharField(_("lieu"), max_length=300, blank=True)
    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_sessions",
        limit_choices_to={"kind": "departement"},
    )
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    waiting_list = models.BooleanField(_("liste d'attente"), default=True)
    label = models.CharField(
        _("label de formation continue"), max_length=20, choices=Label.choices, blank=True
    )
    published = models.BooleanField(_("publiée dans l'agenda"), default=True)

    objects: ClassVar[SessionQuerySet] = SessionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("La fin précède le début.")})
        if self.starts_at and self.plan_id is not None:
            year = timezone.localtime(self.starts_at).year
            if year != self.plan.year:
                raise ValidationError(
                    {
                        "starts_at": _(
                            "Cette session a lieu en %(year)s : elle n'entre pas dans le plan "
                            "de formation %(plan)s (choisissez le plan %(year)s)."
                        )
                        % {"year": year, "plan": self.plan.year}
                    }
                )
        if not self.online and not self.venue and self.format != self.Format.ELEARNING:
            raise ValidationError({"venue": _("Indiquez le lieu, ou cochez « en ligne ».")})
        unknown = set(self.audience or []) - set(Profession.values)
        if unknown:
            raise ValidationError({"audience": _("Profession inconnue.")})

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Profession.choices)
        return [str(labels[code]) for code in self.audience if code in labels]

    def confirmed(self) -> int:
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()

    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed())

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def has_started(self) -> bool:
        """Public registration closes when the session starts (not when it ends)."""
        return self.starts_at <= timezone.now()


class RegistrationError(ValueError):
    """A registration that cannot be taken; the message is French, on one line."""


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscription confirmée")
        WAITLISTED = "waitlisted", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulée")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"))
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    organization_name = models.CharField(_("structure ou lieu d'exercice"), max_length=200)
    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département d'exercice"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="training_registrations",
        limit_choices_to={"kind": "departement"},
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("professionnel de l'annuaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    attended = models.BooleanField(_("présent"), null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="registration_unique_email"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} — {self.session}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def reference(self) -> str:
        """A reference a person can read out: year of the session, session, registration
        (« ATT-2026-0012-00345 »); the link's token stays secret."""
        year = timezone.localtime(self.session.starts_at).year
        return f"ATT-{year}-{self.session_id:04d}-{self.pk:05d}"

    @classmethod
    def register(cls, *, session: TrainingSession, **fields: Any) -> Registration:
        """Take a registration: confirmed while places remain, else on the waiting list.

        The session row is locked so two visitors cannot take the last place together.
        Refuses (``RegistrationError``) a second registration with the same e-mail, a past
        session, and a full session without a waiting list.
        """
        with transaction.atomic():
            locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
            email = fields["email"].strip().lower()
            if locked.is_past:
                raise RegistrationError(_("Cette session est passée : l'inscription est close."))
            if locked.has_started:
                raise RegistrationError(_("Cette session a commencé : l'inscription est close."))
            if cls.objects.filter(session=locked, email__iexact=email).exists():
                raise RegistrationError(
                    _("L'adresse %(email)s est déjà inscrite à cette session.") % {"email": email}
                )
            if locked.places_left() > 0:
                status = cls.Status.CONFIRMED
            elif locked.waiting_list:
                status = cls.Status.WAITLISTED
            else:
                raise RegistrationError(
                    _(
                        "La session est complète (%(capacity)s places) : aucune inscription "
                        "n'a été enregistrée."
                    )
                    % {"capacity": locked.capacity}
                )
            fields["email"] = email
            fields.setdefault("practitioner", _match_practitioner(fields))
            registration = cls.objects.create(session=locked, status=status, **fields)
            registration._log(
                RegistrationEvent.Kind.REGISTERED
                if status == cls.Status.CONFIRMED
                else RegistrationEvent.Kind.WAITLISTED
            )
        return registration

    def waiting_position(self) -> int | None:
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = Registration.objects.filter(
            session=self.session, status=self.Status.WAITLISTED
        ).filter(Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk))
        return ahead.count() + 1

    def cancel(self, *, by: Any = None) -> Registration | None:
        """Cancel; the first person on the waiting list takes the place. Returns them."""
        with transaction.atomic():
            was_confirmed = self.status == self.Status.CONFIRMED
            self.status = self.Status.CANCELLED
            self.save(update_fields=["status"])
            self._log(RegistrationEvent.Kind.CANCELLED, by=by)
            if not was_confirmed:
                return None
            first = (
                Registration.objects.select_for_update()
                .filter(session=self.session, status=self.Status.WAITLISTED)
                .order_by("created_at", "pk")
                .first()
            )
            if first is not None:
                first.status = self.Status.CONFIRMED
                first.save(update_fields=["status"])
                first._log(RegistrationEvent.Kind.PROMOTED, by=by)
            return first

    def mark_attendance(self, *, attended: bool, by: Any) -> None:
        if self.status != self.Status.CONFIRMED:
            raise RegistrationError(
                _("%(name)s n'a pas d'inscription confirmée : présence non enregistrée.")
                % {"name": self.full_name}
            )
        if self.attended == attended:
            return
        with transaction.atomic():
            self.attended = attended
            self.save(update_fields=["attended"])
            self._log(
                RegistrationEvent.Kind.ATTENDED if attended else RegistrationEvent.Kind.ABSENT,
                by=by,
            )

    @property
    def may_get_certificate(self) -> bool:
        return self.status == self.Status.CONFIRMED and self.attended is True

    def _log(self, kind: str, *, by: Any = None) -> None:
        RegistrationEvent.objects.create(
            registration=self, kind=kind, by=by if getattr(by, "pk", None) else None
        )


def _match_practitioner(fields: dict[str, Any]) -> Practitioner | None:
    """The directory's person with this e-mail, so CPTS referents' training is counted."""
    return Practitioner.objects.filter(email__iexact=fields["email"]).first()


class RegistrationEvent(models.Model):
    """Append-only trail of a registration's changes."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("inscription confirmée")
        WAITLISTED = "waitlisted", _("mise en liste d'attente")
        PROMOTED = "promoted", _("place libérée : inscription confirmée")
        CANCELLED = "cancelled", _("annulation")
        ATTENDED = "attended", _("présence")
        ABSENT = "absent", _("absence")
        ANSWERED = "answered", _("questionnaire rempli")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("événement d'inscription")
        verbose_name_plural = _("événements d'inscription")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.get_kind_display()}"


class SatisfactionResponse(models.Model):
    """The satisfaction questionnaire, answered once by a participant who attended."""

    SCALE = [MinValueValidator(1), MaxValueValidator(5)]

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="satisfaction"
    )
    overall = models.PositiveSmallIntegerField(_("satisfaction globale (1 à 5)"), validators=SCALE)
    usefulness = models.PositiveSmallIntegerField(
        _("utilité pour votre pratique (1 à 5)"), validators=SCALE
    )
    would_recommend = models.BooleanField(_("recommanderiez-vous cette formation ?"))
    comment = models.TextField(_("commentaire"), blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire de satisfaction")
        verbose_name_plural = _("questionnaires de satisfaction")

    def __str__(self) -> str:
        return f"{self.registration}: {self.overall}/5"
