"""The public drug database (BDPM) → ``products`` rows for systemic antibacterials.

``read_bdpm_folder(folder)`` (or ``read_bdpm(specialities=…, presentations=…,
compositions=…)``) reads the three published files; ``build_catalogue(bdpm,
atc_codes=…, overrides=…)`` builds the product rows with the reason of each amount;
``read_overrides(path)`` reads the region's corrections. See docs/open-data.md.
"""

from __future__ import annotations

from cratb.engine.sources.opendata.bdpm.catalogue import (
    DEFAULT_SCOPE,
    PRODUCT_SCHEMA,
    UNRESOLVED_SCHEMA,
    Catalogue,
    build_catalogue,
)
from cratb.engine.sources.opendata.bdpm.files import (
    FILE_NAMES,
    Bdpm,
    BdpmRejection,
    read_bdpm,
    read_bdpm_folder,
)
from cratb.engine.sources.opendata.bdpm.overrides import (
    Override,
    Overrides,
    latest_edition,
    read_overrides,
)

__all__ = [
    "DEFAULT_SCOPE",
    "FILE_NAMES",
    "PRODUCT_SCHEMA",
    "UNRESOLVED_SCHEMA",
    "Bdpm",
    "BdpmRejection",
    "Catalogue",
    "Override",
    "Overrides",
    "build_catalogue",
    "latest_edition",
    "read_bdpm",
    "read_bdpm_folder",
    "read_overrides",
]
