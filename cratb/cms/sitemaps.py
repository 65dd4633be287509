"""The sitemap (``/sitemap.xml``): the site's pages (Wagtail), the public guidelines and
care pathways, the news, the training agenda and the public directory. Never a restricted
document, nor a page the coordination restricted in the editor (Wagtail's ``public()``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.sitemaps import Sitemap as PagesSitemap

from cratb.guidelines.models import Document, Pathway
from cratb.letters.models import NewsItem
from cratb.training.models import TrainingSession


class SectionsSitemap(Sitemap[str]):
    """The public index pages of the apps."""

    def items(self) -> list[str]:
        return [
            "guidelines:index",
            "letters:news-list",
            "training:agenda",
            "network:public-directory",
            "advice:request-create",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class DocumentsSitemap(Sitemap[Document]):
    def items(self) -> QuerySet[Document]:
        return Document.objects.current().filter(restricted=False).order_by("pk")

    def location(self, item: Document) -> str:
        return reverse("guidelines:document", args=[item.pk])


class PathwaysSitemap(Sitemap[Pathway]):
    def items(self) -> QuerySet[Pathway]:
        return Pathway.objects.order_by("syndrome")

    def location(self, item: Pathway) -> str:
        return reverse("guidelines:syndrome", args=[item.syndrome])

    def lastmod(self, item: Pathway) -> datetime:
        return item.updated_at


class NewsSitemap(Sitemap[NewsItem]):
    def items(self) -> QuerySet[NewsItem]:
        return NewsItem.objects.published().order_by("-date", "-pk")

    def location(self, item: NewsItem) -> str:
        return reverse("letters:news", args=[item.pk])

    def lastmod(self, item: NewsItem) -> datetime:
        return item.updated_at


class TrainingSitemap(Sitemap[TrainingSession]):
    def items(self) -> QuerySet[TrainingSession]:
        return TrainingSession.objects.published().filter(ends_at__gte=timezone.now())

    def location(self, item: TrainingSession) -> str:
        return reverse("training:session", args=[item.pk])


SITEMAPS: dict[str, Any] = {
    "pages": PagesSitemap,
    "sections": SectionsSitemap,
    "documents": DocumentsSitemap,
    "pathways": PathwaysSitemap,
    "news": NewsSitemap,
    "training": TrainingSitemap,
}
