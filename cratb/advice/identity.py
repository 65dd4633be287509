"""Spotting what looks like a patient's identity in free text.

A request must never carry a patient's identity (DESIGN.md): the form says so, and
this module finds the three slips seen in practice so the form can warn before the
text is stored:

- a French social security number (NIR): 13 characters and its 2-digit key, the key
  checked (97 − NIR mod 97; Corsica's 2A/2B counted as 19/18 minus 1 or 2 million);
- a French phone number (0X XX XX XX XX, +33 X…, 0033 X…);
- a date of birth next to a name: a date announced as a birth date (« né le »,
  « DDN »…), or any date within a few words of a name (« Mme Martin »,
  « Jean DUPONT », « nom : … »).

A NIR with a valid key is refused outright, in every free text of the advice desk,
whoever writes it (``find_nir``; the rule is ``cratb.engine.identifiers``'): nothing
justifies writing one. The two other clues err on the side of warning: the author
confirms or edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cratb.engine.identifiers import NIR_RE, find_nirs, nir_key_is_valid

__all__ = [
    "NIR_IN_FILE_NAME",
    "NIR_REFUSED",
    "Finding",
    "describe",
    "find_identity",
    "find_nir",
    "nir_key_is_valid",
]

PHONE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[ .\-]?(?:\(0\))?[ .\-]?[1-9]|0[1-9])(?:[ .\-]?\d{2}){4}(?!\d)"
)
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:er)? (?:{_MONTHS}) \d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
BIRTH_WORD_RE = re.compile(r"\b(?:née?s?|naissance|ddn|date de naissance|né\(e\))\b", re.IGNORECASE)
_CIVILITY = r"(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle)"
#: Upper-case words a clinician writes that are not surnames.
ACRONYMS = frozenset(
    "BLSE SARM EPC ERG BHRE BMR ECBU CRP PCT DFG IRA IRC BPCO EHPAD ORL VIH VHC VHB HTA "
    "AVC IDM AOMI TDM IRM ATB AMX AMC CTX CRO FQ SMR TMP SXT PNA PNP OMA IST CMI ASP "
    "ESBL MRSA ICU USA FR SAU EMA CRATB CPTS GHT DCI AMM HAS SPILF ANSM IV PO PAS".split()
)
NAME_RE = re.compile(
    rf"(?:{_CIVILITY}\s+[A-ZÉÈÀÂÎÔÛÇ][\w'\-]+)"
    r"|(?:\b[A-ZÉÈÀÂÎÔÛÇ][a-zéèàâêîôûçëï]+\s+(?P<surname>[A-ZÉÈÀÂÎÔÛÇ]{2,}(?:-[A-Z]{2,})?)\b)"
)
NAME_LABEL_RE = re.compile(r"\b(?:nom|prénom)\s*:\s*\S+", re.IGNORECASE)
NIR_REFUSED = _(
    "Ce texte contient un numéro de sécurité sociale (NIR) : il ne doit jamais être écrit "
    "ici, même après vérification. Retirez-le."
)
NIR_IN_FILE_NAME = _(
    "Le nom d'un fichier contient un numéro de sécurité sociale (NIR) : renommez le fichier "
    "avant de le joindre."
)
#: How close (in characters) a date must be to a name to be read as a birth date.
NEAR = 40


@dataclass(frozen=True)
class Finding:
    kind: str  # "nir", "phone", "birth_date"
    text: str

    @property
    def label(self) -> str | Promise:
        return LABELS[self.kind]


LABELS: dict[str, str | Promise] = {
    "nir": _("un numéro de sécurité sociale (NIR)"),
    "phone": _("un numéro de téléphone"),
    "birth_date": _("une date de naissance à côté d'un nom"),
}


def find_nir(text: str) -> list[str]:
    """The social security numbers (valid key) written in ``text``: always refused."""
    return find_nirs(text)


def _names(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in NAME_RE.finditer(text):
        surname = match.group("surname")
        if surname and surname in ACRONYMS:
            continue
        spans.append(match.span())
    spans.extend(match.span() for match in NAME_LABEL_RE.finditer(text))
    return spans


def find_identity(text: str) -> list[Finding]:
    """What in ``text`` looks like a patient's identity (empty list: nothing seen)."""
    findings: list[Finding] = []
    findings.extend(Finding("nir", found) for found in find_nirs(text))
    nir_spans = [m.span() for m in NIR_RE.finditer(text)]
    for match in PHONE_RE.finditer(text):
        if any(start <= match.start() < end for start, end in nir_spans):
            continue
        findings.append(Finding("phone", match.group(0)))
    names = _names(text)
    for match in DATE_RE.finditer(text):
        start, end = match.span()
        before = text[max(0, start - NEAR) : start]
        announced = BIRTH_WORD_RE.search(before) is not None
        near_name = any(n_end >= start - NEAR and n_start <= end + NEAR for n_start, n_end in names)
        if announced or near_name:
            findings.append(Finding("birth_date", match.group(0)))
    return findings


def describe(findings: list[Finding]) -> str:
    """« un numéro de téléphone, une date de naissance à côté d'un nom »."""
    kinds = []
    for finding in findings:
        if finding.kind not in kinds:
            kinds.append(finding.kind)
    return ", ".join(str(LABELS[kind]) for kind in kinds)
