"""Login lockout per account and per address (django-axes' database handler, extended).

django-axes counts failures for each lockout parameter (``AXES_LOCKOUT_PARAMETERS``:
the address alone, then username and address) against one limit. cratb wants two: a few
tries on one account (``AXES_FAILURE_LIMIT``), more on many accounts from one address
(``CRATB_LOGIN_ADDRESS_FAILURES``) — so that one address trying a few passwords on many
accounts is stopped too, without a hospital's shared address being locked by a few typos.
The address count is scaled to the account limit; a successful login forgives only the
failures on its own account.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressAndAccountHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        by_address, by_account = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = max(int(settings.CRATB_LOGIN_ADDRESS_FAILURES), 1)
        return max(by_account, by_address * account_limit // address_limit)

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return int(count)
