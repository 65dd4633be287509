"""French working days: weekends and public holidays, computed without any network.

The target delay of an answer is counted in working days: Saturdays, Sundays and the
French public holidays (Code du travail, article L3133-1) do not count. Movable
holidays follow Easter Sunday, computed with the anonymous Gregorian algorithm
(Meeus/Jones/Butcher). Alsace-Moselle (départements 57, 67, 68) has two more
holidays under its local law: Good Friday and 26 December.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
ALSACE_MOSELLE = frozenset({"57", "67", "68"})


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (Gregorian calendar)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@functools.cache
def public_holidays(year: int, *, departement: str | None = None) -> dict[date, str]:
    """The public holidays of ``year`` with their French names."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }
    if departement in ALSACE_MOSELLE:
        days[easter - timedelta(days=2)] = "Vendredi saint"
        days[date(year, 12, 26)] = "Saint-Étienne"
    return dict(sorted(days.items()))


def is_working_day(day: date, *, departement: str | None = None) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, departement=departement)


def next_working_day(day: date, *, departement: str | None = None) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day, departement=departement):
        day += timedelta(days=1)
    return day


def add_working_days(start: datetime, days: int, *, departement: str | None = None) -> datetime:
    """The moment ``days`` working days after ``start`` (an aware datetime).

    Received on a working day at 10:30, one working day later is 10:30 on the next
    working day (Friday 10:30 → Monday 10:30; the day before a holiday → the day
    after it). Received on a non-working day, the clock starts at 00:00 of the next
    working day, so one working day later is the end of that day.
    """
    if days < 0:
        raise ValueError("days must be positive or zero")
    local = start.astimezone(PARIS)
    day, clock = local.date(), local.time()
    if not is_working_day(day, departement=departement):
        day, clock = next_working_day(day, departement=departement), time(0, 0)
        if days == 0:
            return datetime.combine(day, clock, tzinfo=PARIS)
    for _ in range(days):
        day = next_working_day(day, departement=departement)
    return datetime.combine(day, clock, tzinfo=PARIS)
