"""Territories and organisations in Django's admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from cratb.network.models import Organization, Territory

# ModelAdmin is generic for the type checker only; subscripting it at run time fails.
if TYPE_CHECKING:
    TerritoryAdminBase = admin.ModelAdmin[Territory]
    OrganizationAdminBase = admin.ModelAdmin[Organization]
else:
    TerritoryAdminBase = OrganizationAdminBase = admin.ModelAdmin


@admin.register(Territory)
class TerritoryAdmin(TerritoryAdminBase):
    list_display = ("code", "name", "kind", "parent", "population", "population_year")
    list_filter = ("kind", "parent")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    ordering = ("kind", "code")


@admin.register(Organization)
class OrganizationAdmin(OrganizationAdminBase):
    list_display = ("name", "kind", "finess", "departement")
    list_filter = ("kind", "departement")
    list_select_related = ("departement",)
    search_fields = ("name", "finess")
    autocomplete_fields = ("departement",)
