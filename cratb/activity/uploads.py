"""Attachments of a team's form: the project's upload rules (``cratb.advice.uploads``):
a PDF or an image checked by its content, 10 MB at most, and at most
``CRATB_ATTACHMENTS_MAX_FILES`` files and ``CRATB_ATTACHMENTS_MAX_TOTAL_MB`` in all per
form. Stored under ``MEDIA_ROOT/activity/`` with a random name, served only by a view that
checks who asks."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.http import FileResponse, Http404

from cratb.activity.models import Attachment, Submission
from cratb.advice.uploads import AttachmentError, check_quota, check_upload

__all__ = ["AttachmentError", "attach", "response"]


def attach(submission: Submission, upload: UploadedFile, *, by: Any) -> Attachment:
    sniffed = check_upload(upload)
    existing = submission.attachments.aggregate(total=Sum("size"))["total"] or 0
    check_quota(count=submission.attachments.count() + 1, size=existing + (upload.size or 0))
    relative = f"activity/{submission.pk}/{secrets.token_hex(16)}.{sniffed.extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Attachment.objects.create(
        submission=submission,
        file=relative,
        name=(upload.name or "piece-jointe")[:200],
        content_type=sniffed.content_type,
        size=upload.size or 0,
        added_by=by,
    )


def response(attachment: Attachment) -> FileResponse:
    path = Path(settings.MEDIA_ROOT) / attachment.file.name
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
