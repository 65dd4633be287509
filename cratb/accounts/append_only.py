"""Append-only records: an audit trail is written once and never changed nor deleted.

The mechanism of the advice requests' history (``AdviceEvent``), shared by every trail
of the platform (the labs' access events, the targeted-report decisions of the lab API):

- ``AppendOnlyQuerySet``: ``update()`` and ``delete()`` raise ``AppendOnlyError``;
- ``AppendOnlyModel``: ``save()`` of a stored row and ``delete()`` raise it too;
- ``ReadOnlyAdmin``: Django's admin may list and open them, never add, change nor delete.

A row referring to a person keeps that person (``on_delete=PROTECT``): an account with
a trail is deactivated, not deleted. The one exception is a redaction of the advice
history (``AdviceRequest.redact``), which overwrites a removed passage on purpose.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class AppendOnlyError(PermissionError):
    """A change or a deletion of a trail's row."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "Ce journal est en ajout seul : rien ne s'y modifie.")


M = TypeVar("M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[M]):
    error: type[AppendOnlyError] = AppendOnlyError

    def update(self, **kwargs: Any) -> int:
        raise self.error()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.error()


class AppendOnlyModel(models.Model):
    """A row written once. ``append_only_error``: the exception raised (a subclass may
    name its own trail in the message)."""

    append_only_error: type[AppendOnlyError] = AppendOnlyError

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.append_only_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.append_only_error()


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin page that shows rows and never adds, changes or deletes one."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
