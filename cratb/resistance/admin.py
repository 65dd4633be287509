"""Lab accounts are set by the administrator; tokens and the log are read-only here."""

from __future__ import annotations

from django.contrib import admin

from cratb.resistance.models import ApiToken, LabAccount, LabEvent, TargetedReport


@admin.register(LabAccount)
class LabAccountAdmin(admin.ModelAdmin[LabAccount]):
    list_display = ("lab_id", "name", "user")
    search_fields = ("lab_id", "name", "user__username")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("prefix", "label", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "label", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(LabEvent)
class LabEventAdmin(admin.ModelAdmin[LabEvent]):
    list_display = ("at", "kind", "user", "detail")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(TargetedReport)
class TargetedReportAdmin(admin.ModelAdmin[TargetedReport]):
    list_display = ("created_at", "lab_id", "isolate_id", "situation", "mode", "withheld")
    list_filter = ("mode", "lab_id")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
