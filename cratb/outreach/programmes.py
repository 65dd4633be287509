"""Targeted reporting: a programme's funnel (invited → signed → took part) and a lab's
monthly adoption (the engine's ``resistance.targeted_reporting`` by lab and month)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language

from cratb.charts.numbers import format_month
from cratb.engine.indicators import Query
from cratb.outreach import services
from cratb.outreach.models import Invitation

ADOPTION = "resistance.targeted_reporting"


@dataclass(frozen=True)
class Funnel:
    """In the programme's zone: invited, signed, took part; participants from outside
    the zone are counted apart (« +13 hors zone »)."""

    invited: int
    signed: int
    took_part: int
    outside_zone: int

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return 100.0 * part / whole if whole else None

    @property
    def signed_pct(self) -> float | None:
        return self._pct(self.signed, self.invited)

    @property
    def took_part_pct(self) -> float | None:
        return self._pct(self.took_part, self.invited)

    @property
    def took_part_of_signed_pct(self) -> float | None:
        return self._pct(self.took_part, self.signed)


def funnel(invitations: Iterable[Invitation]) -> Funnel:
    inside = [i for i in invitations if not i.outside_zone]
    outside = [i for i in invitations if i.outside_zone]
    return Funnel(
        invited=len(inside),
        signed=sum(1 for i in inside if i.signed_on),
        took_part=sum(1 for i in inside if i.took_part),
        outside_zone=sum(1 for i in outside if i.took_part),
    )


@dataclass(frozen=True)
class MonthShare:
    month: str
    isolates: int
    targeted: int

    @property
    def share(self) -> float | None:
        return 100.0 * self.targeted / self.isolates if self.isolates else None

    @property
    def first_day(self) -> date | None:
        text = self.month.replace("-", "")
        if len(text) != 6 or not text.isdigit():
            return None
        return date(int(text[:4]), int(text[4:]), 1)

    @property
    def label(self) -> str:
        """« janv. 2025 » (the page's language)."""
        day = self.first_day
        return format_month(day, language=get_language() or "fr") if day else self.month


#: Months shown on a lab's adoption page (the latest months with isolates).
SHOWN_MONTHS = 12


def lab_adoption(lab_id: str) -> tuple[list[MonthShare], MonthShare]:
    """The lab's urine Enterobacterales isolates and those reported with a targeted
    report, by month (its last 12 months with isolates), and their total. Reads the
    warehouse's log of targeted reports as of the last publication or ``cratb ast sync``."""
    rows = services._rows(ADOPTION, Query(by=("lab_id", "month")), table="isolates")
    months, _ = monthly_shares(rows, lab_id)
    months = months[-SHOWN_MONTHS:]
    return months, _total(months)


def monthly_shares(
    rows: Iterable[dict[str, Any]], lab_id: str
) -> tuple[list[MonthShare], MonthShare]:
    months = sorted(
        (
            MonthShare(
                str(r["month"]), int(r.get("denominator") or 0), int(r.get("numerator") or 0)
            )
            for r in rows
            if str(r.get("lab_id")) == lab_id
        ),
        key=lambda m: m.month,
    )
    return months, _total(months)


def _total(months: list[MonthShare]) -> MonthShare:
    return MonthShare("total", sum(m.isolates for m in months), sum(m.targeted for m in months))
