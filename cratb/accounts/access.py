"""Who may see each view.

Every view of the platform is wrapped by :func:`allow`, which both enforces and
*declares* its audience (``view.cratb_access``). A test walks every URL and
checks each declared audience against every role, so a view without a
declaration fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from cratb.accounts.models import Role

ALL_ROLES: frozenset[str] = frozenset(Role.values)
#: The CRAtb's own team: its coordination and the platform's administrator.
STAFF_ROLES: frozenset[str] = frozenset({Role.COORDINATOR, Role.ADMIN})
#: Every role but the lab's API client, which has no use of web pages beyond its account.
WEB_ROLES: frozenset[str] = ALL_ROLES - {Role.LAB}


@dataclass(frozen=True)
class Access:
    """The audience of a view: anyone (``public``), or logged-in users of some roles."""

    public: bool
    roles: frozenset[str]

    def allows(self, role: str | None) -> bool:
        """``role`` is None for an anonymous visitor."""
        if self.public:
            return True
        return role is not None and role in self.roles


PUBLIC = Access(public=True, roles=ALL_ROLES)


def roles(*names: str) -> Access:
    unknown = set(names) - ALL_ROLES
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    return Access(public=False, roles=frozenset(names))


ViewFunc = Callable[..., HttpResponseBase]


def allow(access: Access) -> Callable[[ViewFunc], ViewFunc]:
    """Declare and enforce who may see a view.

    Anonymous visitors of a non-public view are sent to the login page;
    logged-in users of another role get 403.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not access.public:
                user = request.user
                if not user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not access.allows(getattr(user, "role", None)) or not user.is_active:
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.cratb_access = access  # type: ignore[attr-defined]
        return wrapped

    return decorator
