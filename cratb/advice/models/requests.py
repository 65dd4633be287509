"""The advice request: its coded context, its queries, and the methods that change it.

Each change updates the request and writes its event in one transaction; a change made
from what a person saw passes ``expected_version`` (optimistic locking).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role, User
from cratb.advice import codes, identity
from cratb.advice.models import redaction
from cratb.advice.models.choices import (
    RESPONDER_ROLES,
    EventKind,
    FastDisplay,
    RoutedVia,
    StateError,
    Status,
)
from cratb.advice.models.records import (
    AdviceEvent,
    AdviceMessage,
    Answer,
    Attachment,
    RecommendedAgent,
    Survey,
)
from cratb.advice.models.rota import OnCallShift
from cratb.advice.models.stored import FIGURE_FIELDS, mark_changed, year_of
from cratb.advice.workdays import add_working_days
from cratb.engine import reference
from cratb.guidelines.models import Document, Pathway
from cratb.network.models import Membership, Organization, Territory


class VersionConflict(Exception):
    """Someone changed the request since ``expected`` was read."""

    def __init__(self, *, request: AdviceRequest, expected: int) -> None:
        super().__init__(f"request {request.pk}: version {request.version}, expected {expected}")
        self.request = request
        self.expected = expected

    @property
    def changes(self) -> list[AdviceEvent]:
        """The events written since the version the person saw, oldest first."""
        return list(
            self.request.events.filter(version__gt=self.expected)
            .exclude(kind=EventKind.VIEWED)
            .select_related("actor")
            .order_by("at", "pk")
        )


def refuse_nir(*texts: Any) -> None:
    """StateError when a text holds a social security number (NIR, valid key): the last
    guard behind the forms, so that no page or script stores one."""
    for text in texts:
        if isinstance(text, str) and identity.find_nir(text):
            raise StateError(str(identity.NIR_REFUSED))


def _departement_ids(user: User) -> list[int]:
    """The départements a user covers: their own, and those of their regions.

    Kept on the user object for the duration of the request (one query).
    """
    cached: list[int] | None = getattr(user, "_advice_departement_ids", None)
    if cached is not None:
        return cached
    ids = list(
        Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT)
        .filter(
            Q(memberships__user=user)
            | Q(parent__memberships__user=user, parent__kind=Territory.Kind.REGION)
        )
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    user._advice_departement_ids = ids  # type: ignore[attr-defined]
    return ids


def new_access_key() -> str:
    """The random part of a requester's signed links (32 hex digits)."""
    return secrets.token_hex(16)


