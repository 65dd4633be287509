"""Shared test data: a valid public form, files."""

from __future__ import annotations

from typing import Any

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 120


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_name": "Dr Claire Généraliste",
        "requester_email": "claire@cabinet.exemple.fr",
        "requester_phone": "",
        "profession": "gp",
        "setting": "community",
        "departement": "75",
        "syndrome": "uti_pyelonephritis",
        "organism": "Escherichia coli",
        "resistance": "esbl",
        "agents_considered": ["J01MA02"],
        "agents_given": [],
        "allergy": "none",
        "allergy_detail": "",
        "renal_function": "normal",
        "pregnancy": "no",
        "age_band": "16-64",
        "sex": "F",
        "question": (
            "Pyélonéphrite à E. coli BLSE sensible à la ciprofloxacine : quel relais oral ?"
        ),
    }
    data.update(overrides)
    return data
