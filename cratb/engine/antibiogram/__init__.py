"""The cumulative antibiogram (CLSI M39): % susceptible per organism × antibiotic, for a
period, a setting and optionally a specimen, first isolates only.

It is read from the indicator catalogue (``resistance.pct_resistant`` and
``resistance.first_isolates`` grouped by setting and specimen), so it gives the same
numbers as the published indicators, on DuckDB or Spark. Each cell says how many first
isolates were tested and how many were S, I and R.

« I » is counted as the input contract defines it, in the EUCAST sense (« sensible à
forte posologie », susceptible, increased exposure): a susceptible result. So
``pct_susceptible`` is (S + I) ÷ tested, with its Wilson 95 % interval, and
``pct_susceptible_increased`` (I ÷ tested) says how much of it needs the high dose —
the same reading as the targeted reporting engine, where an I agent is a susceptible
agent a report may show (``cratb.engine.ast``). Cells with fewer than ``min_isolates``
(30) isolates tested are kept and flagged ``low_count``: CLSI M39 advises against
reading them. Expected resistant phenotypes (EUCAST, ``reference.expected``) are
``intrinsic`` cells: shown as « RN » (résistance naturelle), never as a rate.

``export`` writes the table as CSV, Excel (openpyxl) or PDF (reportlab), printable by a
clinician.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cratb.engine import reference, stats
from cratb.engine.backends import Session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import IndicatorError, Query, compute
from cratb.engine.reference import expected

__all__ = [
    "FIRST_ISOLATE_METHODS",
    "PHENOTYPE_POINTS",
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


#: The first-isolate rules: the episode rule (CLSI M39, the default) and the optional
#: phenotype-based rule (a new first isolate within the episode when the susceptibility
#: pattern changes by more than ``PHENOTYPE_POINTS`` points, as the AMR R package does).
FIRST_ISOLATE_METHODS = ("episode", "phenotype")
PHENOTYPE_POINTS = 2.0


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
    intrinsic: bool = False  # an expected resistant phenotype (EUCAST): no rate

    @property
    def pct_susceptible(self) -> float:
        """(S + I) ÷ tested, in %: I is susceptible (increased exposure) in the EUCAST
        sense; NaN for an intrinsic cell or when nothing was tested."""
        if self.intrinsic or not self.tested:
            return float("nan")
        return 100.0 * (self.susceptible + self.intermediate) / self.tested

    @property
    def pct_susceptible_increased(self) -> float:
        """I ÷ tested, in % (the part of ``pct_susceptible`` that needs the high dose)."""
        if self.intrinsic or not self.tested:
            return float("nan")
        return 100.0 * self.intermediate / self.tested

    @property
    def pct_resistant(self) -> float:
        if self.intrinsic or not self.tested:
            return float("nan")
        return 100.0 * self.resistant / self.tested

    @property
    def ci(self) -> tuple[float, float]:
        """Wilson 95 % interval of ``pct_susceptible`` (``stats.wilson``), in %."""
        interval = (
            None
            if self.intrinsic
            else stats.wilson(self.susceptible + self.intermediate, self.tested)
        )
        if interval is None:
            return float("nan"), float("nan")
        return 100.0 * interval[0], 100.0 * interval[1]

    @property
    def contrary(self) -> int:
        """Results other than R for an intrinsic pair: to be checked by the lab."""
        return self.susceptible + self.intermediate if self.intrinsic else 0


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
    first_isolate: str = "episode"  # FIRST_ISOLATE_METHODS

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
    def first_isolate_method(self) -> str:
        """The first-isolate rule in one sentence (printed on every page and file)."""
        episode = (
            "Premier isolat par patient et par espèce (CLSI M39, règle de l'épisode) : un"
            f" nouvel isolat de la même espèce n'est compté que {self.episode_days} jours ou"
            " plus après le début de l'épisode précédent"
        )
        if self.first_isolate == "phenotype":
            return (
                f"{episode} ; variante phénotypique (comme le paquet R AMR) : dans"
                " l'épisode, un isolat dont l'antibiogramme diffère de chaque premier isolat"
                f" déjà retenu de plus de {PHENOTYPE_POINTS:g} points (S contre R : 1 point ; I"
                " contre S ou R : 0,5 point, agents testés sur les deux) est aussi un premier"
                " isolat."
            )
        return episode + "."

    @property
    def method(self) -> list[str]:
        return [
            self.first_isolate_method,
            "% S : isolats sensibles (S ou I) parmi les premiers isolats testés, avec"
            " l'intervalle de confiance à 95 % (Wilson) ; « I » est compté comme sensible,"
            " au sens de l'EUCAST (sensible à forte exposition), comme dans l'antibiogramme"
            " ciblé ; la part de I est donnée à part (% I).",
            f"* : moins de {self.min_isolates} isolats testés, pourcentage peu fiable (CLSI M39).",
            "RN : résistance naturelle attendue (EUCAST, phénotypes de résistance attendus"
            f" {expected.EDITION}) : pas de taux mesuré ; les résultats S ou I transmis pour"
            " ces couples sont signalés aux laboratoires.",
        ]

    @property
    def has_intrinsic(self) -> bool:
        return any(c.intrinsic for c in self.cells)


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
    first_isolate: str = "episode",
) -> Antibiogram:
    """The antibiogram of ``setting`` (and ``specimen``) over the period; ``first_isolate``
    is ``episode`` (the default) or ``phenotype`` (``FIRST_ISOLATE_METHODS``)."""
    if first_isolate not in FIRST_ISOLATE_METHODS:
        raise AntibiogramError(
            f"règle du premier isolat inconnue « {first_isolate} » ; admises :"
            f" {', '.join(FIRST_ISOLATE_METHODS)}"
        )
    if setting not in SETTINGS:
        raise AntibiogramError(
            f"secteur inconnu « {setting} » ; secteurs admis : {', '.join(SETTINGS)}"
        )
    if specimen is not None and specimen not in SPECIMEN_LABELS:
        raise AntibiogramError(
            f"prélèvement inconnu « {specimen} » ; admis : {', '.join(SPECIMEN_LABELS)}"
        )
    by = ("setting", "specimen") if specimen else ("setting",)
    params = {
        "min_isolates": float(min_isolates),
        "episode_days": float(episode_days),
        "phenotype_points": PHENOTYPE_POINTS if first_isolate == "phenotype" else 0.0,
    }
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
            intrinsic=bool(r.get("intrinsic")),
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
        first_isolate=first_isolate,
    )
