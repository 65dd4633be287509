"""Signed links of the letters (django.core.signing): the confirmation of a
subscription (expires) and the unsubscription (does not)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "cratb.letters.confirm"
UNSUBSCRIBE_SALT = "cratb.letters.unsubscribe"
#: A confirmation link is valid for a week.
CONFIRM_MAX_AGE = 7 * 24 * 3600


class LinkError(Exception):
    """A link that cannot be used; the message says why, in French."""


def confirm_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=CONFIRM_SALT)


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=UNSUBSCRIBE_SALT)


def read_confirm(token: str) -> str:
    try:
        return str(signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE))
    except signing.SignatureExpired:
        raise LinkError(
            "Ce lien de confirmation a expiré (il vaut 7 jours) : inscrivez-vous à nouveau."
        ) from None
    except signing.BadSignature:
        raise LinkError(
            "Lien de confirmation invalide : copiez l'adresse complète reçue par courriel."
        ) from None


def read_unsubscribe(token: str) -> str:
    try:
        return str(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except signing.BadSignature:
        raise LinkError(
            "Lien de désinscription invalide : copiez l'adresse complète reçue par courriel,"
            " ou écrivez au CRAtb pour être désinscrit."
        ) from None


def absolute(name: str, token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])
