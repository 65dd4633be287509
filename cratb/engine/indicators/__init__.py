"""The indicator catalogue (see ``catalogue``) and the modules that declare indicators.

Importing this package registers every indicator: ``CATALOGUE`` maps ids to
declarations, ``compute(id, session, Query(...))`` computes one.
"""

from __future__ import annotations

from cratb.engine.indicators import community, hospital, rapid_tests, resistance
from cratb.engine.indicators.catalogue import (
    CATALOGUE,
    PREPARATIONS,
    Indicator,
    IndicatorError,
    Query,
    Result,
    Target,
    available_years,
    compute,
    get,
)

__all__ = [
    "CATALOGUE",
    "PREPARATIONS",
    "Indicator",
    "IndicatorError",
    "Query",
    "Result",
    "Target",
    "available_years",
    "community",
    "compute",
    "get",
    "hospital",
    "rapid_tests",
    "resistance",
]
