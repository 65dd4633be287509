"""What the isolate converters share: the internal columns they add, and the vocabularies
of lab exports (specimen types, ward types, ESBL flags) translated to the contract's.

A converter turns a file into *long* rows (CONTRACTS.md 1.5), written as Parquet, which
the importer then validates and stores like any long file. Three internal columns go
with each row, so that nothing is lost and every reason points to the original file:

- ``_source_row``: the row number shown to the user (the line of a wide file, the message
  of an HL7 file);
- ``_place``: where the row comes from, in words ("ligne 3, colonne « CIP »",
  "message 2 (MSH-10 M0002), segment 6 OBX");
- ``_error``: a reason that rejects the row as a whole (an HL7 message cut short, a wide
  line without any result), or NULL.
"""

from __future__ import annotations

from cratb.engine.sources.rules import literal

__all__ = [
    "ERROR",
    "ESBL_VALUES",
    "INTERNAL_COLUMNS",
    "PLACE",
    "SETTING_VALUES",
    "SOURCE_ROW",
    "SPECIMEN_VALUES",
    "departement_from_postcode",
    "sql_lookup",
    "translate",
]

SOURCE_ROW = "_source_row"
PLACE = "_place"
ERROR = "_error"
INTERNAL_COLUMNS = (SOURCE_ROW, PLACE, ERROR)

# Specimen words and codes of lab systems (WHONET SPEC_TYPE codes, French words, HL7
# table 0487 codes), lower case. Anything else that is not empty becomes "other".
SPECIMEN_VALUES: dict[str, str] = {
    **dict.fromkeys(
        ("urine", "ur", "uri", "ecbu", "urines", "cbu", "ur-cbu", "122575003"), "urine"
    ),
    **dict.fromkeys(
        ("blood", "bl", "bld", "hc", "sang", "hemoculture", "hémoculture", "119297000"), "blood"
    ),
    **dict.fromkeys(
        (
            "respiratory", "sp", "spt", "br", "ba", "bal", "ta", "ex", "sputum", "crachat",
            "lba", "aspiration bronchique", "119334006",
        ),
        "respiratory",
    ),
    **dict.fromkeys(
        ("skin", "sk", "wd", "wnd", "pu", "pus", "ab", "abcess", "plaie", "peau", "cutane"),
        "skin",
    ),
    "other": "other",
}  # fmt: skip

# Ward types (WHONET WARD_TYPE / "Location type", HL7 PV1-2 patient class).
SETTING_VALUES: dict[str, str] = {
    **dict.fromkeys(("community", "out", "outpatient", "ville", "o", "e"), "community"),
    **dict.fromkeys(("hospital", "in", "inpatient", "icu", "hosp", "i"), "hospital"),
    **dict.fromkeys(("nursing_home", "nh", "ltc", "ehpad"), "nursing_home"),
}

ESBL_VALUES: dict[str, str] = {
    **dict.fromkeys(("y", "yes", "oui", "o", "+", "pos", "positive", "positif", "1"), "Y"),
    **dict.fromkeys(("n", "no", "non", "-", "neg", "negative", "négatif", "negatif", "0"), "N"),
}


def translate(value: str | None, table: dict[str, str], *, other: str | None = None) -> str | None:
    """``value`` in the contract's vocabulary: from ``table`` (case-insensitive), else
    ``other`` when given, else unchanged (so the importer gives its reason)."""
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    if key in table:
        return table[key]
    return other if other is not None else value.strip()


def sql_lookup(v: str, table: dict[str, str], *, other: str | None = None) -> str:
    """SQL twin of ``translate`` for a text expression ``v``."""
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(t)}" for k, t in sorted(table.items()))
    fallback = literal(other) if other is not None else f"trim({v})"
    return (
        f"(CASE WHEN nullif(trim({v}), '') IS NULL THEN NULL "
        f"ELSE coalesce((CASE lower(trim({v})) {whens} END), {fallback}) END)"
    )


def departement_from_postcode(postcode: str | None) -> str | None:
    """The INSEE département of a French postcode (the patient's address): two digits,
    three overseas (971…976), 2A/2B in Corsica (200xx–201xx: Corse-du-Sud)."""
    if not postcode:
        return None
    code = postcode.strip()
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("97"):
        return code[:3]
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    return code[:2]
