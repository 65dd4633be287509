"""Every code of the contract's vocabularies that pages show has a French name, and the
web pages have its English one."""

from __future__ import annotations

import pytest
from django.utils import translation

from cratb.dashboards.labels import specialty_label
from cratb.engine.dimensions import SPECIALTY_LABELS
from cratb.engine.sources.schema import PRESCRIBER_SPECIALTIES
from cratb.feedback.figures import specialty_label as report_label


def test_every_specialty_of_the_contract_has_one_name_everywhere() -> None:
    assert set(SPECIALTY_LABELS) == set(PRESCRIBER_SPECIALTIES)
    for code in PRESCRIBER_SPECIALTIES:
        assert report_label(code) == specialty_label(code) == SPECIALTY_LABELS[code]
    assert specialty_label("unknown_code") == "unknown_code"


@pytest.mark.parametrize("code", PRESCRIBER_SPECIALTIES)
def test_every_specialty_is_translated_on_english_pages(code: str) -> None:
    with translation.override("en"):
        assert specialty_label(code) != SPECIALTY_LABELS[code]
