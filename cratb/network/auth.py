"""Log-in sessions that load each user with their membership, in one query.

Most pages read their user's team or territories (to scope rows, to key a cache), so
the user of a session is read together with their ``Membership`` (an outer join): a
page costs no query more than when the team was a column of the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipBackend(ModelBackend):
    """Django's model backend (password log-in, active users only), reading the user of
    a session with their membership."""

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("membership")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
