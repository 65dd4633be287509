"""A guideline's PDF: checked by content, its text read at upload (for the search), kept
under ``MEDIA_ROOT/guidelines/`` with a random name and served only by a view that checks
who asks (a restricted document is never public media)."""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

log = logging.getLogger(__name__)

#: The PDF's first bytes (its "magic number"): the name and declared type are not trusted.
MAGIC = b"%PDF-"
#: At most this many characters of a PDF's text are kept for the search.
MAX_TEXT = 200_000
FOLDER = "guidelines"


class PdfError(ValueError):
    """A file that cannot be a guideline's PDF; the message is French and says why."""


@dataclass(frozen=True)
class CheckedPdf:
    name: str
    size: int
    text: str


def check(upload: UploadedFile) -> CheckedPdf:
    """Refuse a file that is not a readable PDF by content; return its text."""
    name = (upload.name or _("fichier"))[:200]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(MAGIC):
        raise PdfError(
            _("« %(name)s » n'est pas un PDF d'après son contenu : seuls les PDF sont acceptés.")
            % {"name": name}
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfError(
                _("« %(name)s » est un PDF protégé par mot de passe : déposez-le sans protection.")
                % {"name": name}
            )
        parts: list[str] = []
        length = 0
        for page in reader.pages:
            chunk = page.extract_text() or ""
            parts.append(chunk)
            length += len(chunk)
            if length >= MAX_TEXT:
                break
    except PdfError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        log.info("unreadable guideline PDF %s: %s", name, exc)
        raise PdfError(
            _("« %(name)s » commence comme un PDF mais ne peut pas être lu : fichier abîmé ?")
            % {"name": name}
        ) from None
    text = " ".join(" ".join(parts).split())[:MAX_TEXT]
    return CheckedPdf(name=name, size=len(data), text=text)


def store(upload: UploadedFile) -> str:
    """Write ``upload`` under ``MEDIA_ROOT/guidelines/`` with a random name; return the path
    relative to ``MEDIA_ROOT`` (what the FileField stores)."""
    directory = Path(settings.MEDIA_ROOT) / FOLDER
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{FOLDER}/{secrets.token_hex(16)}.pdf"
    with (Path(settings.MEDIA_ROOT) / relative).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative
