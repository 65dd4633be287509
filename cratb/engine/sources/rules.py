"""Validation rules of one column, written as DuckDB SQL.

A rule sees ``v``, the SQL expression of the cell as text, trimmed, NULL when empty. It
gives the expression of the value to store (``value``) and the checks (``checks``): pairs
of a condition that is true when the cell is wrong and the SQL expression of the French
reason. Checks are evaluated in order and only on non-empty cells; the first failing one
is the reason given. Doing this in SQL keeps validation vectorised: a Python loop over
ten million rows would not fit the import time budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from cratb.engine.identifiers import (
    NAME_IN_IDENTIFIER,
    NIR_IN_IDENTIFIER,
    NIR_PATTERN,
    PERSON_NAME_PATTERN,
)

__all__ = [
    "FINESS",
    "Check",
    "Choice",
    "CodeSet",
    "Commune",
    "Departement",
    "Integer",
    "IsoDate",
    "LabAntibiotic",
    "Number",
    "Organism",
    "Pattern",
    "Rule",
    "Text",
    "Year",
    "identity_reason",
    "is_in",
    "literal",
    "not_in",
    "plausible_years",
]

Check = tuple[str, str]

FIRST_YEAR = 1990
SHOWN_VALUE_CHARS = 40


def literal(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def shown(v: str) -> str:
    """SQL expression quoting the (truncated) cell in a reason: ``« value »``."""
    return f"'« ' || left({v}, {SHOWN_VALUE_CHARS}) || ' »'"


def reason(prefix: str, v: str) -> str:
    """SQL expression of a reason made of a fixed French text and the offending value."""
    return f"{literal(prefix + ' ')} || {shown(v)}"


def plausible_years() -> tuple[int, int]:
    """Years a record may belong to: from 1990 to next year (files are sent ahead of time,
    e.g. a catalogue for next year); anything else is a typing or unit error."""
    return FIRST_YEAR, date.today().year + 1


class Rule:
    """A column's type: stored SQL type, value expression and checks."""

    sql_type = "VARCHAR"

    def value(self, v: str) -> str:
        return v

    def checks(self, v: str) -> list[Check]:
        return []


@dataclass(frozen=True)
class Text(Rule):
    max_length: int = 200

    def checks(self, v: str) -> list[Check]:
        return [
            (
                f"length({v}) > {self.max_length}",
                literal(f"texte trop long (plus de {self.max_length} caractères)"),
            )
        ]


INTEGER_RE = r"^[+-]?[0-9]+$"
# A decimal comma is accepted: French spreadsheets write 1,5.
NUMBER_RE = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$"


@dataclass(frozen=True)
class Integer(Rule):
    minimum: int | None = None
    maximum: int | None = None
    sql_type = "BIGINT"

    def value(self, v: str) -> str:
        # The pattern check rejects "1.5" first: DuckDB's cast would round it to 2.
        return f"TRY_CAST({v} AS BIGINT)"

    def checks(self, v: str) -> list[Check]:
        out = [
            (
                f"NOT regexp_full_match({v}, '{INTEGER_RE}') OR TRY_CAST({v} AS BIGINT) IS NULL",
                reason("nombre entier attendu, lu", v),
            )
        ]
        bounds = self.bounds()
        if bounds[0] is not None and bounds[1] is not None:
            out.append(
                (
                    f"TRY_CAST({v} AS BIGINT) NOT BETWEEN {bounds[0]} AND {bounds[1]}",
                    reason(f"hors de l'intervalle {bounds[0]}–{bounds[1]} :", v),
                )
            )
        elif bounds[0] is not None:
            out.append(
                (
                    f"TRY_CAST({v} AS BIGINT) < {bounds[0]}",
                    reason(f"doit être supérieur ou égal à {bounds[0]} :", v),
                )
            )
        return out

    def bounds(self) -> tuple[int | None, int | None]:
        return self.minimum, self.maximum


