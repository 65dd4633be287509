"""Staging of the lab susceptibility results (CONTRACTS.md 1.5): the result rows and the
isolate-level table the importer keeps beside them (``sources.isolate_heads``)."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from cratb.engine.staging.community import month_label

__all__ = ["AGE_BANDS", "calendar", "demographics", "isolate_heads", "isolate_rows"]

#: Age bands of the resistance indicators (``age_band``): the advice requests' bands, so
#: that a region reads the same ages everywhere. (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-2", 0, 2),
    ("3-15", 3, 15),
    ("16-64", 16, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, 200),
)


def _period(t: ir.Table, date_from: date, date_to: date) -> ir.Table:
    return t.filter(t.sampled_on.between(ibis.literal(date_from), ibis.literal(date_to)))


def isolate_rows(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per isolate × antibiotic sampled in the period: ``isolate_id``,
    ``organism``, ``sampled_on``, ``specimen``, ``setting``, ``departement``, ``lab_id``,
    ``patient_age``, ``patient_sex`` (optional in the contract: NULL when not sent),
    ``antibiotic``, ``sir``."""
    t = _period(t, date_from, date_to)
    return t.select(
        "isolate_id",
        "organism",
        "sampled_on",
        "specimen",
        "setting",
        "departement",
        "lab_id",
        "patient_age",
        "patient_sex",
        "antibiotic",
        "sir",
    )


def isolate_heads(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per isolate sampled in the period: ``isolate_id``, ``patient_id``,
    ``organism``, ``sampled_on``, ``day`` (days since 1970-01-01, so that episode lengths
    are integer differences on every backend), ``specimen``, ``setting``,
    ``departement``, ``lab_id``, ``esbl`` (the lab's flag, Y/N or NULL), ``patient_age``,
    ``patient_sex`` (NULL when not sent) and
    ``repeated`` (the patient has another isolate of the species in the warehouse)."""
    t = _period(t, date_from, date_to)
    return t.select(
        "isolate_id",
        "patient_id",
        "organism",
        "sampled_on",
        "specimen",
        "setting",
        "departement",
        "lab_id",
        "esbl",
        "patient_age",
        "patient_sex",
        day=t.sampled_on.epoch_days().cast("int64"),
        repeated=t.repeated.cast("int8") == 1,
    )


def calendar(t: ir.Table, *, year: bool, month: bool) -> ir.Table:
    """``year`` and/or ``month`` ('YYYY-MM') from ``sampled_on``."""
    columns: dict[str, ir.Value] = {}
    if year:
        columns["year"] = t.sampled_on.year().cast("int32")
    if month:
        key = (t.sampled_on.year() * 100 + t.sampled_on.month()).cast("int32")
        columns["month"] = month_label(key)
    return t.mutate(**columns) if columns else t


def demographics(t: ir.Table, *, age_band: bool, sex: bool) -> ir.Table:
    """``age_band`` (``AGE_BANDS``, from ``patient_age``) and/or ``sex`` (F/M, from
    ``patient_sex``); NULL where the lab did not send the patient's age or sex."""
    columns: dict[str, ir.Value] = {}
    if age_band:
        age = t.patient_age.cast("int32")
        columns["age_band"] = ibis.cases(
            *((age.between(low, high), label) for label, low, high in AGE_BANDS),
            else_=ibis.null("string"),
        )
    if sex:
        columns["sex"] = t.patient_sex.cast("string")
    return t.mutate(**columns) if columns else t
