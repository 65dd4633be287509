"""Workflows of the advice desk that span several records and send e-mails.

Each function changes state through the model methods (which write the events) and
queues the e-mails that follow, all in one transaction: e-mails leave only once it
has committed (``tasks.enqueue_email``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cratb.accounts.models import Role, User
from cratb.advice import emails, uploads
from cratb.advice.models import (
    AdviceRequest,
    AgentChoice,
    Answer,
    RoutedVia,
    Status,
    target_time,
)
from cratb.advice.tasks import schedule_reminders
from cratb.guidelines.models import Document, Pathway
from cratb.network.models import Membership

ATTACHMENT_FOLDER = "requests"


@dataclass(frozen=True)
class NewFile:
    """An uploaded file already checked by content (``uploads.check_upload``)."""

    upload: UploadedFile
    sniffed: uploads.Sniffed


def _attach_all(
    request: AdviceRequest,
    *,
    files: Sequence[NewFile],
    pending: Sequence[uploads.PendingFile],
    by: User | None,
    from_requester: bool,
) -> None:
    for new in files:
        path = uploads.store(new.upload, sniffed=new.sniffed, folder=ATTACHMENT_FOLDER)
        request.attach(
            path=path,
            original_name=new.upload.name or "fichier",
            content_type=new.sniffed.content_type,
            size=new.upload.size or 0,
            by=by,
            from_requester=from_requester,
        )
    for kept in pending:
        path = uploads.adopt(kept, folder=ATTACHMENT_FOLDER)
        request.attach(
            path=path,
            original_name=kept.name,
            content_type=kept.content_type,
            size=kept.size,
            by=by,
            from_requester=from_requester,
        )


def submit_request(
    *,
    fields: dict[str, Any],
    files: Sequence[NewFile] = (),
    pending: Sequence[uploads.PendingFile] = (),
    user: User | None,
) -> AdviceRequest:
    """A request from the web form.

    A logged-in requester's request is confirmed and routed at once (their address is
    known); anyone else receives a confirmation link, and the request reaches no
    responder until it is opened.
    """
    account = user if user is not None and user.role == Role.REQUESTER else None
    with transaction.atomic():
        request = AdviceRequest.create(
            actor=account,
            actor_label="" if account else str(fields.get("requester_name", "")),
            requester=account,
            status=Status.UNCONFIRMED,
            **fields,
        )
        _attach_all(request, files=files, pending=pending, by=account, from_requester=True)
        if account is not None:
            _confirm_and_route(request, actor=account, requester=None)
        else:
            emails.to_requester("confirm", request, confirm_url=emails.confirm_url(request))
    return request


def confirm_request(request: AdviceRequest) -> bool:
    """The confirmation link was opened. Returns False when it already had been."""
    with transaction.atomic():
        locked = AdviceRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != Status.UNCONFIRMED:
            return False
        account = (
            User.objects.filter(
                role=Role.REQUESTER, is_active=True, email__iexact=locked.requester_email
            )
            .order_by("pk")
            .first()
            if locked.requester_email
            else None
        )
        _confirm_and_route(locked, actor=None, requester=account)
        request.refresh_from_db()
    return True


def _confirm_and_route(
    request: AdviceRequest, *, actor: User | None, requester: User | None
) -> None:
    now = timezone.now()
    request.confirm(at=now, actor=actor, requester=requester)
    request.route(at=now)
    emails.to_responders("new_request", request)
    emails.to_requester("receipt", request)
    transaction.on_commit(schedule_reminders)


def record_phone_advice(
    *,
    by: User,
    fields: dict[str, Any],
    received_at: datetime,
    recommendation: str,
    agents: Sequence[AgentChoice],
    duration_days: int | None,
    text: str,
    close: bool,
) -> AdviceRequest:
    """A request answered by phone (or tele-expertise), recorded in one form."""
    now = timezone.now()
    received_at = min(received_at, now)
    with transaction.atomic():
        request = AdviceRequest.create(
            actor=by,
            status=Status.OPEN,
            received_at=received_at,
            created_at=now,
            updated_at=now,
            due_at=target_time(received_at, departement_code=fields["departement"].code),
            routed_via=RoutedVia.DIRECT,
            assignee=by,
            team=Membership.of(by).team,
            identity_confirmed=True,
            **fields,
        )
        request.answer(
            by=by,
            recommendation=recommendation,
            agents=agents,
            duration_days=duration_days,
            text=text,
            expected_version=request.version,
            channel=fields["channel"],
            at=now,
        )
        if close:
            request.close(by=by, expected_version=request.version)
        emails.to_requester("answer", request)
    return request


def ask_requester(*, request: AdviceRequest, by: User, text: str, expected_version: int) -> None:
    with transaction.atomic():
        request.ask(by=by, text=text, expected_version=expected_version)
        emails.to_requester("question", request)


def requester_reply(*, request: AdviceRequest, text: str, by: User | None) -> None:
    with transaction.atomic():
        request.reply(text=text, by=by)
        emails.to_responders("reply", request)


def give_answer(
    *,
    request: AdviceRequest,
    by: User,
    recommendation: str,
    agents: Sequence[AgentChoice],
    duration_days: int | None,
    text: str,
    expected_version: int,
    documents: Sequence[Document] = (),
    pathways: Sequence[Pathway] = (),
) -> Answer:
    with transaction.atomic():
        answer = request.answer(
            by=by,
            recommendation=recommendation,
            agents=agents,
            duration_days=duration_days,
            text=text,
            expected_version=expected_version,
            documents=documents,
            pathways=pathways,
        )
        emails.to_requester("answer", request)
    return answer


def reassign(
    *, request: AdviceRequest, to: User, by: User, note: str, expected_version: int
) -> None:
    with transaction.atomic():
        request.reassign(to=to, by=by, note=note, expected_version=expected_version)
        emails.to_responders(
            "reassigned", request, users=[to], by=by.get_full_name() or by.username, note=note
        )


def add_attachments(
    *, request: AdviceRequest, files: Sequence[NewFile], by: User | None, from_requester: bool
) -> None:
    with transaction.atomic():
        _attach_all(request, files=files, pending=(), by=by, from_requester=from_requester)
