"""The yearly cycle of the EMA teams: reporting campaigns, action plans, activity reports,
and the network activity log (docs/activity.md).

A *campaign* (the DHIS2 data set of a period) asks a set of teams for one form each: the
action plan of year N or the activity report of year N, between an opening date and a
deadline. Each team's form (:class:`Submission`) goes draft → submitted → (returned with a
comment → submitted again) → validated; a validated form is locked, and only coordination
reopens it, with a reason that is kept in the form's trail (:class:`SubmissionEvent`,
append-only). Edits are checked against the form's version (optimistic locking, as in the
directory): of two people editing at once, the second is told and nothing of theirs is
saved over the first's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.append_only import AppendOnlyModel, AppendOnlyQuerySet
from cratb.network.models import Organization, PractitionerRole, Territory


class Kind(models.TextChoices):
    PLAN = "plan", _("Plan d'action")
    REPORT = "report", _("Rapport d'activité")


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Transmis")
    RETURNED = "returned", _("Renvoyé pour correction")
    VALIDATED = "validated", _("Validé")


class Axis(models.TextChoices):
    SURVEILLANCE = "surveillance", _("Surveillance")
    ADVICE = "advice", _("Conseil")
    NETWORK = "network", _("Animation du réseau et formation")
    AUDITS = "audits", _("Audits")
    COMMUNICATION = "communication", _("Communication")


class WorkflowError(Exception):
    """A move the form's state does not allow; the message is French and says why."""


class StaleEdit(Exception):
    """Someone saved the form since the version the person edited."""

    def __init__(self, current: Submission) -> None:
        super().__init__(f"submission {current.pk} moved to version {current.version}")
        self.current = current


