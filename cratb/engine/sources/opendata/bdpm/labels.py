"""Reading the texts of the drug database: presentation labels, dosages, dosage references.

Each parser returns what it read, or a French reason saying why it could not: nothing is
guessed. Texts are compared folded (upper case, no accents, single spaces) and the BDPM
plural marks « (s) », « (e)(s) » are dropped first, so « plaquette(s) thermoformée(s) PVC
aluminium de 6 comprimé(s) » reads as « PLAQUETTE THERMOFORMEE PVC ALUMINIUM DE 6 COMPRIME ».

Presentation labels (``parse_pack``), as the BDPM writes them:

- dose units in a container, the leading count multiplying: « plaquette(s) … de 6
  comprimé(s) » = 6 tablets, « 3 plaquette(s) … de 21 comprimé(s) » = 63, « flacon(s)
  PEHD de 30 comprimé(s) » = 30; the older « boîte de 2 plaquettes de 8 comprimés » = 16;
- containers that are themselves the unit, with their content: « 1 flacon(s) en verre de
  60 ml avec cuillère-mesure », « 8 sachet(s)-dose(s) … de 1,566 g », « 10 flacon(s) de
  1 g »; a kit « 1 flacon(s) … - 1 ampoule(s) … » is read on its first part (the drug; the
  second is the solvent); accessories (« avec seringue… de 5 ml ») are not the content;
- the older « 0,5 g en flacon(s) en verre de 15 ml ; boîte de 25 » = 25 vials of 0.5 g.

Dosages (``parse_dosage``): « 500 mg », « 1 g », « 1000,00 mg », « 1 000 000 UI »,
« 1,5 M.UI »; international units are given in millions (``MU``, the WHO DDD unit of the
polymyxins). Dosage references (``parse_basis``): per unit (« un comprimé », « un flacon
de poudre », « un sachet de 8 g »), per volume (« 5 ml de suspension reconstituée »,
« une cuillère-mesure de 5 ml de … », « 1 ml »), per mass (« 100 g » of granules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cratb.engine.sources.opendata.text import fold, french_number

__all__ = [
    "Amount",
    "Basis",
    "Pack",
    "parse_basis",
    "parse_dosage",
    "parse_pack",
    "same_unit",
    "unit_name",
    "unit_of_form",
]

# Units that are swallowed or inserted one at a time (folded, singular).
DOSE_UNITS = (
    "COMPRIME",
    "GELULE",
    "CAPSULE",
    "LYOPHILISAT",
    "PASTILLE",
    "TABLETTE",
    "SUPPOSITOIRE",
    "OVULE",
)
# Containers that are the unit counted when they hold the drug itself.
UNIT_CONTAINERS = (
    "FLACON-AMPOULE",
    "FLACON",
    "AMPOULE",
    "POCHE",
    "SERINGUE",
    "STYLO",
    "CARTOUCHE",
    "RECIPIENT",
    "SACHET-DOSE",
    "SACHET",
)
# Containers that hold dose units (« plaquette de 6 comprimés »).
OUTER_CONTAINERS = (
    "PLAQUETTE",
    "TUBE",
    "FLACON",
    "PILULIER",
    "FILM",
    "ETUI",
    "BOITE",
    "POT",
    "SACHET",
    "RECIPIENT",
)
# Nouns naming the same unit.
_SYNONYMS = {
    "CAPSULE": "GELULE",
    "SACHET-DOSE": "SACHET",
    "FLACON-AMPOULE": "FLACON",
}
# Accessories: a quantity after them is theirs, not the container's.
_ACCESSORIES = (
    "SERINGUE",
    "CUILLERE",
    "MESURETTE",
    "GOBELET",
    "PIPETTE",
    "GODET",
    "DISPOSITIF",
    "BOUCHON",
    "ADAPTATEUR",
    "AIGUILLE",
    "COMPTE-GOUTTES",
    "CAPUCHON",
    "NECESSAIRE",
)

# The French noun of each folded unit, for the reasons.
_UNIT_NAMES = {
    "COMPRIME": "comprimé",
    "GELULE": "gélule",
    "CAPSULE": "capsule",
    "LYOPHILISAT": "lyophilisat",
    "PASTILLE": "pastille",
    "TABLETTE": "tablette",
    "SUPPOSITOIRE": "suppositoire",
    "OVULE": "ovule",
    "FLACON-AMPOULE": "flacon-ampoule",
    "FLACON": "flacon",
    "AMPOULE": "ampoule",
    "POCHE": "poche",
    "SERINGUE": "seringue",
    "STYLO": "stylo",
    "CARTOUCHE": "cartouche",
    "RECIPIENT": "récipient",
    "SACHET-DOSE": "sachet-dose",
    "SACHET": "sachet",
}

_PLURAL_MARKS = re.compile(r"\((?:E|S|ES|X)\)")
_NUM = r"\d+(?:[ ]\d{3})*(?:[,.]\d+)?"
_DOSE = "|".join(DOSE_UNITS)
_UNIT_CONT = "|".join(UNIT_CONTAINERS)
_OUTER = "|".join(OUTER_CONTAINERS)
_ACC = "|".join(_ACCESSORIES)

# « BOITE DE 2 PLAQUETTES DE 8 COMPRIMES »
_BOX_OF_GROUPS = re.compile(rf"\bBOITES? DE (\d+) (?:{_OUTER})S?\b.*?\bDE (\d+) ({_DOSE})S?\b")
# « 3 PLAQUETTE THERMOFORMEE PVC DE 21 COMPRIME »; « FLACON PEHD DE 30 COMPRIME »
_GROUPED = re.compile(rf"^(?:(\d+) )?(?:{_OUTER})S?\b.*?\bDE (\d+) ({_DOSE})S?\b")
# « 2 PLAQUETTE THERMOFORMEE PVC-ALUMINIUM DE 10 » (the noun left out)
_GROUPED_BARE = re.compile(rf"^(?:(\d+) )?(?:{_OUTER})S?\b.*\bDE (\d+)$")
# « 30 COMPRIME PELLICULE »; « BOITE DE 14 COMPRIMES »
_BARE_UNITS = re.compile(rf"^(?:BOITES? DE )?(\d+) ({_DOSE})S?\b")
# « 1 FLACON EN VERRE DE 60 ML … »
_CONTAINERS = re.compile(rf"^(\d+) ({_UNIT_CONT})S?\b(.*)$")
# « 0,5 G EN FLACON EN VERRE DE 15 ML ; BOITE DE 25 »
_CONTENT_BOX = re.compile(rf"^({_NUM}) ?(ML|L|G|MG) EN ({_UNIT_CONT})S?\b.*?; ?BOITES? DE (\d+)\b")
_QUANTITY = re.compile(rf"\bDE ({_NUM}) ?(ML|L|G|MG)\b")
_ACCESSORY_CLAUSE = re.compile(rf"\bAVEC (?:UNE? |DES )?(?:\d+ )?(?:{_ACC})")

_DOSAGE = re.compile(
    rf"^({_NUM}) ?(MG|G|\u039cG|MCG|MICROGRAMMES?|MILLIGRAMMES?|GRAMMES?"
    r"|M ?\.? ?U\.? ?I\.?|MILLIONS? (?:D ?'? ?)?U\.? ?I\.?|MILLIONS? D'UNITES INTERNATIONALES"
    r"|U\.? ?I\.?|UNITES INTERNATIONALES)(?=$|[\s/(,;])"
)
# « une cuillère-mesure de 5 ml de suspension reconstituée », « une dose de 5 ml »
_BASIS_DEVICE = re.compile(
    rf"^(?:UNE? )?(?:CUILLERE(?:-| )MESURE|DOSE|MESURETTE|GODET|PIPETTE)S? DE ({_NUM}) ?(ML|L)\b"
)
# « un comprimé », « un flacon de poudre », « un sachet de 8 g »
_BASIS_UNIT = re.compile(rf"^(?:UNE?|1) ({_DOSE}|{_UNIT_CONT})S?\b")
# « 5 ml de suspension reconstituée », « un 1 ml de … », « 100 g »
_BASIS_MEASURE = re.compile(rf"^(?:UNE? )?({_NUM}) ?(ML|L|G|MG)\b")


@dataclass(frozen=True)
class Pack:
    """What one box holds: ``count`` units named ``unit`` (folded: COMPRIME, SACHET,
    FLACON…; None when the label leaves the noun out), each holding ``volume_ml`` or
    ``mass_g`` when the label gives it; ``note`` says how it was read (French)."""

    count: float
    unit: str | None
    volume_ml: float | None
    mass_g: float | None
    note: str
    # A quantity was written only after an accessory (« avec seringue … de 100 ml »):
    # the container's or the accessory's, the label does not say.
    ambiguous_quantity: bool = False
    # A kit « 1 flacon(s) … - 1 ampoule(s) … de 3,5 ml »: the volume of solvent given
    # with each unit (as many solvent containers as units), the volume once reconstituted.
    solvent_ml: float | None = None


@dataclass(frozen=True)
class Amount:
    """A quantity of substance: ``value`` in ``unit`` (g, mg or MU)."""

    value: float
    unit: str


@dataclass(frozen=True)
class Basis:
    """What a dosage is given for: one ``unit`` (« un comprimé »), a volume in ml, or a
    mass in g; a unit may come with its volume (« une poche de 100 ml »)."""

    unit: str | None = None
    volume_ml: float | None = None
    mass_g: float | None = None


def _clean(text: str) -> str:
    return _PLURAL_MARKS.sub("", fold(text)).replace("\u2019", "'")


def _number(text: str) -> float:
    value = french_number(text)
    if value is None:  # the patterns only let numbers through
        raise ValueError(text)
    return value


def _volume_or_mass(value: float, unit: str) -> tuple[float | None, float | None]:
    if unit == "ML":
        return value, None
    if unit == "L":
        return value * 1000, None
    if unit == "G":
        return None, value
    return None, value / 1000  # MG


def unit_name(unit: str | None) -> str:
    """The French noun of a folded unit, with the BDPM's plural mark: « comprimé(s) »."""
    if unit is None:
        return "unité(s)"
    return _UNIT_NAMES.get(unit, unit.lower()) + "(s)"


