"""The RSS feed of the published news (django.contrib.syndication)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.letters.models import NewsItem


class NewsFeed(Feed):  # type: ignore[type-arg]
    title = _("Actualités du CRAtb")
    description = _("Les actualités du centre régional en antibiothérapie.")

    def link(self) -> str:
        return reverse("letters:news-list")

    def items(self) -> list[NewsItem]:
        return list(NewsItem.objects.published()[:30])

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return item.summary

    def item_link(self, item: NewsItem) -> str:
        return reverse("letters:news", args=[item.pk])

    def item_pubdate(self, item: NewsItem) -> datetime:
        return timezone.make_aware(datetime.combine(item.date, time(8)))
