"""Training in Django's admin (administrators only; the coordination uses the pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from cratb.training.models import (
    Registration,
    RegistrationEvent,
    SatisfactionResponse,
    TrainingPlan,
    TrainingSession,
)

# ModelAdmin is generic for the type checker only; subscripting it at run time fails.
if TYPE_CHECKING:
    PlanAdminBase = admin.ModelAdmin[TrainingPlan]
    SessionAdminBase = admin.ModelAdmin[TrainingSession]
    RegistrationAdminBase = admin.ModelAdmin[Registration]
    SatisfactionAdminBase = admin.ModelAdmin[SatisfactionResponse]
    EventInlineBase = admin.TabularInline[RegistrationEvent, Registration]
else:
    PlanAdminBase = SessionAdminBase = RegistrationAdminBase = admin.ModelAdmin
    SatisfactionAdminBase = admin.ModelAdmin
    EventInlineBase = admin.TabularInline


@admin.register(TrainingPlan)
class TrainingPlanAdmin(PlanAdminBase):
    list_display = ("year", "title")


@admin.register(TrainingSession)
class TrainingSessionAdmin(SessionAdminBase):
    list_display = ("title", "format", "starts_at", "capacity", "published")
    list_filter = ("plan", "format", "published")
    search_fields = ("title", "theme")
    filter_horizontal = ("trainers",)


class EventInline(EventInlineBase):
    model = RegistrationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "by")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False  # the trail is append-only, written by the model's methods


@admin.register(Registration)
class RegistrationAdmin(RegistrationAdminBase):
    list_display = ("last_name", "first_name", "email", "session", "status", "attended")
    list_filter = ("status", "attended", "session__plan")
    list_select_related = ("session",)
    search_fields = ("last_name", "email", "session__title")
    raw_id_fields = ("session", "practitioner")
    inlines = [EventInline]


@admin.register(SatisfactionResponse)
class SatisfactionResponseAdmin(SatisfactionAdminBase):
    list_display = ("registration", "overall", "usefulness", "would_recommend", "answered_at")
    list_select_related = ("registration", "registration__session")
