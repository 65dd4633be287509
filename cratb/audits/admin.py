"""The audits in Django's admin: read only (grids change by new versions, cases never)."""

from django.contrib import admin

from cratb.accounts.append_only import ReadOnlyAdmin
from cratb.audits.models import AuditCampaign, AuditCase, AuditGrid, GridVersion


@admin.register(AuditGrid)
class AuditGridAdmin(admin.ModelAdmin[AuditGrid]):
    list_display = ("title", "code", "created_at")


@admin.register(GridVersion)
class GridVersionAdmin(ReadOnlyAdmin):
    list_display = ("grid", "number", "created_at")


@admin.register(AuditCampaign)
class AuditCampaignAdmin(admin.ModelAdmin[AuditCampaign]):
    list_display = ("title", "grid_version", "period_start", "period_end", "status")
    # The grid and the rounds of a campaign are fixed at its launch (its cases depend on them).
    readonly_fields = ("grid_version", "previous_round", "created_by", "created_at")


@admin.register(AuditCase)
class AuditCaseAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "participant", "number", "entered_at")
