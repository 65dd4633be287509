"""The one number formatter of tables and charts: « 21,6 », « 12 345 », « janv. 2025 ».

A table cell and the chart beside it show the same string because both come from here:
the web's template filters call these functions, and the charts receive the strings they
return as data (Vega's own number formatting is used only for axis ticks, with the same
separators through :func:`vega_locale`).

Rounding is Django's ``floatformat`` rounding (half up on the number's shortest decimal
representation: 21.55 → « 21,6 », 2.675 → « 2,7 »), never truncation; a value that rounds to
zero is written without a sign (« 0,0 », never « -0,0 »). Thousands are grouped with the
separator of Django's locale formats (French: a no-break space U+00A0, English: a comma),
as ``floatformat:"1g"`` writes them; a test holds the two equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "EMPTY",
    "LANGUAGES",
    "Separators",
    "format_count",
    "format_month",
    "format_number",
    "format_percent",
    "format_range",
    "language_of",
    "round_half_up",
    "separators",
    "vega_locale",
]

#: What a missing value is written as, in tables and on charts.
EMPTY = "—"
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Separators:
    decimal: str
    thousands: str


_SEPARATORS = {
    # Django 5.2's conf/locale/fr/formats.py and en/formats.py.
    "fr": Separators(decimal=",", thousands="\u00a0"),
    "en": Separators(decimal=".", thousands=","),
}

_SHORT_MONTHS = {
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip
_MONTHS = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
}  # fmt: skip


def language_of(code: str | None) -> str:
    """« fr » or « en » from a language code such as « en-gb » (French when unknown)."""
    return "en" if (code or "").lower().startswith("en") else "fr"


def separators(language: str) -> Separators:
    return _SEPARATORS[language_of(language)]


def _decimal(value: float | int | Decimal) -> Decimal | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        # repr() gives the shortest string that reads back as the same float: 21.55 stays
        # 21.55 (not 21.5499999…), which is how Django's floatformat rounds.
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None


def format_number(
    value: float | int | Decimal | None,
    *,
    decimals: int,
    language: str,
    grouping: bool = True,
) -> str:
    """``value`` rounded half up to ``decimals`` places, with the language's separators.

    None, NaN and infinities are written « — ».
    """
    if value is None or isinstance(value, bool):
        return EMPTY
    if type(value) is int and decimals == 0:
        # A count (most cells of a table): no rounding to do.
        whole = str(abs(value))
        if grouping and len(whole) > 3:
            whole = f"{abs(value):,}".replace(",", separators(language).thousands)
        return ("-" if value < 0 else "") + whole
    number = _decimal(value)
    if number is None:
        return EMPTY
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never « -0,0 »
    sign = "-" if rounded < 0 else ""
    digits = f"{abs(rounded):f}"
    whole, _, fraction = digits.partition(".")
    seps = separators(language)
    if grouping and len(whole) > 3:
        groups: list[str] = []
        while len(whole) > 3:
            whole, tail = whole[:-3], whole[-3:]
            groups.insert(0, tail)
        whole = seps.thousands.join([whole, *groups])
    return sign + whole + (seps.decimal + fraction if fraction else "")


def format_count(value: float | int | None, *, language: str) -> str:
    """A count: no decimals, thousands grouped (« 12 345 »)."""
    return format_number(value, decimals=0, language=language)


def format_percent(value: float | None, *, decimals: int = 1, language: str) -> str:
    """« 84,2 % » (French: a no-break space before the sign) or « 84.2% »."""
    if value is None:
        return EMPTY
    number = format_number(value, decimals=decimals, language=language)
    if number == EMPTY:
        return EMPTY
    return f"{number}\u00a0%" if language_of(language) == "fr" else f"{number}%"


def format_range(low: float | None, high: float | None, *, decimals: int, language: str) -> str:
    """A 95 % interval as the tables write it: « 19,8 – 23,4 » (empty when unknown)."""
    if low is None or high is None:
        return ""
    return (
        f"{format_number(low, decimals=decimals, language=language)} – "
        f"{format_number(high, decimals=decimals, language=language)}"
    )


def format_month(day: date, *, language: str, year: bool = True) -> str:
    """« janv. 2025 » / « Jan 2025 » (``year=False``: « janv. »)."""
    month = _SHORT_MONTHS[language_of(language)][day.month - 1]
    return f"{month} {day.year}" if year else month


def vega_locale(language: str) -> dict[str, object]:
    """The number and time locale of Vega (its ``config.locale``) for axis ticks: the same
    separators and month names as this module, and « - » as the minus sign, as the tables
    write it."""
    lang = language_of(language)
    seps = separators(lang)
    number = {
        "decimal": seps.decimal,
        "thousands": seps.thousands,
        "grouping": [3],
        "currency": ["", "\u00a0€"] if lang == "fr" else ["€", ""],
        "minus": "-",
    }
    days = (
        ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
        if lang == "fr"
        else ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    )
    time = {
        "dateTime": "%A %e %B %Y à %X" if lang == "fr" else "%x, %X",
        "date": "%d/%m/%Y" if lang == "fr" else "%-m/%-d/%Y",
        "time": "%H:%M:%S" if lang == "fr" else "%-I:%M:%S %p",
        "periods": ["AM", "PM"],
        "days": list(days),
        "shortDays": [d[:3] + ("." if lang == "fr" else "") for d in days],
        "months": list(_MONTHS[lang]),
        "shortMonths": list(_SHORT_MONTHS[lang]),
    }
    return {"number": number, "time": time}


def round_half_up(value: float | int | None, *, decimals: int) -> float | None:
    """``value`` rounded as :func:`format_number` writes it (half up on the shortest
    decimal form), as a number: what exports hold, so a file shows what the page shows.
    None, NaN and infinities give None."""
    if value is None or isinstance(value, bool):
        return None
    number = _decimal(value)
    if number is None:
        return None
    rounded = float(number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return abs(rounded) if rounded == 0 else rounded
