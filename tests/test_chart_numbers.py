"""The charts' number formatter writes exactly what Django's ``floatformat:"Ng"`` writes
(the rounding and separators of the tables), in French and English."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from cratb.charts.numbers import format_month, format_number

VALUES = [0, 0.05, -0.04, -0.05, 2.675, 21.55, 21.549999, 23.449, 999.95, 1234.5, -1234.56,
          12345678.9, 1e-7, 650, 100.0, 0.125, 3.3333333]  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_the_formatter_writes_what_django_writes(language: str, decimals: int) -> None:
    with translation.override(language):
        for value in VALUES:
            expected = floatformat(value, f"{decimals}g")
            assert format_number(value, decimals=decimals, language=language) == expected, value


def test_months_and_missing_values() -> None:
    from datetime import date

    assert format_month(date(2025, 1, 1), language="fr") == "janv. 2025"
    assert format_month(date(2025, 7, 1), language="en") == "Jul 2025"
    assert format_number(None, decimals=1, language="fr") == "—"
    assert format_number(float("nan"), decimals=1, language="fr") == "—"


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_exported_numbers_are_the_numbers_the_pages_write(decimals: int) -> None:
    """Downloads hold ``round_half_up`` of a value: the number the page writes, never the
    float's own rounding (2.675 → 2.68 where ``round`` gives 2.67)."""
    from cratb.charts.numbers import round_half_up

    for value in VALUES:
        rounded = round_half_up(value, decimals=decimals)
        assert rounded is not None
        shown = format_number(value, decimals=decimals, language="en").replace(",", "")
        assert rounded == float(shown), value
    assert round_half_up(2.675, decimals=2) == 2.68 and round(2.675, 2) == 2.67
    assert round_half_up(None, decimals=1) is None
    assert round_half_up(float("nan"), decimals=1) is None
    assert str(round_half_up(-0.04, decimals=1)) == "0.0"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("grouping", [True, False])
def test_whole_counts_are_written_as_the_same_float(language: str, grouping: bool) -> None:
    # Counts take a shorter path than other numbers; the text must not differ.
    values = [0, 1, -1, 7, 999, 1000, -1000, 12_345, 999_999, 1_234_567, -7_654_321, 10**12]
    for value in values:
        expected = format_number(float(value), decimals=0, language=language, grouping=grouping)
        assert format_number(value, decimals=0, language=language, grouping=grouping) == expected
