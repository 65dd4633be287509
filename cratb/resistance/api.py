"""The lab API: ``POST /api/v1/ast/target``, one isolate per request, JSON in and out.

Authentication: ``Authorization: Token <key>`` (a key issued on the lab user's page
« Accès API »). A request without a key, or with a key that is not valid, is answered
401; a key of a user who is not a lab, 403. A browser session never authenticates a
request here (no cookie-based write, so no cross-site request forgery).

Every answer is JSON, errors included: 400 (with a reason per field, or for a body that
is not JSON or nested too deep), 401, 403, 404 (any other path under ``/api/``), 405
(another method than POST), 413 (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``), 429 (too
many requests from one address) and 500 (an unexpected error: ``server_error``, the
project's ``handler500``, answers JSON under ``/api/``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import server_error as html_server_error

from cratb.accounts.access import PUBLIC, allow, roles
from cratb.accounts.models import Role
from cratb.resistance.models import ApiToken
from cratb.resistance.services import target_isolate
from cratb.security import rate_limited

SCHEME = "token"


def _unauthorized(detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Token realm="cratb"'
    return response


def token_auth(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Authenticate ``Authorization: Token <key>``; every request needs it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        header = request.headers.get("Authorization", "")
        request.api_token = None  # type: ignore[attr-defined]
        if header:
            scheme, _, key = header.partition(" ")
            token = ApiToken.authenticate(key) if scheme.lower() == SCHEME and key else None
            if token is None:
                return _unauthorized("jeton d'accès invalide ou révoqué")
            if getattr(token.user, "role", None) != Role.LAB:
                return JsonResponse(
                    {"detail": "ce jeton n'appartient pas à un compte de laboratoire"}, status=403
                )
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
        else:
            return _unauthorized("jeton d'accès manquant : en-tête Authorization: Token <clé>")
        return view(request, *args, **kwargs)

    return wrapped


class TargetView(View):
    http_method_names = ["post"]

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = JsonResponse(
            {"detail": f"méthode {request.method} non admise : seule POST l'est"}, status=405
        )
        response["Allow"] = "POST"
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        token: ApiToken = request.api_token  # type: ignore[attr-defined]
        account = getattr(token.user, "lab_account", None)
        if account is None:
            return JsonResponse(
                {
                    "detail": "ce compte n'est rattaché à aucun laboratoire : demander à"
                    " l'administrateur de la plateforme de le rattacher"
                },
                status=403,
            )
        try:
            payload = json.loads(request.body or b"null")
        except RequestDataTooBig:
            return JsonResponse(
                {"detail": "corps de la requête trop volumineux : un isolat par requête"},
                status=413,
            )
        except (json.JSONDecodeError, UnicodeDecodeError):
            return JsonResponse({"errors": {"": "corps JSON illisible"}}, status=400)
        except RecursionError:
            return JsonResponse({"errors": {"": "corps JSON trop imbriqué"}}, status=400)
        body, status = target_isolate(payload, token=token, lab_id=account.lab_id)
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


# Limited per address before the token is even read: a flood of bad keys is stopped too.
target = csrf_exempt(
    rate_limited("CRATB_RATE_LAB_API", api=True)(
        token_auth(allow(roles(Role.LAB))(TargetView.as_view()))
    )
)


@allow(PUBLIC)
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other path under ``/api/``: a JSON 404, never the site's HTML page."""
    return JsonResponse(
        {"detail": "adresse inconnue de l'API ; la seule est POST /api/v1/ast/target"},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's 500 page (``handler500``): JSON for the lab API, whose clients read
    JSON only; the site's HTML page elsewhere. Never any detail of the error."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "erreur interne du serveur : réessayez plus tard ou prévenez le CRAtb"},
            status=500,
        )
    return html_server_error(request)
