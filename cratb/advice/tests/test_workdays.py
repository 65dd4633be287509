from __future__ import annotations

from datetime import date, datetime

import pytest

from cratb.advice.workdays import (
    PARIS,
    add_working_days,
    easter_sunday,
    is_working_day,
    public_holidays,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_eleven_french_public_holidays_of_2025() -> None:
    holidays = public_holidays(2025)
    assert len(holidays) == 11
    assert holidays[date(2025, 4, 21)] == "Lundi de Pâques"
    assert holidays[date(2025, 5, 29)] == "Ascension"
    assert holidays[date(2025, 6, 9)] == "Lundi de Pentecôte"
    assert date(2025, 12, 26) not in holidays


def test_alsace_moselle_has_good_friday_and_saint_stephen() -> None:
    holidays = public_holidays(2025, departement="67")
    assert holidays[date(2025, 4, 18)] == "Vendredi saint"
    assert date(2025, 12, 26) in holidays
    assert is_working_day(date(2025, 4, 18))
    assert not is_working_day(date(2025, 4, 18), departement="57")


def at(y: int, m: int, d: int, h: int = 10, mi: int = 30) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2025, 3, 4), at(2025, 3, 5)),  # Tuesday → Wednesday, same time
        (at(2025, 3, 7), at(2025, 3, 10)),  # Friday → Monday
        (at(2025, 4, 30), at(2025, 5, 2)),  # the day before 1 May → 2 May
        (at(2025, 3, 8), at(2025, 3, 11, 0, 0)),  # Saturday: counts from Monday 00:00
        (at(2025, 12, 24, 17, 0), at(2025, 12, 26, 17, 0)),  # Christmas Eve → 26 December
        (at(2025, 5, 28), at(2025, 5, 30)),  # the day before Ascension
    ],
)
def test_one_working_day_later(start: datetime, expected: datetime) -> None:
    assert add_working_days(start, 1) == expected


def test_alsace_moselle_skips_saint_stephen() -> None:
    assert add_working_days(at(2025, 12, 24), 1, departement="68") == at(2025, 12, 29)


def test_two_working_days_and_zero() -> None:
    assert add_working_days(at(2025, 3, 6), 2) == at(2025, 3, 10)
    assert add_working_days(at(2025, 3, 6), 0) == at(2025, 3, 6)
    assert add_working_days(at(2025, 3, 9), 0) == at(2025, 3, 10, 0, 0)
