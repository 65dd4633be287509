"""A directory import file between its preview and its confirmation.

The uploaded file is kept on disk under ``MEDIA_ROOT/pending-imports/`` with a random
name (the token); the session holds only the token, the kind and the original name, never
the file's content. The file is deleted when the import is confirmed, refused or replaced,
and by :func:`purge` (``manage.py purge_import_files``, and every new upload) once older
than ``CRATB_PENDING_IMPORT_MINUTES``.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

FOLDER = "pending-imports"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def max_age_seconds() -> int:
    return int(settings.CRATB_PENDING_IMPORT_MINUTES) * 60


def keep(upload: UploadedFile) -> str:
    """Write ``upload`` to disk; returns its token."""
    directory = folder()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    with (directory / token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def path_of(token: str) -> Path | None:
    """The kept file of ``token``, or None when unknown, malformed or expired."""
    if not _TOKEN.match(token or ""):
        return None
    path = folder() / token
    if not path.is_file() or path.stat().st_mtime < time.time() - max_age_seconds():
        return None
    return path


def discard(token: str) -> None:
    if _TOKEN.match(token or ""):
        (folder() / token).unlink(missing_ok=True)


def purge(*, older_than_seconds: int | None = None) -> int:
    """Delete kept files older than the limit; returns how many."""
    directory = folder()
    if not directory.is_dir():
        return 0
    limit = time.time() - (max_age_seconds() if older_than_seconds is None else older_than_seconds)
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
