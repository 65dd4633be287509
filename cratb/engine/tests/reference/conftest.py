"""Reference tests see the shipped tables, whatever local folder an earlier test named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cratb.engine import reference


@pytest.fixture(autouse=True)
def packaged_tables_only() -> Iterator[None]:
    """Tests see the shipped tables, whatever local folder an earlier test named."""
    reference.use_local_dir(None)
    reference.clear_caches()
    yield
    reference.clear_caches()
