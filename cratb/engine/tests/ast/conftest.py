"""Targeted-reporting tests see the shipped rule set and reference tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cratb.engine import reference
from cratb.engine.ast import rules


@pytest.fixture(autouse=True)
def shipped_rules() -> Iterator[None]:
    reference.use_local_dir(None)
    reference.clear_caches()
    rules.clear()
    yield
    rules.clear()
    reference.clear_caches()
