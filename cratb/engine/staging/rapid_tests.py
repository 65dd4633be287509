"""Staging of the rapid-test files (``rapid_tests``, ``rapid_test_kits``,
``rapid_test_places``)."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from cratb.engine.staging.community import month_label

__all__ = ["kits", "place_departement", "places", "tests"]


def place_departement(t: ir.Table) -> ir.StringValue:
    """The département of the row: as given, else read from its commune code (three
    characters overseas, 971…976, two elsewhere)."""
    commune = t.commune
    from_commune = commune.startswith("97").ifelse(commune.left(3), commune.left(2))
    return ibis.coalesce(t.departement, from_commune)


def _calendar(t: ir.Table, day: ir.DateValue) -> dict[str, ir.Value]:
    month_key = (day.year() * 100 + day.month()).cast("int32")
    return {
        "year": day.year().cast("int32"),
        "month": month_label(month_key),
        "departement": place_departement(t),
        "commune": t.commune,
        "place_code": t.place_code,
        "place_kind": t.place_kind.fill_null("other"),
        "test": t.test,
    }


def tests(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per test of the period: ``year``, ``month`` ('YYYY-MM'), ``departement``,
    ``commune`` (NULL when the file gave the département only), ``place_code``,
    ``place_kind``, ``test``, ``positive``, ``negative`` (booleans: an invalid test is
    neither), ``antibiotic`` (an antibiotic was dispensed)."""
    t = t.filter(t.tested_on.between(ibis.literal(date_from), ibis.literal(date_to)))
    return t.select(
        **_calendar(t, t.tested_on),
        positive=t.result == "positive",
        negative=t.result == "negative",
        antibiotic=t.antibiotic_dispensed == "Y",
    )


def kits(t: ir.Table, *, date_from: date, date_to: date) -> ir.Table:
    """One row per order of rapid-test kits of the period: the columns of ``tests`` but
    the results, and ``kits``."""
    t = t.filter(t.ordered_on.between(ibis.literal(date_from), ibis.literal(date_to)))
    return t.select(**_calendar(t, t.ordered_on), kits=t.kits)


def places(t: ir.Table) -> ir.Table:
    """One row per registered place: ``place_code``, ``place_kind``, ``commune`` (NULL
    when the register gives the département only), ``departement``."""
    return t.select(
        place_code=t.place_code,
        place_kind=t.place_kind,
        commune=t.commune,
        departement=place_departement(t),
    )
