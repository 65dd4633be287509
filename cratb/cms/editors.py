"""Who edits the site: the coordination (and the platform's administrators), nobody else.

Wagtail's admin is mounted with every one of its views wrapped by :func:`editor_view`,
which is the project's :func:`~cratb.accounts.access.allow` for the staff roles: an
anonymous visitor is sent to the platform's login page (its lockout and second factor
apply), any other role gets 403 before Wagtail sees the request.

Wagtail reads page rights from groups: a coordinator who opens the editor joins the
editors' group (created on first use with the rights to add, edit and publish pages);
the role stays the only thing that decides (an administrator is a superuser for Wagtail).

The editor's scripts need more than the site's strict CSP (docs/security.md, measured by
the journey ``tests/journeys/test_cms_journey.py``): its responses alone get
:data:`EDITOR_CSP_UPDATE`.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver
from django.utils.translation import get_language

from cratb.accounts.access import PUBLIC, ViewFunc, allow, roles
from cratb.accounts.models import Role

EDITOR_ROLES = (Role.COORDINATOR, Role.ADMIN)
EDITORS_GROUP = "Éditeurs du site (coordination)"
#: Page rights of the editors' group, on the whole tree.
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "delete_page", "lock_page")
#: Relaxations of the CSP for the editor's responses only (docs/security.md). Measured in
#: the browser (tests/journeys/test_cms_journey.py): Wagtail 8's admin writes inline
#: scripts that set up its widgets (each with the field's id, so no fixed hash can allow
#: them) and inline styles; with the strict policy its inline panels (team members, phone
#: lines) and date pickers do not start. The editor is for signed-in coordination only.
EDITOR_CSP_UPDATE: dict[str, list[str]] = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
}


def editors_group() -> Group:
    """The editors' group with its rights, created on first use."""
    from wagtail.models import GroupPagePermission, Page

    with transaction.atomic():
        group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
        if created:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label="wagtailadmin", codename="access_admin"
                )
            )
            root = Page.get_first_root_node()
            for codename in PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=root,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
    return group


def _join_editors(user: Any) -> None:
    if user.role == Role.COORDINATOR and not user.groups.filter(name=EDITORS_GROUP).exists():
        user.groups.add(editors_group())


def editor_view(view: ViewFunc) -> ViewFunc:
    """A view of the editor: coordination and administrators only."""

    @wraps(view)
    def joined(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _join_editors(request.user)
        response = view(request, *args, **kwargs)
        if EDITOR_CSP_UPDATE:
            response._csp_update = EDITOR_CSP_UPDATE  # type: ignore[attr-defined]
        return response

    guarded_view = allow(roles(*EDITOR_ROLES))(joined)
    guarded_view.cratb_editor = True  # type: ignore[attr-defined]
    return guarded_view


#: Closed parts of the editor (403 to everyone, docs/site.md): the image and document
#: libraries and the account page's avatar, since uploads through them would escape the
#: platform's upload rules (docs/security.md; Wagtail's admin needs their apps); the users,
#: groups and API tokens, since accounts and roles are the platform's (its own account page
#: and Django's admin), never set from here.
CLOSED_PREFIXES = ("images/", "documents/", "account/", "users/", "groups/", "api-tokens/")


def closed_view(view: ViewFunc) -> ViewFunc:
    """A view of a closed part of the editor: refused to everyone."""

    @wraps(view)
    def refused(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raise PermissionDenied

    return editor_view(refused)


def guarded(
    entries: list[URLPattern | URLResolver], guard: Any = editor_view, *, prefix: str = ""
) -> list[URLPattern | URLResolver]:
    """``entries`` with every view wrapped by ``guard`` (the closed parts of the editor
    by :func:`closed_view`), at every depth."""
    result: list[URLPattern | URLResolver] = []
    for entry in entries:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            result.append(
                URLResolver(
                    entry.pattern,
                    guarded(entry.url_patterns, guard, prefix=route),
                    entry.default_kwargs,
                    entry.app_name,
                    entry.namespace,
                )
            )
        else:
            wrapper = (
                closed_view if guard is editor_view and route.startswith(CLOSED_PREFIXES) else guard
            )
            result.append(
                URLPattern(entry.pattern, wrapper(entry.callback), entry.default_args, entry.name)
            )
    return result


def public_view(view: ViewFunc) -> ViewFunc:
    """Wagtail's page serving: public (a page the coordination restricts is refused by
    Wagtail itself, and left out of the sitemap). The pages are written in French only:
    their address in another language leads to the French page."""

    @wraps(view)
    def served(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        prefix = f"/{get_language()}/"
        if get_language() != settings.LANGUAGE_CODE and request.path.startswith(prefix):
            query = request.META.get("QUERY_STRING", "")
            return redirect("/" + request.path[len(prefix) :] + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return allow(PUBLIC)(served)