def unit_of_form(form: str) -> str | None:
    """The dose unit of a pharmaceutical form (« comprimé pelliculé » → COMPRIME), or
    None when the form is not one of the dose units."""
    words = _clean(form).split(" ")
    head = words[0] if words else ""
    for unit in DOSE_UNITS:
        if head.rstrip("S") == unit:
            return unit
    return None


def same_unit(a: str | None, b: str | None) -> bool:
    """True when two folded unit nouns name the same unit (« sachet-dose » = « sachet »,
    « capsule » = « gélule »)."""
    if a is None or b is None:
        return False
    return _SYNONYMS.get(a, a) == _SYNONYMS.get(b, b)


def parse_pack(label: str) -> Pack | str:
    """The content of one box from its presentation label, or the French reason why it
    cannot be read."""
    text = _clean(label)
    if not text:
        return "libellé de présentation vide"
    if m := _BOX_OF_GROUPS.search(text):
        groups, per_group = int(m.group(1)), int(m.group(2))
        return Pack(
            groups * per_group,
            m.group(3),
            None,
            None,
            f"{groups} × {per_group} {unit_name(m.group(3))}",
        )
    if m := _CONTENT_BOX.match(text):
        volume, mass = _volume_or_mass(_number(m.group(1)), m.group(2))
        count = int(m.group(4))
        return Pack(count, m.group(3), volume, mass, f"boîte de {count} {unit_name(m.group(3))}")
    # The first part of a kit holds the drug; the others are solvents or devices.
    parts = [p.strip() for p in re.split(r" - |; ", text) if p.strip()]
    first = parts[0]
    kit_note = " (seule la première partie du coffret est comptée)" if len(parts) > 1 else ""
    solvent = _solvent(first, parts[1]) if len(parts) == 2 else None
    if m := _GROUPED.match(first):
        outer = int(m.group(1)) if m.group(1) else 1
        inner = int(m.group(2))
        how = f"{outer} × {inner}" if m.group(1) else f"{inner}"
        return Pack(
            outer * inner, m.group(3), None, None, f"{how} {unit_name(m.group(3))}{kit_note}"
        )
    if m := _BARE_UNITS.match(first):
        return Pack(
            int(m.group(1)), m.group(2), None, None, f"{m.group(1)} {unit_name(m.group(2))}"
        )
    if m := _CONTAINERS.match(first):
        count = int(m.group(1))
        unit = m.group(2)
        rest = m.group(3)
        accessory = _ACCESSORY_CLAUSE.search(rest)
        own = rest[: accessory.start()] if accessory else rest
        quantity = _QUANTITY.search(own)
        volume = mass = None
        ambiguous = False
        if quantity:
            volume, mass = _volume_or_mass(_number(quantity.group(1)), quantity.group(2))
        elif accessory and _QUANTITY.search(rest[accessory.start() :]):
            ambiguous = True
        content = f" de {quantity.group(1).lower()} {quantity.group(2).lower()}" if quantity else ""
        return Pack(
            count,
            unit,
            volume,
            mass,
            f"{count} {unit_name(unit)}{content}{kit_note}",
            ambiguous_quantity=ambiguous,
            solvent_ml=solvent,
        )
    if m := _GROUPED_BARE.match(first):
        outer = int(m.group(1)) if m.group(1) else 1
        inner = int(m.group(2))
        return Pack(
            outer * inner, None, None, None, f"{outer} × {inner} (unité non écrite){kit_note}"
        )
    if re.match(rf"^(?:{_UNIT_CONT})S?\b", first):
        return "nombre de contenants non écrit dans le libellé de la présentation"
    return "libellé de présentation non reconnu (nombre d'unités introuvable)"


