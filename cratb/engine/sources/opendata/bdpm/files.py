"""Reading the three files of the public drug database (BDPM) as the ANSM publishes them.

Layouts (« Contenu et format des fichiers téléchargeables dans la BDM »): tab-separated,
no header row, one record per line, ISO-8859-1 for years and UTF-8 in recent files.

- ``CIS_bdpm.txt`` — specialities, 12 columns: CIS code, name, pharmaceutical form,
  routes (``;``-separated), marketing-authorisation status, procedure, marketing state,
  authorisation date (DD/MM/YYYY), BDM status, European number, holders, enhanced
  monitoring (Oui/Non).
- ``CIS_CIP_bdpm.txt`` — presentations (boxes), 13 columns in current files: CIS code,
  CIP7, presentation label, administrative status, marketing state, marketing date, CIP13,
  approval for collectivities, reimbursement rate, three price columns, reimbursement
  indications. Older files have fewer price columns, hence 9 to 13 accepted.
- ``CIS_COMPO_bdpm.txt`` — compositions, 8 columns: CIS code, pharmaceutical element,
  substance code, substance name, dosage, dosage reference (« un comprimé », « 5 ml de
  suspension reconstituée »…), nature (SA active substance, FT therapeutic fraction, the
  base a salt is expressed as), link number tying an SA to its FT. Lines end with a tab,
  so a ninth empty field is tolerated.

A file is recognised by what its lines hold, not only by its name: a presentations file
given as compositions is refused with a one-line French message naming the file. Lines
of the right file that do not fit its layout are rejected one by one with their reason;
empty lines (some files have them) are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cratb.engine.sources.opendata.text import decode
from cratb.engine.sources.report import RefusedFile

__all__ = [
    "FILE_NAMES",
    "Bdpm",
    "BdpmRejection",
    "Component",
    "Presentation",
    "Speciality",
    "read_bdpm",
    "read_bdpm_folder",
]

# The published file names, by kind.
FILE_NAMES = {
    "specialities": "CIS_bdpm.txt",
    "presentations": "CIS_CIP_bdpm.txt",
    "compositions": "CIS_COMPO_bdpm.txt",
}
_KIND_FR = {
    "specialities": "des spécialités",
    "presentations": "des présentations",
    "compositions": "des compositions",
}
_LAYOUT_FR = {
    "specialities": "12 colonnes (code CIS, dénomination, forme, voies, statut, procédure,"
    " commercialisation, date d'AMM, statut BDM, n° européen, titulaires, surveillance)",
    "presentations": "9 à 13 colonnes (code CIS, CIP7, libellé, statut, commercialisation,"
    " date, CIP13, agrément, taux, prix…)",
    "compositions": "8 colonnes (code CIS, élément, code substance, substance, dosage,"
    " référence, nature SA/FT, numéro de liaison)",
}
# Lines looked at to recognise a file.
_SNIFF_LINES = 50

_CIS = re.compile(r"^\d{8}$")
_CIP7 = re.compile(r"^\d{7}$")
_CIP13 = re.compile(r"^\d{13}$")
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_LINK = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Speciality:
    cis: str
    name: str
    form: str
    routes: tuple[str, ...]  # as written, lower case: ("orale",), ("intramusculaire", …)
    marketing: str  # « Commercialisée », « Non commercialisée »…


@dataclass(frozen=True)
class Presentation:
    cis: str
    cip7: str
    cip13: str
    label: str  # « plaquette(s) thermoformée(s) PVC aluminium de 6 comprimé(s) »
    status: str
    marketing: str


@dataclass(frozen=True)
class Component:
    cis: str
    element: str  # « comprimé », « poudre »…
    substance_code: str
    substance: str  # « AMOXICILLINE TRIHYDRATÉE »
    dosage: str  # « 1 g », « 250 mg », « 1 000 000 UI », or empty
    reference: str  # « un comprimé », « 5 ml de suspension reconstituée »…
    nature: str  # SA or FT
    link: str  # ties an SA to the FT it is expressed as


@dataclass(frozen=True)
class BdpmRejection:
    file: str
    line: int  # 1-based line of the file
    reason: str


@dataclass
class Bdpm:
    """The three files read: specialities by CIS, presentations, components by CIS."""

    specialities: dict[str, Speciality]
    presentations: list[Presentation]
    components: dict[str, list[Component]]
    rejections: list[BdpmRejection] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # file name → encoding read
    lines_read: dict[str, int] = field(default_factory=dict)  # non-empty lines per file


def _fits_specialities(f: Sequence[str]) -> bool:
    return 11 <= len(f) <= 13 and bool(_CIS.match(f[0])) and bool(_DATE.match(f[7]))


def _fits_presentations(f: Sequence[str]) -> bool:
    return (
        9 <= len(f) <= 14
        and bool(_CIS.match(f[0]))
        and bool(_CIP7.match(f[1]))
        and bool(_CIP13.match(f[6]))
    )


def _fits_compositions(f: Sequence[str]) -> bool:
    return (
        len(f) in (8, 9)
        and (len(f) == 8 or not f[8])
        and bool(_CIS.match(f[0]))
        and f[6] in ("SA", "FT")
        and bool(_LINK.match(f[7]))
    )


_FITS: dict[str, Callable[[Sequence[str]], bool]] = {
    "specialities": _fits_specialities,
    "presentations": _fits_presentations,
    "compositions": _fits_compositions,
}


def _lines(path: Path, kind: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-empty lines of the file split on tabs (cells trimmed), with their 1-based
    number, and the encoding read; refuses a file that is missing, empty or of another
    kind."""
    name = path.name
    if not path.is_file():
        raise RefusedFile(f"fichier introuvable : {path} ({FILE_NAMES[kind]} attendu)")
    data = path.read_bytes()
    if not data.strip():
        raise RefusedFile(f"{name} : fichier vide")
    if data.startswith(b"PK\x03\x04"):
        raise RefusedFile(f"{name} : archive ZIP, pas un fichier texte de la BDPM : l'extraire")
    if b"\x00" in data[:8192]:
        raise RefusedFile(f"{name} : fichier binaire, pas un fichier texte de la BDPM")
    text, encoding = decode(data)
    lines = [
        (number, [cell.strip() for cell in line.split("\t")])
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    sample = lines[:_SNIFF_LINES]
    votes = Counter(k for _, cells in sample for k, fits in _FITS.items() if fits(cells))
    best, count = votes.most_common(1)[0] if votes else (None, 0)
    if best == kind and count * 2 > len(sample):
        return lines, encoding
    if best is not None and count * 2 > len(sample):
        raise RefusedFile(
            f"{name} : ce fichier contient {_KIND_FR[best]} ({FILE_NAMES[best]}),"
            f" pas {_KIND_FR[kind]} attendues ({FILE_NAMES[kind]})"
        )
    first = sample[0][1]
    raise RefusedFile(
        f"{name} : pas le fichier {_KIND_FR[kind]} de la BDPM ({FILE_NAMES[kind]}) :"
        f" {_LAYOUT_FR[kind]} séparées par des tabulations attendues, la ligne"
        f" {sample[0][0]} en a {len(first)}"
    )


def _reject_reason(kind: str, cells: Sequence[str]) -> str:
    layout = _LAYOUT_FR[kind]
    return f"ligne mal formée : {len(cells)} colonnes lues, {layout} attendues"


def read_bdpm(*, specialities: Path, presentations: Path, compositions: Path) -> Bdpm:
    """Read the three files; RefusedFile (one French line naming the file) when one is
    missing, empty or of the wrong kind. Malformed lines are kept as rejections."""
    read: dict[str, tuple[list[tuple[int, list[str]]], str]] = {
        "specialities": _lines(specialities, "specialities"),
        "presentations": _lines(presentations, "presentations"),
        "compositions": _lines(compositions, "compositions"),
    }
    paths = {
        "specialities": specialities,
        "presentations": presentations,
        "compositions": compositions,
    }
    out = Bdpm(specialities={}, presentations=[], components={})
    for kind, (lines, encoding) in read.items():
        name = paths[kind].name
        out.encodings[name] = encoding
        out.lines_read[name] = len(lines)
        fits = _FITS[kind]
        for number, cells in lines:
            if not fits(cells):
                out.rejections.append(BdpmRejection(name, number, _reject_reason(kind, cells)))
                continue
            if kind == "specialities":
                routes = tuple(r.strip().lower() for r in cells[3].split(";") if r.strip())
                if cells[0] in out.specialities:
                    out.rejections.append(
                        BdpmRejection(name, number, f"code CIS {cells[0]} en double")
                    )
                    continue
                out.specialities[cells[0]] = Speciality(
                    cis=cells[0], name=cells[1], form=cells[2], routes=routes, marketing=cells[6]
                )
            elif kind == "presentations":
                out.presentations.append(
                    Presentation(
                        cis=cells[0],
                        cip7=cells[1],
                        cip13=cells[6],
                        label=cells[2],
                        status=cells[3],
                        marketing=cells[4],
                    )
                )
            else:
                out.components.setdefault(cells[0], []).append(
                    Component(
                        cis=cells[0],
                        element=cells[1],
                        substance_code=cells[2],
                        substance=cells[3],
                        dosage=cells[4],
                        reference=cells[5],
                        nature=cells[6],
                        link=cells[7],
                    )
                )
    return out


def read_bdpm_folder(folder: Path) -> Bdpm:
    """Read the three files from a folder, finding them by their published names (any
    case); RefusedFile naming the missing file."""
    if not folder.is_dir():
        raise RefusedFile(f"dossier introuvable : {folder}")
    by_lower = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found: dict[str, Path] = {}
    for kind, name in FILE_NAMES.items():
        path = by_lower.get(name.lower())
        if path is None:
            raise RefusedFile(f"{folder} : fichier {name} manquant (fichiers de la BDPM)")
        found[kind] = path
    return read_bdpm(
        specialities=found["specialities"],
        presentations=found["presentations"],
        compositions=found["compositions"],
    )
