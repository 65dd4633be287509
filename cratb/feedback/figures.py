"""The figures of the feedback reports, read from the dashboards' published values (the
rows the indicator pages show: one source per figure), the directory and the activity log.

Nothing is computed here that the engine computes: the reports position a published value
among the published values of peers (percentiles, funnel limits from the engine's rows).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from cratb.activity.models import NetworkAction
from cratb.dashboards.models import IndicatorValue
from cratb.engine import identifiers
from cratb.engine.dimensions import SECTOR_LABELS, SPECIALTY_LABELS
from cratb.engine.errors import EngineError
from cratb.network.models import Organization, Practitioner, PractitionerRole, Territory

HOSPITAL = "hospital.ddd_per_1000_patient_days"
PROFILE = "community.prescriber_profile"
CRITICAL = "community.critical_share"
PATIENT_SHARE = "community.high_risk_patient_share"
HIGH_RISK_BOXES = "community.high_risk_boxes"
ORDERING = "rapid_tests.ordering_share"
RESISTANCE = "resistance.pct_resistant"
TARGETED = "resistance.targeted_reporting"

#: The GP pay-for-performance (ROSP) targets for the share of patients treated with the
#: antibiotics at high risk of resistance: intermediate 52 %, target at most 32 %.
ROSP_INTERMEDIATE = 52.0
ROSP_TARGET = 32.0


class NoReport(Exception):
    """No report can be made for this subject; the message says why, in French."""


def latest(rows: Iterable[IndicatorValue]) -> list[IndicatorValue]:
    """One row per published key: the one of the most recent publication."""
    best: dict[tuple[Any, ...], IndicatorValue] = {}
    for row in rows:
        key = (
            row.indicator,
            row.grouping,
            row.year,
            row.month,
            row.departement,
            tuple(sorted(row.dimensions.items())),
        )
        kept = best.get(key)
        if kept is None or row.publication_id > kept.publication_id:
            best[key] = row
    return list(best.values())


def _values(indicator: str, grouping: str, **filters: Any) -> list[IndicatorValue]:
    rows = IndicatorValue.objects.current().filter(
        indicator=indicator, grouping=grouping, month="", **filters
    )
    return latest(rows)


# ---- establishments -------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """A value among its peers' values of the same year."""

    value: float
    peers: int
    p25: float
    median: float
    p75: float
    rank: int  # 1 = the lowest value

    @property
    def percentile(self) -> float:
        """Share of the peers (the establishment included) at or below its value, in %."""
        return 100.0 * self.rank / self.peers


def position(value: float, peer_values: Sequence[float]) -> Position | None:
    """``value`` among ``peer_values`` (which include it): quartiles and rank. None with
    fewer than 3 peers (no distribution to speak of)."""
    values = sorted(peer_values)
    if len(values) < 3:
        return None
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    rank = sum(1 for v in values if v <= value)
    return Position(value, len(values), q1, q2, q3, rank)


def establishment_series(finess: str) -> dict[int, IndicatorValue]:
    rows = _values(HOSPITAL, "finess")
    return {r.year: r for r in rows if r.dimensions.get("finess") == finess and r.year}


def hospital_years() -> list[int]:
    years = {r.year for r in _values(HOSPITAL, "finess") if r.year}
    return sorted(years)


def peer_values(category: str | None, year: int) -> dict[str, float]:
    """The published value of each establishment of ``category`` (None: of every
    establishment) for ``year``, by FINESS."""
    rows = [
        r
        for r in _values(HOSPITAL, "finess", year=year)
        if r.value is not None and r.dimensions.get("finess")
    ]
    if category is not None:
        finess = set(
            Organization.objects.filter(category=category)
            .exclude(finess="")
            .values_list("finess", flat=True)
        )
        rows = [r for r in rows if r.dimensions["finess"] in finess]
    return {r.dimensions["finess"]: float(r.value) for r in rows if r.value is not None}


def establishment_classes(finess: str, year: int) -> list[IndicatorValue] | None:
    """The establishment's DDD per 1000 patient-days by ATC3 class for ``year``; None when
    the publication holds no establishment × class values."""
    rows = _values(HOSPITAL, "finess,atc3", year=year)
    if not rows:
        return None
    return sorted(
        (r for r in rows if r.dimensions.get("finess") == finess),
        key=lambda r: -(r.value or 0.0),
    )


