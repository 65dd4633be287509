"""The site's pages the footer links to: those the coordination puts in the menus.

Shown to signed-out visitors only (base.html): the platform's own pages, for signed-in
users, keep their counted queries; the home page links every page in the menus too."""

from __future__ import annotations

from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def footer_pages(context: template.Context) -> list[Page]:
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return []
    return list(site.root_page.get_children().live().public().in_menu().order_by("path"))
