"""Check digits of the French health identifiers: FINESS (establishments), RPPS (people);
what in a text or an identifier looks like a patient's identity (NIR, a person's name).

- **RPPS** (Répertoire partagé des professionnels de santé): 11 digits, the last one a
  Luhn (mod 10) key over the first ten.
- **FINESS** (Fichier national des établissements sanitaires et sociaux): 9 characters,
  the first two the département code (97 overseas), then a sequence, then a Luhn key.
  The rule was checked against published numbers (010003820 and 010003812, from the
  Etalab extract of the FINESS file). For Corsica (2A, 2B) no source states how the
  letters enter the key, so only the format and département are checked there.

- **NIR** (numéro d'inscription au répertoire, the social security number): 13
  characters and a 2-digit key, key = 97 − (number mod 97); Corsica's départements 2A
  and 2B count as 19 and 18 with 1 000 000 and 2 000 000 taken off the number. Spaces,
  dots or hyphens may separate the groups (1 85 05 78 006 084 91). Found only with a
  valid key, so a lot or an order number of 15 digits passes 96 times out of 97.
- **A person's name in an identifier**: two words of letters only (accents, apostrophes
  and hyphens inside a word allowed), each of two letters or more and starting with a
  capital, next to each other, separated by spaces or a comma: « DUPONT Jean »,
  « Jean Dupont », « Dupont, Jean », « MARTIN Marie-Claire ». Pseudonymous ids
  (P000123), hashes and lab accession numbers (ECBU-0001, 25A0001234) have digits or a
  single word and pass; a name written all in lower case is not seen.

The demo generator (``cratb.engine.demo.codes``) makes its numbers with the same
``luhn_check_digit``, so every demo number passes these checks.
"""

from __future__ import annotations

import re

from cratb.engine.errors import EngineError

FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])[0-9]{7}$")
RPPS_RE = re.compile(r"^\d{11}$")


# The NIR: sex (1, 2; 3, 4, 7, 8 for temporary numbers), year, month, département (or
# 2A/2B), commune, order number, key. Groups may be separated by one space, dot or hyphen.
NIR_SEPARATOR = r"[ .\-]?"
NIR_PATTERN = (
    rf"([1-478]){NIR_SEPARATOR}([0-9]{{2}}){NIR_SEPARATOR}([0-9]{{2}}){NIR_SEPARATOR}"
    rf"([0-9]{{2}}|2[AaBb]){NIR_SEPARATOR}([0-9]{{3}}){NIR_SEPARATOR}([0-9]{{3}})"
    rf"{NIR_SEPARATOR}([0-9]{{2}})"
)
NIR_RE = re.compile(rf"(?<![0-9A-Za-z]){NIR_PATTERN}(?![0-9A-Za-z])")
_UPPER = "A-ZÀ-ÖØ-Þ"
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿ"
_NAME_WORD = rf"[{_UPPER}][{_LETTER}'’\-]*[{_LETTER}]"
#: Two capitalised words of letters side by side (the same text runs in DuckDB's RE2).
PERSON_NAME_PATTERN = rf"(?:^|[\s,]){_NAME_WORD}(?:\s+|\s*,\s*){_NAME_WORD}(?:[\s,]|$)"
PERSON_NAME_RE = re.compile(PERSON_NAME_PATTERN)


class IdentifierError(EngineError, ValueError):
    """A malformed identifier; the message is in French, on one line, and names the value."""


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) digit to append to ``digits``."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def normalize(value: str) -> str:
    """Identifiers are often typed with spaces or dots ("75 000 001 4")."""
    return re.sub(r"[\s.\-]", "", value).upper()


def check_finess(value: str, *, departements: frozenset[str] | None = None) -> str:
    """The normalised FINESS number, or IdentifierError saying what is wrong."""
    number = normalize(value)
    if len(number) != 9:
        raise IdentifierError(
            f"numéro FINESS « {value} » : 9 caractères attendus, {len(number)} reçus."
        )
    if not FINESS_RE.match(number):
        raise IdentifierError(
            f"numéro FINESS « {value} » : chiffres attendus (2A ou 2B en tête pour la Corse)."
        )
    # Overseas numbers start with 97; how their next digits name the département varies
    # (971… and 9701… are both met), so only the 97 is checked there.
    if departements is not None and not number.startswith("97"):
        prefix = number[:2]
        if prefix not in departements:
            raise IdentifierError(
                f"numéro FINESS « {value} » : le préfixe {prefix} n'est pas un département."
            )
    if number[:2] not in ("2A", "2B") and luhn_check_digit(number[:8]) != number[8]:
        raise IdentifierError(
            f"numéro FINESS « {value} » : clé de contrôle incorrecte (faute de frappe ?)."
        )
    return number


def check_rpps(value: str) -> str:
    """The normalised RPPS number, or IdentifierError saying what is wrong."""
    number = normalize(value)
    if not RPPS_RE.match(number):
        raise IdentifierError(f"numéro RPPS « {value} » : 11 chiffres attendus.")
    if luhn_check_digit(number[:10]) != number[10]:
        raise IdentifierError(
            f"numéro RPPS « {value} » : clé de contrôle incorrecte (faute de frappe ?)."
        )
    return number


def rpps(body: str) -> str:
    """An RPPS-like number from ten digits: the digits and their Luhn key."""
    if len(body) != 10 or not body.isdigit():
        raise IdentifierError(f"10 chiffres attendus : {body!r}")
    return body + luhn_check_digit(body)


def nir_key_is_valid(body: str, key: int) -> bool:
    """``body``: the 13 characters of a NIR (2A/2B allowed at positions 6-7)."""
    body = body.upper()
    if body[5:7] == "2A":
        number = int(body[:5] + "19" + body[7:]) - 1_000_000
    elif body[5:7] == "2B":
        number = int(body[:5] + "18" + body[7:]) - 2_000_000
    else:
        number = int(body)
    return 97 - number % 97 == key


def find_nirs(text: str) -> list[str]:
    """The NIRs with a valid key written in ``text``, as written."""
    return [
        match.group(0)
        for match in NIR_RE.finditer(text)
        if nir_key_is_valid("".join(match.groups()[:6]), int(match.group(7)))
    ]


NIR_IN_IDENTIFIER = (
    "ressemble à un numéro de sécurité sociale (NIR, clé valide) : identifiant refusé,"
    " jamais conservé (un identifiant pseudonyme est attendu)"
)
NAME_IN_IDENTIFIER = (
    "contient ce qui ressemble à un nom de personne (deux mots à majuscule initiale) :"
    " identifiant refusé, jamais conservé (un identifiant pseudonyme est attendu)"
)


def identity_in_identifier(value: str) -> str | None:
    """Why ``value`` may not be an identifier of an imported row (a NIR, a person's name),
    in French, without repeating the value; None when it may."""
    if find_nirs(value):
        return NIR_IN_IDENTIFIER
    if PERSON_NAME_RE.search(value):
        return NAME_IN_IDENTIFIER
    return None
