"""Building ``products`` rows (CONTRACTS.md 1.2) for systemic antibacterials from the BDPM.

For every presentation whose ATC code (from Open Medic or the corrections file: the BDPM
carries none) falls in the scope (J01, and the oral nitroimidazoles P01AB and rifamycins
J04AB the WHO counts elsewhere), the builder works out:

- the route, from the speciality's routes (orale → O; intraveineuse, intramusculaire,
  sous-cutanée → P; rectale → R; inhalée → Inhal; anything else, or two systemic routes,
  is left to the corrections file);
- the units per box, from the presentation label (``labels.parse_pack``);
- the amount per unit of the substance the WHO DDD refers to: for a combination the
  substance named by the WHO note (« Refers to amoxicillin » for J01CR02), else the agent
  itself; in the composition, the therapeutic fraction (FT, the base a salt is expressed
  as) wins over the active substance (SA) it is linked to; a dosage given per volume
  (« 250 mg / 5 ml ») is multiplied by the bottle's volume, one given per mass of granules
  by the bottle's mass;
- ``ddd_per_box`` only where the WHO gives a DDD particular to the product (erythromycin
  ethylsuccinate tablets: 2 g instead of 1 g); everywhere else the DDD per box is left to
  the project's computation (``engine/intermediate/products.py``).

Every product keeps the reason of how its amount was worked out (or why it was not), the
way OpenPrescribing records how each product's DDD was worked out; what cannot be built
at all is listed with its reason in ``unresolved``, never guessed. The corrections file
wins, cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import pyarrow as pa
import pyarrow.compute as pc

from cratb.engine import reference
from cratb.engine.sources.opendata.bdpm.files import Bdpm, Component, Presentation, Speciality
from cratb.engine.sources.opendata.bdpm.labels import (
    Amount,
    Pack,
    parse_basis,
    parse_dosage,
    parse_pack,
    same_unit,
    unit_name,
    unit_of_form,
)
from cratb.engine.sources.opendata.bdpm.overrides import Override, Overrides
from cratb.engine.sources.opendata.text import fold

__all__ = [
    "DEFAULT_SCOPE",
    "PRODUCT_SCHEMA",
    "UNRESOLVED_SCHEMA",
    "Catalogue",
    "build_catalogue",
]

DEFAULT_SCOPE = ("J01", "P01AB", "J04AB")
MAX_LABEL = 500

PRODUCT_SCHEMA = pa.schema(
    [
        ("cip13", pa.string()),
        ("label", pa.string()),
        ("atc", pa.string()),
        ("route", pa.string()),
        ("units_per_box", pa.float64()),
        ("amount_per_unit", pa.float64()),
        ("amount_unit", pa.string()),
        ("ddd_per_box", pa.float64()),
        # Beyond the contract: where the row comes from and how its amount was found.
        ("cis", pa.string()),
        ("source", pa.string()),  # bdpm, bdpm+corrections, corrections
        # ft (the base, therapeutic fraction), sa (the active substance is the base),
        # salt (only the salt's dosage is given), corrections, none
        ("amount_basis", pa.string()),
        ("reason", pa.string()),
    ]
)
UNRESOLVED_SCHEMA = pa.schema(
    [
        ("cip13", pa.string()),
        ("cis", pa.string()),
        ("label", pa.string()),
        ("atc", pa.string()),
        ("reason", pa.string()),
    ]
)

# BDPM route words (folded) → WHO route letter; other routes are not systemic.
_ROUTES = {
    "ORALE": "O",
    "INTRAVEINEUSE": "P",
    "INTRAMUSCULAIRE": "P",
    "SOUS-CUTANEE": "P",
    "INTRA-ARTERIELLE": "P",
    "INTRATHECALE": "P",
    "RECTALE": "R",
    "INHALEE": "Inhal",
}
# BDPM spellings of agents that differ from the French INN of antibacterials.csv.
_ALIASES = {
    "J01CE02": ("PENICILLINE V",),
    "J01XC01": ("FUSIDIQUE", "FUSIDATE"),
    "J01MB02": ("NALIDIXIQUE",),
    "J01XB01": ("COLISTIMETHATE",),
}
# WHO DDDs particular to one salt and form (the note of the ATC/DDD index): the salt's
# word and the unit nouns the note applies to.
_NOTED_DDDS = {
    "erythromycin ethylsuccinate tablets": ("ETHYLSUCCINATE", ("COMPRIME",)),
}


@dataclass(frozen=True)
class _UnitDoseDdd:
    """A WHO DDD of a combined product given in unit doses (UD), for one strength."""

    atc: str
    route: str
    strengths: tuple[tuple[str, float], ...]  # (substance word, mg) per unit or per volume
    per_ml: float | None  # the volume the strengths are given for; None: per unit
    ddd: float  # units, or ml, making one DDD
    note: str  # French, shown in the reason


# The WHO list of DDDs of combined products (ATC/DDD index 2026-04-25), as recorded in
# the project's domain notes: co-trimoxazole has no DDD in the main index. Other
# strengths (800 mg/160 mg tablets…) are left to the corrections file.
_UNIT_DOSE_DDDS = (
    _UnitDoseDdd(
        "J01EE01",
        "O",
        (("SULFAMETHOXAZOLE", 400), ("TRIMETHOPRIME", 80)),
        None,
        4,
        "comprimé de 400 mg/80 mg : 4 UD",
    ),
    _UnitDoseDdd(
        "J01EE01",
        "O",
        (("SULFAMETHOXAZOLE", 200), ("TRIMETHOPRIME", 40)),
        5,
        40,
        "suspension de 200 mg/40 mg pour 5 ml : 8 UD (40 ml)",
    ),
    _UnitDoseDdd(
        "J01EE01",
        "P",
        (("SULFAMETHOXAZOLE", 80), ("TRIMETHOPRIME", 16)),
        1,
        20,
        "solution à diluer de 80 mg/16 mg par ml : 20 UD (20 ml)",
    ),
)
# Words of a substance name that do not make it a salt of the agent.
_BASE_WORDS = {"BASE", "ANHYDRE", "ACIDE"}
_REFERS_TO = re.compile(r"^refers? to (.+)$", re.IGNORECASE)
_WORDS = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True)
class _Built:
    """A presentation read from the BDPM (before corrections)."""

    label: str
    route: str | None
    units_per_box: float | None
    amount: Amount | None
    ddd_per_box: float | None
    amount_basis: str
    reason: str  # how the amount was found, or why not / why the row is incomplete


@dataclass
class Catalogue:
    """``products`` rows, the presentations in scope that could not be built, and counts."""

    products: pa.Table
    unresolved: pa.Table
    overrides_edition: str | None
    scope: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def without_amount(self) -> pa.Table:
        """The products built whose DDD per box cannot be computed from what was read
        (no amount, no DDD per box): cip13, label, atc, reason."""
        missing = pc.and_(
            pc.is_null(self.products["amount_per_unit"]),
            pc.is_null(self.products["ddd_per_box"]),
        )
        return self.products.filter(missing).select(["cip13", "label", "atc", "reason"])


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(fold(text)))


def _french_name(agent: reference.Antibacterial) -> str:
    """The agent's own French name: the parenthesis and the partner of a combination
    dropped (« amoxicilline et inhibiteur… (acide clavulanique) » → « amoxicilline »)."""
    name = re.sub(r"\([^)]*\)", "", agent.name_fr)
    return re.split(r" et |,", name)[0].strip()


def _ddd_substance(atc: str) -> tuple[list[set[str]], str] | None:
    """Word sets naming, in the BDPM, the substance the WHO DDD of ``atc`` refers to, and
    its French name; None for a combination whose DDD refers to no single substance."""
    agent = reference.antibacterial(atc)
    note_target = next(
        (m.group(1).strip() for d in agent.ddds if (m := _REFERS_TO.match(d.note))), None
    )
    if note_target is not None:
        same = [
            a
            for a in reference.antibacterials().values()
            if a.name_en.lower() == note_target.lower()
        ]
        name = _french_name(same[0]) if same else _french_name(agent)
    else:
        who_name = (reference.atc_name(atc) or "").lower()
        if " and " in who_name or "combination" in who_name:
            return None
        name = _french_name(agent)
    names = [_words(name), *(_words(alias) for alias in _ALIASES.get(atc, ()))]
    return names, name


def _route(speciality: Speciality) -> tuple[str | None, str]:
    letters = set()
    other = []
    for route in speciality.routes:
        letter = _ROUTES.get(fold(route))
        if letter:
            letters.add(letter)
        else:
            other.append(route)
    if len(letters) == 1:
        return letters.pop(), ""
    if len(letters) > 1:
        listed = ", ".join(speciality.routes)
        return None, f"plusieurs voies systémiques ({listed}) : voie à donner en correction"
    listed = ", ".join(other) or "non renseignée"
    return None, f"voie non systémique ({listed})"


def _pick_component(
    components: Sequence[Component], names: list[set[str]], label: str
) -> tuple[Component, str] | str:
    """The composition line giving the DDD substance's dosage, and its basis (ft, sa,
    salt); or the French reason why there is none."""
    matches = [c for c in components if any(n <= _words(c.substance) for n in names)]
    if not matches:
        return f"{label} absente de la composition"
    groups: dict[tuple[str, str], list[Component]] = {}
    for c in matches:
        groups.setdefault((fold(c.element), c.link), []).append(c)
    with_dosage = {k: g for k, g in groups.items() if any(c.dosage for c in g)}
    if not with_dosage:
        return f"dosage de {label} non renseigné dans la composition"
    if len(with_dosage) > 1:
        return f"{label} figure dans plusieurs éléments de la composition : ambigu"
    group = next(iter(with_dosage.values()))
    fraction = [c for c in group if c.nature == "FT" and c.dosage]
    if fraction:
        return fraction[0], "ft"
    active = next(c for c in group if c.dosage)
    extra = _words(active.substance) - set().union(*names) - _BASE_WORDS
    return active, ("salt" if extra else "sa")


def _noted_ddd(
    atc: str, route: str, group_words: set[str], unit: str | None
) -> reference.Ddd | None:
    """The WHO DDD particular to this salt and form, when the index gives one."""
    for ddd in reference.antibacterial(atc).ddds:
        if ddd.route != route or not ddd.note:
            continue
        noted = _NOTED_DDDS.get(ddd.note.lower())
        if noted and noted[0] in group_words and unit in noted[1]:
            return ddd
    return None


def _in_unit(amount: Amount, unit: str) -> float | None:
    factors = {("g", "g"): 1.0, ("mg", "g"): 0.001, ("g", "mg"): 1000.0, ("mg", "mg"): 1.0}
    factors[("MU", "MU")] = 1.0
    factor = factors.get((amount.unit, unit))
    return None if factor is None else amount.value * factor


def _number_fr(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _build(
    presentation: Presentation,
    speciality: Speciality | None,
    components: Sequence[Component],
    atc: str,
) -> _Built:
    name = speciality.name if speciality else ""
    label = f"{name} — {presentation.label}" if name else presentation.label
    label = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
    if speciality is None:
        return _Built(label, None, None, None, None, "none", "spécialité absente de CIS_bdpm.txt")
    route, route_reason = _route(speciality)
    reasons = [route_reason] if route_reason else []
    pack = parse_pack(presentation.label)
    if isinstance(pack, str):
        return _Built(label, route, None, None, None, "none", "; ".join([*reasons, pack]))
    unit = pack.unit or unit_of_form(speciality.form)
    if unit is None:
        why = "; ".join([*reasons, "unité des boîtes non écrite"])
        return _Built(label, route, None, None, None, "none", why)
    pack = replace(pack, unit=unit)
    if route is None:
        return _Built(label, None, pack.count, None, None, "none", "; ".join(reasons))
    amount, basis, how = _amount(atc, route, pack, components)
    ddd_per_box = None
    if amount is None and (unit_dose := _unit_dose_ddd(atc, route, pack, components)):
        ddd_per_box, how = unit_dose
    if amount is not None and basis != "none":
        group_words = set().union(*(_words(c.substance) for c in components))
        noted = _noted_ddd(atc, route, group_words, unit)
        in_ddd_unit = _in_unit(amount, noted.unit) if noted else None
        if noted and in_ddd_unit is not None:
            ddd_per_box = pack.count * in_ddd_unit / noted.value
            how += (
                f" ; DDJ OMS particulière : {_number_fr(noted.value)} {noted.unit} ({noted.note})"
            )
    return _Built(label, route, pack.count, amount, ddd_per_box, basis, "; ".join([*reasons, how]))


def _mg_per(component: Component, pack: Pack, per_ml: float | None) -> float | None:
    """The component's mg in one unit of the box (``per_ml`` None) or in ``per_ml`` ml."""
    dosage = parse_dosage(component.dosage)
    basis = parse_basis(component.reference)
    if dosage is None or basis is None or dosage.unit == "MU":
        return None
    mg = dosage.value * (1000 if dosage.unit == "g" else 1)
    if per_ml is None:
        return mg if basis.unit is not None and same_unit(basis.unit, pack.unit) else None
    if basis.volume_ml is not None:  # « 5 ml », or « une ampoule de 5 ml »
        return mg / basis.volume_ml * per_ml
    if basis.unit is not None and same_unit(basis.unit, pack.unit) and pack.volume_ml:
        return mg / pack.volume_ml * per_ml  # « une ampoule », of the box's 5 ml
    return None


