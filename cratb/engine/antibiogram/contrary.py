"""Lab results that contradict an expected resistant phenotype (EUCAST).

A species is expected to be resistant to some agents (``reference.expected``: EUCAST
Expected Resistant Phenotypes v1.2): a K. pneumoniae is resistant to amoxicillin, a
P. aeruginosa to cefotaxime. A result S or I for such a pair is almost always an error
of identification, of testing or of transcription; the antibiogram never shows it as a
rate (« RN »), and this module lists it for the lab that sent it: every result of the
period (first isolate or not: each one is a report the lab signed), per lab × organism ×
antibiotic, and one line per result with the lab's own isolate identifier so that the
lab can find it. CSV in the project's one writer (``cratb.engine.tabular``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import ibis

from cratb.engine.backends import Session
from cratb.engine.reference import expected
from cratb.engine.tabular import CONTRACT, Dialect, csv_bytes

__all__ = ["ContraryReport", "ContraryResult", "contrary_results", "to_csv"]


@dataclass(frozen=True)
class ContraryResult:
    lab_id: str
    isolate_id: str
    sampled_on: date
    setting: str
    specimen: str
    organism: str
    antibiotic: str
    sir: str


@dataclass
class ContraryReport:
    date_from: date
    date_to: date
    lab_id: str | None
    results: list[ContraryResult]
    #: Every result sent for an expected resistant pair, per lab (the denominator).
    checked: dict[str, int] = field(default_factory=dict)
    edition: str = expected.EDITION

    @property
    def summary(self) -> list[tuple[str, str, str, int, int, int]]:
        """(lab_id, organism, antibiotic, results S, results I, total) per pair, most
        frequent first."""
        counts: dict[tuple[str, str, str], list[int]] = {}
        for r in self.results:
            key = (r.lab_id, r.organism, r.antibiotic)
            entry = counts.setdefault(key, [0, 0])
            entry[0 if r.sir == "S" else 1] += 1
        rows = [(*k, s, i, s + i) for k, (s, i) in counts.items()]
        return sorted(rows, key=lambda r: (-r[5], r[0], r[1], r[2]))

    @property
    def labs(self) -> list[tuple[str, int, int]]:
        """(lab_id, contrary results, results sent for expected resistant pairs)."""
        contrary: dict[str, int] = {}
        for r in self.results:
            contrary[r.lab_id] = contrary.get(r.lab_id, 0) + 1
        labs = sorted(set(contrary) | set(self.checked))
        return [(lab, contrary.get(lab, 0), self.checked.get(lab, 0)) for lab in labs]


def contrary_results(
    session: Session, *, date_from: date, date_to: date, lab_id: str | None = None
) -> ContraryReport:
    """The results S or I of the period for an expected resistant pair (of ``lab_id``
    only when given), in lab, date, isolate and antibiotic order."""
    t = session.table("isolates")
    t = t.filter(t.sampled_on.between(ibis.literal(date_from), ibis.literal(date_to)))
    if lab_id is not None:
        t = t.filter(t.lab_id == lab_id)
    pairs = session.memtable(expected.expected_table())
    joined = t.join(
        pairs, (t.organism == pairs.organism) & (t.antibiotic == pairs.antibiotic)
    ).select(
        t.lab_id, t.isolate_id, t.sampled_on, t.setting, t.specimen, t.organism,
        t.antibiotic, t.sir,
    )  # fmt: skip
    checked = session.to_arrow(joined.group_by("lab_id").aggregate(n=joined.count()))
    bad = joined.filter(joined.sir != "R").order_by(
        ["lab_id", "sampled_on", "isolate_id", "antibiotic"]
    )
    rows = session.to_arrow(bad).to_pylist()
    return ContraryReport(
        date_from=date_from,
        date_to=date_to,
        lab_id=lab_id,
        results=[ContraryResult(**r) for r in rows],
        checked={str(r["lab_id"]): int(r["n"]) for r in checked.to_pylist()},
    )


def to_csv(report: ContraryReport, *, dialect: Dialect = CONTRACT) -> bytes:
    """One line per contrary result; the French dialect for the web pages."""
    columns = [
        "lab_id", "isolate_id", "sampled_on", "setting", "specimen", "organism",
        "antibiotic", "sir", "expected", "reference",
    ]  # fmt: skip
    reference = f"EUCAST Expected Resistant Phenotypes {report.edition}"
    rows = [
        [r.lab_id, r.isolate_id, r.sampled_on, r.setting, r.specimen, r.organism,
         r.antibiotic, r.sir, "R", reference]
        for r in report.results
    ]  # fmt: skip
    return csv_bytes(columns, rows, dialect=dialect)
