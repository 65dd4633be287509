from __future__ import annotations

from collections.abc import Iterator

import pytest

from cratb.engine import reference
from cratb.engine.reference import storage


@pytest.fixture(autouse=True)
def packaged_tables_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests see the shipped tables, whatever local folder the developer's shell names."""
    monkeypatch.delenv(storage.ENV_DIR, raising=False)
    reference.clear_caches()
    yield
    reference.clear_caches()