class Campaign(models.Model):
    """Coordination asks the teams for their plan or report of ``year``."""

    year = models.PositiveIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("formulaire"), max_length=10, choices=Kind.choices)
    opens_on = models.DateField(_("ouverture"))
    deadline = models.DateField(_("date limite"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the reminder before the deadline went out (once per campaign).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="activity_campaign_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def clean(self) -> None:
        if self.opens_on and self.deadline and self.deadline < self.opens_on:
            raise ValidationError({"deadline": _("La date limite précède l'ouverture.")})

    def is_open(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) >= self.opens_on


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: Any) -> SubmissionQuerySet:
        """Coordination and the administrator: every form; an EMA member: their team's;
        the agency: validated forms only; anyone else: none."""
        from cratb.accounts.models import Role
        from cratb.network.models import Membership

        role = getattr(user, "role", None)
        if role in (Role.COORDINATOR, Role.ADMIN):
            return self
        if role == Role.AGENCY_VIEWER:
            return self.filter(state=State.VALIDATED)
        if role == Role.EMA_MEMBER:
            team_id = Membership.of(user).team_id
            return self.filter(team_id=team_id) if team_id else self.none()
        return self.none()

    def late(self, today: datetime.date) -> SubmissionQuerySet:
        """Never transmitted and past the deadline."""
        return self.filter(submitted_at__isnull=True, campaign__deadline__lt=today)


class Submission(models.Model):
    """One team's form of a campaign, with the fields of an activity report (a plan's
    content is its :class:`Objective` rows)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="submissions")
    team = models.ForeignKey(
        Organization, verbose_name=_("équipe"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    submitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True, editable=False)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True, editable=False)
    #: A first transmission after the deadline makes the form late, for good.
    late = models.BooleanField(_("transmis en retard"), default=False, editable=False)
    last_comment = models.TextField(_("commentaire de la coordination"), blank=True, editable=False)
    late_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: The computed figures as they stood at validation ({key: value}), kept with the
    #: report: a validated report does not move when the records behind it change.
    figures_snapshot = models.JSONField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # What only the team knows (activity report).
    commissions_count = models.PositiveIntegerField(
        _("participations aux commissions de coordination gériatrique d'EHPAD"), default=0
    )
    commissions_list = models.TextField(_("commissions : lesquelles"), blank=True)
    committees_count = models.PositiveIntegerField(
        _("participations aux CAI/CLIN d'autres établissements"), default=0
    )
    committees_list = models.TextField(_("CAI/CLIN : lesquels"), blank=True)
    meetings_count = models.PositiveIntegerField(_("réunions tenues"), default=0)
    audits_count = models.PositiveIntegerField(_("audits réalisés"), default=0)
    audits_list = models.TextField(_("audits : lesquels"), blank=True)
    fte_worked = models.DecimalField(
        _("temps de personnel effectivement travaillé (ETP)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    free_text = models.TextField(_("commentaire libre"), blank=True)

    objects: ClassVar[SubmissionQuerySet] = SubmissionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("formulaire d'équipe")
        verbose_name_plural = _("formulaires d'équipe")
        ordering = ["campaign", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "team"], name="activity_one_form_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.team}"

    @property
    def is_report(self) -> bool:
        return self.campaign.kind == Kind.REPORT

    @property
    def editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)

    def is_late(self, today: datetime.date | None = None) -> bool:
        """First transmitted late, or never transmitted and past the deadline."""
        today = today or timezone.localdate()
        return self.late or (self.submitted_at is None and today > self.campaign.deadline)

    # --- changes, each checked against the version the person saw ------------------

    def _bump(self, expected_version: int, **changes: Any) -> None:
        """One conditional UPDATE: the version moves on only from ``expected_version``."""
        done = Submission.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes
        )
        if not done:
            raise StaleEdit(Submission.objects.select_related("campaign").get(pk=self.pk))
        self.version = expected_version + 1
        for name, value in changes.items():
            setattr(self, name, value)

    def check_editable(self) -> None:
        if self.state == State.VALIDATED:
            raise WorkflowError(
                str(
                    _(
                        "Ce formulaire est validé : il est verrouillé. "
                        "La coordination peut le rouvrir."
                    )
                )
            )
        if self.state == State.SUBMITTED:
            raise WorkflowError(
                str(
                    _(
                        "Ce formulaire est transmis : il attend la coordination, "
                        "qui peut le renvoyer."
                    )
                )
            )

    def save_edit(self, *, expected_version: int, fields: list[str]) -> None:
        """Save the team's edit of ``fields`` made from ``expected_version``."""
        self.check_editable()
        with transaction.atomic():
            self._bump(expected_version, **{name: getattr(self, name) for name in fields})

    def touch(self, *, expected_version: int) -> None:
        """An edit of the form's rows (objectives, statuses, comments): bump the version."""
        self.check_editable()
        self._bump(expected_version)

    def submit(
        self, *, by: Any, expected_version: int, now: datetime.datetime | None = None
    ) -> None:
        now = now or timezone.now()
        self.check_editable()
        # Timeliness is that of the first transmission: a form sent on time, returned by
        # coordination and sent again after the deadline is not late.
        if self.submitted_at is None:
            late = timezone.localtime(now).date() > self.campaign.deadline
        else:
            late = self.late
        with transaction.atomic():
            self._bump(expected_version, state=State.SUBMITTED, submitted_at=now, late=late)
            SubmissionEvent.objects.create(
                submission=self, kind=SubmissionEvent.Kind.SUBMITTED, by=by, late=late, at=now
            )

    def send_back(self, *, by: Any, comment: str, expected_version: int) -> None:
        comment = comment.strip()
        if self.state != State.SUBMITTED:
            raise WorkflowError(str(_("Seul un formulaire transmis peut être renvoyé.")))
        if not comment:
            raise WorkflowError(
                str(_("Commentaire : dites à l'équipe ce qu'elle doit corriger avant de renvoyer."))
            )
        with transaction.atomic():
            self._bump(expected_version, state=State.RETURNED, last_comment=comment)
            SubmissionEvent.objects.create(
                submission=self, kind=SubmissionEvent.Kind.RETURNED, by=by, text=comment
            )

    def validate(
        self, *, by: Any, expected_version: int, snapshot: dict[str, Any] | None = None
    ) -> None:
        if self.state != State.SUBMITTED:
            raise WorkflowError(str(_("Seul un formulaire transmis peut être validé.")))
        with transaction.atomic():
            self._bump(
                expected_version,
                state=State.VALIDATED,
                validated_at=timezone.now(),
                figures_snapshot=snapshot,
            )
            SubmissionEvent.objects.create(
                submission=self, kind=SubmissionEvent.Kind.VALIDATED, by=by
            )

    def reopen(self, *, by: Any, reason: str, expected_version: int) -> None:
        reason = reason.strip()
        if self.state != State.VALIDATED:
            raise WorkflowError(str(_("Seul un formulaire validé se rouvre.")))
        if not reason:
            raise WorkflowError(
                str(_("Motif : indiquez pourquoi ce formulaire validé est rouvert."))
            )
        with transaction.atomic():
            self._bump(
                expected_version,
                state=State.RETURNED,
                validated_at=None,
                last_comment=reason,
                figures_snapshot=None,
            )
            SubmissionEvent.objects.create(
                submission=self, kind=SubmissionEvent.Kind.REOPENED, by=by, text=reason
            )


class SubmissionEvent(AppendOnlyModel):
    """The trail of a form: transmissions, returns (with their comment), validations,
    reopenings (with their reason). Written once, never changed."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("transmis")
        RETURNED = "returned", _("renvoyé")
        VALIDATED = "validated", _("validé")
        REOPENED = "reopened", _("rouvert")
        REMINDED = "reminded", _("relance envoyée")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(blank=True)
    late = models.BooleanField(default=False)

    objects: ClassVar[AppendOnlyQuerySet[SubmissionEvent]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["at", "pk"]


class Objective(models.Model):
    """One objective of an EMA's action plan."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="objectives")
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    title = models.CharField(_("objectif"), max_length=300)
    actions = models.TextField(_("actions"), blank=True)
    target = models.CharField(_("cible"), max_length=300, blank=True)
    indicator = models.CharField(_("indicateur"), max_length=300, blank=True)
    scope = models.CharField(
        _("établissements ou territoire concernés"), max_length=300, blank=True
    )
    fte_planned = models.DecimalField(
        _("temps de personnel prévu (ETP)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["submission", "axis", "pk"]

    def __str__(self) -> str:
        return self.title


class ObjectiveStatus(models.Model):
    """In an activity report: where an objective of the same year's plan stands."""

    class Status(models.TextChoices):
        DONE = "done", _("Réalisé")
        PARTLY = "partly", _("Partiellement réalisé")
        NOT_DONE = "not_done", _("Non réalisé")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="objective_statuses"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("réalisation"), max_length=10, choices=Status.choices)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "objective"], name="activity_one_status_per_objective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective_id}: {self.status}"


class FigureComment(models.Model):
    """A figure cratb computed cannot be typed over: the team comments it instead."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="figure_comments"
    )
    figure = models.CharField(max_length=40)
    text = models.TextField(_("commentaire"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "figure"], name="activity_one_comment_per_figure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figure}: {self.text[:40]}"


class Attachment(models.Model):
    """A file joined to a form (PDF or image, checked by content, see ``uploads``)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.name


#: The network's functions whose holders record actions in the log.
ACTOR_FUNCTIONS = (
    PractitionerRole.Function.GP_AMBASSADOR,
    PractitionerRole.Function.CPTS_REFERENT,
    PractitionerRole.Function.EMA_GP_REFERENT,
)


class NetworkActionQuerySet(models.QuerySet["NetworkAction"]):
    def visible_to(self, user: Any) -> NetworkActionQuerySet:
        from cratb.accounts.models import Role

        role = getattr(user, "role", None)
        if role in (Role.COORDINATOR, Role.ADMIN):
            return self
        return self.filter(Q(recorded_by=user)) if getattr(user, "pk", None) else self.none()


class NetworkAction(models.Model):
    """An action of a GP ambassador, a CPTS referent or an EMA's GP referent: « le nombre
    de manifestations organisées » of the CPTS action sheets."""

    class ActionKind(models.TextChoices):
        MEETING = "meeting", _("Réunion")
        PEER_WORKSHOP = "peer_workshop", _("Atelier entre pairs")
        PRACTICE_VISIT = "practice_visit", _("Visite d'un cabinet")
        AWARENESS = "awareness", _("Action de sensibilisation")
        PHARMACY_EVENT = "pharmacy_event", _("Événement en pharmacie")
        SCHOOL_EVENT = "school_event", _("Événement en milieu scolaire")

    class Audience(models.TextChoices):
        GPS = "gps", _("Médecins généralistes")
        PHARMACISTS = "pharmacists", _("Pharmaciens")
        NURSES = "nurses", _("Infirmiers")
        MIXED = "mixed", _("Professionnels de plusieurs métiers")
        PUBLIC = "public", _("Grand public")
        PUPILS = "pupils", _("Élèves")

    actor_function = models.CharField(
        _("au titre de"),
        max_length=30,
        choices=[(f.value, f.label) for f in ACTOR_FUNCTIONS],
    )
    kind = models.CharField(_("type d'action"), max_length=20, choices=ActionKind.choices)
    date = models.DateField(_("date"))
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices)
    people_reached = models.PositiveIntegerField(
        _("personnes touchées"), validators=[MaxValueValidator(100000)]
    )
    title = models.CharField(_("intitulé"), max_length=200)
    notes = models.TextField(_("remarques"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[NetworkActionQuerySet] = NetworkActionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("action du réseau")
        verbose_name_plural = _("actions du réseau")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("Date : une action se saisit une fois menée.")})
