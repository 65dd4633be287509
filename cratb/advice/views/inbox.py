"""The responders' inbox: their requests by tab (mine, my team's, my territories', all)
and state, one page at a time, with the open counts of each tab."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role, User
from cratb.advice.caching import cached
from cratb.advice.models import AdviceRequest, Status
from cratb.advice.views.common import (
    INBOX_BOXES,
    INBOX_STATES,
    RESPONDERS,
    Page,
    _user,
    page_number,
)
from cratb.network.models import Membership


@allow(roles(*RESPONDERS))
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    box = request.GET.get("box", "mine" if user.role == Role.EMA_MEMBER else "territory")
    box = box if box in INBOX_BOXES else "mine"
    state = request.GET.get("state", "open")
    state = state if state in INBOX_STATES else "open"
    parts = _inbox_parts(user, box=box, state=state, page=page_number(request.GET.get("page")))
    return render(
        request,
        "advice/inbox.html",
        {
            **parts,
            "box": box,
            "state": state,
            "boxes": [
                ("mine", _("À moi")),
                ("team", _("Mon équipe")),
                ("territory", _("Mes territoires")),
                ("all", _("Tout ce que je vois")),
            ],
            "states": [
                ("open", _("À traiter")),
                ("answered", _("Répondues")),
                ("closed", _("Closes")),
                ("all", _("Toutes")),
            ],
        },
    )


#: What an inbox row shows (advice_extras.inbox_rows), read as tuples: building 50
#: requests with their département, responder and team as model instances cost more
#: than the query.
INBOX_FIELDS = (
    "pk",
    "status",
    "channel",
    "syndrome",
    "setting",
    "age_band",
    "sex",
    "received_at",
    "due_at",
    "departement__code",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "team_id",
    "team__name",
)


def _inbox_parts(user: User, *, box: str, state: str, page: int) -> dict[str, Any]:
    """The inbox table (rows and paging, rendered) and the tab counters.

    Kept in the cache until any request changes (the key holds the requests' change
    stamp) and for one minute at most: the « late » badges move with time, and names of
    responders or a user's territories may change without changing a request.
    """
    now = timezone.now()
    key = (
        f"cratb.advice.inbox:{user.pk}:{user.role}:{Membership.of(user).team_id}:{box}:{state}:"
        f"{page}:"
        f"{AdviceRequest.objects.change_stamp()}:{now:%Y%m%d%H%M}:{get_language()}"
    )
    return cached(
        key,
        lambda: _build_inbox_parts(user, box=box, state=state, page=page, now=now),
        seconds=60,
        enabled=settings.CRATB_INBOX_CACHE,
    )


def _build_inbox_parts(
    user: User, *, box: str, state: str, page: int, now: datetime
) -> dict[str, Any]:
    rows = AdviceRequest.objects.inbox(user, box=box)
    if state == "open":
        rows = rows.open().order_by("due_at", "pk")
    elif state == "answered":
        rows = rows.filter(status=Status.ANSWERED).order_by("-first_answer_at", "-pk")
    elif state == "closed":
        rows = rows.filter(status=Status.CLOSED).order_by("-closed_at", "-pk")
    else:
        rows = rows.order_by("-received_at", "-pk")
    rows_page = Page.of(rows.values_list(*INBOX_FIELDS, named=True), str(page))
    table = render_to_string(
        "advice/includes/inbox_table.html",
        {"page": rows_page, "box": box, "state": state, "now": now},
    )
    return {
        "table": mark_safe(table),  # noqa: S308 - rendered by the template engine
        "open_counts": AdviceRequest.objects.open_counts(user),
    }
