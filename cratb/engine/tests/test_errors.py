"""Every error the engine defines for its callers derives from ``EngineError``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import cratb.engine
from cratb.engine.errors import EngineError


def _engine_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(cratb.engine.__path__, prefix="cratb.engine."):
        if ".tests" not in info.name:
            names.append(info.name)
    return names


def test_every_public_engine_exception_is_an_engine_error() -> None:
    found = {}
    for name in _engine_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not attr.startswith("_")
            ):
                found[f"{name}.{attr}"] = value
    assert "cratb.engine.backends.BackendError" in found
    assert "cratb.engine.sources.report.RefusedFile" in found
    outside = sorted(name for name, cls in found.items() if not issubclass(cls, EngineError))
    assert outside == []


def test_engine_errors_keep_their_builtin_base() -> None:
    from cratb.engine.backends import BackendError
    from cratb.engine.indicators import IndicatorError
    from cratb.engine.sources import RefusedFile
    from cratb.engine.warehouse import WarehouseError

    assert issubclass(IndicatorError, ValueError)
    assert issubclass(RefusedFile, ValueError)
    assert issubclass(BackendError, RuntimeError)
    assert issubclass(WarehouseError, RuntimeError)
