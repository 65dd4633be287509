"""What a campaign asks of the engine: its targets from the prescriber profile, and the
change of the share of critical antibiotics of its prescribers around the visits.

The selection and the windows are pure functions (tested by hand); the engine is read
through ``_rows``, the one place that opens a session on the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import Query, compute
from cratb.outreach.effect import difference_in_differences
from cratb.outreach.models import Campaign, Measure, Target, Visit
from cratb.security import without_paths

PROFILE = "community.prescriber_profile"
SHARE = "community.critical_share"
#: Months in the baseline window (before the start) and in each follow-up window.
WINDOW = 6
HORIZONS = (6, 12)


class OutreachError(RuntimeError):
    """A campaign cannot read the engine (no warehouse, no dispensing data)."""


def _rows(
    indicator: str, query: Query, *, table: str = "dispensations", warehouse: Path | None = None
) -> list[dict[str, Any]]:
    warehouse = warehouse or Path(settings.CRATB_WAREHOUSE)
    if not warehouse.exists():
        raise OutreachError("entrepôt introuvable : importer des délivrances d'abord")
    engine = settings.CRATB_ENGINE
    try:
        with open_session(
            warehouse=warehouse,
            backend="duckdb",
            memory_limit=engine.duckdb_memory_limit,
            spark=engine.spark,
        ) as session:
            if not session.has(table):
                raise OutreachError(f"aucune donnée {table} dans l'entrepôt")
            return compute(indicator, session, query).table.to_pylist()  # type: ignore[no-any-return]
    except EngineError as exc:
        raise OutreachError(without_paths(str(exc))) from exc


# --- targets -------------------------------------------------------------------------------


def pick_targets(
    rows: Iterable[dict[str, Any]], *, rule: str, top_n: int | None, departement: str = ""
) -> list[dict[str, Any]]:
    """The profile's rows a campaign visits: above the 99.8 % limit (the N largest
    excesses among them when N is given) or the N largest positive excesses; within one
    département when given. Ties are broken by the prescriber's identifier."""
    rows = [r for r in rows if not departement or r.get("departement") == departement]
    if rule == Campaign.Rule.ABOVE_998:
        rows = [r for r in rows if r.get("outlier") == "above_998"]
    else:
        rows = [r for r in rows if (r.get("excess_lines") or 0) > 0]
    rows.sort(key=lambda r: (-(r.get("excess_lines") or 0.0), str(r["prescriber_id"])))
    return rows[:top_n] if top_n else rows


