"""The yearly cycle in Django's admin (administrators only; coordination uses the pages).

Forms are changed through their pages, which check the state and the version; the admin
only lists them. The forms' trail is read-only, as every trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from cratb.accounts.append_only import ReadOnlyAdmin
from cratb.activity.models import Campaign, NetworkAction, Submission, SubmissionEvent

if TYPE_CHECKING:
    CampaignAdminBase = admin.ModelAdmin[Campaign]
    ActionAdminBase = admin.ModelAdmin[NetworkAction]
else:
    CampaignAdminBase = ActionAdminBase = admin.ModelAdmin


@admin.register(Campaign)
class CampaignAdmin(CampaignAdminBase):
    list_display = ("year", "kind", "opens_on", "deadline")
    list_filter = ("kind", "year")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "team", "state", "late", "submitted_at", "validated_at")
    list_filter = ("campaign", "state", "late")


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "at", "by")
    list_filter = ("kind",)


@admin.register(NetworkAction)
class NetworkActionAdmin(ActionAdminBase):
    list_display = ("title", "kind", "date", "territory", "people_reached")
    list_filter = ("kind", "actor_function")
