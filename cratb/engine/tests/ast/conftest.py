"""Targeted-reporting tests see the shipped rule set and reference tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cratb.engine import reference
from cratb.engine.ast import rules
from cratb.engine.reference import storage


@pytest.fixture(autouse=True)
def shipped_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(rules.ENV_DIR, raising=False)
    monkeypatch.delenv(storage.ENV_DIR, raising=False)
    reference.clear_caches()
    rules.clear()
    yield
    rules.clear()
    reference.clear_caches()