def main_departements(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Each prescriber's département: where most of their J01 lines' patients live (ties:
    the smaller code). Dispensing lines carry the patient's département, not the
    practice's."""
    best: dict[str, tuple[float, str]] = {}
    for row in sorted(rows, key=lambda r: str(r.get("departement") or "")):
        prescriber, code = str(row.get("prescriber_id") or ""), str(row.get("departement") or "")
        lines = float(row.get("denominator") or 0)
        if prescriber and code and (prescriber not in best or lines > best[prescriber][0]):
            best[prescriber] = (lines, code)
    return {prescriber: code for prescriber, (_, code) in best.items()}


def select_targets(campaign: Campaign, *, warehouse: Path | None = None) -> int:
    """Fill the campaign's target list from the engine's prescriber profile of its
    reference year (peers: the region's prescribers of the same specialty); with a
    département, only the prescribers whose patients mostly live there. Returns the
    number of targets."""
    departement = campaign.territory.code if campaign.territory else ""
    first, last = date(campaign.reference_year, 1, 1), date(campaign.reference_year, 12, 31)
    rows = _rows(PROFILE, Query(date_from=first, date_to=last), warehouse=warehouse)
    if departement:
        where = main_departements(
            _rows(
                SHARE,
                Query(by=("prescriber_id", "departement"), date_from=first, date_to=last),
                warehouse=warehouse,
            )
        )
        rows = [dict(r, departement=where.get(str(r["prescriber_id"]), "")) for r in rows]
    picked = pick_targets(rows, rule=campaign.rule, top_n=campaign.top_n, departement=departement)
    with transaction.atomic():
        campaign.targets.all().delete()
        Target.objects.bulk_create(
            Target(
                campaign=campaign,
                prescriber_id=str(r["prescriber_id"]),
                specialty=str(r.get("prescriber_specialty") or ""),
                prescriptions=int(r.get("prescriptions") or r.get("denominator") or 0),
                share=float(r.get("value") or 0.0),
                peer_share=float(r.get("peer_share") or 0.0),
                limit_998_high=r.get("limit_998_high"),
                excess_lines=float(r.get("excess_lines") or 0.0),
            )
            for r in picked
        )
    return len(picked)


# --- effect ------------------------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def windows(start: date, horizon: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Baseline: the 6 months before the campaign's start month. Follow-up at
    ``horizon`` months: the 6 months ending with the horizon's month (months 0–5 after
    the start for 6 months, 6–11 for 12). Inclusive month indexes."""
    first = month_index(start)
    return (first - WINDOW, first - 1), (first + horizon - WINDOW, first + horizon - 1)


def _parse_month(value: Any) -> int | None:
    text = str(value or "").replace("-", "")
    if len(text) != 6 or not text.isdigit():
        return None
    return int(text[:4]) * 12 + int(text[4:]) - 1


@dataclass(frozen=True)
class Change:
    prescriber_id: str
    visited: bool
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def changes(
    monthly: Iterable[dict[str, Any]],
    *,
    visited: set[str],
    control: set[str],
    baseline: tuple[int, int],
    follow_up: tuple[int, int],
) -> list[Change]:
    """Each prescriber's share of critical lines (%) in both windows, from rows of
    (prescriber_id, month, numerator, denominator); shares are pooled over the window's
    months. A prescriber without a line in one of the windows is left out."""
    sums: dict[tuple[str, int], list[float]] = {}
    for row in monthly:
        prescriber = str(row.get("prescriber_id") or "")
        month = _parse_month(row.get("month"))
        if (prescriber not in visited and prescriber not in control) or month is None:
            continue
        for window, (low, high) in enumerate((baseline, follow_up)):
            if low <= month <= high:
                acc = sums.setdefault((prescriber, window), [0.0, 0.0])
                acc[0] += float(row.get("numerator") or 0)
                acc[1] += float(row.get("denominator") or 0)
    out = []
    for prescriber in sorted(visited | control):
        before, after = sums.get((prescriber, 0)), sums.get((prescriber, 1))
        if not before or not after or before[1] <= 0 or after[1] <= 0:
            continue
        out.append(
            Change(
                prescriber,
                prescriber in visited,
                100.0 * before[0] / before[1],
                100.0 * after[0] / after[1],
            )
        )
    return out


def measure(campaign: Campaign, horizon: int, *, warehouse: Path | None = None) -> Measure:
    """Compute and store the campaign's effect at ``horizon`` months (6 or 12)."""
    if horizon not in HORIZONS:
        raise ValueError(horizon)
    baseline, follow_up = windows(campaign.start_date, horizon)
    targets = list(campaign.targets.select_related("visit"))
    visited = {t.prescriber_id for t in targets if _visited(t)}
    control = {t.prescriber_id for t in targets} - visited
    result, _ = Measure.objects.get_or_create(campaign=campaign, horizon=horizon)
    result.message = ""
    result.rows = []
    result.difference = result.ci_low = result.ci_high = None
    result.mean_change_visited = result.mean_change_control = None
    result.visited = result.control = 0
    first = date(baseline[0] // 12, baseline[0] % 12 + 1, 1)
    last_month = follow_up[1]
    last = date(last_month // 12, last_month % 12 + 1, 28)
    monthly = _rows(
        SHARE,
        Query(by=("prescriber_id", "month"), date_from=first, date_to=last),
        warehouse=warehouse,
    )
    months = [m for m in (_parse_month(r.get("month")) for r in monthly) if m is not None]
    if not months or max(months) < follow_up[1]:
        result.message = (
            f"Pas encore mesurable : les délivrances doivent couvrir jusqu'à"
            f" {month_label(follow_up[1])}."
        )
        result.save()
        return result
    found = changes(
        monthly, visited=visited, control=control, baseline=baseline, follow_up=follow_up
    )
    result.rows = [
        {
            "prescriber_id": c.prescriber_id,
            "visited": c.visited,
            "before": round(c.before, 2),
            "after": round(c.after, 2),
            "change": round(c.change, 2),
        }
        for c in found
    ]
    effect = difference_in_differences(
        [c.change for c in found if c.visited], [c.change for c in found if not c.visited]
    )
    result.visited = sum(1 for c in found if c.visited)
    result.control = len(found) - result.visited
    if effect is None:
        result.message = (
            "Effet non calculable : il faut au moins deux prescripteurs visités et deux non"
            " visités ayant des délivrances avant et après."
        )
    else:
        result.mean_change_visited = effect.mean_change_visited
        result.mean_change_control = effect.mean_change_control
        result.difference = effect.difference
        result.ci_low = effect.ci_low
        result.ci_high = effect.ci_high
    result.save()
    return result


def _visited(target: Target) -> bool:
    try:
        return target.visit.visited
    except Visit.DoesNotExist:
        return False
