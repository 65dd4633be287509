"""The measured effect of a campaign: a difference in differences with Welch's interval.

Pure Python (no Django, no engine): the inputs are, for each prescriber, the share of
critical antibiotics (%) in the baseline window and in the follow-up window.

Method (stated on the campaign page):

- each prescriber's change = share in the follow-up window − share in the baseline
  window (percentage points); a prescriber without a line in either window is left out;
- the effect = mean change of the visited prescribers − mean change of the comparable
  prescribers not visited (the campaign's other targets, picked by the same rule);
- its 95 % interval is Welch's: effect ± t(0.975, ν) × √(s₁²/n₁ + s₀²/n₀), with the
  Welch–Satterthwaite degrees of freedom ν; at least two prescribers are needed in each
  group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Effect:
    visited: int
    control: int
    mean_change_visited: float
    mean_change_control: float
    difference: float
    ci_low: float
    ci_high: float
    df: float


def _mean_var(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, var


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Student's t quantile (bisection on the distribution function), for 0.5 < p < 1."""
    low, high = 0.0, 1000.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def difference_in_differences(visited: Sequence[float], control: Sequence[float]) -> Effect | None:
    """``visited`` and ``control``: each prescriber's change (after − before). None when a
    group has fewer than two prescribers (no interval can be given)."""
    if len(visited) < 2 or len(control) < 2:
        return None
    m1, v1 = _mean_var(visited)
    m0, v0 = _mean_var(control)
    n1, n0 = len(visited), len(control)
    se2 = v1 / n1 + v0 / n0
    difference = m1 - m0
    if se2 == 0:
        return Effect(n1, n0, m1, m0, difference, difference, difference, math.inf)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
    half = t_quantile(0.975, df) * math.sqrt(se2)
    return Effect(n1, n0, m1, m0, difference, difference - half, difference + half, df)
