"""Lab accounts are set by the administrator; tokens are read-only here, and the audit
trails (lab events, targeted-report decisions, django-axes' login records) can be read,
never changed nor deleted (``cratb.accounts.append_only``)."""

from __future__ import annotations

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin

from cratb.accounts.append_only import ReadOnlyAdmin
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
class LabEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "user", "detail")


@admin.register(TargetedReport)
class TargetedReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "lab_id", "isolate_id", "situation", "mode", "withheld")
    list_filter = ("mode", "lab_id")


# django-axes' login records: kept for their retention period (``axes_reset_logs``, run by
# the operator), never edited nor deleted from the admin. Its lockout counters
# (AccessAttempt) stay deletable: deleting one unlocks an account.
for model, base in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{base.__name__}", (ReadOnlyAdmin, base), {}))