@dataclass(frozen=True)
class Year(Integer):
    """A calendar year within ``plausible_years()``. ``not_future``: a year not yet begun is
    refused (figures counted over a year cannot come before it starts)."""

    not_future: bool = False
    sql_type = "INTEGER"

    def value(self, v: str) -> str:
        return f"TRY_CAST({v} AS INTEGER)"

    def bounds(self) -> tuple[int | None, int | None]:
        return plausible_years()

    def checks(self, v: str) -> list[Check]:
        out = super().checks(v)
        if self.not_future:
            out.append(
                (
                    f"TRY_CAST({v} AS BIGINT) > year(current_date)",
                    reason("année dans le futur :", v),
                )
            )
        return out


@dataclass(frozen=True)
class Number(Rule):
    """A decimal number, strictly positive (``zero_allowed``: positive or zero)."""

    zero_allowed: bool = False
    sql_type = "DOUBLE"

    def value(self, v: str) -> str:
        return f"TRY_CAST(replace({v}, ',', '.') AS DOUBLE)"

    def checks(self, v: str) -> list[Check]:
        out = [(f"NOT regexp_full_match({v}, '{NUMBER_RE}')", reason("nombre attendu, lu", v))]
        if self.zero_allowed:
            out.append((f"{self.value(v)} < 0", reason("doit être positif ou nul :", v)))
        else:
            out.append((f"{self.value(v)} <= 0", reason("doit être strictement positif :", v)))
        return out


@dataclass(frozen=True)
class IsoDate(Rule):
    """A day written AAAA-MM-JJ. ``not_future``: a day after today is refused (a sample
    cannot be taken tomorrow; such a date is a typing or clock error)."""

    not_future: bool = False
    sql_type = "DATE"

    def value(self, v: str) -> str:
        return f"TRY_CAST({v} AS DATE)"

    def checks(self, v: str) -> list[Check]:
        first, last = plausible_years()
        out = [
            (
                # The pattern keeps out what DuckDB's cast would accept too (2025-1-3,
                # timestamps); the cast keeps out impossible days (2025-02-30).
                f"NOT regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                f"OR TRY_CAST({v} AS DATE) IS NULL",
                reason("date attendue au format AAAA-MM-JJ, lu", v),
            ),
            (
                f"year(TRY_CAST({v} AS DATE)) NOT BETWEEN {first} AND {last}",
                reason(f"date hors de la période plausible {first}–{last} :", v),
            ),
        ]
        if self.not_future:
            out.append(
                (
                    f"TRY_CAST({v} AS DATE) > current_date",
                    reason("date dans le futur :", v),
                )
            )
        return out


@dataclass(frozen=True)
class Choice(Rule):
    """One value of a vocabulary, matched without regard to case and stored canonically."""

    values: tuple[str, ...] = ()

    def value(self, v: str) -> str:
        cases = " ".join(f"WHEN {literal(c.lower())} THEN {literal(c)}" for c in self.values)
        return f"(CASE lower({v}) {cases} END)"

    def checks(self, v: str) -> list[Check]:
        admitted = ", ".join(self.values)
        return [
            (
                f"{self.value(v)} IS NULL",
                f"{reason('valeur inconnue', v)} || {literal(' ; valeurs admises : ' + admitted)}",
            )
        ]


@dataclass(frozen=True)
class CodeSet(Rule):
    """A code of a reference table, upper-cased, after a shape check."""

    codes: frozenset[str] = frozenset()
    shape: str = ""
    shape_reason: str = ""
    unknown_reason: str = ""

    def value(self, v: str) -> str:
        return f"upper({v})"

    def checks(self, v: str) -> list[Check]:
        return [
            (f"NOT regexp_full_match(upper({v}), '{self.shape}')", reason(self.shape_reason, v)),
            (not_in(f"upper({v})", self.codes), reason(self.unknown_reason, v)),
        ]


