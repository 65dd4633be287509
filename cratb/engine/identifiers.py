"""Check digits of the French health identifiers: FINESS (establishments), RPPS (people).

- **RPPS** (Répertoire partagé des professionnels de santé): 11 digits, the last one a
  Luhn (mod 10) key over the first ten.
- **FINESS** (Fichier national des établissements sanitaires et sociaux): 9 characters,
  the first two the département code (97 overseas), then a sequence, then a Luhn key.
  The rule was checked against published numbers (010003820 and 010003812, from the
  Etalab extract of the FINESS file). For Corsica (2A, 2B) no source states how the
  letters enter the key, so only the format and département are checked there.

The demo generator (``cratb.engine.demo.codes``) makes its numbers with the same
``luhn_check_digit``, so every demo number passes these checks.
"""

from __future__ import annotations

import re

from cratb.engine.errors import EngineError

FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])[0-9]{7}$")
RPPS_RE = re.compile(r"^\d{11}$")


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
