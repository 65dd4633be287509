"""Staging of the community files: the columns indicators use, named and typed once."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

__all__ = ["dispensations", "month_label", "population"]


def dispensations(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per dispensing row of the period: ``month_key`` (YYYYMM as an integer),
    ``commune`` (the patient's, when the line carries it), ``departement`` (the
    patient's), ``patient_id`` (pseudonymous), ``prescriber_id`` and its integer
    ``prescriber_key``, ``prescriber_specialty`` and, in a warehouse that stores it, its
    integer ``specialty_key``, ``setting``, ``cip13``, ``boxes`` (signed), ``line_weight``
    (1 on the row that stands for a prescription line, see ``sources/derived.py``)."""
    t = t.filter(t.dispensed_on.between(ibis.literal(date_from), ibis.literal(date_to)))
    # The patient's commune (optional column, absent from earlier warehouses): ``commune``.
    commune = t.patient_commune if "patient_commune" in t.columns else ibis.null("string")
    # The specialty's integer key (absent from warehouses not imported into since it came).
    specialty_key = {"specialty_key": t.specialty_key} if "specialty_key" in t.columns else {}
    return t.select(
        commune=commune,
        month_key=(t.dispensed_on.year() * 100 + t.dispensed_on.month()).cast("int32"),
        departement=t.patient_departement,
        patient_id=t.patient_id,
        prescriber_id=t.prescriber_id,
        prescriber_key=t.prescriber_key,
        prescriber_specialty=t.prescriber_specialty,
        **specialty_key,
        setting=t.setting,
        cip13=t.cip13,
        boxes=t.boxes,
        line_weight=t.line_weight.cast("int64"),
    )


def population(t: ir.Table) -> ir.Table:
    """One row per year × département: ``population``. A file may give totals (no sex,
    no age band) or a breakdown by sex and age band: totals are used where present,
    otherwise the breakdown is summed, so no one is counted twice."""
    total = (t.sex.isnull() & t.age_band.isnull()).ifelse(t.population, 0)
    has_total = (t.sex.isnull() & t.age_band.isnull()).ifelse(1, 0)
    g = t.group_by(["year", "departement"]).agg(
        total=total.sum(), totals=has_total.sum(), breakdown=t.population.sum()
    )
    return g.select(
        g.year.cast("int32").name("year"),
        "departement",
        (g.totals > 0).ifelse(g.total, g.breakdown).cast("int64").name("population"),
    )


def month_label(month_key: ir.IntegerValue) -> ir.StringValue:
    """'YYYY-MM' from a YYYYMM integer."""
    year = (month_key // 100).cast("string")
    month = (month_key % 100).cast("string").lpad(2, "0")
    return year + ibis.literal("-") + month
