"""Users in Django's admin: role, team and territories decide what a user sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
            _("Rôle et périmètre"),
            {
                "fields": ("role", "team", "territories", "is_active"),
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
                    "team",
                    "territories",
                ),
            },
        ),
    )
    list_display = ("username", "last_name", "first_name", "email", "role", "team", "is_active")
    list_filter = ("role", "is_active", "team__kind")
    list_select_related = ("team",)
    search_fields = ("username", "first_name", "last_name", "email", "team__name")
    autocomplete_fields = ("team",)
    filter_horizontal = ("territories",)
