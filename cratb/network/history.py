"""The directory's history as people read it: who changed what, when, before → after.

Built from django-simple-history's records (``Model.history``): each record compared
with the one before it, field by field, values shown as the pages show them (labels of
choices, names of related records, « oui »/« non »).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

#: The newest changes shown on a page.
SHOWN = 30
KINDS = {"+": "création", "~": "modification", "-": "suppression"}
HIDDEN_FIELDS = ("version",)


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    kind: str
    subject: str
    reason: str
    version: int
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    related_model = model_field.related_model
    if (
        model_field.is_relation
        and isinstance(related_model, type)
        and issubclass(related_model, models.Model)
    ):
        related = related_model._default_manager.filter(pk=value).first()
        return (
            str(related)
            if related is not None
            else _("(fiche supprimée n° %(pk)s)") % {"pk": value}
        )
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return _("import ou système")
    return str(user.get_full_name() or user.get_username())


def changes(
    records: Sequence[Any], *, model: type[models.Model], subject: str = ""
) -> list[Change]:
    """``records``: one object's history rows, newest first (one more than wanted gives
    the last change its « before »)."""
    out = []
    for i, record in enumerate(records[:SHOWN]):
        older = records[i + 1] if i + 1 < len(records) else None
        lines = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older, excluded_fields=HIDDEN_FIELDS)
            for change in delta.changes:
                label = str(getattr(model._meta.get_field(change.field), "verbose_name", ""))
                lines.append(
                    (
                        label[:1].upper() + label[1:],
                        _shown(model, change.field, change.old),
                        _shown(model, change.field, change.new),
                    )
                )
        if record.history_type == "~" and older is not None and not lines:
            continue  # saved with nothing changed
        out.append(
            Change(
                at=record.history_date,
                who=_who(record),
                kind=KINDS.get(record.history_type, record.history_type),
                subject=subject,
                reason=record.history_change_reason or "",
                version=getattr(record, "version", 0),
                lines=lines,
            )
        )
    return out


def of(instance: models.Model) -> list[Change]:
    """The newest changes of one record."""
    records = list(
        instance.history.select_related("history_user")[: SHOWN + 1]  # type: ignore[attr-defined]
    )
    return changes(records, model=type(instance))


def since(instance: models.Model, *, version: int) -> list[Change]:
    """The changes saved after ``version`` (what a conflict page shows), oldest first."""
    records = list(
        instance.history.select_related("history_user").filter(version__gte=version)[: SHOWN + 1]  # type: ignore[attr-defined]
    )
    newer = [c for c in changes(records, model=type(instance)) if c.version > version]
    return list(reversed(newer))


def merged(groups: Iterable[list[Change]]) -> list[Change]:
    """Several records' changes, newest first."""
    return sorted((c for group in groups for c in group), key=lambda c: c.at, reverse=True)[:SHOWN]
