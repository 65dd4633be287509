"""Staging of the lab susceptibility results (CONTRACTS.md 1.5)."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from cratb.engine.staging.community import month_label

__all__ = ["ISOLATE_COLUMNS", "isolate_rows"]

# Columns that are the same on every row of one isolate.
ISOLATE_COLUMNS = (
    "isolate_id",
    "patient_id",
    "organism",
    "day",
    "month_key",
    "specimen",
    "setting",
    "departement",
    "lab_id",
    "esbl",
)


def isolate_rows(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per isolate × antibiotic sampled in the period: ``isolate_id``,
    ``patient_id``, ``organism``, ``day`` (days since 1970-01-01, so that episode lengths
    are integer differences on every backend), ``month_key`` (YYYYMM), ``specimen``,
    ``setting``, ``departement``, ``lab_id``, ``esbl`` (the lab's flag, Y/N or NULL),
    ``antibiotic``, ``sir``, and ``is_head`` (true on the one row per isolate marked at
    import, ``isolate_row``)."""
    t = t.filter(t.sampled_on.between(ibis.literal(date_from), ibis.literal(date_to)))
    return t.select(
        isolate_id=t.isolate_id,
        patient_id=t.patient_id,
        organism=t.organism,
        day=t.sampled_on.epoch_days().cast("int64"),
        month_key=(t.sampled_on.year() * 100 + t.sampled_on.month()).cast("int32"),
        specimen=t.specimen,
        setting=t.setting,
        departement=t.departement,
        lab_id=t.lab_id,
        esbl=t.esbl,
        antibiotic=t.antibiotic,
        sir=t.sir,
        is_head=t.isolate_row.cast("int8") == 1,
    )


def calendar(t: ir.Table) -> ir.Table:
    """``year`` and ``month`` ('YYYY-MM') from ``month_key``."""
    return t.mutate(year=(t.month_key // 100).cast("int32"), month=month_label(t.month_key))
