"""The campaign's effect, by hand: windows, each prescriber's change, the difference in
differences and Welch's interval."""

from __future__ import annotations

import math
from datetime import date

import pytest

from cratb.outreach.effect import difference_in_differences, t_quantile
from cratb.outreach.models import Campaign
from cratb.outreach.services import changes, month_index, month_label, pick_targets, windows


@pytest.mark.parametrize(
    ("df", "expected"),
    # Student's t table, 97.5 % quantile.
    [(1, 12.7062), (2, 4.3027), (5, 2.5706), (10, 2.2281), (30, 2.0423), (1000, 1.9623)],
)
def test_t_quantile_matches_the_table(df: float, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_difference_in_differences_with_welch_interval() -> None:
    # Visited: −10, −6, −8 → mean −8, variance (4 + 4 + 0) / 2 = 4.
    # Not visited: −1, 1, 3, −3 → mean 0, variance (1 + 1 + 9 + 9) / 3 = 20/3.
    # SE² = 4/3 + (20/3)/4 = 3; ν = 9 / ((4/3)²/2 + (5/3)²/3) = 9 / (8/9 + 25/27) = 4.959.
    effect = difference_in_differences([-10, -6, -8], [-1, 1, 3, -3])
    assert effect is not None
    assert (effect.visited, effect.control) == (3, 4)
    assert effect.difference == pytest.approx(-8.0)
    assert effect.df == pytest.approx(9 / (8 / 9 + 25 / 27))
    t = t_quantile(0.975, effect.df)
    assert 2.5706 < t < 2.7764  # between the table's ν = 5 and ν = 4
    assert effect.ci_low == pytest.approx(-8.0 - t * math.sqrt(3))
    assert effect.ci_high == pytest.approx(-8.0 + t * math.sqrt(3))


def test_no_interval_with_fewer_than_two_per_group() -> None:
    assert difference_in_differences([-5], [1, 2]) is None
    assert difference_in_differences([-5, -4], [1]) is None


def test_windows_around_the_start() -> None:
    baseline, six = windows(date(2024, 3, 15), 6)
    assert [month_label(m) for m in baseline] == ["2023-09", "2024-02"]
    assert [month_label(m) for m in six] == ["2024-03", "2024-08"]
    _, twelve = windows(date(2024, 3, 15), 12)
    assert [month_label(m) for m in twelve] == ["2024-09", "2025-02"]
    assert month_index(date(2024, 1, 1)) - month_index(date(2023, 12, 31)) == 1


def test_changes_pool_the_months_of_each_window() -> None:
    baseline, follow_up = windows(date(2024, 3, 1), 6)
    rows = [
        # V: 3 of 4 before (75 %), 1 of 4 after (25 %).
        {"prescriber_id": "V", "month": "2023-12", "numerator": 2, "denominator": 2},
        {"prescriber_id": "V", "month": "2024-01", "numerator": 1, "denominator": 2},
        {"prescriber_id": "V", "month": "2024-05", "numerator": 1, "denominator": 4},
        # Outside both windows: ignored.
        {"prescriber_id": "V", "month": "2023-01", "numerator": 9, "denominator": 9},
        # C: 1 of 2 before, 1 of 1 after.
        {"prescriber_id": "C", "month": "2024-02", "numerator": 1, "denominator": 2},
        {"prescriber_id": "C", "month": "2024-08", "numerator": 1, "denominator": 1},
        # N: no line after, left out; X: not a target.
        {"prescriber_id": "N", "month": "2024-02", "numerator": 1, "denominator": 2},
        {"prescriber_id": "X", "month": "2024-02", "numerator": 1, "denominator": 2},
    ]
    found = changes(rows, visited={"V"}, control={"C", "N"}, baseline=baseline, follow_up=follow_up)
    assert [(c.prescriber_id, c.visited, c.before, c.after, c.change) for c in found] == [
        ("C", False, 50.0, 100.0, 50.0),
        ("V", True, 75.0, 25.0, -50.0),
    ]


PROFILE = [
    {"prescriber_id": "A", "departement": "75", "outlier": "above_998", "excess_lines": 30.0},
    {"prescriber_id": "B", "departement": "75", "outlier": "above_95", "excess_lines": 40.0},
    {"prescriber_id": "C", "departement": "92", "outlier": "above_998", "excess_lines": 50.0},
    {"prescriber_id": "D", "departement": "75", "outlier": "above_998", "excess_lines": 35.0},
    {"prescriber_id": "E", "departement": "75", "outlier": "", "excess_lines": -3.0},
]


def test_targets_above_the_998_limit_per_territory() -> None:
    picked = pick_targets(PROFILE, rule=Campaign.Rule.ABOVE_998, top_n=None, departement="75")
    assert [r["prescriber_id"] for r in picked] == ["D", "A"]
    picked = pick_targets(PROFILE, rule=Campaign.Rule.ABOVE_998, top_n=2)
    assert [r["prescriber_id"] for r in picked] == ["C", "D"]


def test_targets_the_n_largest_excesses() -> None:
    picked = pick_targets(PROFILE, rule=Campaign.Rule.LARGEST_EXCESS, top_n=3, departement="75")
    assert [r["prescriber_id"] for r in picked] == ["B", "D", "A"]
    picked = pick_targets(PROFILE, rule=Campaign.Rule.LARGEST_EXCESS, top_n=10)
    assert [r["prescriber_id"] for r in picked] == ["C", "B", "D", "A"]  # E has no excess
