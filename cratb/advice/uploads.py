"""Attachments: a PDF or an image of a susceptibility report, checked by content.

The type is read from the file's first bytes (its "magic number"), never from its
name or the browser's declared type: an executable renamed ``.pdf`` is refused.
Files are stored under ``MEDIA_ROOT/advice/`` with a random name and served only by
a view that checks who asks (never by the web server as public media).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024

#: (first bytes, offset, MIME type, extension). WebP is RIFF....WEBP.
SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"II*\x00", 0, "image/tiff", "tif"),
    (b"MM\x00*", 0, "image/tiff", "tif"),
    (b"WEBP", 8, "image/webp", "webp"),
)


class AttachmentError(ValueError):
    """A file that cannot be attached; the message is French and says why."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(head: bytes) -> Sniffed | None:
    """The accepted type of a file from its first bytes, or None."""
    for magic, offset, content_type, extension in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if extension == "webp" and head[:4] != b"RIFF":
                continue
            return Sniffed(content_type, extension)
    return None


def check_upload(upload: UploadedFile) -> Sniffed:
    """Refuse a file over 10 MB or not a PDF/image by content; return its real type."""
    name = upload.name or _("fichier")
    if upload.size is not None and upload.size > MAX_BYTES:
        size_mb = upload.size / (1024 * 1024)
        raise AttachmentError(
            _("« %(name)s » pèse %(size).0f Mo : la limite est de 10 Mo par fichier.")
            % {"name": name, "size": size_mb}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise AttachmentError(
            _(
                "« %(name)s » n'est ni un PDF ni une image (PNG, JPEG, TIFF, WebP) d'après "
                "son contenu : seuls ces formats sont acceptés."
            )
            % {"name": name}
        )
    return found


def check_quota(*, count: int, size: int) -> None:
    """Refuse more files, or more megabytes in all, than one request may carry
    (``CRATB_ATTACHMENTS_MAX_FILES``, ``CRATB_ATTACHMENTS_MAX_TOTAL_MB``)."""
    most = int(settings.CRATB_ATTACHMENTS_MAX_FILES)
    if count > most:
        raise AttachmentError(
            _("%(count)s fichiers joints : %(most)s au plus par demande.")
            % {"count": count, "most": most}
        )
    total_mb = float(settings.CRATB_ATTACHMENTS_MAX_TOTAL_MB)
    if size > total_mb * 1024 * 1024:
        raise AttachmentError(
            _("Les pièces jointes pèsent %(size).0f Mo en tout : %(most)s Mo au plus par demande.")
            % {"size": size / (1024 * 1024), "most": f"{total_mb:g}"}
        )


def media_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "advice"


def store(upload: UploadedFile, *, sniffed: Sniffed, folder: str) -> str:
    """Write ``upload`` under ``MEDIA_ROOT/advice/<folder>/`` with a random name.

    Returns the path relative to ``MEDIA_ROOT`` (what a FileField stores).
    """
    directory = media_dir() / folder
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"advice/{folder}/{secrets.token_hex(16)}.{sniffed.extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


# --- files kept across a form that must be corrected -------------------------------
#
# A browser cannot re-fill a file input: when a form comes back with an error on
# another field, the files already checked are kept on the server ("pending") and the
# form carries a signed list of them, so the requester does not have to attach them
# again. They are kept a short time only (``CRATB_PENDING_ATTACHMENT_MINUTES``), and at
# most ``CRATB_PENDING_ATTACHMENTS_MB_PER_VISITOR`` megabytes an hour for one address; the
# reminder job and ``manage.py purge_import_files`` delete the expired ones.

PENDING_FOLDER = "pending"
PENDING_SALT = "cratb.advice.pending-files"


def pending_max_age() -> int:
    return int(settings.CRATB_PENDING_ATTACHMENT_MINUTES) * 60


def may_stash(*, address: str, size: int) -> bool:
    """Count ``size`` bytes against the visitor's hourly allowance of pending files; False
    (nothing counted) when it would pass the allowance."""
    from django.core.cache import caches

    allowance = float(settings.CRATB_PENDING_ATTACHMENTS_MB_PER_VISITOR) * 1024 * 1024
    cache = caches[settings.RATELIMIT_USE_CACHE]
    key = f"cratb.pending-bytes.{address}"
    cache.add(key, 0, timeout=3600)
    used = int(cache.get(key) or 0)
    if used + size > allowance:
        return False
    cache.set(key, used + size, timeout=3600)
    return True


@dataclass(frozen=True)
class PendingFile:
    path: str  # relative to MEDIA_ROOT
    name: str
    content_type: str
    size: int

    def as_dict(self) -> dict[str, str | int]:
        return {"p": self.path, "n": self.name, "t": self.content_type, "s": self.size}


def stash(upload: UploadedFile, *, sniffed: Sniffed) -> PendingFile:
    path = store(upload, sniffed=sniffed, folder=PENDING_FOLDER)
    return PendingFile(
        path=path,
        name=(upload.name or "fichier")[:200],
        content_type=sniffed.content_type,
        size=upload.size or 0,
    )


def sign_pending(files: list[PendingFile]) -> str:
    from django.core import signing

    return signing.dumps([f.as_dict() for f in files], salt=PENDING_SALT) if files else ""


def read_pending(token: str) -> list[PendingFile]:
    """The pending files a signed list names (an altered or stale list names none)."""
    from django.core import signing

    if not token:
        return []
    try:
        rows = signing.loads(token, salt=PENDING_SALT, max_age=pending_max_age())
    except signing.BadSignature:
        return []
    files = []
    for row in rows:
        path = str(row.get("p", ""))
        if not path.startswith(f"advice/{PENDING_FOLDER}/") or ".." in path:
            continue
        if (Path(settings.MEDIA_ROOT) / path).is_file():
            files.append(
                PendingFile(
                    path=path, name=str(row["n"]), content_type=str(row["t"]), size=int(row["s"])
                )
            )
    return files


def adopt(pending: PendingFile, *, folder: str) -> str:
    """Move a pending file into ``folder``; return its new relative path."""
    source = Path(settings.MEDIA_ROOT) / pending.path
    target_dir = media_dir() / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    source.replace(target)
    return f"advice/{folder}/{source.name}"


def delete_stale_pending(*, older_than_seconds: int | None = None) -> int:
    import time

    directory = media_dir() / PENDING_FOLDER
    if not directory.is_dir():
        return 0
    age = pending_max_age() if older_than_seconds is None else older_than_seconds
    limit = time.time() - age
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
