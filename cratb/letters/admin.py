"""News items and bounced addresses are edited here too; letters, the consent record and
the delivery log are read-only (the two records are append-only:
``cratb.accounts.append_only``)."""

from __future__ import annotations

from django.contrib import admin

from cratb.accounts.append_only import ReadOnlyAdmin
from cratb.letters.models import Bounce, Consent, Delivery, Letter, NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin[NewsItem]):
    list_display = ("title", "date", "published")
    list_filter = ("published",)
    search_fields = ("title", "summary")


@admin.register(Bounce)
class BounceAdmin(admin.ModelAdmin[Bounce]):
    list_display = ("email", "at", "source")
    search_fields = ("email",)


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ("subject", "audience", "submitted_at", "status", "sent", "skipped")


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("at", "email", "action", "source")
    list_filter = ("action",)
    search_fields = ("email",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("at", "letter", "email", "sent", "reason")
    list_filter = ("sent",)
    search_fields = ("email",)
