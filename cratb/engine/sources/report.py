"""What an import says: counts, rejections with their reasons, refusals."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = ["MAX_LISTED_REJECTIONS", "ImportReport", "RefusedFile", "Rejection"]

# The report lists at most this many rejections; every one of them stays in the
# warehouse's ``rejected_rows`` table. A million reasons help no one read a report.
MAX_LISTED_REJECTIONS = 100_000


class RefusedFile(ValueError):
    """The file cannot be read at all; nothing of it is stored. French, one line."""


@dataclass
class Rejection:
    row: int  # 1-based data row: row 1 is the first row after the header
    column: str | None  # None when the whole row is at fault (malformed CSV line)
    reason: str


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

    def __post_init__(self) -> None:
        if self.read != self.accepted + self.rejected:
            raise AssertionError(
                f"import {self.file}: {self.read} read != {self.accepted} accepted"
                f" + {self.rejected} rejected"
            )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"
