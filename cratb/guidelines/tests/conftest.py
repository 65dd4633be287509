"""Fixtures of the guidelines tests: files in a temporary folder, a small real PDF."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings
from reportlab.pdfgen import canvas

from cratb.guidelines.models import Audience, Document, Sector


@pytest.fixture(autouse=True)
def guideline_media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf("Protocole regional : pyelonephrite aigue, relais par amoxicilline.")


def make_document(**fields: object) -> Document:
    values: dict[str, object] = {
        "title": "Cystite aiguë simple de la femme",
        "summary": "Fosfomycine-trométamol en dose unique, puis pivmécillinam.",
        "sector": Sector.COMMUNITY,
        "syndrome": "uti_cystitis",
        "audience": Audience.PRESCRIBERS,
        "source": "HAS",
        "published_on": datetime.date(2024, 7, 15),
        "url": "https://example.org/fiche",
    }
    values.update(fields)
    document = Document(**values)
    document.save()
    return document