def establishment_sectors(finess: str, year: int) -> list[IndicatorValue] | None:
    """The establishment's DDD per 1000 patient-days by hospital sector for ``year``,
    highest first; None when the publication holds no establishment × sector values (no
    consumption file gives the sector)."""
    rows = _values(HOSPITAL, "finess,sector", year=year)
    if not rows:
        return None
    return sorted(
        (r for r in rows if r.dimensions.get("finess") == finess),
        key=lambda r: -(r.value or 0.0),
    )


def sector_label(code: str) -> str:
    return SECTOR_LABELS.get(code, code)


def lab_of(establishment: Organization) -> str:
    link = getattr(establishment, "feedback_lab", None)
    return link.lab_id if link is not None else ""


#: The resistances a feedback report shows (the surveillance priorities: third-generation
#: cephalosporins, fluoroquinolones and carbapenems in Enterobacterales, meticillin in
#: S. aureus; WHONET codes), in this order.
KEY_RESISTANCES: tuple[tuple[str, str], ...] = (
    ("Escherichia coli", "AMX"),
    ("Escherichia coli", "AMC"),
    ("Escherichia coli", "CTX"),
    ("Escherichia coli", "CIP"),
    ("Escherichia coli", "SXT"),
    ("Escherichia coli", "MEM"),
    ("Klebsiella pneumoniae", "CTX"),
    ("Klebsiella pneumoniae", "CIP"),
    ("Klebsiella pneumoniae", "MEM"),
    ("Staphylococcus aureus", "FOX"),
)


def lab_resistance(lab_id: str, year: int) -> list[IndicatorValue] | None:
    """% resistant of the lab's isolates for ``year``, for the ``KEY_RESISTANCES`` it
    has; None when the publication holds no values by lab."""
    rows = _values(RESISTANCE, "organism,antibiotic,lab_id", year=year)
    if not rows:
        return None
    mine = {
        (r.dimensions.get("organism"), r.dimensions.get("antibiotic")): r
        for r in rows
        if r.dimensions.get("lab_id") == lab_id and r.value is not None
    }
    return [mine[pair] for pair in KEY_RESISTANCES if pair in mine]


def lab_targeted(lab_id: str) -> dict[int, IndicatorValue] | None:
    """The lab's adoption of targeted reporting by year; None when not published by lab."""
    rows = _values(TARGETED, "lab_id")
    if not rows:
        return None
    return {r.year: r for r in rows if r.dimensions.get("lab_id") == lab_id and r.year}


