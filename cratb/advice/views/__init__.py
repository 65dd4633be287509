"""Pages of the advice desk. Thin: parse a form, call one model or service method, render.

Audiences (``@allow``) and row scoping (``AdviceRequest.objects.visible_to``) together
decide what each person sees: a requester only their own requests, a responder their
own, their team's and their territories', the agency only aggregated figures.
"""

from cratb.advice.views.common import ADVICE_ROLES
from cratb.advice.views.figures import export_rows, figures_export, figures_page
from cratb.advice.views.inbox import inbox
from cratb.advice.views.redaction import request_redact
from cratb.advice.views.requests import (
    attachment_download,
    confirm,
    follow,
    follow_attachment,
    home,
    my_requests,
    phone_create,
    request_answer,
    request_ask,
    request_attach,
    request_close,
    request_coding,
    request_create,
    request_detail,
    request_reassign,
    request_reopen,
    request_requester,
    request_sent,
    request_take,
)
from cratb.advice.views.rota import rota_calendar, rota_delete, rota_import

__all__ = [
    "ADVICE_ROLES",
    "attachment_download",
    "confirm",
    "export_rows",
    "figures_export",
    "figures_page",
    "follow",
    "follow_attachment",
    "home",
    "inbox",
    "my_requests",
    "phone_create",
    "request_answer",
    "request_ask",
    "request_attach",
    "request_close",
    "request_coding",
    "request_create",
    "request_detail",
    "request_reassign",
    "request_redact",
    "request_reopen",
    "request_requester",
    "request_sent",
    "request_take",
    "rota_calendar",
    "rota_delete",
    "rota_import",
]
