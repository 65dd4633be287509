"""Where reference tables live and how edition files are read and written.

The project ships its tables in ``cratb/engine/reference/data/``. A region that imports a
newer WHO edition may write it there (a developer checkout) or, on an installed platform
whose package folder is read-only, into a local folder of its own
(``CRATB_REFERENCE_DIR``). Files are looked up in that folder first, then in the
packaged one, so a local edition overrides the shipped one without copying everything.

The reference tables are read once per process and shared by every lookup, so the local
folder is a setting of the process: the entry point (the command line, the web's
start-up) gives it once, from the engine configuration, with
``reference.use_local_dir``; nothing here reads the environment.

Layout of a data folder::

    editions.json            {"atc_ddd": "2026-04-25", "aware": "2023", "population": "2017"}
    atc_ddd/<edition>.csv    atc, atc_name, route, ddd, unit, note
    aware/<edition>.csv      atc, antibiotic, class, route, category, eml
    antibacterials.csv       the curated list (French names, WHONET codes)
    territories.csv          regions and départements with population
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

PACKAGED_DIR = Path(__file__).resolve().parent / "data"
EDITIONS_FILE = "editions.json"

_local_dir: Path | None = None


def set_local_dir(folder: Path | None) -> None:
    """The region's own folder of editions, searched first (none: the packaged tables
    only). Callers clear the lookups' caches: ``reference.use_local_dir`` does both."""
    global _local_dir
    _local_dir = folder


def local_dir() -> Path | None:
    return _local_dir


def search_dirs() -> list[Path]:
    """Folders searched for a reference file, the local override first."""
    dirs = [_local_dir] if _local_dir else []
    return [*dirs, PACKAGED_DIR]


def write_dir() -> Path:
    """Folder an importer writes to when the caller names none."""
    return _local_dir or PACKAGED_DIR


def find(relative: str) -> Path:
    for folder in search_dirs():
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(relative)


def read_editions() -> dict[str, str]:
    """The current editions: the override folder's choices win key by key."""
    merged: dict[str, str] = {}
    for folder in reversed(search_dirs()):
        path = folder / EDITIONS_FILE
        if path.is_file():
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def write_editions(folder: Path, updates: Mapping[str, str]) -> None:
    path = folder / EDITIONS_FILE
    current: dict[str, str] = {}
    if path.is_file():
        current = json.loads(path.read_text(encoding="utf-8"))
    current.update(updates)
    atomic_write_text(path, json.dumps(current, indent=2, sort_keys=True) + "\n")


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def csv_text(fieldnames: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    lines: list[str] = []

    class _Sink:
        def write(self, text: str) -> int:
            lines.append(text)
            return len(text)

    writer = csv.DictWriter(_Sink(), fieldnames=list(fieldnames), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return "".join(lines)


def atomic_write_text(path: Path, text: str) -> None:
    """Write through a temporary file so a reader never sees half a table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
