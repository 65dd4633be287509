from __future__ import annotations

from pathlib import Path

import pytest

from cratb.engine.demo import DemoFiles, DemoSpec, generate


@pytest.fixture(scope="session")
def demo_idf(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """Île-de-France at the default scale of ``make run`` (about 110 000 dispensing lines)."""
    out: Path = tmp_path_factory.mktemp("demo-idf")
    return generate(DemoSpec(region_code="11", scale=0.01, seed=1, year=2025), out_dir=out)
