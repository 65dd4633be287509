"""Django admin for the advice desk: requests and their history are read-only here.

A request changes only through the platform's pages, whose model methods write the
append-only history; the admin can look, never edit nor delete (tested). The on-call
rota is plain data and stays editable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cratb.accounts.append_only import ReadOnlyAdmin
from cratb.advice.models import AdviceEvent, AdviceRequest, OnCallShift


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AdviceEvent
    fields = ("at", "kind", "actor_label", "version", "data", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AdviceRequest)
class AdviceRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "received_at",
        "status",
        "channel",
        "departement",
        "syndrome",
        "assignee",
    )
    list_filter = ("status", "channel", "setting", "routed_via")
    list_select_related = ("departement", "assignee")
    date_hierarchy = "received_at"
    inlines = [EventInline]


@admin.register(AdviceEvent)
class AdviceEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "request", "kind", "actor_label", "version")
    list_filter = ("kind",)
    list_select_related = ("request",)


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("departement", "responder", "team", "starts_at", "ends_at")
    list_filter = ("departement",)
    list_select_related = ("departement", "responder", "team")
    raw_id_fields = ("responder",)
