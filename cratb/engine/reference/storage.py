"""Where reference tables live and how edition files are read and written.

The project ships its tables in ``cratb/engine/reference/data/``. A region that imports a
newer WHO edition may write it there (a developer checkout) or, on an installed platform
whose package folder is read-only, into the folder named by ``CRATB_REFERENCE_DIR``. Files
are looked up in that folder first, then in the packaged one, so a local edition overrides
the shipped one without copying everything.

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
ENV_DIR = "CRATB_REFERENCE_DIR"
EDITIONS_FILE = "editions.json"


def search_dirs() -> list[Path]:
    """Folders searched for a reference file, the local override first."""
    override = os.environ.get(ENV_DIR)
    dirs = [Path(override)] if override else []
    return [*dirs, PACKAGED_DIR]


def write_dir() -> Path:
    """Folder an importer writes to when the caller names none."""
    override = os.environ.get(ENV_DIR)
    return Path(override) if override else PACKAGED_DIR


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
