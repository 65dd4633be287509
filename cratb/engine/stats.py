"""Statistics shared by the indicators, as Ibis expressions (so DuckDB and Spark compute
the same numbers) with plain-Python twins for tests and small data.

- Wilson score interval for a proportion (CONTRACTS.md: ``ci_low``/``ci_high``, 95 %);
- Newcombe's hybrid score interval (1998, method 10) for the difference of two
  independent proportions, built from their Wilson intervals;
- funnel-plot control limits around a target proportion (Spiegelhalter 2005, normal
  approximation to the binomial): ``p0 ± z·sqrt(p0(1 − p0)/n)``, clipped to [0, 1].
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir

__all__ = [
    "Z95",
    "Z998",
    "funnel_limit",
    "funnel_limit_expr",
    "newcombe_difference",
    "wilson",
    "wilson_expr",
]

# Two-sided normal quantiles: 95 % and 99.8 % limits of funnel plots and intervals.
Z95 = 1.959963984540054
Z998 = 3.090232306167813


def wilson(k: float, n: float, *, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of k successes out of n, as proportions (0–1)."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_expr(
    k: ir.NumericValue, n: ir.NumericValue, *, z: float = Z95, scale: float = 100.0
) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """The Wilson interval as two Ibis expressions on the ``scale`` (100: percent).
    NULL where n is 0 or NULL."""
    n_ = n.cast("float64").nullif(0.0)
    p = k.cast("float64") / n_
    denominator = 1.0 + z * z / n_
    centre = (p + z * z / (2.0 * n_)) / denominator
    half = z * (p * (1.0 - p) / n_ + z * z / (4.0 * n_ * n_)).sqrt() / denominator
    low = ibis.greatest(centre - half, 0.0) * scale
    high = ibis.least(centre + half, 1.0) * scale
    return low, high


def funnel_limit(p0: float, n: float, *, z: float) -> tuple[float, float] | None:
    """Lower and upper funnel limits (proportions) for a unit of size n around p0."""
    if n <= 0:
        return None
    half = z * math.sqrt(p0 * (1 - p0) / n)
    return max(0.0, p0 - half), min(1.0, p0 + half)


def funnel_limit_expr(
    p0: ir.NumericValue, n: ir.NumericValue, *, z: float, upper: bool, scale: float = 100.0
) -> ir.FloatingValue:
    """One funnel limit as an Ibis expression, on the ``scale`` (100: percent)."""
    n_ = n.cast("float64").nullif(0.0)
    p = p0.cast("float64")
    half = z * (p * (1.0 - p) / n_).sqrt()
    limit = ibis.least(p + half, 1.0) if upper else ibis.greatest(p - half, 0.0)
    return limit * scale


def newcombe_difference(
    k_after: float, n_after: float, k_before: float, n_before: float, *, z: float = Z95
) -> tuple[float, float, float] | None:
    """The change p_after − p_before of two independent proportions (e.g. two rounds of an
    audit, on different cases) with Newcombe's hybrid score interval (Newcombe 1998,
    *Statistics in Medicine* 17:873, method 10), as proportions: (difference, low, high).
    None when either denominator is 0."""
    after = wilson(k_after, n_after, z=z)
    before = wilson(k_before, n_before, z=z)
    if after is None or before is None:
        return None
    p2, p1 = k_after / n_after, k_before / n_before
    (l2, u2), (l1, u1) = after, before
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, max(-1.0, low), min(1.0, high)
