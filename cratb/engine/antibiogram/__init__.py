"""The cumulative antibiogram (CLSI M39): % susceptible per organism × antibiotic, for a
period, a setting and optionally a specimen, first isolates only.

It is read from the indicator catalogue (``resistance.pct_resistant`` and
``resistance.first_isolates`` grouped by setting and specimen), so it gives the same
numbers as the published indicators, on DuckDB or Spark. Each cell says how many first
isolates were tested and how many were S, I and R; ``pct_susceptible`` is S ÷ tested
(CLSI M39 reports %S; EUCAST's I, "susceptible, increased exposure", is counted apart
in ``pct_susceptible_increased``). Cells with fewer than ``min_isolates`` (30) isolates
tested are kept and flagged ``low_count``: CLSI M39 advises against reading them.

``export`` writes the table as CSV, Excel (openpyxl) or PDF (reportlab), printable by a
clinician.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cratb.engine import reference
from cratb.engine.backends import Session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import IndicatorError, Query, compute

__all__ = [
    "SETTINGS",
    "SETTING_LABELS",
    "SPECIMEN_LABELS",
    "Antibiogram",
    "AntibiogramError",
    "Cell",
    "cumulative_antibiogram",
]

SETTINGS = ("community", "nursing_home", "hospital")
SETTING_LABELS = {
    "community": "ville",
    "nursing_home": "EHPAD et établissements médico-sociaux",
    "hospital": "établissements de santé",
}
SPECIMEN_LABELS = {
    "urine": "urines",
    "blood": "hémocultures",
    "respiratory": "prélèvements respiratoires",
    "skin": "peau et tissus mous",
    "other": "autres prélèvements",
}


class AntibiogramError(EngineError, ValueError):
    """A request that cannot be answered (unknown setting, empty period); French."""


@dataclass(frozen=True)
class Cell:
    organism: str
    antibiotic: str  # WHONET code
    name: str  # French name
    tested: int
    susceptible: int
    intermediate: int
    resistant: int
    low_count: bool

    @property
    def pct_susceptible(self) -> float:
        return 100.0 * self.susceptible / self.tested if self.tested else float("nan")

    @property
    def pct_susceptible_increased(self) -> float:
        return 100.0 * self.intermediate / self.tested if self.tested else float("nan")


@dataclass
class Antibiogram:
    setting: str
    specimen: str | None
    date_from: date
    date_to: date
    min_isolates: int
    episode_days: int
    cells: list[Cell]
    first_isolates: dict[str, int]  # organism → first isolates in the setting
    generated_at: datetime = field(default_factory=datetime.now)
    backend: str = "duckdb"

    @property
    def organisms(self) -> list[str]:
        """Organisms, most frequent first."""
        return sorted(self.first_isolates, key=lambda o: (-self.first_isolates[o], o))

    @property
    def antibiotics(self) -> list[str]:
        """Antibiotics tested, in ATC order (penicillins, cephalosporins, …)."""
        codes = {c.antibiotic for c in self.cells}
        by_whonet = {a.whonet: a.atc for a in reference.antibacterials().values() if a.whonet}
        return sorted(codes, key=lambda c: (by_whonet.get(c, "Z"), c))

    def cell(self, organism: str, antibiotic: str) -> Cell | None:
        return self._index.get((organism, antibiotic))

    @property
    def _index(self) -> dict[tuple[str, str], Cell]:
        return {(c.organism, c.antibiotic): c for c in self.cells}

    @property
    def title(self) -> str:
        return "Antibiogramme cumulé"

    @property
    def subtitle(self) -> str:
        where = SETTING_LABELS.get(self.setting, self.setting)
        what = f", {SPECIMEN_LABELS.get(self.specimen, self.specimen)}" if self.specimen else ""
        period = f"du {self.date_from:%d/%m/%Y} au {self.date_to:%d/%m/%Y}"
        return f"{where.capitalize()}{what}, {period}"

    @property
    def method(self) -> list[str]:
        return [
            "Premier isolat par patient et par espèce (CLSI M39) : un nouvel isolat de la même"
            f" espèce n'est compté que {self.episode_days} jours ou plus après le début de"
            " l'épisode précédent.",
            "% S : isolats sensibles (S) parmi les premiers isolats testés ; les isolats"
            " « sensibles à forte exposition » (I, EUCAST) ne sont pas comptés comme S.",
            f"* : moins de {self.min_isolates} isolats testés, pourcentage peu fiable (CLSI M39).",
        ]


def _int(value: object) -> int:
    return int(str(value)) if value is not None else 0


def cumulative_antibiogram(
    session: Session,
    *,
    setting: str,
    date_from: date,
    date_to: date,
    specimen: str | None = None,
    min_isolates: int = 30,
    episode_days: int = 365,
) -> Antibiogram:
    """The antibiogram of ``setting`` (and ``specimen``) over the period."""
    if setting not in SETTINGS:
        raise AntibiogramError(
            f"secteur inconnu « {setting} » ; secteurs admis : {', '.join(SETTINGS)}"
        )
    if specimen is not None and specimen not in SPECIMEN_LABELS:
        raise AntibiogramError(
            f"prélèvement inconnu « {specimen} » ; admis : {', '.join(SPECIMEN_LABELS)}"
        )
    by = ("setting", "specimen") if specimen else ("setting",)
    params = {"min_isolates": float(min_isolates), "episode_days": float(episode_days)}
    query = Query(by=by, date_from=date_from, date_to=date_to, params=params)
    try:
        resistance = compute("resistance.pct_resistant", session, query).table.to_pylist()
        firsts = compute(
            "resistance.first_isolates",
            session,
            Query(by=(*by, "organism"), date_from=date_from, date_to=date_to, params=params),
        ).table.to_pylist()
    except IndicatorError as exc:
        raise AntibiogramError(str(exc)) from exc

    def wanted(row: dict[str, object]) -> bool:
        return row["setting"] == setting and (specimen is None or row["specimen"] == specimen)

    names = {a.whonet: a.name_fr for a in reference.antibacterials().values() if a.whonet}
    cells = [
        Cell(
            organism=str(r["organism"]),
            antibiotic=str(r["antibiotic"]),
            name=names.get(str(r["antibiotic"]), str(r["antibiotic"])),
            tested=_int(r["denominator"]),
            susceptible=_int(r["susceptible"]),
            intermediate=_int(r["denominator"]) - _int(r["susceptible"]) - _int(r["numerator"]),
            resistant=_int(r["numerator"]),
            low_count=bool(r["low_count"]),
        )
        for r in resistance
        if wanted(r)
    ]
    first_isolates = {str(r["organism"]): _int(r["numerator"]) for r in firsts if wanted(r)}
    return Antibiogram(
        setting=setting,
        specimen=specimen,
        date_from=date_from,
        date_to=date_to,
        min_isolates=min_isolates,
        episode_days=episode_days,
        cells=cells,
        first_isolates={o: n for o, n in first_isolates.items() if n},
        backend=session.backend,
    )
