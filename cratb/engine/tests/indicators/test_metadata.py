"""The catalogue's metadata is declared once: every --by column of every indicator is a
declared dimension, with a French and an English name."""

from __future__ import annotations

from cratb.engine.dimensions import DIMENSIONS, GEO_COLUMNS, TIME_COLUMNS, column_label
from cratb.engine.indicators import CATALOGUE


def test_every_column_an_indicator_is_grouped_by_is_a_declared_dimension() -> None:
    used = {c for ind in CATALOGUE.values() for c in (*ind.by, *ind.always_by)}
    assert {"departement", "prescriber_id", "organism", "finess"} <= used
    assert used - set(DIMENSIONS) == set()
    assert {*TIME_COLUMNS, *GEO_COLUMNS} <= set(DIMENSIONS)


def test_a_dimension_is_named_in_the_language_asked() -> None:
    assert column_label("prescriber_specialty") == "spécialité du prescripteur"
    assert column_label("prescriber_specialty", language="fr") == "spécialité du prescripteur"
    assert column_label("prescriber_specialty", language="en") == "prescriber's specialty"
    assert column_label("atc3", language="en-gb") == "ATC class (level 3)"
    assert column_label("unknown_column", language="en") == "unknown_column"
