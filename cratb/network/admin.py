"""The directory in Django's admin (administrators only; the coordination uses the pages),
and the users' memberships (team and territories) on the users' admin page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cratb.accounts.admin import UserAdmin
from cratb.accounts.models import User
from cratb.network.models import (
    CoverageAgreement,
    Membership,
    Organization,
    Practitioner,
    PractitionerRole,
    Territory,
    TerritoryCommune,
)

# ModelAdmin is generic for the type checker only; subscripting it at run time fails.
if TYPE_CHECKING:
    TerritoryAdminBase = admin.ModelAdmin[Territory]
    OrganizationAdminBase = admin.ModelAdmin[Organization]
    PractitionerAdminBase = admin.ModelAdmin[Practitioner]
    RoleAdminBase = admin.ModelAdmin[PractitionerRole]
    AgreementAdminBase = admin.ModelAdmin[CoverageAgreement]
    CommuneInlineBase = admin.TabularInline[TerritoryCommune, Territory]
    RoleInlineBase = admin.TabularInline[PractitionerRole, Practitioner]
    MembershipInlineBase = admin.StackedInline[Membership, User]
else:
    TerritoryAdminBase = OrganizationAdminBase = PractitionerAdminBase = admin.ModelAdmin
    RoleAdminBase = AgreementAdminBase = admin.ModelAdmin
    CommuneInlineBase = RoleInlineBase = admin.TabularInline
    MembershipInlineBase = admin.StackedInline


class CommuneInline(CommuneInlineBase):
    model = TerritoryCommune
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(TerritoryAdminBase):
    list_display = ("code", "name", "kind", "parent", "population", "population_year")
    list_filter = ("kind", "parent")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    ordering = ("kind", "code")
    filter_horizontal = ("covered_departements",)
    inlines = [CommuneInline]


@admin.register(Organization)
class OrganizationAdmin(OrganizationAdminBase):
    list_display = ("name", "kind", "finess", "departement", "beds", "acute_beds", "ght")
    list_filter = ("kind", "departement")
    list_select_related = ("departement", "ght")
    search_fields = ("name", "finess")
    autocomplete_fields = ("departement", "ght", "served_territory", "host")


class RoleInline(RoleInlineBase):
    model = PractitionerRole
    extra = 0
    autocomplete_fields = ("organization", "territory")


@admin.register(Practitioner)
class PractitionerAdmin(PractitionerAdminBase):
    list_display = ("last_name", "first_name", "rpps", "profession", "specialty", "listed")
    list_filter = ("profession", "listed")
    search_fields = ("last_name", "first_name", "rpps", "email")
    autocomplete_fields = ("user",)
    inlines = [RoleInline]


@admin.register(PractitionerRole)
class PractitionerRoleAdmin(RoleAdminBase):
    list_display = ("practitioner", "function", "organization", "territory", "start", "end", "fte")
    list_filter = ("function",)
    list_select_related = ("practitioner", "organization", "territory")
    search_fields = ("practitioner__last_name", "organization__name")
    autocomplete_fields = ("practitioner", "organization", "territory")


@admin.register(CoverageAgreement)
class CoverageAgreementAdmin(AgreementAdminBase):
    list_display = ("ema", "establishment", "level", "start", "end")
    list_filter = ("level",)
    list_select_related = ("ema", "establishment")
    autocomplete_fields = ("ema", "establishment")


class MembershipInline(MembershipInlineBase):
    model = Membership
    can_delete = False
    autocomplete_fields = ("team",)
    filter_horizontal = ("territories",)


# The users' page of cratb.accounts, with what the network owns: each user's membership.
admin.site.unregister(User)


@admin.register(User)
class MemberAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "last_name", "first_name", "email", "role", "team", "is_active")
    list_filter = ("role", "is_active", "membership__team__kind")
    list_select_related = ("membership__team",)
    search_fields = ("username", "first_name", "last_name", "email", "membership__team__name")

    @admin.display(description=_("équipe ou structure"), ordering="membership__team__name")
    def team(self, user: User) -> Organization | None:
        return Membership.of(user).team
