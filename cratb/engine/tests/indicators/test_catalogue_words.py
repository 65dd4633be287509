"""What the catalogue tells readers (issue #14, point 5): sources that cite published
references, never the project's internal documents; the population edition is the
population that was used, not the reference tables' older census."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cratb.engine import reference
from cratb.engine.backends import open_session
from cratb.engine.indicators import CATALOGUE, Query, compute
from cratb.engine.tests.indicators import golden


@pytest.mark.parametrize("indicator", sorted(CATALOGUE))
def test_no_source_cites_an_internal_document(indicator: str) -> None:
    declaration = CATALOGUE[indicator]
    texts = [declaration.source, *(t.source for t in declaration.targets)]
    for text in texts:
        assert ".md" not in text and "CONTRACTS" not in text, (indicator, text)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return golden.build(tmp_path_factory.mktemp("golden"))


def test_the_population_edition_is_the_population_used(warehouse: Path) -> None:
    assert reference.editions()["population"] == "2017"  # the maps' census
    with open_session(warehouse=warehouse, backend="duckdb") as session:
        one_year = compute(
            "community.did",
            session,
            Query(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
        )
        both = compute(
            "community.did",
            session,
            Query(date_from=date(2024, 1, 1), date_to=date(2025, 12, 31)),
        )
        later = compute(
            "community.did",
            session,
            Query(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)),
        )
        share = compute("community.access_share", session)
    assert one_year.editions["population"] == "2025"
    assert both.editions["population"] == "2024, 2025"
    # A year without its own population counts with the latest earlier one.
    assert later.editions["population"] == "2025"
    # An indicator that uses no population says nothing of it.
    assert "population" not in share.editions