def _unit_dose_ddd(
    atc: str, route: str, pack: Pack, components: Sequence[Component]
) -> tuple[float, str] | None:
    """The DDD per box of a combined product whose WHO DDD is given in unit doses, and
    the reason; None when no listed strength matches the composition."""
    for entry in _UNIT_DOSE_DDDS:
        if (entry.atc, entry.route) != (atc, route):
            continue
        matched = all(
            any(
                word in _words(c.substance)
                and (mg := _mg_per(c, pack, entry.per_ml)) is not None
                and abs(mg - strength) < 1e-6 * strength
                for c in components
            )
            for word, strength in entry.strengths
        )
        if not matched:
            continue
        count = f"{_number_fr(pack.count)} {unit_name(pack.unit)}"
        if entry.per_ml is None:
            return pack.count / entry.ddd, f"{count} ; DDJ OMS des associations : {entry.note}"
        if pack.volume_ml is None:
            return None
        return (
            pack.count * pack.volume_ml / entry.ddd,
            f"{count} de {_number_fr(pack.volume_ml)} ml ; DDJ OMS des associations : {entry.note}",
        )
    return None


def _amount(
    atc: str, route: str, pack: Pack, components: Sequence[Component]
) -> tuple[Amount | None, str, str]:
    """The amount of the DDD substance in one unit of the box, its basis and the French
    account of how it was found (or why not)."""
    count = f"{_number_fr(pack.count)} {unit_name(pack.unit)}"
    substance = _ddd_substance(atc)
    if substance is None:
        return None, "none", f"{count} ; association sans DDJ OMS : ddd_per_box à corriger"
    names, substance_fr = substance
    picked = _pick_component(components, names, substance_fr)
    if isinstance(picked, str):
        return None, "none", f"{count} ; {picked}"
    component, basis_kind = picked
    dosage = parse_dosage(component.dosage)
    if dosage is None:
        return None, "none", f"{count} ; dosage illisible « {component.dosage} »"
    basis = parse_basis(component.reference)
    if basis is None:
        return None, "none", f"{count} ; référence du dosage illisible « {component.reference} »"
    source = (
        f"{component.nature} « {component.substance} » {component.dosage}"
        f" pour « {component.reference} »"
    )
    if basis.unit is not None and same_unit(basis.unit, pack.unit):
        amount = dosage
        how = f"{count} × {_number_fr(dosage.value)} {dosage.unit} ({source})"
    elif basis.unit is not None and (basis.volume_ml is None or pack.volume_ml is None):
        return (
            None,
            "none",
            f"{count} ; dosage donné pour « {component.reference} », boîte comptée en"
            f" {unit_name(pack.unit)}",
        )
    elif (
        basis.volume_ml is not None
        and pack.volume_ml is None
        and pack.solvent_ml == basis.volume_ml
        and "RECONSTITU" in fold(component.reference)
    ):
        amount = dosage
        how = (
            f"{count} × {_number_fr(dosage.value)} {dosage.unit}, reconstitué avec le solvant"
            f" du coffret ({_number_fr(basis.volume_ml)} ml) ({source})"
        )
    else:
        content, per, measure = (
            (pack.volume_ml, basis.volume_ml, "ml")
            if basis.volume_ml is not None
            else (pack.mass_g, basis.mass_g, "g")
        )
        if content is None or per is None:
            if pack.ambiguous_quantity:
                why = (
                    "quantité écrite après l'accessoire dans le libellé : contenant ou accessoire ?"
                )
            elif measure == "ml" and pack.mass_g is not None:
                why = (
                    f"le libellé donne la masse de poudre ({_number_fr(pack.mass_g)} g),"
                    " pas le volume reconstitué"
                )
            else:
                why = f"contenu du conditionnement en {measure} non écrit dans le libellé"
            return None, "none", f"{count} ; dosage par {measure} ({source}) ; {why}"
        amount = Amount(dosage.value * content / per, dosage.unit)
        how = (
            f"{count} de {_number_fr(content)} {measure} × {_number_fr(dosage.value)}"
            f" {dosage.unit} pour {_number_fr(per)} {measure} ({source})"
        )
    if basis_kind == "salt" and dosage.unit == "MU":
        basis_kind = "sa"  # international units measure the activity, salt or not
    if basis_kind == "salt":
        how += " ; quantité du sel, la BDPM ne donnant pas la base : à vérifier"
    ddds = [d for d in reference.antibacterial(atc).ddds if d.route == route]
    units = {d.unit for d in ddds}
    if units and _in_unit(amount, next(iter(units))) is None:
        how += (
            f" ; quantité en {amount.unit}, DDJ OMS en {', '.join(sorted(units))} :"
            " conversion à donner en correction (ddd_per_box)"
        )
    return amount, basis_kind, how


