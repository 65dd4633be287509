"""Users in Django's admin, with their role (the network adds their team and territories:
``cratb.network.admin``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import User

# UserAdmin is generic for the type checker only; subscripting it at run time fails.
if TYPE_CHECKING:
    UserAdminBase = DjangoUserAdmin[User]
else:
    UserAdminBase = DjangoUserAdmin

admin.site.site_header = _("Administration de la plateforme CRAtb")
admin.site.site_title = _("Administration CRAtb")
admin.site.index_title = _("Données de la plateforme")

# Rights follow the role (cratb/accounts/access.py); Django groups and permissions
# would be a second, silently ignored system, so they are not offered.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(UserAdminBase):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Rôle"),
            {
                "fields": ("role", "is_active"),
                "description": _(
                    "Le rôle décide des pages accessibles ; seul le rôle « Administrateur » "
                    "donne accès à cette administration."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "role",
                ),
            },
        ),
    )
    # Typed as tuples of any length: the network's page of users adds its columns to them
    # (cratb.network.admin).
    list_display: tuple[str, ...] = (
        "username",
        "last_name",
        "first_name",
        "email",
        "role",
        "is_active",
    )
    list_filter: ClassVar[tuple[str, ...]] = ("role", "is_active")
    search_fields: ClassVar[tuple[str, ...]] = ("username", "first_name", "last_name", "email")
