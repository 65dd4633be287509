"""Users and their roles. A role decides what a user may do (see ``access.py``); where a
user stands in the network (team, territories) is the network's ``Membership``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordination CRAtb")
    EMA_MEMBER = "ema_member", _("Membre d'une EMA")
    REQUESTER = "requester", _("Professionnel de santé (demandeur)")
    AGENCY_VIEWER = "agency_viewer", _("Agence régionale de santé (lecture)")
    INSURANCE_VIEWER = "insurance_viewer", _("Assurance maladie (campagnes de visites)")
    LAB = "lab", _("Laboratoire (accès API)")
    ADMIN = "admin", _("Administrateur")


class UserManager(DjangoUserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        # `manage.py createsuperuser` makes an administrator, the only role with admin rights.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)

    async def acreate_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        extra_fields.setdefault("role", Role.ADMIN)
        return await super().acreate_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person (or a lab's API client) with one role.

    Holds no patient data, ever: only professional contact details. Django admin
    rights are not stored apart from the role, so they can never disagree with it:
    ``is_staff`` and ``is_superuser`` are read from ``role`` (the administrator role).
    """

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.REQUESTER)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    # Defining these names replaces the inherited boolean columns (Django drops an
    # abstract parent's field when the child defines the same attribute).
    @property
    def is_staff(self) -> bool:
        return self.role == Role.ADMIN

    @is_staff.setter
    def is_staff(self, value: bool) -> None:
        self._check_admin_flag("is_staff", value)

    @property
    def is_superuser(self) -> bool:
        return self.role == Role.ADMIN

    @is_superuser.setter
    def is_superuser(self, value: bool) -> None:
        self._check_admin_flag("is_superuser", value)

    def _check_admin_flag(self, name: str, value: bool) -> None:
        """Accept what the role already says (Django's own code sets these), refuse the rest."""
        if value != (self.role == Role.ADMIN):
            raise ValueError(
                f"{name}={value} contredit le rôle {self.role!r} : les droits "
                "d'administration découlent du rôle « Administrateur »."
            )

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
