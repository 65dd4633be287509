"""Advice requests, their append-only history, answers, attachments, surveys, on-call rota.

Every state change is a method of :class:`AdviceRequest` that updates the request and
writes an :class:`AdviceEvent` in the same transaction (STYLE.md). A change made by a
person who saw a given version of the request passes ``expected_version``: if someone
else changed the request in between, :class:`VersionConflict` is raised and nothing is
written (optimistic locking), so the view can show the other's change and keep the
person's text.

Modules: ``choices`` (states, event kinds), ``requests`` (the request and its rules),
``records`` (history, messages, answers, files, surveys), ``rota`` (on-call shifts),
``stored`` (the figures of each year, kept as aggregates).
"""

from cratb.advice.models.choices import RESPONDER_ROLES, EventKind, RoutedVia, StateError, Status
from cratb.advice.models.records import (
    AdviceEvent,
    AdviceEventQuerySet,
    AdviceMessage,
    Answer,
    AppendOnlyError,
    Attachment,
    RecommendedAgent,
    Survey,
)
from cratb.advice.models.requests import (
    AdviceRequest,
    AdviceRequestQuerySet,
    AgentChoice,
    VersionConflict,
    any_critical,
    ema_team_of,
    new_access_key,
    target_time,
)
from cratb.advice.models.rota import OnCallShift, OnCallShiftQuerySet
from cratb.advice.models.stored import FigureAware, FigureCount, FigureGroup, FigureState

__all__ = [
    "RESPONDER_ROLES",
    "AdviceEvent",
    "AdviceEventQuerySet",
    "AdviceMessage",
    "AdviceRequest",
    "AdviceRequestQuerySet",
    "AgentChoice",
    "Answer",
    "AppendOnlyError",
    "Attachment",
    "EventKind",
    "FigureAware",
    "FigureCount",
    "FigureGroup",
    "FigureState",
    "OnCallShift",
    "OnCallShiftQuerySet",
    "RecommendedAgent",
    "RoutedVia",
    "StateError",
    "Status",
    "Survey",
    "VersionConflict",
    "any_critical",
    "ema_team_of",
    "new_access_key",
    "target_time",
]
