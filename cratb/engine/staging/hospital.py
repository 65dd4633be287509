"""Staging of the hospital files (ConsoRes-like, CONTRACTS.md 1.4)."""

from __future__ import annotations

import ibis.expr.types as ir

__all__ = ["finess_departement", "resident_days"]


def finess_departement(finess: ir.StringValue) -> ir.StringValue:
    """The INSEE département of an establishment, read from its FINESS number: the first
    two characters (``2A``/``2B`` in Corsica), three for the overseas départements
    (FINESS numbers of Guadeloupe begin with 971…)."""
    return (finess.left(2) == "97").ifelse(finess.left(3), finess.left(2))


def resident_days(patient_days: ir.Table, hospital_consumption: ir.Table | None) -> ir.Table:
    """One row per year × département: ``resident_days`` of the nursing homes whose
    medicines are dispensed by community pharmacies, and ``year_days`` (365 or 366).

    Those are the nursing homes without a hospital pharmacy (EHPAD sans PUI), the scope of
    Santé publique France's indicator: an establishment that reports its own consumption
    in ``hospital_consumption`` that year (a hospital with a nursing-home sector) supplies
    its residents itself, so its resident-days are left out."""
    t = patient_days.filter(patient_days.sector == "nursing_home")
    if hospital_consumption is not None:
        reporting = hospital_consumption.select("finess", "year").distinct()
        t = t.anti_join(reporting, ["finess", "year"])
    t = t.mutate(departement=finess_departement(t.finess))
    g = t.group_by(["year", "departement"]).aggregate(resident_days=t.patient_days.sum())
    leap = ((g.year % 4 == 0) & (g.year % 100 != 0)) | (g.year % 400 == 0)
    return g.mutate(year=g.year.cast("int32"), year_days=leap.ifelse(366, 365))
