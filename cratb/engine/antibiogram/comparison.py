"""Resistance by setting: the community / nursing-home / hospital comparison.

The field presentations compare ESBL E. coli and the resistance of E. coli in the
community, in nursing homes and in hospitals against the national figures (« ESBL
E. coli shares in community and nursing homes above national averages »). This module
reads the same indicators as every page (``resistance.esbl_share`` and
``resistance.pct_resistant`` grouped by setting and specimen: first isolates, Wilson
95 % intervals, ``low_count``) and puts beside each value the national reference of the
reference tables (``reference.national``) where one exists for that organism, agent,
specimen and setting — the latest of the year or before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cratb.engine.antibiogram import SETTINGS, SPECIMEN_LABELS, AntibiogramError
from cratb.engine.backends import Session
from cratb.engine.indicators import IndicatorError, Query, compute
from cratb.engine.reference import national
from cratb.engine.reference.national import NationalValue

__all__ = ["KEY_AGENTS", "Comparison", "Value", "setting_comparison"]

ECOLI = "Escherichia coli"
#: The agents the field compares for E. coli (urinary tract infections first).
KEY_AGENTS = ("AMX", "AMC", "MEC", "CTX", "CRO", "CAZ", "CIP", "OFX", "SXT", "FOS", "NIT")


@dataclass(frozen=True)
class Value:
    setting: str
    numerator: int
    denominator: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    low_count: bool
    method: str = ""  # ESBL: lab, proxy or mixed


@dataclass
class Comparison:
    date_from: date
    date_to: date
    specimen: str | None
    organism: str
    esbl: dict[str, Value]  # setting → value
    resistance: dict[str, dict[str, Value]]  # antibiotic → setting → value

    @property
    def agents(self) -> list[str]:
        return [a for a in KEY_AGENTS if a in self.resistance]

    def reference(self, antibiotic: str | None, setting: str) -> NationalValue | None:
        return national.reference_for(
            "resistance.esbl_share" if antibiotic is None else "resistance.pct_resistant",
            organism=self.organism,
            year=self.date_to.year,
            antibiotic=antibiotic,
            specimen=self.specimen,
            setting=setting,
        )


def _value(row: dict[str, object]) -> Value:
    def number(name: str) -> float | None:
        v = row.get(name)
        return None if v is None else float(str(v))

    return Value(
        setting=str(row["setting"]),
        numerator=int(str(row["numerator"])),
        denominator=int(str(row["denominator"])),
        value=number("value"),
        ci_low=number("ci_low"),
        ci_high=number("ci_high"),
        low_count=bool(row["low_count"]),
        method=str(row.get("method") or ""),
    )


def setting_comparison(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    specimen: str | None = "urine",
    min_isolates: int = 30,
) -> Comparison:
    """ESBL share of first E. coli isolates and % R of E. coli to the key agents, per
    setting, for one specimen (``None``: all specimens)."""
    if specimen is not None and specimen not in SPECIMEN_LABELS:
        raise AntibiogramError(
            f"prélèvement inconnu « {specimen} » ; admis : {', '.join(SPECIMEN_LABELS)}"
        )
    by = ("setting", "specimen") if specimen else ("setting",)
    params = {"min_isolates": float(min_isolates)}
    query = Query(by=by, date_from=date_from, date_to=date_to, params=params)
    try:
        esbl = compute("resistance.esbl_share", session, query).table.to_pylist()
        pct = compute("resistance.pct_resistant", session, query).table.to_pylist()
    except IndicatorError as exc:
        raise AntibiogramError(str(exc)) from exc

    def wanted(row: dict[str, object]) -> bool:
        return row["setting"] in SETTINGS and (specimen is None or row["specimen"] == specimen)

    resistance: dict[str, dict[str, Value]] = {}
    for row in pct:
        if wanted(row) and row["organism"] == ECOLI and row["antibiotic"] in KEY_AGENTS:
            resistance.setdefault(str(row["antibiotic"]), {})[str(row["setting"])] = _value(row)
    return Comparison(
        date_from=date_from,
        date_to=date_to,
        specimen=specimen,
        organism=ECOLI,
        esbl={str(r["setting"]): _value(r) for r in esbl if wanted(r)},
        resistance=resistance,
    )