@dataclass(frozen=True)
class LabAntibiotic(CodeSet):
    """A WHONET antibiotic code, or a lab's own code that the correspondence table
    (``sources.lab_codes``) translates: ``mapping`` maps (lab_id, LAB_CODE) to the WHONET
    code, lab_id ``*`` standing for every lab. The lab is read from the row's own
    ``lab_id`` cell (``lab_cell``), so the rule must run where that cell is visible.
    Codes no lab uses skip the translation."""

    mapping: Mapping[tuple[str, str], str] | None = None
    lab_cell: str = "v_lab_id"

    def value(self, v: str) -> str:
        code = f"upper({v})"
        mapping = self.mapping or {}
        if not mapping:
            return code
        specific = " ".join(
            f"WHEN {literal(lab + '|' + c)} THEN {literal(w)}"
            for (lab, c), w in sorted(mapping.items())
            if lab != "*"
        )
        generic = " ".join(
            f"WHEN {literal(c)} THEN {literal(w)}"
            for (lab, c), w in sorted(mapping.items())
            if lab == "*"
        )
        parts = []
        if specific:
            parts.append(f"(CASE coalesce({self.lab_cell}, '') || '|' || {code} {specific} END)")
        if generic:
            parts.append(f"(CASE {code} {generic} END)")
        lab_codes = {c for _, c in mapping}
        return (
            f"(CASE WHEN {not_in(code, lab_codes)} THEN {code} "
            f"ELSE coalesce({', '.join(parts)}, {code}) END)"
        )

    def checks(self, v: str) -> list[Check]:
        mapped = self.value(v)
        return [
            (f"NOT regexp_full_match({mapped}, '{self.shape}')", reason(self.shape_reason, v)),
            (not_in(mapped, self.codes), reason(self.unknown_reason, v)),
        ]


@dataclass(frozen=True)
class Pattern(Rule):
    """Free text of a fixed shape (upper-cased), e.g. FINESS numbers."""

    shape: str = ""
    shape_reason: str = ""

    def value(self, v: str) -> str:
        return f"upper({v})"

    def checks(self, v: str) -> list[Check]:
        return [
            (f"NOT regexp_full_match(upper({v}), '{self.shape}')", reason(self.shape_reason, v))
        ]


FINESS = Pattern(
    shape="([0-9]{2}|2[AB])[0-9]{7}",
    shape_reason=(
        "FINESS invalide : 9 caractères attendus (chiffres ; 2A ou 2B en tête pour la Corse), lu"
    ),
)


@dataclass(frozen=True)
class Departement(Rule):
    """An INSEE COG département code. A lone digit is padded (``1`` → ``01``): spreadsheets
    drop the leading zero of codes that look like numbers."""

    codes: frozenset[str] = frozenset()

    def value(self, v: str) -> str:
        return f"(CASE WHEN regexp_full_match({v}, '[0-9]') THEN '0' || {v} ELSE upper({v}) END)"

    def checks(self, v: str) -> list[Check]:
        return [
            (
                not_in(self.value(v), self.codes),
                f"{reason('code département inconnu', v)} || "
                + literal(" (code INSEE attendu : 01…95, 2A, 2B, 971…976)"),
            )
        ]


@dataclass(frozen=True)
class Commune(Rule):
    """An INSEE COG commune code (5 characters, ``2A``/``2B`` for Corsica) of the reference
    table of communes. A four-digit code is padded (``1004`` → ``01004``): spreadsheets
    drop the leading zero of codes that look like numbers."""

    codes: frozenset[str] = frozenset()
    edition: str = ""

    def value(self, v: str) -> str:
        return (
            f"(CASE WHEN regexp_full_match({v}, '[0-9]{{4}}') THEN '0' || {v} ELSE upper({v}) END)"
        )

    def checks(self, v: str) -> list[Check]:
        code = self.value(v)
        return [
            (
                f"NOT regexp_full_match({code}, '[0-9]{{5}}|2[AB][0-9]{{3}}')",
                reason("code commune INSEE à 5 caractères attendu (ex. 33063), lu", v),
            ),
            (
                not_in(code, self.codes),
                f"{reason('code commune inconnu du référentiel des communes', v)} || "
                + literal(f" (COG {self.edition})" if self.edition else ""),
            ),
        ]


