"""The e-mails of the advice desk: who receives what, rendered now, sent by the worker.

Each template under ``templates/advice/email/`` has the subject on its first line, a
blank line, then the body. E-mails to requesters never repeat the clinical question:
they carry a signed link to the request page instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cratb.accounts.models import Role, User
from cratb.advice import tokens
from cratb.advice.models import RESPONDER_ROLES, AdviceRequest
from cratb.advice.outbox import enqueue_email
from cratb.network.models import Territory


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def follow_url(request: AdviceRequest) -> str:
    return absolute(reverse("advice:follow", args=[tokens.follow_token(request)]))


def confirm_url(request: AdviceRequest) -> str:
    return absolute(reverse("advice:confirm", args=[tokens.confirm_token(request)]))


def staff_url(request: AdviceRequest) -> str:
    return absolute(reverse("advice:request-detail", args=[request.pk]))


def _emails(users: Iterable[User]) -> list[str]:
    return sorted({user.email for user in users if user.email})


def coordinators_for(request: AdviceRequest) -> list[User]:
    """Active coordinators covering the request's département (or its region); all
    active coordinators when none does."""
    coordinators = User.objects.filter(role=Role.COORDINATOR, is_active=True)
    departement = request.departement
    covering = coordinators.filter(
        Q(membership__territories=departement)
        | Q(membership__territories__pk=departement.parent_id)
    ).distinct()
    return list(covering) or list(coordinators)


def responders_for(request: AdviceRequest) -> list[User]:
    """Who is told about the request: its assignee, else its team, else the coordinators."""
    if request.assignee_id is not None and request.assignee is not None:
        return [request.assignee]
    if request.team_id is not None:
        members = list(
            User.objects.filter(
                membership__team_id=request.team_id, role__in=RESPONDER_ROLES, is_active=True
            )
        )
        if members:
            return members
    return coordinators_for(request)


def send(template: str, *, to: Iterable[str], request: AdviceRequest, **context: object) -> None:
    """Render ``advice/email/<template>.txt`` in French and send it after commit."""
    recipients = sorted(set(to))
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            f"advice/email/{template}.txt",
            {"request": request, "site_url": settings.SITE_URL, **context},
        )
    subject, _blank, body = text.strip().partition("\n\n")
    enqueue_email(to=recipients, subject=subject.strip(), body=body.strip() + "\n")


def to_requester(template: str, request: AdviceRequest, **context: object) -> None:
    send(
        template,
        to=[request.requester_email] if request.requester_email else [],
        request=request,
        follow_url=follow_url(request),
        **context,
    )


def to_responders(
    template: str, request: AdviceRequest, users: Iterable[User] | None = None, **context: object
) -> list[str]:
    addresses = _emails(users if users is not None else responders_for(request))
    send(template, to=addresses, request=request, url=staff_url(request), **context)
    return addresses


def region_name() -> str:
    region = Territory.objects.filter(
        kind=Territory.Kind.REGION, code=settings.CRATB_REGION
    ).first()
    return region.name if region else settings.CRATB_REGION
