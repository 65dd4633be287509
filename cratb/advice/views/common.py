"""Audiences and helpers shared by the advice pages."""

from __future__ import annotations

from typing import Any

from django.http import (
    HttpRequest,
)

from cratb.accounts.models import Role, User

#: Advice requests hold clinical context: only those who ask, those who answer and the
#: CRAtb see them. The agency and the health insurance get aggregated figures only.
ADVICE_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)
RESPONDERS = (Role.COORDINATOR, Role.EMA_MEMBER, Role.ADMIN)
ROTA_EDITORS = (Role.COORDINATOR, Role.ADMIN)
FIGURES_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.AGENCY_VIEWER)
INBOX_BOXES = ("mine", "team", "territory", "all")
INBOX_STATES = ("open", "answered", "closed", "all")
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _is_responder(user: User) -> bool:
    return user.role in RESPONDERS


def page_number(raw: str | None) -> int:
    """The page asked for in the query string; 1 when absent or not a number."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


class Page:
    """A page of rows without counting them all (no COUNT over 100,000 requests):
    one row more than shown says whether a next page exists."""

    def __init__(self, rows: list[Any], number: int) -> None:
        self.number = number
        self.object_list = rows[:PAGE_SIZE]
        self._more = len(rows) > PAGE_SIZE

    @classmethod
    def of(cls, queryset: Any, raw: str | None) -> Page:
        number = page_number(raw)
        start = (number - 1) * PAGE_SIZE
        return cls(list(queryset[start : start + PAGE_SIZE + 1]), number)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