def establishment_contacts(establishment: Organization, on: date) -> list[str]:
    """The addresses the directory holds for an establishment: its own, then those of the
    people with a current role there (its antibiotic referents first)."""
    out: list[str] = []
    if establishment.email:
        out.append(establishment.email)
    roles = (
        PractitionerRole.objects.filter(organization=establishment, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .exclude(practitioner__email="")
        .select_related("practitioner")
        .order_by("function", "practitioner__last_name")
    )
    for role in roles:
        if role.function in ("antibiotic_referent", "infectiologist", "pharmacist"):
            out.append(role.practitioner.email)
    return list(dict.fromkeys(e.strip().lower() for e in out))


# ---- prescribers ----------------------------------------------------------------------


def specialty_label(code: str) -> str:
    """The specialty as the reports (in French) and the pages name it."""
    return SPECIALTY_LABELS.get(code, code)


def check_identified(prescriber_id: str) -> str:
    """The RPPS of an identified prescriber; ``NoReport`` for anything else (a hashed or
    pseudonymous identifier names nobody: no individual report)."""
    text = (prescriber_id or "").strip()
    try:
        return identifiers.check_rpps(text)
    except EngineError:
        raise NoReport(
            f"« {text[:16]}{'…' if len(text) > 16 else ''} » n'est pas un numéro RPPS : les"
            " identifiants des prescripteurs ont été hachés à l'import, aucun rapport"
            " individuel n'est possible."
        ) from None


def prescriber_rows(rpps: str) -> dict[int, IndicatorValue]:
    rows = IndicatorValue.objects.current().filter(
        indicator=PROFILE, month="", dimensions__prescriber_id=rpps
    )
    return {r.year: r for r in latest(rows) if r.year}


def specialty_peers(specialty: str, year: int) -> list[IndicatorValue]:
    rows = IndicatorValue.objects.current().filter(
        indicator=PROFILE, month="", year=year, dimensions__prescriber_specialty=specialty
    )
    return [r for r in latest(rows) if r.value is not None and r.denominator]


def identified_prescribers(year: int | None = None) -> list[str]:
    """The RPPS numbers among the published prescriber profiles (hashed ones left out)."""
    rows = IndicatorValue.objects.current().filter(indicator=PROFILE, month="")
    if year is not None:
        rows = rows.filter(year=year)
    out = set()
    for pid in rows.values_list("dimensions__prescriber_id", flat=True):
        try:
            out.add(identifiers.check_rpps(str(pid)))
        except EngineError:
            continue
    return sorted(out)


def prescriber_contacts(rpps: str) -> list[str]:
    person = Practitioner.objects.filter(rpps=rpps).first()
    return [person.email.strip().lower()] if person and person.email else []


def prescriber_name(rpps: str) -> str:
    person = Practitioner.objects.filter(rpps=rpps).first()
    return f"{person} (RPPS {rpps})" if person else f"RPPS {rpps}"


# ---- CPTS -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CptsShare:
    """The high-risk share shown for a CPTS, the level it was computed at and what it
    counts: ``patients`` (the ROSP's measure) or ``lines`` (prescription lines, the
    fallback when no patient share is published)."""

    value: IndicatorValue | None
    level: str  # « CPTS », « département 75 (Paris) » or ""
    basis: str = "patients"

    @property
    def masked(self) -> bool:
        """Published for the CPTS but left empty by the small-count rule."""
        return self.value is not None and self.value.value is None


def _cpts_rows(indicator: str, cpts: Territory, year: int) -> list[IndicatorValue]:
    rows = IndicatorValue.objects.current().filter(
        indicator=indicator, month="", year=year, dimensions__cpts=cpts.code
    )
    return [r for r in latest(rows) if set(r.dimensions) == {"cpts"}]


def cpts_share(cpts: Territory, year: int) -> CptsShare:
    """The share of patients treated with high-risk antibiotics for the CPTS when the
    engine publishes it by CPTS (masked or not); else the share of prescription lines of
    the « critical » antibiotics by CPTS; else the same two at its département's level,
    said as such."""
    for indicator, basis in ((PATIENT_SHARE, "patients"), (CRITICAL, "lines")):
        mine = _cpts_rows(indicator, cpts, year)
        if mine:
            return CptsShare(mine[0], "CPTS", basis)
    parent = cpts.parent
    if parent is not None and parent.kind == Territory.Kind.DEPARTEMENT:
        for indicator, basis in ((PATIENT_SHARE, "patients"), (CRITICAL, "lines")):
            dep = [
                r
                for r in _values(indicator, "departement", year=year, departement=parent.code)
                if r.value is not None
            ]
            if dep:
                return CptsShare(dep[0], f"département {parent.code} ({parent.name})", basis)
    return CptsShare(None, "", "lines")


def cpts_boxes(cpts: Territory, year: int) -> IndicatorValue | None:
    """The boxes of high-risk antibiotics dispensed to the CPTS's residents in ``year``
    (value None: masked by the small-count rule); None when not published by CPTS."""
    mine = _cpts_rows(HIGH_RISK_BOXES, cpts, year)
    return mine[0] if mine else None


def cpts_ordering(cpts: Territory, year: int) -> IndicatorValue | None:
    """The share of the CPTS's registered practices that ordered strep A test kits in
    ``year`` (value None: masked); None when not published by CPTS."""
    rows = IndicatorValue.objects.current().filter(
        indicator=ORDERING,
        month="",
        year=year,
        dimensions__cpts=cpts.code,
        dimensions__place_kind="practice",
    )
    mine = latest(rows)
    return mine[0] if mine else None


def cpts_events(cpts: Territory, year: int) -> list[NetworkAction]:
    return list(
        NetworkAction.objects.filter(territory=cpts, date__year=year).order_by("date", "pk")
    )


def cpts_referents(cpts: Territory, on: date) -> list[PractitionerRole]:
    return list(
        PractitionerRole.objects.filter(
            Q(territory=cpts) | Q(organization__served_territory=cpts),
            function=PractitionerRole.Function.CPTS_REFERENT,
            start__lte=on,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("practitioner", "organization")
        .order_by("practitioner__last_name")
    )


def cpts_contacts(cpts: Territory, on: date) -> list[str]:
    out = [
        o.email
        for o in Organization.objects.filter(kind=Organization.Kind.CPTS, served_territory=cpts)
        if o.email
    ]
    out += [r.practitioner.email for r in cpts_referents(cpts, on) if r.practitioner.email]
    return list(dict.fromkeys(e.strip().lower() for e in out))
