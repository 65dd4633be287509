"""The results of an audit: compliance per criterion, for the region and per participant,
with 95 % Wilson intervals, and the change between two rounds (Newcombe's hybrid score
interval). Pure functions over the cases' answers: the pages, the feedback sheet, the CSV
and the yearly summary all read them from here (one computation for every figure).

The « region » of a campaign is all its participants together (the participant included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cratb.audits.grids import BLANK, MET, NOT_APPLICABLE, NOT_MET, Field, Grid
from cratb.engine.stats import newcombe_difference, wilson

__all__ = ["Change", "Compliance", "changes", "compliance", "compliance_by_participant"]


@dataclass(frozen=True)
class Compliance:
    """One criterion over some cases: met / (met + not met), in percent, with its 95 %
    Wilson interval; blanks and non-applicable cases counted apart."""

    code: str
    label: str
    rule: str
    met: int
    not_met: int
    blank: int
    not_applicable: int

    @property
    def evaluated(self) -> int:
        return self.met + self.not_met

    @property
    def cases(self) -> int:
        return self.evaluated + self.blank + self.not_applicable

    @property
    def percent(self) -> float | None:
        return 100.0 * self.met / self.evaluated if self.evaluated else None

    @property
    def interval(self) -> tuple[float, float] | None:
        found = wilson(self.met, self.evaluated)
        return (100.0 * found[0], 100.0 * found[1]) if found else None

    @property
    def low(self) -> float | None:
        return self.interval[0] if self.interval else None

    @property
    def high(self) -> float | None:
        return self.interval[1] if self.interval else None

    def compared_with(self, other: Compliance) -> str:
        """« above », « below » or « same »: this one's interval lies above or below the
        other's rate, or contains it (or either has no case)."""
        if self.interval is None or other.percent is None:
            return "same"
        if self.interval[0] > other.percent:
            return "above"
        if self.interval[1] < other.percent:
            return "below"
        return "same"


def _count(criterion: Field, cases: Iterable[Mapping[str, Any]]) -> Compliance:
    counts = {MET: 0, NOT_MET: 0, BLANK: 0, NOT_APPLICABLE: 0}
    for answers in cases:
        counts[criterion.status(answers)] += 1
    return Compliance(
        code=criterion.code,
        label=criterion.label,
        rule=criterion.rule_text(),
        met=counts[MET],
        not_met=counts[NOT_MET],
        blank=counts[BLANK],
        not_applicable=counts[NOT_APPLICABLE],
    )


def compliance(grid: Grid, cases: Sequence[Mapping[str, Any]]) -> list[Compliance]:
    """Each criterion of ``grid`` over ``cases`` (their answers), in the grid's order."""
    return [_count(criterion, cases) for criterion in grid.criteria]


def compliance_by_participant(
    grid: Grid, cases: Iterable[tuple[Any, Mapping[str, Any]]]
) -> dict[Any, list[Compliance]]:
    """``cases``: (participant key, answers) pairs; each participant's criteria."""
    grouped: dict[Any, list[Mapping[str, Any]]] = {}
    for key, answers in cases:
        grouped.setdefault(key, []).append(answers)
    return {key: compliance(grid, answers) for key, answers in grouped.items()}


@dataclass(frozen=True)
class Change:
    """A criterion between two rounds: the difference of compliance (second − first, in
    percentage points) with Newcombe's 95 % hybrid score interval."""

    code: str
    label: str
    before: Compliance
    after: Compliance

    @property
    def _newcombe(self) -> tuple[float, float, float] | None:
        return newcombe_difference(
            self.after.met, self.after.evaluated, self.before.met, self.before.evaluated
        )

    @property
    def difference(self) -> float | None:
        found = self._newcombe
        return 100.0 * found[0] if found else None

    @property
    def low(self) -> float | None:
        found = self._newcombe
        return 100.0 * found[1] if found else None

    @property
    def high(self) -> float | None:
        found = self._newcombe
        return 100.0 * found[2] if found else None

    @property
    def significant(self) -> bool:
        """The interval excludes 0 (a change the audit's size can tell)."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def changes(before: Sequence[Compliance], after: Sequence[Compliance]) -> list[Change]:
    """Criteria of the second round matched by code with those of the first."""
    first = {c.code: c for c in before}
    return [Change(c.code, c.label, first[c.code], c) for c in after if c.code in first]
