"""The lab serving each establishment is set here; batches and the sending log are
read-only (the log is append-only: ``cratb.accounts.append_only``)."""

from __future__ import annotations

from django.contrib import admin

from cratb.accounts.append_only import ReadOnlyAdmin
from cratb.feedback.models import EstablishmentLab, FeedbackBatch, SentReport


@admin.register(EstablishmentLab)
class EstablishmentLabAdmin(admin.ModelAdmin[EstablishmentLab]):
    list_display = ("establishment", "lab_id")
    search_fields = ("establishment__name", "establishment__finess", "lab_id")


@admin.register(FeedbackBatch)
class FeedbackBatchAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "year", "delivery", "status", "sent", "skipped")


@admin.register(SentReport)
class SentReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "label", "recipient", "delivery", "sent", "reason")
    list_filter = ("kind", "sent", "delivery")
