"""The on-call rota: who answers for a département, when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import User
from cratb.advice.models.choices import FastDisplay
from cratb.network.models import Membership, Organization, Territory


class OnCallShiftQuerySet(models.QuerySet["OnCallShift"]):
    def covering(self, *, departement: Territory, at: datetime) -> OnCallShiftQuerySet:
        return self.filter(departement=departement, starts_at__lte=at, ends_at__gt=at).order_by(
            "starts_at", "pk"
        )

    def overlapping(
        self, *, departement_id: int, starts_at: datetime, ends_at: datetime
    ) -> OnCallShiftQuerySet:
        return self.filter(
            departement_id=departement_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )

    def between(self, start: datetime, end: datetime) -> OnCallShiftQuerySet:
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class OnCallShift(FastDisplay, models.Model):
    """An infectiologist on call for a département, from ``starts_at`` to ``ends_at``."""

    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        limit_choices_to={"kind": Territory.Kind.DEPARTEMENT},
    )
    team = models.ForeignKey(
        Organization,
        verbose_name=_("équipe"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
    )
    responder = models.ForeignKey(
        User,
        verbose_name=_("infectiologue"),
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[OnCallShiftQuerySet] = OnCallShiftQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("astreinte")
        verbose_name_plural = _("astreintes")
        ordering = ["starts_at", "departement"]
        indexes = [
            models.Index(fields=["departement", "starts_at", "ends_at"], name="advice_shift_span"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="advice_shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departement.code} {self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%H:%M}"

    @property
    def effective_team(self) -> Organization | None:
        return self.team if self.team_id is not None else Membership.of(self.responder).team

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at
