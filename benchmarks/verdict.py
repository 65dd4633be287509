"""What every benchmark of issue #19 reports the same way: the machine and its load, one
« met / missed by X » line per target, and a results file whose name says when it was
measured under load (``results-<size>-under-load.json``).

The development machine is shared: the load average of the other jobs changes every time
by a factor of several, so a result is only read beside the load it was measured under,
and a result measured while the machine was busy is never taken for the quiet one.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Above this 1-minute load average per core before the benchmark starts, the machine is
#: counted busy: other jobs then share the cores the benchmark measures. (Only the load
#: before the first run counts: the benchmark's own runs raise the later ones.)
BUSY_LOAD_PER_CORE = 0.5


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    import duckdb

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "os": platform.platform(),
    }


def busy(loads: list[list[float]]) -> bool:
    """Whether the machine was busy before the benchmark started (``loads[0]``, the load
    average before the first run; ``BUSY_LOAD_PER_CORE``)."""
    cores = os.cpu_count() or 1
    return bool(loads) and loads[0][0] > BUSY_LOAD_PER_CORE * cores


def results_path(folder: Path, size: int, loads: list[list[float]]) -> Path:
    """``results-<size>.json``, or ``results-<size>-under-load.json`` when the benchmark
    started on a busy machine: such a file never replaces the quiet machine's."""
    suffix = "-under-load" if busy(loads) else ""
    return folder / f"results-{size}{suffix}.json"


@dataclass(frozen=True)
class Target:
    """One target of the issue: ``measured`` against ``limit``; ``at_most`` says which
    side is good (a ratio to the floor at most 2; a speed-up at least 5)."""

    name: str
    measured: float | None
    limit: float
    at_most: bool = True
    unit: str = "×"
    why_not: str = ""

    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        goal = f"{self.name} {sign} {self.limit:g}{self.unit}"
        if self.measured is None:
            return f"NOT MEASURED  {goal}: {self.why_not or 'not run'}"
        got = f"{self.measured:.3g}{self.unit}"
        if self.met():
            return f"MET           {goal}: {got}"
        missed = self.measured / self.limit if self.at_most else self.limit / self.measured
        return f"MISSED by {missed:.2f}×  {goal}: {got}"

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.name,
            "limit": self.limit,
            "at_most": self.at_most,
            "measured": self.measured,
            "met": self.met(),
            "line": self.line(),
        }


def report(targets: list[Target], loads: list[list[float]]) -> list[dict[str, Any]]:
    """Print one line per target with the load the runs started under; return them for
    the results file."""
    cores = os.cpu_count() or 1
    state = "BUSY machine: these are not the quiet machine's figures" if busy(loads) else "quiet"
    print(f"load average before the benchmark, then at each run ({cores} cores): {loads} — {state}")
    for target in targets:
        print("  " + target.line())
    return [t.as_json() for t in targets]
