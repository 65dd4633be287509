"""The on-call rota: uncovered periods and the CSV import.

Dates: a shift lies within the plan's years (``plan_years``: five years back, two
ahead; anything else is a typing error) and its local times exist once in Paris: the
hour skipped when summer time starts, and the hour that happens twice when it ends, are
refused with a reason (``local_time_problem``), in the import as on the calendar's form.

Import guarantees (the project's, docs/formats.md): a file that cannot be read at all
(not a CSV, no header, a required column missing, a duplicated column, no data row) is
refused with one French line and nothing is stored; otherwise every row is either
accepted or rejected with its row number, column and reason, ``read = accepted +
rejected``, and the accepted rows are stored in one transaction. Importing the same
file twice stores nothing new: a shift identical to a stored one is accepted as
already present.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cratb.accounts.models import User
from cratb.advice.models import RESPONDER_ROLES, OnCallShift, ema_team_of
from cratb.advice.workdays import PARIS
from cratb.network.models import Organization, Territory

REQUIRED = ("departement", "responder", "starts_at", "ends_at")
OPTIONAL = ("team",)
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
MAX_SHIFT = timedelta(days=31)
PAST_YEARS = 5
FUTURE_YEARS = 2


def plan_years() -> tuple[int, int]:
    """The years a shift may fall in: a rota is planned a little ahead and kept a while."""
    year = timezone.localdate().year
    return year - PAST_YEARS, year + FUTURE_YEARS


def year_problem(moment: datetime) -> str | None:
    first, last = plan_years()
    if first <= moment.year <= last:
        return None
    return f"année {moment.year} hors du planning ({first}–{last})"


def local_time_problem(naive: datetime) -> str | None:
    """Why the Paris wall-clock time ``naive`` cannot be a shift's bound, or None: it was
    skipped (summer time starts) or happened twice (summer time ends)."""
    first = naive.replace(tzinfo=PARIS, fold=0)
    shown = f"{naive:%Y-%m-%d %H:%M}"
    if first.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != naive:
        return f"l'heure {shown} n'existe pas à Paris (passage à l'heure d'été)"
    if naive.replace(tzinfo=PARIS, fold=1).utcoffset() != first.utcoffset():
        return (
            f"l'heure {shown} existe deux fois à Paris (passage à l'heure d'hiver) :"
            " choisissez une heure avant 02:00 ou à partir de 03:00"
        )
    return None


@dataclass(frozen=True)
class Gap:
    """A period of a département with nobody on call; ``fallback``: who gets its
    requests then (the département's EMA team, else the coordinators: empty)."""

    departement: Territory
    start: datetime
    end: datetime
    fallback: str = ""

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def gaps(
    shifts: Iterable[OnCallShift],
    *,
    departements: Iterable[Territory],
    start: datetime,
    end: datetime,
) -> list[Gap]:
    """Uncovered periods of each département between ``start`` and ``end``."""
    by_departement: dict[int, list[tuple[datetime, datetime]]] = {}
    for shift in shifts:
        by_departement.setdefault(shift.departement_id, []).append(
            (max(shift.starts_at, start), min(shift.ends_at, end))
        )
    found = []
    for departement in departements:
        team = ema_team_of(departement)
        fallback = team.name if team is not None else ""
        cursor = start
        for span_start, span_end in sorted(by_departement.get(departement.pk, [])):
            if span_start > cursor:
                found.append(Gap(departement, cursor, span_start, fallback))
            cursor = max(cursor, span_end)
        if cursor < end:
            found.append(Gap(departement, cursor, end, fallback))
    return found


# --- CSV import ----------------------------------------------------------------------


class RefusedRotaFile(ValueError):
    """The whole file is refused; the message is one French line."""


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    reason: str


@dataclass
class RotaImportReport:
    read: int = 0
    created: int = 0
    already_present: int = 0
    rejected_rows: list[Rejection] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.already_present

    @property
    def rejected(self) -> int:
        return len({r.row for r in self.rejected_rows})

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "created": self.created,
            "already_present": self.already_present,
            "rejected": self.rejected,
            "rejections": [r.__dict__ for r in self.rejected_rows],
        }


def _decode(data: bytes) -> str:
    if not data.strip():
        raise RefusedRotaFile("le fichier est vide.")
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        raise RefusedRotaFile("ce n'est pas un fichier CSV (fichier binaire ou classeur Excel).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        body = [row for row in reader if any(cell.strip() for cell in row)]
    except (StopIteration, csv.Error) as exc:
        raise RefusedRotaFile(f"CSV illisible ({exc}).") from exc
    columns = [name.strip().lower() for name in header]
    if not any(columns):
        raise RefusedRotaFile("l'en-tête est vide.")
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise RefusedRotaFile(f"colonne en double : {', '.join(duplicated)}.")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise RefusedRotaFile(
            f"colonne obligatoire absente : {', '.join(missing)} "
            f"(colonnes attendues : {', '.join(REQUIRED)}, et team facultative)."
        )
    if not body:
        raise RefusedRotaFile("aucune ligne de données après l'en-tête.")
    return columns, body


def _parse_datetime(value: str) -> datetime | None:
    """The Paris wall-clock time written, naive; None when it is not one."""
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


class _Lookups:
    def __init__(self) -> None:
        self.departements = {
            t.code: t
            for t in Territory.objects.filter(
                kind=Territory.Kind.DEPARTEMENT, parent__code=settings.CRATB_REGION
            )
        }
        self.all_departements = dict(
            Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT).values_list("code", "name")
        )
        self.users: dict[str, User | None] = {}
        self.teams: dict[str, Organization | None] = {}

    def user(self, key: str) -> User | None:
        if key not in self.users:
            self.users[key] = (
                User.objects.filter(Q(username__iexact=key) | Q(email__iexact=key))
                .order_by("pk")
                .first()
            )
        return self.users[key]

    def team(self, key: str) -> Organization | None:
        if key not in self.teams:
            self.teams[key] = (
                Organization.objects.filter(Q(name__iexact=key) | Q(finess=key))
                .order_by("pk")
                .first()
            )
        return self.teams[key]


