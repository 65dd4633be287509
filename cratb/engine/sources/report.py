"""What an import says: counts, rejections with their reasons, refusals."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from cratb.engine.errors import EngineError

__all__ = ["MAX_LISTED_REJECTIONS", "ImportReport", "RefusedFile", "Rejection"]

# The report lists at most this many rejections; every one of them stays in the
# warehouse's ``rejected_rows`` table. A million reasons help no one read a report.
MAX_LISTED_REJECTIONS = 100_000


class RefusedFile(EngineError, ValueError):
    """The file cannot be read at all; nothing of it is stored. French, one line."""


@dataclass
class Rejection:
    row: int  # 1-based data row: row 1 is the first row after the header
    column: str | None  # None when the whole row is at fault (malformed CSV line)
    reason: str
    # Where a row converted from another layout came from: "ligne 3, colonne « CIP »",
    # "message 2 (MSH-10 M2), segment 6 OBX"; None for a long file (``row`` says it).
    place: str | None = None


@dataclass
class ImportReport:
    kind: str
    file: str
    sha256: str
    read: int
    accepted: int
    rejected: int
    rejections: list[Rejection]
    already_imported: bool
    import_id: int | None = None
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    rejections_listed_all: bool = True
    # Isolates: the version of the lab-code correspondence table the import used.
    lab_codes_version: int | None = None

    def __post_init__(self) -> None:
        if self.read != self.accepted + self.rejected:
            raise AssertionError(
                f"import {self.file}: {self.read} read != {self.accepted} accepted"
                f" + {self.rejected} rejected"
            )

    def to_json(self) -> str:
        data = asdict(self)
        for rejection in data["rejections"]:
            if rejection["place"] is None:
                del rejection["place"]
        if data["lab_codes_version"] is None:
            del data["lab_codes_version"]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
