"""Template helpers shared by every page: navigation, icons, durations, numbers."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse, translate_url
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, override
from django.utils.translation import gettext as _

from cratb.accounts.navigation import SECTIONS, may_see, sections_for_role, user_role
from cratb.charts.numbers import format_number

register = template.Library()

#: The symbols of templates/includes/icons.svg (a test keeps both in step).
ICONS: frozenset[str] = frozenset(
    {
        "logo",
        "chart",
        "chat",
        "network",
        "book",
        "clipboard",
        "user",
        "logout",
        "lock",
        "globe",
        "info",
        "arrow",
    }
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str | Promise
    icon: str
    current: bool


@register.simple_tag(takes_context=True)
def main_sections(context: template.Context) -> tuple[NavLink, ...]:
    """The sections the current user may open, the one being viewed marked current."""
    request = context.get("request")
    if request is None:
        return ()
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else None
    return _sections(user_role(request.user), namespace, get_language(), get_urlconf())


@functools.lru_cache(maxsize=256)
def _sections(
    role: str | None, namespace: str | None, language: str | None, urlconf: str | None
) -> tuple[NavLink, ...]:
    # The menu depends on these four only: built once each, not on every page.
    return tuple(
        NavLink(
            url=reverse(section.url_name, urlconf=urlconf),
            label=section.label,
            icon=section.icon,
            current=section.url_name.split(":")[0] == namespace,
        )
        for section in sections_for_role(role)
    )


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """This page in each available language.

    Plain links rather than a form posting to ``set_language``: with
    ``prefix_default_language=False`` the language is read from the URL alone, and
    ``set_language`` cannot translate an English URL back to French.
    """
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    match = getattr(request, "resolver_match", None)
    current = get_language()
    return [
        LanguageLink(
            code=code,
            name=get_language_info(code)["name_local"],
            url=_in_language(path, match, code),
            current=code == current,
        )
        for code, _name in settings.LANGUAGES
    ]


def _in_language(path: str, match: Any, code: str) -> str:
    """``path`` in language ``code``: Django's ``translate_url``, without resolving the
    path again when the request already was (its match is at hand)."""
    if match is None or not match.url_name:
        return translate_url(path, code)
    query = path[path.index("?") :] if "?" in path else ""
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with override(code):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs) + query
        except NoReverseMatch:
            return translate_url(path, code)


@register.simple_tag(takes_context=True)
def section_cards(context: template.Context, *url_names: str) -> list[dict[str, Any]]:
    """Cards for the named sections, each with a link only when the user may open it."""
    user = context["request"].user
    by_name = {section.url_name: section for section in SECTIONS}
    return [
        {
            "section": by_name[name],
            "url": reverse(name) if may_see(user, name) else None,
        }
        for name in url_names
    ]


@register.simple_tag
def icon(name: str) -> SafeString:
    """A decorative icon from the inline sprite; hidden from screen readers."""
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"Icône inconnue : {name!r}.")
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="#icon-{}"></use></svg>',
        name,
    )


@register.filter
def minutes(duration: timedelta | None) -> int | None:
    """Whole minutes of a duration, for « réessayez dans 30 minutes »."""
    if duration is None:
        return None
    return round(duration.total_seconds() / 60)


@register.filter
def number(value: Any, decimals: int = 1) -> str:
    """A number as tables and charts write it (``cratb.charts.numbers``): rounded half up
    to ``decimals`` places, the page's language's separators, « — » when missing."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return str(value)
    return format_number(value, decimals=int(decimals), language=get_language() or "fr")


class ScrollTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList, label: Any) -> None:
        self.nodelist = nodelist
        self.label = label

    def render(self, context: template.Context) -> str:
        # « Tableau : » keeps the region's name apart from the section its heading names
        # (two landmarks of one name cannot be told apart).
        label = _("Tableau : %(name)s") % {"name": self.label.resolve(context)}
        return format_html(
            '<div class="table-wrap" tabindex="0" role="region" aria-label="{}">{}</div>',
            label,
            SafeString(self.nodelist.render(context)),
        )


@register.tag
def scroll_table(parser: template.base.Parser, token: template.base.Token) -> ScrollTableNode:
    """``{% scroll_table _("Name") %}<table>…</table>{% endscroll_table %}``: the table in a
    box that scrolls sideways on a narrow screen, reachable with the keyboard (tabindex),
    announced as a named region (the name says which table)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scroll_table takes one argument: the region's name")
    label = parser.compile_filter(bits[1])
    nodelist = parser.parse(("endscroll_table",))
    parser.delete_first_token()
    return ScrollTableNode(nodelist, label)
