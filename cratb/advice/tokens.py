"""Signed links for requesters without an account.

Two kinds, each with its own salt so one cannot stand for the other:

- the confirmation link of a request sent from the public form (valid 7 days);
- the follow-up link, sent in every e-mail to the requester: it opens their request
  (read the answer, reply, fill the close-out survey). It names the request and its
  random ``access_key``, so changing the key revokes every link given so far.
"""

from __future__ import annotations

from django.core import signing

from cratb.advice.models import AdviceRequest

CONFIRM_SALT = "cratb.advice.confirm"
FOLLOW_SALT = "cratb.advice.follow"
CONFIRM_MAX_AGE = 7 * 24 * 3600


class BadToken(ValueError):
    """A link that is altered, expired or revoked."""


def _dump(request: AdviceRequest, *, salt: str, dated: bool) -> str:
    payload = {"r": request.pk, "k": request.access_key}
    if dated:
        return signing.dumps(payload, salt=salt)
    # Undated: the same link in every e-mail to the requester.
    return signing.Signer(salt=salt).sign_object(payload)


def _load(token: str, *, salt: str, max_age: int | None) -> AdviceRequest:
    try:
        if max_age is not None:
            payload = signing.loads(token, salt=salt, max_age=max_age)
        else:
            payload = signing.Signer(salt=salt).unsign_object(token)
    except signing.SignatureExpired as exc:
        raise BadToken("expired") from exc
    except signing.BadSignature as exc:
        raise BadToken("bad signature") from exc
    if not isinstance(payload, dict):
        raise BadToken("bad payload")
    request = (
        AdviceRequest.objects.select_related("departement")
        .filter(pk=int(payload.get("r") or 0), access_key=str(payload.get("k", "")))
        .first()
    )
    if request is None:
        raise BadToken("revoked")
    return request


def confirm_token(request: AdviceRequest) -> str:
    return _dump(request, salt=CONFIRM_SALT, dated=True)


def read_confirm_token(token: str) -> AdviceRequest:
    return _load(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def follow_token(request: AdviceRequest) -> str:
    return _dump(request, salt=FOLLOW_SALT, dated=False)


def read_follow_token(token: str) -> AdviceRequest:
    return _load(token, salt=FOLLOW_SALT, max_age=None)