class AdviceRequestQuerySet(models.QuerySet["AdviceRequest"]):
    def confirmed(self) -> AdviceRequestQuerySet:
        return self.exclude(status=Status.UNCONFIRMED)

    def open(self) -> AdviceRequestQuerySet:
        """Waiting for an answer (including those waiting for the requester's reply)."""
        return self.filter(status__in=(Status.OPEN, Status.WAITING))

    def visible_to(self, user: User) -> AdviceRequestQuerySet:
        """What ``user`` may open: a requester their own requests; a responder their own,
        their team's and their territories'; the administrator everything."""
        if not user.is_active:
            return self.none()
        if user.role == Role.REQUESTER:
            return self.filter(requester=user)
        if user.role == Role.ADMIN:
            return self.confirmed()
        if user.role not in (Role.COORDINATOR, Role.EMA_MEMBER):
            return self.none()
        scope = Q(assignee=user) | Q(departement_id__in=_departement_ids(user))
        team_id = Membership.of(user).team_id
        if team_id is not None:
            scope |= Q(team_id=team_id)
        return self.confirmed().filter(scope)

    def change_stamp(self) -> str:
        """Changes whenever a request is added or changed (two indexed look-ups): the
        key of every cached page part built from requests (``cratb.advice.caching``)."""
        row = self.aggregate(last=models.Max("updated_at"), top=models.Max("pk"))
        last = row["last"].isoformat() if row["last"] else "-"
        return f"{row['top']}:{last}"

    def with_content_flags(self) -> AdviceRequestQuerySet:
        """Each request with ``has_answers``, ``has_attachments``, ``has_messages``, so
        that the request page fetches only the rows there are. Plain SQL ``EXISTS``:
        written with ``Exists(...)`` it cost half a millisecond to compile."""
        outer = connection.ops.quote_name(AdviceRequest._meta.db_table)
        flags = {}
        for name, model in (
            ("has_answers", Answer),
            ("has_attachments", Attachment),
            ("has_messages", AdviceMessage),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            # Table names from the models' metadata: no input reaches this SQL.
            sql = f"EXISTS (SELECT 1 FROM {table} WHERE {table}.request_id = {outer}.id)"  # noqa: S608
            flags[name] = RawSQL(sql, (), output_field=models.BooleanField())  # noqa: S611
        return self.annotate(**flags)

    def with_scope_of(self, user: User) -> AdviceRequestQuerySet:
        """Each request with ``in_scope``: whether its département is one ``user`` covers
        (their own, or one of their regions'), computed by the database in the same
        query, for :meth:`AdviceRequest.is_visible_to` (the request page: one look-up
        fewer). Plain SQL: written with ``Exists(...)`` it cost more to compile than the
        look-up it saves. A test proves it agrees with :meth:`visible_to`."""
        quote = connection.ops.quote_name
        territory = quote(Territory._meta.db_table)
        links = quote(Membership.territories.through._meta.db_table)
        request = quote(AdviceRequest._meta.db_table)
        # Table names from the models' metadata; the values are parameters.
        sql = (
            f"{request}.departement_id IN (SELECT d.id FROM {territory} d WHERE d.kind = %s"  # noqa: S608
            f" AND (d.id IN (SELECT l.territory_id FROM {links} l WHERE l.membership_id = %s)"
            f" OR d.parent_id IN (SELECT l.territory_id FROM {links} l"
            f" JOIN {territory} r ON r.id = l.territory_id"
            f" WHERE l.membership_id = %s AND r.kind = %s)))"
        )
        params = (Territory.Kind.DEPARTEMENT.value, user.pk, user.pk, Territory.Kind.REGION.value)
        return self.annotate(in_scope=RawSQL(sql, params, output_field=models.BooleanField()))  # noqa: S611

    def inbox(self, user: User, *, box: str) -> AdviceRequestQuerySet:
        """One tab of a responder's inbox: ``mine``, ``team``, ``territory`` or ``all``."""
        visible = self.visible_to(user)
        if box == "mine":
            return visible.filter(assignee=user)
        if box == "team":
            team_id = Membership.of(user).team_id
            return visible.filter(team_id=team_id) if team_id else visible.none()
        if box == "territory":
            return visible.filter(departement_id__in=_departement_ids(user))
        return visible

    def open_counts(self, user: User) -> dict[str, int]:
        """Open requests per inbox tab, in one aggregate query."""
        visible = self.visible_to(user).open().order_by()
        counts = {
            "mine": models.Count("pk", filter=Q(assignee=user)),
            "territory": models.Count("pk", filter=Q(departement_id__in=_departement_ids(user))),
            "all": models.Count("pk"),
        }
        team_id = Membership.of(user).team_id
        if team_id is not None:
            counts["team"] = models.Count("pk", filter=Q(team_id=team_id))
        found: dict[str, int] = visible.aggregate(**counts)
        found.setdefault("team", 0)
        return found

    def overdue(self, at: datetime) -> AdviceRequestQuerySet:
        """Open (not waiting for the requester) and past their target time."""
        return self.filter(status=Status.OPEN, due_at__lt=at)

    def received_in(self, year: int) -> AdviceRequestQuerySet:
        """Requests received (confirmed) during ``year``, in the platform's time zone."""
        tz = timezone.get_default_timezone()
        start = datetime(year, 1, 1, tzinfo=tz)
        end = datetime(year + 1, 1, 1, tzinfo=tz)
        return self.filter(received_at__gte=start, received_at__lt=end)


@dataclass(frozen=True)
class AgentChoice:
    """One agent of a coded answer: ATC code and route (AWaRe depends on the route)."""

    atc: str
    route: str


#: The columns the figures of a year read besides ``received_at`` (``advice.figures``:
#: counts, delays, breakdowns and series by every dimension), held in the year's index.
FIGURES_COLUMNS = [
    "id",
    "status",
    "first_answer_at",
    "due_at",
    "context_critical",
    "answer_critical",
    "channel",
    "setting",
    "profession",
    "syndrome",
    "departement",
    "team",
]


class AdviceRequest(FastDisplay, models.Model):
    """A question from a health professional about one patient's antibiotic treatment.

    Holds no patient identity: an age band, a sex and a coded clinical context.
    """

    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.UNCONFIRMED
    )
    channel = models.CharField(_("canal"), max_length=20, choices=codes.Channel.choices)

    # Who asks (a professional: their own contact details, never the patient's).
    requester = models.ForeignKey(
        User,
        verbose_name=_("compte du demandeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advice_requests",
    )
    requester_name = models.CharField(_("nom du demandeur"), max_length=150, blank=True)
    requester_email = models.EmailField(_("courriel du demandeur"), blank=True)
    requester_phone = models.CharField(_("téléphone du demandeur"), max_length=30, blank=True)
    access_key = models.CharField(max_length=32, default=new_access_key, editable=False)
    profession = models.CharField(_("profession"), max_length=30, choices=codes.Profession.choices)
    setting = models.CharField(
        _("lieu de prise en charge"), max_length=20, choices=codes.Setting.choices
    )
    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="advice_requests",
        limit_choices_to={"kind": Territory.Kind.DEPARTEMENT},
    )

    # Coded clinical context.
    syndrome = models.CharField(
        _("syndrome ou site infectieux"), max_length=30, choices=codes.Syndrome.choices
    )
    organism = models.CharField(_("bactérie identifiée"), max_length=120, blank=True)
    resistance = models.CharField(
        _("résistance"),
        max_length=20,
        choices=codes.Resistance.choices,
        default=codes.Resistance.UNKNOWN,
    )
    agents_considered = models.JSONField(_("antibiotiques envisagés"), default=list, blank=True)
    agents_given = models.JSONField(_("antibiotiques déjà donnés"), default=list, blank=True)
    allergy = models.CharField(
        _("allergie"), max_length=20, choices=codes.Allergy.choices, default=codes.Allergy.UNKNOWN
    )
    allergy_detail = models.CharField(_("précision sur l'allergie"), max_length=200, blank=True)
    renal_function = models.CharField(
        _("fonction rénale"),
        max_length=20,
        choices=codes.RenalFunction.choices,
        default=codes.RenalFunction.UNKNOWN,
    )
    pregnancy = models.CharField(
        _("grossesse"),
        max_length=20,
        choices=codes.Pregnancy.choices,
        default=codes.Pregnancy.NOT_APPLICABLE,
    )
    age_band = models.CharField(_("tranche d'âge"), max_length=10, choices=codes.AgeBand.choices)
    sex = models.CharField(_("sexe"), max_length=1, choices=codes.Sex.choices)
    question = models.TextField(_("question"))
    identity_confirmed = models.BooleanField(
        _("le demandeur a confirmé l'absence d'identité du patient"), default=False
    )
    #: Some agent considered or already given is a "critical" one (CONTRACTS.md).
    context_critical = models.BooleanField(default=False, editable=False)
    #: Some answer recommended a critical agent (None until the first answer).
    answer_critical = models.BooleanField(null=True, editable=False)

    # Routing and handling.
    routed_via = models.CharField(
        _("orientation"), max_length=20, choices=RoutedVia.choices, blank=True
    )
    team = models.ForeignKey(
        Organization,
        verbose_name=_("équipe"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advice_requests",
    )
    assignee = models.ForeignKey(
        User,
        verbose_name=_("répondant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_advice_requests",
    )
    received_at = models.DateTimeField(_("reçue le"), null=True, blank=True)
    due_at = models.DateTimeField(_("réponse attendue avant le"), null=True, blank=True)
    first_answer_at = models.DateTimeField(_("premier avis le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    survey_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[AdviceRequestQuerySet] = AdviceRequestQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("demande d'avis")
        verbose_name_plural = _("demandes d'avis")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="advice_status_due"),
            models.Index(fields=["assignee", "status"], name="advice_assignee_status"),
            models.Index(fields=["team", "status"], name="advice_team_status"),
            models.Index(fields=["departement", "status"], name="advice_dep_status"),
            # The figures of a year read every request received that year: with the
            # columns they group and count by in the index, PostgreSQL reads the index
            # alone instead of a table row per request (issue #19).
            models.Index(
                fields=["received_at"],
                include=FIGURES_COLUMNS,
                name="advice_received_cover",
            ),
            models.Index(fields=["requester", "created_at"], name="advice_requester_created"),
            # The figures count the requests of a year not yet answered and past their
            # target time on every view: a few among thousands.
            models.Index(
                fields=["received_at"],
                condition=models.Q(first_answer_at__isnull=True),
                name="advice_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Demande n° %(number)s") % {"number": self.number})

    @property
    def number(self) -> str:
        return f"{self.pk:06d}" if self.pk else "—"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.OPEN, Status.WAITING)

    def is_visible_to(self, user: User) -> bool:
        """Whether ``user`` may open this request: the rule of
        :meth:`AdviceRequestQuerySet.visible_to` for one request already loaded (the
        request page checks it so, its query staying a plain look-up by key; a test
        proves the two agree for every role)."""
        if not user.is_active:
            return False
        if user.role == Role.REQUESTER:
            return self.requester_id == user.pk
        if self.status == Status.UNCONFIRMED:
            return False
        if user.role == Role.ADMIN:
            return True
        if user.role not in (Role.COORDINATOR, Role.EMA_MEMBER):
            return False
        if self.assignee_id == user.pk:
            return True
        team_id = Membership.of(user).team_id
        if team_id is not None and self.team_id == team_id:
            return True
        in_scope: bool | None = getattr(self, "in_scope", None)  # with_scope_of(user)
        if in_scope is not None:
            return in_scope
        return self.departement_id in _departement_ids(user)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == Status.OPEN and self.due_at is not None and self.due_at < timezone.now()
        )

    @property
    def agent_names_considered(self) -> list[str]:
        return self.agent_names("agents_considered")

    @property
    def agent_names_given(self) -> list[str]:
        return self.agent_names("agents_given")

    def agent_names(self, field: str) -> list[str]:
        names = []
        for atc in getattr(self, field):
            agent = reference.antibacterials().get(atc)
            names.append(agent.name_fr if agent else atc)
        return names

    # --- changing state -----------------------------------------------------------

    @classmethod
    def create(cls, *, actor: User | None, actor_label: str = "", **fields: Any) -> AdviceRequest:
        """A new request and its « created » event, in one transaction."""
        refuse_nir(*fields.values())
        considered = fields.get("agents_considered", [])
        given = fields.get("agents_given", [])
        fields["context_critical"] = any_critical([*considered, *given])
        with transaction.atomic():
            request = cls.objects.create(**fields)
            AdviceEvent.objects.create(
                request=request,
                kind=EventKind.CREATED,
                at=request.created_at,
                actor=actor,
                actor_label=actor_label or _actor_label(actor),
                version=request.version,
                data={"channel": request.channel},
            )
        return request

    def _change(
        self,
        *,
        kind: str,
        actor: User | None,
        expected_version: int | None = None,
        fields: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        text: str = "",
        actor_label: str = "",
        at: datetime | None = None,
        screen: bool = True,
    ) -> AdviceEvent:
        """Update ``fields`` and bump the version, then write the event; one transaction.

        With ``expected_version``, the update applies only if nobody changed the request
        since that version, else :class:`VersionConflict`. ``screen``: refuse a NIR in
        ``text`` and in the new field values (a redaction screens its reason only).
        """
        at = at or timezone.now()
        fields = dict(fields or {})
        refuse_nir(text, *(fields.values() if screen else ()))
        with transaction.atomic():
            rows = AdviceRequest.objects.filter(pk=self.pk)
            if expected_version is not None:
                rows = rows.filter(version=expected_version)
            updated = rows.update(version=F("version") + 1, updated_at=at, **fields)
            if not updated:
                current = AdviceRequest.objects.get(pk=self.pk)
                raise VersionConflict(request=current, expected=expected_version or 0)
            self.version = AdviceRequest.objects.values_list("version", flat=True).get(pk=self.pk)
            self.updated_at = at
            figures_year = year_of(self.received_at) if FIGURE_FIELDS & set(fields) else None
            for name, value in fields.items():
                setattr(self, name, value)
            if FIGURE_FIELDS & set(fields):
                # The year's stored figures (``cratb.advice.stored_figures``) are stale.
                mark_changed([figures_year, year_of(self.received_at)])
            return AdviceEvent.objects.create(
                request=self,
                kind=kind,
                at=at,
                actor=actor,
                actor_label=actor_label or _actor_label(actor),
                version=self.version,
                data=data or {},
                text=text,
            )

    def confirm(
        self,
        *,
        at: datetime | None = None,
        actor: User | None = None,
        requester: User | None = None,
    ) -> AdviceEvent:
        """The requester proved their address (or is logged in): the clock starts.

        ``requester``: the account the request now belongs to (a requester account with
        the address just proven), so that it appears among their requests.
        """
        if self.status != Status.UNCONFIRMED:
            raise StateError(_("Cette demande est déjà confirmée."))
        at = at or timezone.now()
        fields: dict[str, Any] = {
            "status": Status.OPEN,
            "received_at": at,
            "due_at": target_time(at, departement_code=self.departement.code),
        }
        if requester is not None and self.requester_id is None:
            fields["requester"] = requester
        return self._change(
            kind=EventKind.CONFIRMED,
            actor=actor,
            at=at,
            actor_label=str(_("Demandeur")) if actor is None else "",
            fields=fields,
        )

    def route(self, *, at: datetime | None = None) -> AdviceEvent:
        """Send the request to the on-call infectiologist of its département at ``at``,
        else to the département's EMA team, else to the CRAtb coordinators."""
        at = at or timezone.now()
        shift = OnCallShift.objects.covering(departement=self.departement, at=at).first()
        assignee: User | None = None
        team: Organization | None = None
        if shift is not None:
            via, assignee, team = RoutedVia.ON_CALL, shift.responder, shift.effective_team
        else:
            team = ema_team_of(self.departement)
            via = RoutedVia.EMA if team is not None else RoutedVia.COORDINATION
        return self._change(
            kind=EventKind.ROUTED,
            actor=None,
            at=at,
            actor_label=str(_("Orientation automatique")),
            fields={"routed_via": via, "assignee": assignee, "team": team},
            data={
                "via": via,
                "assignee": _user_label(assignee),
                "team": team.name if team else "",
                "shift": shift.pk if shift else None,
            },
        )

    def take(self, *, by: User, expected_version: int) -> AdviceEvent:
        self._require_open()
        return self._change(
            kind=EventKind.ASSIGNED,
            actor=by,
            expected_version=expected_version,
            fields={"assignee": by},
            data={"from": _user_label(self.assignee), "to": _user_label(by)},
        )

    def reassign(self, *, to: User, by: User, expected_version: int, note: str = "") -> AdviceEvent:
        self._require_open()
        if to.role not in RESPONDER_ROLES or not to.is_active:
            raise StateError(
                _("Seul un répondant actif (EMA ou coordination) peut recevoir une demande.")
            )
        fields: dict[str, Any] = {"assignee": to}
        team = Membership.of(to).team
        if team is not None:
            fields["team"] = team
        return self._change(
            kind=EventKind.REASSIGNED,
            actor=by,
            expected_version=expected_version,
            fields=fields,
            data={"from": _user_label(self.assignee), "to": _user_label(to)},
            text=note,
        )

    def mark_viewed(self, *, by: User) -> AdviceEvent:
        """A responder opened the request; the version does not change."""
        return AdviceEvent.objects.create(
            request=self,
            kind=EventKind.VIEWED,
            actor=by,
            actor_label=_actor_label(by),
            version=self.version,
        )

    def ask(self, *, by: User, text: str, expected_version: int) -> AdviceEvent:
        """Ask the requester for more information; the request waits for their reply."""
        self._require_open()
        with transaction.atomic():
            event = self._change(
                kind=EventKind.INFO_REQUESTED,
                actor=by,
                expected_version=expected_version,
                fields={"status": Status.WAITING},
                text=text,
            )
            AdviceMessage.objects.create(
                request=self,
                kind=AdviceMessage.Kind.QUESTION,
                author=by,
                author_label=_actor_label(by),
                text=text,
                created_at=event.at,
            )
        return event

    def reply(self, *, text: str, by: User | None) -> AdviceEvent:
        """The requester's reply (or any message from them on an open request)."""
        if self.status == Status.CLOSED:
            raise StateError(_("Cette demande est close : posez une nouvelle question."))
        fields = {"status": Status.OPEN} if self.status == Status.WAITING else {}
        with transaction.atomic():
            event = self._change(
                kind=EventKind.INFO_PROVIDED,
                actor=by,
                actor_label=str(_("Demandeur")) if by is None else "",
                fields=fields,
                text=text,
            )
            AdviceMessage.objects.create(
                request=self,
                kind=AdviceMessage.Kind.REPLY,
                author=by,
                author_label=event.actor_label,
                text=text,
                created_at=event.at,
            )
        return event

    def answer(
        self,
        *,
        by: User,
        recommendation: str,
        agents: Sequence[AgentChoice],
        duration_days: int | None,
        text: str,
        expected_version: int | None,
        channel: str = codes.Channel.WEB,
        at: datetime | None = None,
        documents: Sequence[Document] = (),
        pathways: Sequence[Pathway] = (),
    ) -> Answer:
        """Give the coded answer; the first one stops the response-time clock. ``documents``
        and ``pathways`` are the guidelines the answer cites."""
        if self.status in (Status.CLOSED, Status.UNCONFIRMED):
            raise StateError(_("On ne peut pas répondre à une demande close ou non confirmée."))
        at = at or timezone.now()
        recommends_critical = any(reference.is_critical(a.atc) for a in agents)
        fields: dict[str, Any] = {
            "status": Status.ANSWERED,
            "answer_critical": bool(self.answer_critical) or recommends_critical,
        }
        if self.first_answer_at is None:
            fields["first_answer_at"] = at
        if self.assignee_id is None:
            fields["assignee"] = by
        with transaction.atomic():
            answer = Answer.objects.create(
                request=self,
                author=by,
                created_at=at,
                recommendation=recommendation,
                duration_days=duration_days,
                text=text,
                channel=channel,
                recommends_critical=recommends_critical,
            )
            edition = reference.editions().get("aware", "")
            RecommendedAgent.objects.bulk_create(
                RecommendedAgent(
                    answer=answer,
                    atc=agent.atc,
                    route=agent.route,
                    aware=reference.aware_category(agent.atc, agent.route) or "",
                    aware_edition=edition,
                )
                for agent in agents
            )
            data: dict[str, Any] = {
                "answer": answer.pk,
                "recommendation": recommendation,
                "agents": [f"{a.atc}/{a.route}" for a in agents],
                "duration_days": duration_days,
            }
            if documents:
                answer.documents.set(documents)
                data["documents"] = [d.pk for d in documents]
            if pathways:
                answer.pathways.set(pathways)
                data["pathways"] = [p.pk for p in pathways]
            self._change(
                kind=EventKind.ANSWERED,
                actor=by,
                expected_version=expected_version,
                fields=fields,
                at=at,
                text=text,
                data=data,
            )
        return answer

    def edit_coding(
        self, *, by: User, changes: dict[str, Any], expected_version: int
    ) -> AdviceEvent | None:
        """Correct the coded context; the event keeps each old and new value."""
        diff = {}
        for name, value in changes.items():
            old = getattr(self, name)
            if old != value:
                diff[name] = [_plain(old), _plain(value)]
        if not diff:
            return None
        fields = {name: changes[name] for name in diff}
        if "agents_considered" in fields or "agents_given" in fields:
            considered = fields.get("agents_considered", self.agents_considered)
            given = fields.get("agents_given", self.agents_given)
            fields["context_critical"] = any_critical([*considered, *given])
        return self._change(
            kind=EventKind.EDITED,
            actor=by,
            expected_version=expected_version,
            fields=fields,
            data={"changes": diff},
        )

    def close(self, *, by: User, expected_version: int, reason: str = "") -> AdviceEvent:
        """Close the request; one that was never answered needs the reason (a duplicate,
        answered by telephone, withdrawn…), kept in the history."""
        if self.status in (Status.CLOSED, Status.UNCONFIRMED):
            raise StateError(_("Cette demande est déjà close."))
        reason = reason.strip()
        if self.first_answer_at is None and not reason:
            raise StateError(
                _(
                    "Cette demande n'a reçu aucun avis : indiquez pourquoi vous la closez "
                    "(motif de clôture)."
                )
            )
        return self._change(
            kind=EventKind.CLOSED,
            actor=by,
            expected_version=expected_version,
            fields={"status": Status.CLOSED, "closed_at": timezone.now()},
            text=reason,
        )

    def reopen(self, *, by: User, expected_version: int) -> AdviceEvent:
        if self.status != Status.CLOSED:
            raise StateError(_("Seule une demande close peut être rouverte."))
        status = Status.ANSWERED if self.first_answer_at else Status.OPEN
        return self._change(
            kind=EventKind.REOPENED,
            actor=by,
            expected_version=expected_version,
            fields={"status": status, "closed_at": None},
        )

    def attach(
        self,
        *,
        path: str,
        original_name: str,
        content_type: str,
        size: int,
        by: User | None,
        from_requester: bool,
    ) -> Attachment:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                request=self,
                file=path,
                original_name=original_name[:200],
                content_type=content_type,
                size=size,
                uploaded_by=by,
                from_requester=from_requester,
            )
            self._change(
                kind=EventKind.ATTACHMENT_ADDED,
                actor=by,
                actor_label=str(_("Demandeur")) if by is None else "",
                data={"attachment": attachment.pk, "name": attachment.original_name},
            )
        return attachment

    def record_survey(
        self, *, followed: str, outcome: str, comment: str, by: User | None
    ) -> Survey:
        if self.first_answer_at is None:
            raise StateError(_("Le questionnaire de suivi s'ouvre une fois l'avis donné."))
        if Survey.objects.filter(request=self).exists():
            raise StateError(_("Le questionnaire de suivi de cette demande est déjà rempli."))
        with transaction.atomic():
            survey = Survey.objects.create(
                request=self, followed=followed, outcome=outcome, comment=comment
            )
            self._change(
                kind=EventKind.SURVEY_ANSWERED,
                actor=by,
                actor_label=str(_("Demandeur")) if by is None else "",
                data={"followed": followed, "outcome": outcome},
                text=comment,
            )
        return survey

    def mark_reminded(
        self, *, at: datetime, recipients: Iterable[str], expected_version: int
    ) -> AdviceEvent:
        return self._change(
            expected_version=expected_version,
            kind=EventKind.REMINDED,
            actor=None,
            actor_label=str(_("Relance automatique")),
            at=at,
            fields={"reminded_at": at},
            data={"recipients": sorted(recipients)},
        )

    def mark_escalated(
        self, *, at: datetime, recipients: Iterable[str], expected_version: int
    ) -> AdviceEvent:
        return self._change(
            expected_version=expected_version,
            kind=EventKind.ESCALATED,
            actor=None,
            actor_label=str(_("Relance automatique")),
            at=at,
            fields={"escalated_at": at},
            data={"recipients": sorted(recipients)},
        )

    def mark_survey_requested(self, *, at: datetime, expected_version: int) -> AdviceEvent:
        return self._change(
            expected_version=expected_version,
            kind=EventKind.SURVEY_REQUESTED,
            actor=None,
            actor_label=str(_("Relance automatique")),
            at=at,
            fields={"survey_requested_at": at},
        )

    def redact(
        self, *, passage: str, reason: str, by: User, at: datetime | None = None
    ) -> AdviceEvent:
        """Overwrite ``passage`` in every stored text of the request, its history
        included, with a dated marker; the event keeps who, when and why, never the text
        (``cratb.advice.models.redaction``). The one change the history allows."""
        passage, reason = redaction.check(passage=passage, reason=reason, by=by)
        at = at or timezone.now()
        mark = redaction.marker(by=by, at=at)
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            fields = redaction.own_fields(current, passage, mark)
            places = redaction.rewrite_records(current, passage, mark)
            places.update(dict.fromkeys(fields, 1))
            found = {name: count for name, count in places.items() if count}
            if not found:
                raise redaction.RedactionError(
                    _("Ce passage ne figure dans aucun texte de cette demande.")
                )
            return self._change(
                kind=EventKind.REDACTED,
                actor=by,
                at=at,
                fields=fields,
                text=reason,
                data={"places": found},
                # Other texts of the request may still hold what the redaction is not about.
                screen=False,
            )

    def _require_open(self) -> None:
        if self.status in (Status.CLOSED, Status.UNCONFIRMED):
            raise StateError(_("Cette demande est close ou pas encore confirmée."))


def any_critical(atcs: Iterable[str]) -> bool:
    return any(reference.is_critical(atc) for atc in atcs)


def target_time(received_at: datetime, *, departement_code: str | None) -> datetime:
    """When the answer is due: ``CRATB_ADVICE_TARGET_WORKING_DAYS`` working days later."""
    return add_working_days(
        received_at, settings.CRATB_ADVICE_TARGET_WORKING_DAYS, departement=departement_code
    )


def ema_team_of(departement: Territory) -> Organization | None:
    """The EMA team of a département: the directory's EMA located there, first by name."""
    return (
        Organization.objects.filter(kind=Organization.Kind.EMA, departement=departement)
        .order_by("name", "pk")
        .first()
    )


def _user_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _actor_label(user: User | None) -> str:
    return _user_label(user) if user is not None else str(_("Système"))


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    return value
