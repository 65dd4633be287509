from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cratb.advice.uploads import MAX_BYTES, AttachmentError, check_upload, sniff

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 32
WINDOWS_EXE = b"MZ\x90\x00" + b"\x00" * 60


def test_types_are_read_from_content() -> None:
    assert sniff(PDF) is not None and sniff(PDF).content_type == "application/pdf"  # type: ignore[union-attr]
    assert sniff(PNG).extension == "png"  # type: ignore[union-attr]
    assert sniff(JPEG).extension == "jpg"  # type: ignore[union-attr]
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").extension == "webp"  # type: ignore[union-attr]
    assert sniff(ELF) is None
    assert sniff(WINDOWS_EXE) is None


@pytest.mark.parametrize("content", [WINDOWS_EXE, ELF, b"<html><script>alert(1)</script>"])
def test_an_executable_renamed_pdf_is_refused(content: bytes) -> None:
    upload = SimpleUploadedFile("antibiogramme.pdf", content, content_type="application/pdf")
    with pytest.raises(AttachmentError, match="n'est ni un PDF ni une image"):
        check_upload(upload)


def test_a_file_over_10_mb_is_refused_with_its_size() -> None:
    upload = SimpleUploadedFile("scan.pdf", PDF + b"0" * (MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(AttachmentError, match="la limite est de 10 Mo"):
        check_upload(upload)


def test_a_pdf_with_an_image_name_is_accepted_as_pdf() -> None:
    assert check_upload(SimpleUploadedFile("photo.jpg", PDF)).content_type == "application/pdf"
