"""Log in, log out, password change and reset, and the account page.

Django's own authentication views, with French templates, each wrapped by
``@allow`` like every other view of the platform.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from cratb.accounts.access import ALL_ROLES, PUBLIC, allow, roles
from cratb.accounts.forms import LoginForm
from cratb.accounts.navigation import landing_url_name
from cratb.security import rate_limited


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self) -> str:
        # A lab's API client has no dashboard: each role lands on its first page.
        return resolve_url(landing_url_name(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = round(settings.AXES_COOLOFF_TIME * 60)
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Vous êtes déconnecté."))
        return response


login = allow(PUBLIC)(LoginView.as_view())
# Public: a visitor whose session has expired must still be able to press « Se déconnecter ».
logout = allow(PUBLIC)(LogoutView.as_view())

password_change = allow(roles(*ALL_ROLES))(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change_form.html",
        success_url=reverse_lazy("accounts:password-change-done"),
    )
)
password_change_done = allow(roles(*ALL_ROLES))(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)

password_reset = rate_limited("CRATB_RATE_PASSWORD_RESET")(
    allow(PUBLIC)(
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-done"),
        )
    )
)
password_reset_done = allow(PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = allow(PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password-reset-complete"),
    )
)
password_reset_complete = allow(PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


@allow(roles(*ALL_ROLES))
def account(request: HttpRequest) -> HttpResponse:
    """« Mon compte »: who the user is for the platform. The only page a lab client has."""
    return render(request, "accounts/account.html", {"account": request.user})