def _apply(
    built: _Built | None, override: Override | None, atc: str, edition: str | None
) -> tuple[dict[str, object], str]:
    """The product row (contract columns and extras) and its source."""
    row: dict[str, object] = {
        "label": built.label if built else None,
        "atc": atc,
        "route": built.route if built else None,
        "units_per_box": built.units_per_box if built else None,
        "amount_per_unit": built.amount.value if built and built.amount else None,
        "amount_unit": built.amount.unit if built and built.amount else None,
        "ddd_per_box": built.ddd_per_box if built else None,
        "amount_basis": built.amount_basis if built else "none",
        "reason": built.reason if built else "absent de la BDPM",
    }
    if override is None:
        return row, "bdpm"
    changed = [
        column
        for column in ("label", "route", "units_per_box", "amount_per_unit", "ddd_per_box")
        if getattr(override, column) is not None
    ]
    for column in changed:
        row[column] = getattr(override, column)
    if override.amount_unit is not None:
        row["amount_unit"] = override.amount_unit
    if override.amount_per_unit is not None or override.ddd_per_box is not None:
        row["amount_basis"] = "corrections"
    note = f"correction (édition {edition}, ligne {override.line}) : {override.reason}"
    row["reason"] = f"{note} ; lu dans la BDPM : {row['reason']}" if built else note
    return row, ("bdpm+corrections" if built else "corrections")