@dataclass(frozen=True)
class Organism(Rule):
    """A species of the organism reference table, stored under its scientific name.

    ``keys`` maps every accepted spelling in key form (lower case, dots and underscores
    read as spaces, spaces squeezed: see ``reference.organisms.normalise_key``) to the
    scientific name, so ``E. coli``, ``E.coli``, ``escherichia coli`` and the WHONET code
    ``eco`` are one species. A name outside the table is refused, never guessed. Cells
    already holding a scientific name skip the (slower) key computation."""

    names: frozenset[str] = frozenset()
    keys: Mapping[str, str] | None = None

    def _key(self, v: str) -> str:
        return f"trim(regexp_replace(lower({v}), '[._\\s]+', ' ', 'g'))"

    def value(self, v: str) -> str:
        cases = " ".join(
            f"WHEN {literal(k)} THEN {literal(name)}"
            for k, name in sorted((self.keys or {}).items())
        )
        return (
            f"(CASE WHEN {is_in(v, self.names)} THEN {v} "
            f"ELSE (CASE {self._key(v)} {cases} END) END)"
        )

    def checks(self, v: str) -> list[Check]:
        return [
            (
                f"{not_in(v, self.names)} "
                f"AND NOT regexp_full_match({v}, '[A-Za-z][A-Za-z0-9 .()/_-]*')",
                reason("nom d'organisme illisible :", v),
            ),
            (
                f"{self.value(v)} IS NULL",
                f"{reason('organisme inconnu', v)} || "
                + literal(
                    " : absent du référentiel des organismes (écrire le nom scientifique,"
                    " ex. Escherichia coli)"
                ),
            ),
        ]


# The NIR as a whole token: the look-arounds of the Python pattern are not in RE2.
NIR_TOKEN = f"(?:^|[^0-9A-Za-z]){NIR_PATTERN}(?:[^0-9A-Za-z]|$)"


def identity_reason(v: str) -> str:
    """SQL expression: why the identifier ``v`` (clear, before any hashing) may not be
    stored — a NIR with a valid key, a person's name (``cratb.engine.identifiers``) — or
    NULL. The reason never repeats the value. Cheap tests first: most identifiers are
    short or have no space nor comma, and skip the patterns."""
    nir = literal(NIR_TOKEN)

    def group(i: int) -> str:
        return f"regexp_extract({v}, {nir}, {i})"

    body = " || ".join(group(i) for i in range(1, 7))
    corsica = f"CASE upper({group(4)}) WHEN '2A' THEN 1000000 WHEN '2B' THEN 2000000 ELSE 0 END"
    number = (
        f"(TRY_CAST(replace(replace(upper({body}), '2A', '19'), '2B', '18') AS BIGINT) - {corsica})"
    )
    key_ok = f"97 - {number} % 97 = TRY_CAST({group(7)} AS INTEGER)"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN length({v}) >= 15 AND regexp_matches({v}, {nir}) AND {key_ok} "
        f"THEN {literal(NIR_IN_IDENTIFIER)} "
        f"WHEN (contains({v}, ' ') OR contains({v}, ',')) "
        f"AND regexp_matches({v}, {literal(PERSON_NAME_PATTERN)}) "
        f"THEN {literal(NAME_IN_IDENTIFIER)} END"
    )


def is_in(v: str, codes: Iterable[str]) -> str:
    """SQL: ``v IN (codes)``, the same three-valued answer (NULL when ``v`` is NULL), as a
    full match of the alternation of the codes (RE2 compiles it into an automaton: one
    pass over the cell, faster than the ``IN`` list even for the 35 000 communes).

    DuckDB plans a long ``IN`` list as a join, and a join does not keep the order of the
    rows: the validation statement must keep the file's order, its rows being numbered by
    their place in the table it creates (``importer._keeps_order``). A function does.
    (A cast to an ENUM of the codes keeps the order too, but costs about 2 µs a cell
    that is not a code.)"""
    values = sorted(set(codes))
    if not values:
        return f"CASE WHEN {v} IS NULL THEN NULL ELSE false END"
    pattern = "(?:" + "|".join(_regex_literal(c) for c in values) + ")"
    return f"regexp_full_match({v}, {literal(pattern)})"


_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


def _regex_literal(text: str) -> str:
    """``text`` as an RE2 pattern matching exactly it."""
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


def not_in(v: str, codes: Iterable[str]) -> str:
    """SQL: ``v NOT IN (codes)``, written as ``is_in``."""
    return f"(NOT {is_in(v, codes)})"
