"""Users and their roles. A role decides what a user sees (see ``access.py``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordination CRAtb")
    EMA_MEMBER = "ema_member", _("Membre d'une EMA")
    REQUESTER = "requester", _("Professionnel de santé (demandeur)")
    AGENCY_VIEWER = "agency_viewer", _("Agence régionale / assurance maladie (lecture)")
    LAB = "lab", _("Laboratoire (accès API)")
    ADMIN = "admin", _("Administrateur")


class User(AbstractUser):
    """A person (or a lab's API client) with one role.

    Holds no patient data, ever: only professional contact details.
    """

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.REQUESTER)
    team = models.ForeignKey(
        "network.Organization", verbose_name=_("équipe ou structure"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
    )
    territories = models.ManyToManyField(
        "network.Territory", verbose_name=_("territoires"), blank=True, related_name="users",
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
