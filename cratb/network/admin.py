"""Territories and organisations in Django's admin."""

from __future__ import annotations

from django.contrib import admin

from cratb.network.models import Organization, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "population", "population_year")
    list_filter = ("kind", "parent")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    ordering = ("kind", "code")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "finess", "departement")
    list_filter = ("kind", "departement")
    list_select_related = ("departement",)
    search_fields = ("name", "finess")
    autocomplete_fields = ("departement",)
