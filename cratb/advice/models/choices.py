"""States, routes and event kinds of an advice request; the roles that answer; the error
of a change the state does not allow."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.hashable import make_hashable
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role

_DISPLAY: dict[tuple[models.Field[Any, Any], str | None], dict[Any, str]] = {}


class FastDisplay:
    """``get_FOO_display`` read from a dict kept per field and language.

    Django's own rebuilds a dict of every (lazily translated) label on each call: twenty
    such calls were a tenth of the request page's time under load (benchmarks/advice).
    """

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        key = (field, get_language())
        labels = _DISPLAY.get(key)
        if labels is None:
            labels = {make_hashable(code): str(text) for code, text in field.flatchoices}
            _DISPLAY[key] = labels
        value = getattr(self, field.attname)
        return labels.get(make_hashable(value), value)


#: Roles that answer requests (and so may be assigned one).
RESPONDER_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.ADMIN)


class Status(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("En attente de confirmation par courriel")
    OPEN = "open", _("À traiter")
    WAITING = "waiting", _("En attente du demandeur")
    ANSWERED = "answered", _("Répondue")
    # With a context: Django's own French catalogue translates a bare "Close" as the verb
    # « Fermer » (a button), which is not a state.
    CLOSED = "closed", pgettext_lazy("advice request status", "Close")


class RoutedVia(models.TextChoices):
    ON_CALL = "on_call", _("Infectiologue d'astreinte du territoire")
    EMA = "ema", _("EMA du territoire")
    COORDINATION = "coordination", _("Coordination du CRAtb")
    DIRECT = "direct", _("Saisie directe par le répondant")


class EventKind(models.TextChoices):
    CREATED = "created", _("Demande créée")
    CONFIRMED = "confirmed", _("Adresse électronique confirmée")
    ROUTED = "routed", _("Orientée")
    ASSIGNED = "assigned", _("Prise en charge")
    REASSIGNED = "reassigned", _("Réattribuée")
    VIEWED = "viewed", _("Consultée par un répondant")
    INFO_REQUESTED = "info_requested", _("Question posée au demandeur")
    INFO_PROVIDED = "info_provided", _("Réponse du demandeur")
    ANSWERED = "answered", _("Avis donné")
    EDITED = "edited", _("Codage corrigé")
    ATTACHMENT_ADDED = "attachment_added", _("Pièce jointe ajoutée")
    CLOSED = "closed", pgettext_lazy("advice request status", "Close")
    REOPENED = "reopened", _("Rouverte")
    REMINDED = "reminded", _("Relance : délai cible dépassé")
    ESCALATED = "escalated", _("Alerte transmise à la coordination")
    SURVEY_REQUESTED = "survey_requested", _("Questionnaire de suivi envoyé")
    SURVEY_ANSWERED = "survey_answered", _("Questionnaire de suivi rempli")
    REDACTED = "redacted", _("Passage supprimé")


class StateError(ValueError):
    """A change that the request's state does not allow (French message)."""
