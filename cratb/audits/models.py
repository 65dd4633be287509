"""Practice audits: grids and their versions, campaigns, participants and their cases.

- ``AuditGrid`` / ``GridVersion``: a grid is data (``grids.py``); each change is a new
  version, and a version is never changed, so the audits that used it keep it.
- ``AuditCampaign``: a grid version, a title, a period and participants from the
  directory (an establishment, a practice, a prescriber); a second round points at the
  first and uses the same grid version, so the change per criterion can be measured.
- ``AuditCase``: one case entered by a participant: only the grid's answers and a short
  comment (no patient identity: a comment with a social security number is refused). A
  case is written once and never changed nor deleted.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from cratb.audits.grids import Grid, GridError, parse_grid, parse_yaml
from cratb.engine.identifiers import find_nirs
from cratb.network.models import Membership, Organization, Practitioner


class AuditError(ValueError):
    """An audit operation refused; the message is French, on one line."""


class GridVersionChanged(AppendOnlyError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Une version de grille ne se modifie pas : enregistrez une nouvelle version."
        )


class CaseChanged(AppendOnlyError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or "Un cas d'audit enregistré ne se modifie ni ne se supprime.")


class AuditGrid(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("grille d'audit")
        verbose_name_plural = _("grilles d'audit")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def latest(self) -> GridVersion | None:
        return self.versions.order_by("-number").first()

    @classmethod
    def save_version(cls, text: str, *, user: Any = None, code: str | None = None) -> GridVersion:
        """Store the grid described by the YAML ``text`` as a new version (the first one of a
        new grid). ``code``: the grid it must be a version of. GridError when the text is
        refused; nothing is stored then."""
        grid, data = parse_yaml(text)
        if code is not None and grid.code != code:
            raise GridError(
                [f"le code « {grid.code} » n'est pas celui de la grille modifiée (« {code} »)."]
            )
        with transaction.atomic():
            record, _created = cls.objects.select_for_update().get_or_create(
                code=grid.code, defaults={"title": grid.title}
            )
            if code is None and not _created:
                raise GridError(
                    [f"une grille de code « {grid.code} » existe déjà : créez-en une version."]
                )
            latest = record.latest()
            if latest is not None and latest.definition == data:
                return latest
            record.title = grid.title
            record.save(update_fields=["title"])
            return GridVersion.objects.create(
                grid=record,
                number=(latest.number + 1) if latest else 1,
                definition=data,
                source_text=text,
                created_by=user if getattr(user, "pk", None) else None,
            )


class GridVersion(AppendOnlyModel):
    append_only_error = GridVersionChanged

    grid = models.ForeignKey(
        AuditGrid, verbose_name=_("grille"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("définition"))
    source_text = models.TextField(_("texte YAML"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    objects: ClassVar[AppendOnlyQuerySet[GridVersion]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("version de grille")
        verbose_name_plural = _("versions de grille")
        ordering = ["grid", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "number"], name="grid_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grid.title} — v{self.number}"

    @property
    def parsed(self) -> Grid:
        cached: Grid | None = getattr(self, "_parsed", None)
        if cached is None:
            cached = parse_grid(self.definition)
            self._parsed = cached
        return cached


class CampaignQuerySet(models.QuerySet["AuditCampaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        """Coordination, administration and the agency see every campaign; a participant
        the campaigns they take part in."""
        if user.has_role("coordinator", "admin", "agency_viewer"):
            return self
        return self.filter(
            pk__in=Participant.objects.of_user(user).values("campaign_id")
        ).distinct()


class AuditCampaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Saisie ouverte")
        CLOSED = "closed", _("Clôturée")

    title = models.CharField(_("titre"), max_length=200)
    grid_version = models.ForeignKey(
        GridVersion, verbose_name=_("grille"), on_delete=models.PROTECT, related_name="campaigns"
    )
    period_start = models.DateField(_("début de la période"))
    period_end = models.DateField(_("fin de la période"))
    previous_round = models.OneToOneField(
        "self",
        verbose_name=_("premier tour"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_round",
        help_text=_("Pour un second tour : la campagne dont il mesure l'évolution."),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lancée par"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    objects: ClassVar[CampaignQuerySet] = CampaignQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("campagne d'audit")
        verbose_name_plural = _("campagnes d'audit")
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def grid(self) -> Grid:
        return self.grid_version.parsed

    @property
    def round_number(self) -> int:
        number, current = 1, self.previous_round
        while current is not None:
            number, current = number + 1, current.previous_round
        return number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @classmethod
    def launch(
        cls,
        *,
        title: str,
        grid_version: GridVersion,
        period_start: datetime.date,
        period_end: datetime.date,
        organizations: list[Organization],
        practitioners: list[Practitioner],
        previous_round: AuditCampaign | None = None,
        user: Any = None,
    ) -> AuditCampaign:
        """A new campaign and its participants; AuditError (French) when refused."""
        if period_end < period_start:
            raise AuditError("La fin de la période précède son début.")
        if previous_round is not None:
            if previous_round.grid_version_id != grid_version.pk:
                raise AuditError(
                    "Un second tour reprend la même version de grille que le premier "
                    f"(« {previous_round.grid_version} »)."
                )
            if AuditCampaign.objects.filter(previous_round=previous_round).exists():
                raise AuditError(f"« {previous_round} » a déjà un tour suivant.")
            if period_start <= previous_round.period_end:
                raise AuditError("Le second tour commence après la fin du premier.")
            if not organizations and not practitioners:
                organizations = [
                    p.organization for p in previous_round.participants.all() if p.organization
                ]
                practitioners = [
                    p.practitioner for p in previous_round.participants.all() if p.practitioner
                ]
        if not organizations and not practitioners:
            raise AuditError("Choisissez au moins un participant.")
        if find_nirs(title):
            raise AuditError("Le titre contient un numéro de sécurité sociale (NIR) : retirez-le.")
        with transaction.atomic():
            campaign = cls.objects.create(
                title=title,
                grid_version=grid_version,
                period_start=period_start,
                period_end=period_end,
                previous_round=previous_round,
                created_by=user if getattr(user, "pk", None) else None,
            )
            Participant.objects.bulk_create(
                [Participant(campaign=campaign, organization=o) for o in organizations]
                + [Participant(campaign=campaign, practitioner=p) for p in practitioners]
            )
        return campaign

    def close(self) -> None:
        if not self.is_open:
            raise AuditError("Cette campagne est déjà clôturée.")
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at"])

    def add_case(
        self, participant: Participant, raw: dict[str, Any], *, comment: str = "", user: Any
    ) -> AuditCase:
        """Store one case of ``participant``; AuditError (French) when refused: a closed
        campaign, another campaign's participant, an answer the grid does not allow, a
        comment with a social security number."""
        if not self.is_open:
            raise AuditError(f"La campagne « {self.title} » est clôturée : plus aucune saisie.")
        if participant.campaign_id != self.pk:
            raise AuditError("Ce participant n'est pas de cette campagne.")
        if find_nirs(comment):
            raise AuditError(
                "Le commentaire contient un numéro de sécurité sociale (NIR) : aucune "
                "identité de patient ne s'écrit ici. Retirez-le."
            )
        try:
            answers = self.grid.clean_answers(raw)
        except ValueError as exc:
            raise AuditError(str(exc)) from None
        if all(value is None for value in answers.values()):
            raise AuditError("Le cas est vide : renseignez au moins un champ.")
        with transaction.atomic():
            locked = AuditCampaign.objects.select_for_update().get(pk=self.pk)
            if not locked.is_open:
                raise AuditError(f"La campagne « {self.title} » est clôturée : plus aucune saisie.")
            number = participant.cases.count() + 1
            return AuditCase.objects.create(
                campaign=self,
                participant=participant,
                number=number,
                answers=answers,
                comment=comment.strip(),
                entered_by=user,
            )


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def of_user(self, user: Any) -> ParticipantQuerySet:
        """The participations a user enters cases for: their team's (membership), or their
        own as a prescriber of the directory."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        team_id = Membership.of(user).team_id
        condition = Q(practitioner__user=user)
        if team_id is not None:
            condition |= Q(organization_id=team_id)
        return self.filter(condition)


class Participant(models.Model):
    campaign = models.ForeignKey(
        AuditCampaign,
        verbose_name=_("campagne"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("établissement ou structure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_participations",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("prescripteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_participations",
    )

    objects: ClassVar[ParticipantQuerySet] = ParticipantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["campaign", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, practitioner__isnull=True)
                | Q(organization__isnull=True, practitioner__isnull=False),
                name="participant_one_of",
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(organization__isnull=False),
                name="participant_unique_organization",
            ),
            models.UniqueConstraint(
                fields=["campaign", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="participant_unique_practitioner",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization or self.practitioner)

    @property
    def name(self) -> str:
        return str(self)


class AuditCase(AppendOnlyModel):
    append_only_error = CaseChanged

    campaign = models.ForeignKey(
        AuditCampaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="cases"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.PositiveIntegerField(_("n° du cas"))
    answers = models.JSONField(_("réponses"))
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("saisi le"), default=timezone.now)

    objects: ClassVar[AppendOnlyQuerySet[AuditCase]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("cas d'audit")
        verbose_name_plural = _("cas d'audit")
        ordering = ["participant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "number"], name="audit_case_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — cas {self.number}"