def _solvent(drug: str, other: str) -> float | None:
    """The solvent volume per unit of a two-part kit, when both parts have one count and
    the second gives its volume: « 1 flacon … - 1 ampoule(s) en verre de 3,5 ml »."""
    first, second = _CONTAINERS.match(drug), _CONTAINERS.match(other)
    if not first or not second or first.group(1) != second.group(1):
        return None
    quantity = _QUANTITY.search(second.group(3))
    if not quantity:
        return None
    volume, _ = _volume_or_mass(_number(quantity.group(1)), quantity.group(2))
    return volume


def parse_dosage(text: str) -> Amount | None:
    """An amount of substance (« 500 mg », « 1 000 000 UI », « 1,5 M.UI ») in g, mg or
    MU; None when the dosage is empty or written otherwise (« 5 % », « qs »)."""
    cleaned = _clean(text)
    m = _DOSAGE.match(cleaned)
    if not m:
        return None
    value = _number(m.group(1))
    unit = m.group(2).replace(" ", "").replace(".", "").replace("'", "")
    if unit in ("MG", "MILLIGRAMME", "MILLIGRAMMES"):
        return Amount(value, "mg")
    if unit in ("G", "GRAMME", "GRAMMES"):
        return Amount(value, "g")
    if unit in ("\u039cG", "MCG", "MICROGRAMME", "MICROGRAMMES"):
        return Amount(value / 1000, "mg")
    if unit in ("UI", "UNITESINTERNATIONALES"):
        return Amount(value / 1_000_000, "MU")
    return Amount(value, "MU")  # millions of IU, however written


def parse_basis(text: str) -> Basis | None:
    """What a dosage refers to (« un comprimé », « 5 ml de suspension reconstituée »,
    « 100 g »), or None when it cannot be read."""
    cleaned = re.sub(r"\([^)]*\)", "", _clean(text)).strip()
    if m := _BASIS_DEVICE.match(cleaned):
        volume, _ = _volume_or_mass(_number(m.group(1)), m.group(2))
        return Basis(volume_ml=volume)
    if m := _BASIS_UNIT.match(cleaned):
        volume = None
        if quantity := _QUANTITY.search(cleaned):
            volume, _ = _volume_or_mass(_number(quantity.group(1)), quantity.group(2))
        return Basis(unit=m.group(1), volume_ml=volume)
    if m := _BASIS_MEASURE.match(cleaned):
        volume, mass = _volume_or_mass(_number(m.group(1)), m.group(2))
        return Basis(volume_ml=volume, mass_g=mass)
    return None
