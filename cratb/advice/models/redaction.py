"""Redaction: a passage removed from every stored text of one request.

A patient's identity must never stay in the advice desk, yet texts written before the
checks existed, or clues the checks could not see, may hold one. The coordination then
replaces the passage with « [passage supprimé le JJ/MM/AAAA par X] » wherever the
request stores text: its own fields (question, organism, allergy, requester's name and
phone), the messages, the answers, the survey comment, the attachments' names, the
history's texts and details (where a coding change copied the old value), and the
e-mails waiting in the job queue. The original is overwritten, not hidden.

This is the one change the append-only history allows, made by
:meth:`AdviceRequest.redact` alone, which locks the request, calls the functions below
and writes its own event (who, when, why, and how many places were changed — never the
removed text). The functions here work on any request row and the records that point at
it, so this module needs nothing of ``requests``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from cratb.accounts.models import Role, User
from cratb.advice.models.choices import StateError
from cratb.advice.models.records import AdviceEvent, AdviceMessage, Answer, Attachment, Survey

#: Who may redact: the coordination (and the administrator, who sees every request).
REDACTORS = (Role.COORDINATOR, Role.ADMIN)
#: The request's own free texts.
REQUEST_TEXTS = ("question", "organism", "allergy_detail", "requester_name", "requester_phone")
MIN_PASSAGE = 3
SHORT_MARKER = "[supprimé]"


class RedactionError(StateError):
    """A redaction that cannot be made (French message)."""


def marker(*, by: User, at: datetime) -> str:
    day = timezone.localtime(at).strftime("%d/%m/%Y")
    who = by.get_full_name() or by.username
    return _("[passage supprimé le %(day)s par %(who)s]") % {"day": day, "who": who}


def _replace(text: str, passage: str, mark: str, *, max_length: int | None = None) -> str:
    out = text.replace(passage, mark)
    if max_length is not None and len(out) > max_length:
        out = text.replace(passage, SHORT_MARKER)[:max_length]
    return out


def _replace_in(value: Any, passage: str, mark: str) -> tuple[Any, int]:
    """``value`` (JSON: dicts, lists, strings) with ``passage`` replaced in every string."""
    if isinstance(value, str):
        count = value.count(passage)
        return (value.replace(passage, mark), count) if count else (value, 0)
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            new, count = _replace_in(item, passage, mark)
            items.append(new)
            total += count
        return items, total
    if isinstance(value, dict):
        total = 0
        out = {}
        for key, item in value.items():
            new, count = _replace_in(item, passage, mark)
            out[key] = new
            total += count
        return out, total
    return value, 0


def _rewrite(
    model: type[models.Model], rows: models.QuerySet[Any], field: str, passage: str, mark: str
) -> int:
    """Overwrite ``passage`` in ``field`` of ``rows``; the number of rows changed."""
    max_length = getattr(model._meta.get_field(field), "max_length", None)
    changed = 0
    for pk, text in rows.filter(**{f"{field}__contains": passage}).values_list("pk", field):
        new = _replace(text, passage, mark, max_length=max_length)
        model._default_manager.filter(pk=pk).update(**{field: new})
        changed += 1
    return changed


def _rewrite_events(request: models.Model, passage: str, mark: str) -> int:
    changed = 0
    for event in AdviceEvent.objects.filter(request_id=request.pk).order_by("pk"):
        text_count = event.text.count(passage)
        data, data_count = _replace_in(event.data, passage, mark)
        if text_count or data_count:
            AdviceEvent.objects.overwrite_for_redaction(
                event.pk, text=event.text.replace(passage, mark), data=data
            )
            changed += 1
    return changed


def _rewrite_queued_emails(passage: str, mark: str) -> int:
    """E-mails queued but kept by the job backend hold their body (a reassignment note)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps nothing in the database
        return 0
    from cratb.advice.outbox import send_email

    changed = 0
    rows = DBTaskResult.objects.filter(task_path=send_email.module_path)
    bodies = rows.annotate(body=KT("args_kwargs__kwargs__body"))
    for job in bodies.filter(body__contains=passage):
        args_kwargs, count = _replace_in(job.args_kwargs, passage, mark)
        if count:
            DBTaskResult.objects.filter(pk=job.pk).update(args_kwargs=args_kwargs)
            changed += 1
    return changed


def check(*, passage: str, reason: str, by: User) -> tuple[str, str]:
    """The passage and the reason, stripped, once the redaction is allowed; else
    ``RedactionError`` with the French reason."""
    passage = passage.strip()
    reason = reason.strip()
    if by.role not in REDACTORS or not by.is_active:
        raise RedactionError(_("Seule la coordination du CRAtb peut supprimer un passage."))
    if len(passage) < MIN_PASSAGE:
        raise RedactionError(
            _("Le passage à supprimer doit faire au moins %(n)s caractères.") % {"n": MIN_PASSAGE}
        )
    if not reason:
        raise RedactionError(_("Donnez le motif de la suppression."))
    if passage in reason:
        raise RedactionError(_("Le motif ne doit pas reprendre le passage supprimé."))
    return passage, reason


def own_fields(request: models.Model, passage: str, mark: str) -> dict[str, str]:
    """The new values of the request's own texts that hold ``passage``."""
    fields = {}
    for name in REQUEST_TEXTS:
        value = getattr(request, name)
        if passage in value:
            max_length = getattr(type(request)._meta.get_field(name), "max_length", None)
            fields[name] = _replace(value, passage, mark, max_length=max_length)
    return fields


def rewrite_records(request: models.Model, passage: str, mark: str) -> Counter[str]:
    """Overwrite ``passage`` in the records of ``request`` (messages, answers, survey,
    attachments' names, history) and in the queued e-mails; how many in each place."""
    places: Counter[str] = Counter()
    for model, label, field in (
        (AdviceMessage, "messages", "text"),
        (Answer, "answers", "text"),
        (Survey, "survey", "comment"),
        (Attachment, "attachments", "original_name"),
    ):
        rows = model._default_manager.filter(request_id=request.pk)
        places[label] += _rewrite(model, rows, field, passage, mark)
    places["history"] += _rewrite_events(request, passage, mark)
    places["emails"] += _rewrite_queued_emails(passage, mark)
    return places