def build_catalogue(
    bdpm: Bdpm,
    *,
    atc_codes: Mapping[str, str],
    overrides: Overrides | None = None,
    scope: Iterable[str] = DEFAULT_SCOPE,
) -> Catalogue:
    """``products`` rows for the presentations whose ATC code (``atc_codes``: CIP13 →
    ATC5, e.g. from Open Medic; the corrections file's codes win) starts with one of
    ``scope``; the others in scope are listed in ``unresolved`` with their reason."""
    prefixes = tuple(scope)
    corrections = overrides.rows if overrides else {}
    codes = {**{k: v.strip().upper() for k, v in atc_codes.items()}}
    codes.update(overrides.atc_codes() if overrides else {})
    by_cip13: dict[str, Presentation] = {}
    for p in bdpm.presentations:
        by_cip13.setdefault(p.cip13, p)
    known = reference.antibacterials()
    products: list[dict[str, object]] = []
    unresolved: list[dict[str, object]] = []
    counts = {"in_scope": 0, "from_bdpm": 0, "corrected": 0, "with_amount": 0, "salt": 0}
    edition = overrides.edition if overrides else None
    for cip13 in sorted(set(codes) | set(corrections)):
        atc = codes.get(cip13, "")
        if not atc.startswith(prefixes):
            continue
        counts["in_scope"] += 1
        presentation = by_cip13.get(cip13)
        cis = presentation.cis if presentation else None
        if atc not in known:
            unresolved.append(
                {
                    "cip13": cip13,
                    "cis": cis,
                    "label": presentation.label if presentation else None,
                    "atc": atc,
                    "reason": f"code ATC absent du référentiel des antibactériens : « {atc} »",
                }
            )
            continue
        built = (
            _build(
                presentation,
                bdpm.specialities.get(presentation.cis),
                bdpm.components.get(presentation.cis, []),
                atc,
            )
            if presentation
            else None
        )
        row, source = _apply(built, corrections.get(cip13), atc, edition)
        missing = [c for c in ("label", "route", "units_per_box") if row[c] is None]
        if missing:
            unresolved.append(
                {
                    "cip13": cip13,
                    "cis": cis,
                    "label": row["label"],
                    "atc": atc,
                    "reason": f"{', '.join(missing)} manquant : {row['reason']}",
                }
            )
            continue
        counts["from_bdpm"] += source != "corrections"
        counts["corrected"] += source != "bdpm"
        counts["with_amount"] += row["amount_per_unit"] is not None
        counts["salt"] += row["amount_basis"] == "salt"
        products.append({"cip13": cip13, "cis": cis, "source": source, **row})
    counts["products"] = len(products)
    counts["unresolved"] = len(unresolved)
    return Catalogue(
        products=pa.Table.from_pylist(products, schema=PRODUCT_SCHEMA),
        unresolved=pa.Table.from_pylist(unresolved, schema=UNRESOLVED_SCHEMA),
        overrides_edition=edition,
        scope=prefixes,
        counts=counts,
    )