def import_rota(data: bytes, *, by: User | None) -> RotaImportReport:
    """Read a rota CSV and store its valid shifts (see the module's guarantees)."""
    columns, body = _rows(_decode(data))
    lookups = _Lookups()
    report = RotaImportReport(read=len(body))
    new: list[OnCallShift] = []
    for number, cells in enumerate(body, start=1):
        row = {
            name: (cells[i].strip() if i < len(cells) else "")
            for i, name in enumerate(columns)
            if name
        }
        problems: list[Rejection] = []

        def reject(
            column: str, reason: str, number: int = number, problems: list[Rejection] = problems
        ) -> None:
            problems.append(Rejection(number, column, reason))

        for name in REQUIRED:
            if not row.get(name):
                reject(name, "valeur obligatoire manquante")
        code = row.get("departement", "").upper()
        if code.isdigit() and len(code) == 1:
            code = f"0{code}"
        departement = lookups.departements.get(code)
        if code and departement is None:
            if code in lookups.all_departements:
                reject(
                    "departement",
                    f"département {code} ({lookups.all_departements[code]}) hors de la région",
                )
            else:
                reject("departement", f"code département inconnu « {code} »")
        responder = lookups.user(row["responder"]) if row.get("responder") else None
        if row.get("responder"):
            if responder is None:
                reject("responder", f"aucun compte « {row['responder']} »")
            elif responder.role not in RESPONDER_ROLES or not responder.is_active:
                reject(
                    "responder",
                    f"« {row['responder']} » n'est pas un répondant actif (EMA ou coordination)",
                )
        starts = _parse_datetime(row.get("starts_at", "")) if row.get("starts_at") else None
        ends = _parse_datetime(row.get("ends_at", "")) if row.get("ends_at") else None
        dates_ok = True
        for name, value in (("starts_at", starts), ("ends_at", ends)):
            if row.get(name) and value is None:
                reject(name, f"date et heure attendues (AAAA-MM-JJ HH:MM), lu « {row[name]} »")
            elif value is not None and (
                problem := year_problem(value) or local_time_problem(value)
            ):
                reject(name, problem)
                dates_ok = False
        starts = starts.replace(tzinfo=PARIS) if starts and dates_ok else None
        ends = ends.replace(tzinfo=PARIS) if ends and dates_ok else None
        if starts and ends:
            if ends <= starts:
                reject("ends_at", "la fin doit suivre le début")
            elif ends - starts > MAX_SHIFT:
                reject("ends_at", "astreinte de plus de 31 jours")
        team = None
        if row.get("team"):
            team = lookups.team(row["team"])
            if team is None:
                reject("team", f"équipe inconnue « {row['team']} »")
        if problems or departement is None or responder is None or not starts or not ends:
            report.rejected_rows += problems
            continue
        shift = OnCallShift(
            departement=departement,
            responder=responder,
            team=team,
            starts_at=starts,
            ends_at=ends,
            created_by=by,
        )
        same = OnCallShift.objects.filter(
            departement=departement, responder=responder, starts_at=starts, ends_at=ends
        ).exists() or any(_same(shift, other) for other in new)
        if same:
            report.already_present += 1
            continue
        clash = _clash(shift, new)
        if clash is not None:
            report.rejected_rows.append(Rejection(number, "starts_at", clash))
            continue
        new.append(shift)
    with transaction.atomic():
        OnCallShift.objects.bulk_create(new)
    report.created = len(new)
    return report


def _same(a: OnCallShift, b: OnCallShift) -> bool:
    return (a.departement_id, a.responder_id, a.starts_at, a.ends_at) == (
        b.departement_id,
        b.responder_id,
        b.starts_at,
        b.ends_at,
    )


def describe_shift(shift: OnCallShift) -> str:
    who = shift.responder.get_full_name() or shift.responder.username
    start = timezone.localtime(shift.starts_at, PARIS).strftime("%d/%m/%Y %H:%M")
    end = timezone.localtime(shift.ends_at, PARIS).strftime("%d/%m/%Y %H:%M")
    return f"{who}, du {start} au {end}"


def _clash(shift: OnCallShift, pending: list[OnCallShift]) -> str | None:
    """Why ``shift`` cannot be stored beside the stored and pending shifts, or None."""
    stored = (
        OnCallShift.objects.overlapping(
            departement_id=shift.departement_id, starts_at=shift.starts_at, ends_at=shift.ends_at
        )
        .select_related("responder")
        .first()
    )
    if stored is not None:
        return f"chevauche l'astreinte de {describe_shift(stored)}"
    for other in pending:
        if (
            other.departement_id == shift.departement_id
            and other.starts_at < shift.ends_at
            and other.ends_at > shift.starts_at
        ):
            return f"chevauche une autre ligne du fichier ({describe_shift(other)})"
    return None


def add_shift(
    *,
    departement: Territory,
    responder: User,
    team: Organization | None,
    starts_at: datetime,
    ends_at: datetime,
    by: User | None,
) -> OnCallShift:
    """One shift entered on the calendar page; ValueError (French) when it overlaps."""
    shift = OnCallShift(
        departement=departement,
        responder=responder,
        team=team,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=by,
    )
    with transaction.atomic():
        clash = _clash(shift, [])
        if clash is not None:
            raise ValueError(f"Astreinte refusée : elle {clash}.")
        shift.save()
    return shift
