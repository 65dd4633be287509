"""Audit grids as data: their fields, the rule of each criterion, and compliance.

A grid is a list of *fields* a participant fills for each case (never a patient's
identity: only these fields). A field with an ``expected`` answer is a *criterion*; a
field without one describes the case (the clinical situation) and may decide whether a
criterion applies (``applies_if``). Three kinds of field, three rules:

- ``yes_no``: ``expected: true`` (or ``false``); compliant when the answer is that one;
- ``number``: ``expected: {min: 1, max: 5}`` (one bound may be left out), compliant when
  the value lies in the range, bounds included; ``bounds`` limits what may be entered;
- ``choice``: ``options`` (codes, or ``{code, label}``) and ``expected: [codes]``,
  compliant when the answer is one of them.

For each case a criterion is *met*, *not met*, *blank* (not filled, or the field that
decides whether it applies is not filled) or *not applicable* (its ``applies_if`` is not
satisfied, or the answer is « sans objet » where ``not_applicable: true`` allows it).
Compliance is met / (met + not met): blanks and non-applicable cases are counted apart,
never in the denominator.

A definition is checked whole (:func:`parse_grid`) and refused with every problem found,
each in one French line naming the field: a grid with an invalid rule is never stored.
No Django here: the grid files, the web forms and the tests share this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import yaml

__all__ = [
    "BLANK",
    "MET",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_ANSWER",
    "NOT_MET",
    "Field",
    "Grid",
    "GridError",
    "Option",
    "parse_grid",
    "parse_yaml",
]

KINDS = ("yes_no", "number", "choice")
#: The stored answer « sans objet » (not applicable for this case).
NOT_APPLICABLE_ANSWER = "_na"
MET, NOT_MET, BLANK, NOT_APPLICABLE = "met", "not_met", "blank", "not_applicable"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
GRID_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{1,59}$")


class GridError(ValueError):
    """A grid definition that cannot be used; ``problems``: one French line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ; ".join(self.problems))


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    kind: str  # yes_no, number, choice
    options: tuple[Option, ...] = ()
    unit: str = ""
    bounds: tuple[float | None, float | None] = (None, None)  # what may be entered
    # The rule: yes_no → bool; number → (min, max); choice → tuple of option codes.
    expected: bool | tuple[float | None, float | None] | tuple[str, ...] | None = None
    applies_if: tuple[str, tuple[Any, ...]] | None = None  # (field code, values)
    not_applicable: bool = False
    help: str = ""

    @property
    def is_criterion(self) -> bool:
        return self.expected is not None

    def option_label(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        return code

    def rule_text(self) -> str:
        """The expected answer, in French: « oui », « entre 1 et 5 jours », « fosfomycine ou
        pivmecillinam »."""
        if self.expected is None:
            return ""
        if self.kind == "yes_no":
            return "oui" if self.expected is True else "non"
        if self.kind == "number":
            low, high = cast("tuple[float | None, float | None]", self.expected)
            unit = f" {self.unit}" if self.unit else ""
            if low is not None and high is not None:
                return f"entre {_num(low)} et {_num(high)}{unit}"
            if low is not None:
                return f"au moins {_num(low)}{unit}"
            return f"au plus {_num(high)}{unit}"
        codes = cast("tuple[str, ...]", self.expected)
        return " ou ".join(self.option_label(code) for code in codes)

    def clean_answer(self, raw: Any) -> Any:
        """The stored form of an answer (None: blank); ValueError in French when it is not
        one this field accepts."""
        if raw is None or raw == "":
            return None
        if raw == NOT_APPLICABLE_ANSWER:
            if not self.not_applicable:
                raise ValueError(f"« {self.label} » : la réponse « sans objet » n'est pas prévue.")
            return NOT_APPLICABLE_ANSWER
        if self.kind == "yes_no":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("oui", "yes", "true", "1"):
                return True
            if text in ("non", "no", "false", "0"):
                return False
            raise ValueError(f"« {self.label} » : réponse « {raw} » inconnue (oui ou non).")
        if self.kind == "number":
            try:
                value = float(str(raw).replace(",", ".").strip())
            except ValueError:
                raise ValueError(f"« {self.label} » : « {raw} » n'est pas un nombre.") from None
            if not math.isfinite(value):
                raise ValueError(f"« {self.label} » : « {raw} » n'est pas un nombre.")
            low, high = self.bounds
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(
                    f"« {self.label} » : {_num(value)} hors des valeurs possibles "
                    f"({_num(low) if low is not None else '…'} à "
                    f"{_num(high) if high is not None else '…'})."
                )
            return value
        codes = [option.code for option in self.options]
        if raw not in codes:
            raise ValueError(
                f"« {self.label} » : « {raw} » n'est pas un des choix permis ({', '.join(codes)})."
            )
        return raw

    def answer_text(self, value: Any) -> str:
        if value is None:
            return ""
        if value == NOT_APPLICABLE_ANSWER:
            return "sans objet"
        if self.kind == "yes_no":
            return "oui" if value else "non"
        if self.kind == "number":
            return _num(value) + (f" {self.unit}" if self.unit else "")
        return self.option_label(value)

    def status(self, answers: Mapping[str, Any]) -> str:
        """MET, NOT_MET, BLANK or NOT_APPLICABLE for one case (a criterion only)."""
        if self.applies_if is not None:
            driver, values = self.applies_if
            driving = answers.get(driver)
            if driving is None:
                return BLANK
            if driving == NOT_APPLICABLE_ANSWER or driving not in values:
                return NOT_APPLICABLE
        value = answers.get(self.code)
        if value is None:
            return BLANK
        if value == NOT_APPLICABLE_ANSWER:
            return NOT_APPLICABLE
        if self.kind == "yes_no":
            return MET if value is self.expected or value == self.expected else NOT_MET
        if self.kind == "number":
            low, high = self.expected  # type: ignore[misc]
            ok = (low is None or value >= low) and (high is None or value <= high)
            return MET if ok else NOT_MET
        return MET if value in self.expected else NOT_MET  # type: ignore[operator]


@dataclass(frozen=True)
class Grid:
    code: str
    title: str
    description: str
    sources: tuple[str, ...]
    fields: tuple[Field, ...]

    @property
    def criteria(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_criterion)

    def field(self, code: str) -> Field:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)

    def clean_answers(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Every field's stored answer; ValueError listing the bad ones (French)."""
        unknown = sorted(set(raw) - {f.code for f in self.fields})
        problems = [f"champ « {code} » inconnu de la grille." for code in unknown]
        answers: dict[str, Any] = {}
        for f in self.fields:
            try:
                answers[f.code] = f.clean_answer(raw.get(f.code))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError(" ".join(problems))
        return answers


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return (f"{value:g}" if value != int(value) else str(int(value))).replace(".", ",")


def _number(value: Any, where: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{where} : « {value} » n'est pas un nombre.")
        return None
    return float(value)


def _range(value: Any, where: str, problems: list[str]) -> tuple[float | None, float | None]:
    if not isinstance(value, Mapping) or not set(value) <= {"min", "max"}:
        problems.append(f"{where} : une plage {{min: …, max: …}} est attendue.")
        return None, None
    low = _number(value.get("min"), f"{where} (min)", problems)
    high = _number(value.get("max"), f"{where} (max)", problems)
    if value.get("min") is None and value.get("max") is None:
        problems.append(f"{where} : indiquez au moins min ou max.")
    if low is not None and high is not None and low > high:
        problems.append(
            f"{where} : le minimum ({_num(low)}) est supérieur au maximum ({_num(high)})."
        )
    return low, high


FIELD_KEYS = {
    "code",
    "label",
    "type",
    "options",
    "unit",
    "bounds",
    "expected",
    "applies_if",
    "not_applicable",
    "help",
}


def _parse_field(raw: Any, index: int, seen: dict[str, Field], problems: list[str]) -> Field | None:
    if not isinstance(raw, Mapping):
        problems.append(f"champ n° {index} : une description (code, label, type…) est attendue.")
        return None
    code = raw.get("code")
    where = f"champ « {code} »" if code else f"champ n° {index}"
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.append(
            f"{where} : code manquant ou invalide (lettres minuscules, chiffres et _, "
            "40 caractères au plus)."
        )
        return None
    if code in seen:
        problems.append(f"{where} : ce code est déjà celui d'un autre champ.")
        return None
    extra = sorted(set(raw) - FIELD_KEYS)
    if extra:
        problems.append(f"{where} : clé(s) inconnue(s) {', '.join(extra)}.")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where} : libellé (label) manquant.")
        label = code
    kind = raw.get("type")
    if kind not in KINDS:
        problems.append(f"{where} : type « {kind} » inconnu (yes_no, number ou choice).")
        return None
    before = len(problems)
    options: list[Option] = []
    bounds: tuple[float | None, float | None] = (None, None)
    expected: Any = None
    if kind == "choice":
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            problems.append(f"{where} : au moins deux choix (options) sont attendus.")
            raw_options = []
        for item in raw_options:
            if isinstance(item, str):
                option = Option(item, item)
            elif isinstance(item, Mapping) and isinstance(item.get("code"), str):
                option = Option(item["code"], str(item.get("label") or item["code"]))
            else:
                problems.append(f"{where} : choix « {item} » invalide (code et label).")
                continue
            if not CODE_RE.match(option.code):
                problems.append(f"{where} : code de choix « {option.code} » invalide.")
            elif option.code in {o.code for o in options}:
                problems.append(f"{where} : le choix « {option.code} » est en double.")
            else:
                options.append(option)
    elif "options" in raw:
        problems.append(f"{where} : des choix (options) pour un champ qui n'est pas « choice ».")
    if kind == "number" and "bounds" in raw:
        bounds = _range(raw["bounds"], f"{where}, valeurs possibles (bounds)", problems)
    elif "bounds" in raw:
        problems.append(f"{where} : des bornes (bounds) pour un champ qui n'est pas un nombre.")
    if "expected" in raw:
        value = raw["expected"]
        if kind == "yes_no":
            if not isinstance(value, bool):
                problems.append(f"{where} : réponse attendue « {value} » invalide (true ou false).")
            else:
                expected = value
        elif kind == "number":
            expected = _range(value, f"{where}, réponse attendue", problems)
            low, high = bounds
            for bound in expected:
                if bound is not None and (
                    (low is not None and bound < low) or (high is not None and bound > high)
                ):
                    problems.append(
                        f"{where} : la réponse attendue sort des valeurs possibles (bounds)."
                    )
                    break
        else:
            values = value if isinstance(value, list) else [value]
            codes = {o.code for o in options}
            wrong = [str(v) for v in values if v not in codes]
            if wrong:
                problems.append(
                    f"{where} : réponse attendue « {', '.join(wrong)} » absente des choix "
                    f"({', '.join(sorted(codes))})."
                )
            elif not values:
                problems.append(f"{where} : au moins une réponse attendue.")
            else:
                expected = tuple(values)
    applies_if = None
    if "applies_if" in raw:
        cond = raw["applies_if"]
        if not isinstance(cond, Mapping) or set(cond) != {"field", "in"}:
            problems.append(f"{where} : applies_if attend {{field: …, in: […]}}.")
        else:
            driver = seen.get(str(cond["field"]))
            values = cond["in"] if isinstance(cond["in"], list) else [cond["in"]]
            if driver is None:
                problems.append(
                    f"{where} : applies_if renvoie au champ « {cond['field']} », absent "
                    "des champs qui le précèdent."
                )
            elif driver.kind == "number":
                problems.append(f"{where} : applies_if ne peut dépendre d'un nombre.")
            elif driver.kind == "yes_no" and not all(isinstance(v, bool) for v in values):
                problems.append(f"{where} : applies_if attend true ou false.")
            elif driver.kind == "choice" and not set(values) <= {o.code for o in driver.options}:
                problems.append(
                    f"{where} : applies_if cite une valeur absente des choix de « {driver.code} »."
                )
            else:
                applies_if = (driver.code, tuple(values))
    not_applicable = raw.get("not_applicable", False)
    if not isinstance(not_applicable, bool):
        problems.append(f"{where} : not_applicable attend true ou false.")
        not_applicable = False
    if len(problems) > before:
        return None
    return Field(
        code=code,
        label=label.strip(),
        kind=kind,
        options=tuple(options),
        unit=str(raw.get("unit") or ""),
        bounds=bounds,
        expected=expected,
        applies_if=applies_if,
        not_applicable=not_applicable,
        help=str(raw.get("help") or ""),
    )


def parse_grid(data: Any) -> Grid:
    """The grid described by ``data`` (a YAML document's mapping); GridError listing every
    problem found otherwise."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise GridError(["la grille doit être une description (code, title, fields…)."])
    code = data.get("code")
    if not isinstance(code, str) or not GRID_CODE_RE.match(code):
        problems.append(
            "code de la grille manquant ou invalide (minuscules, chiffres et tirets, "
            "2 à 60 caractères)."
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("titre (title) de la grille manquant.")
    sources = data.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        problems.append("sources : au moins une référence (recommandation citée) est attendue.")
        sources = []
    extra = sorted(set(data) - {"code", "title", "description", "sources", "fields"})
    if extra:
        problems.append(f"clé(s) inconnue(s) {', '.join(extra)}.")
    raw_fields = data.get("fields")
    fields: dict[str, Field] = {}
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append("fields : la liste des champs de la grille est vide.")
        raw_fields = []
    for index, raw in enumerate(raw_fields, start=1):
        parsed = _parse_field(raw, index, fields, problems)
        if parsed is not None:
            fields[parsed.code] = parsed
    if raw_fields and not any(f.is_criterion for f in fields.values()) and not problems:
        problems.append("aucun critère : au moins un champ doit avoir une réponse attendue.")
    if problems:
        raise GridError(problems)
    return Grid(
        code=str(code),
        title=str(title).strip(),
        description=str(data.get("description") or "").strip(),
        sources=tuple(s.strip() for s in sources),
        fields=tuple(fields.values()),
    )


def parse_yaml(text: str) -> tuple[Grid, dict[str, Any]]:
    """The grid of a YAML text and the plain data it was read from."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise GridError([f"YAML illisible{where}."]) from None
    return parse_grid(data), data
