"""Targeted-reporting rule sets: versioned YAML files, each rule citing its source.

The shipped set is ``cratb/engine/ast/rules/default.yaml`` (a *derivation to validate*,
see its header). A region edits its own copy in a folder of its own (``rules_dir``, from
``CRATB_AST_RULES_DIR`` in the engine configuration): a ``default.yaml`` there replaces
the shipped one (as the local reference folder does for reference tables).
``load_rules(rules_dir=...)`` reads and checks the set in use; every output (report
comment, log, API answer) names its ``ruleset``, ``version`` and ``status``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from cratb.engine import reference
from cratb.engine.errors import EngineError
from cratb.engine.reference.organisms import GROUPS

__all__ = [
    "CONTEXTS",
    "PACKAGED_DIR",
    "RULES_FILE",
    "SITUATIONS",
    "RuleError",
    "Ruleset",
    "Situation",
    "Tier",
    "clear",
    "load_rules",
    "parse_rules",
    "rules_path",
]

PACKAGED_DIR = Path(__file__).resolve().parent / "rules"
RULES_FILE = "default.yaml"
# The clinical situations a request may give (CONTRACTS.md section 2).
SITUATIONS = (
    "simple_cystitis",
    "complicated_cystitis",
    "pyelonephritis",
    "male_uti",
    "pregnancy",
)
CONTEXTS = (*SITUATIONS, "unknown")


class RuleError(EngineError, ValueError):
    """A rule file that cannot be used; French, one line, naming the file."""


@dataclass(frozen=True)
class Tier:
    agents: tuple[str, ...]  # WHONET codes
    source: str  # a key of Ruleset.sources


@dataclass(frozen=True)
class Situation:
    code: str
    label: str
    tiers: tuple[Tier, ...]
    next: str | None


# Compared and hashed by identity: a loaded set is cached (``_load``) and its cascades
# with it (``chain``).
@dataclass(frozen=True, eq=False)
class Ruleset:
    path: Path
    ruleset: str
    version: int
    date: str
    status: str
    title: str
    sources: Mapping[str, str]
    specimens: tuple[str, ...]
    organism_groups: tuple[str, ...]
    min_age_female: int
    min_age_male: int
    complication_age: int
    male_situation: str
    pregnancy_situation: str
    esbl_situations: tuple[str, ...]
    esbl_comment: str
    situations: Mapping[str, Situation]

    @property
    def label(self) -> str:
        """How outputs name the set: ``cratb-derive v1 (dérivation à valider)``."""
        return f"{self.ruleset} v{self.version} ({self.status})"

    def chain(self, start: str) -> list[tuple[int, str, str]]:
        """The cascade of a situation: (rank, agent, situation the tier belongs to), the
        situation's tiers then those of its ``next`` situations; an agent keeps its first
        rank."""
        return list(_chain(self, start))

    def _chain(self, start: str) -> tuple[tuple[int, str, str], ...]:
        out: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        rank = 0
        code: str | None = start
        visited: set[str] = set()
        while code is not None and code not in visited:
            visited.add(code)
            situation = self.situations[code]
            for tier in situation.tiers:
                rank += 1
                for agent in tier.agents:
                    if agent not in seen:
                        seen.add(agent)
                        out.append((rank, agent, code))
            code = situation.next
        return tuple(out)

    def tiers_table(self) -> pa.Table:
        """One row per start situation × agent of its cascade: ``situation``,
        ``antibiotic``, ``rank``, ``tier_situation``."""
        rows = [
            (start, agent, rank, tier_situation)
            for start in self.situations
            for rank, agent, tier_situation in self.chain(start)
        ]
        return pa.table(
            {
                "situation": [r[0] for r in rows],
                "antibiotic": [r[1] for r in rows],
                "rank": pa.array([r[2] for r in rows], type=pa.int32()),
                "tier_situation": [r[3] for r in rows],
            }
        )


@functools.lru_cache(maxsize=256)
def _chain(rules: Ruleset, start: str) -> tuple[tuple[int, str, str], ...]:
    return rules._chain(start)


def rules_path(rules_dir: Path | None = None) -> Path:
    """The rule file in use: the one in the region's folder ``rules_dir`` when there is
    one, else the shipped one."""
    if rules_dir and (rules_dir / RULES_FILE).is_file():
        return rules_dir / RULES_FILE
    return PACKAGED_DIR / RULES_FILE


def load_rules(path: Path | None = None, *, rules_dir: Path | None = None) -> Ruleset:
    """The rule set at ``path`` (default: ``rules_path(rules_dir)``), checked; cached by
    path and modification time, so an edited file is read again."""
    path = path or rules_path(rules_dir)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise RuleError(f"règles introuvables : {path} ({exc.strerror})") from exc
    return _load(path, stamp)


def clear() -> None:
    _load.cache_clear()
    _chain.cache_clear()


@functools.cache
def _load(path: Path, stamp: int) -> Ruleset:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path} illisible : {exc}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (ligne {where.line + 1})" if where is not None else ""
        raise RuleError(f"{path} : YAML invalide{line}") from exc
    return parse_rules(data, path=path)


def _require(data: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
    if key not in data:
        raise RuleError(f"{where} : « {key} » manquant")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleError(f"{where} : « {key} » invalide")
    return value


def parse_rules(data: Any, *, path: Path) -> Ruleset:
    """Check a rule set read from YAML; ``RuleError`` names the first problem."""
    name = str(path)
    if not isinstance(data, dict):
        raise RuleError(f"{name} : un document YAML de type dictionnaire est attendu")
    sources = _require(data, "sources", name, dict)
    scope = _require(data, "scope", name, dict)
    patient = _require(data, "patient", name, dict)
    esbl = _require(data, "esbl", name, dict)
    raw_situations = _require(data, "situations", name, dict)
    known = {a.whonet for a in reference.antibacterials().values() if a.whonet}

    def cite(value: Any, where: str) -> str:
        if value not in sources:
            raise RuleError(f"{name} : {where} cite une source inconnue « {value} »")
        return str(value)

    situations: dict[str, Situation] = {}
    for code, body in raw_situations.items():
        where = f"{name}, situation {code}"
        if code not in SITUATIONS:
            raise RuleError(
                f"{where} : situation inconnue ; situations admises : {', '.join(SITUATIONS)}"
            )
        if not isinstance(body, dict):
            raise RuleError(f"{where} : dictionnaire attendu")
        tiers = []
        for number, tier in enumerate(_require(body, "tiers", where, list), start=1):
            at = f"{where}, rang {number}"
            if not isinstance(tier, dict):
                raise RuleError(f"{at} : dictionnaire attendu (agents, source)")
            agents = tuple(str(a).strip().upper() for a in _require(tier, "agents", at, list))
            unknown = [a for a in agents if a not in known]
            if unknown or not agents:
                raise RuleError(f"{at} : code WHONET inconnu ou absent : {', '.join(unknown)}")
            tiers.append(Tier(agents=agents, source=cite(tier.get("source"), at)))
        if not tiers:
            raise RuleError(f"{where} : au moins un rang est attendu")
        situations[code] = Situation(
            code=code,
            label=str(_require(body, "label", where, str)),
            tiers=tuple(tiers),
            next=body.get("next"),
        )
    for code, situation in situations.items():
        if situation.next is not None and situation.next not in situations:
            raise RuleError(f"{name}, situation {code} : « next » inconnu « {situation.next} »")
    missing = [s for s in SITUATIONS if s not in situations]
    if missing:
        raise RuleError(f"{name} : situation(s) sans règle : {', '.join(missing)}")
    groups = tuple(_require(scope, "organism_groups", f"{name}, scope", list))
    if any(g not in GROUPS for g in groups):
        raise RuleError(f"{name}, scope : groupe d'organismes inconnu ({', '.join(groups)})")
    cite(scope.get("source"), "scope")
    for key in ("complication_age", "male_situation", "pregnancy_situation"):
        cite(patient.get(f"{key}_source"), f"patient.{key}")
    for key in ("male_situation", "pregnancy_situation"):
        if patient.get(key) not in situations:
            raise RuleError(f"{name}, patient : « {key} » doit être une situation")
    cite(esbl.get("source"), "esbl")
    esbl_situations = tuple(_require(esbl, "situations", f"{name}, esbl", list))
    if any(s not in situations for s in esbl_situations):
        raise RuleError(f"{name}, esbl : situation inconnue")
    return Ruleset(
        path=path,
        ruleset=str(_require(data, "ruleset", name, str)),
        version=_require(data, "version", name, int),
        date=str(data.get("date", "")),
        status=str(_require(data, "status", name, str)),
        title=str(_require(data, "title", name, str)),
        sources={str(k): " ".join(str(v).split()) for k, v in sources.items()},
        specimens=tuple(_require(scope, "specimens", f"{name}, scope", list)),
        organism_groups=groups,
        min_age_female=_require(scope, "min_age_female", f"{name}, scope", int),
        min_age_male=_require(scope, "min_age_male", f"{name}, scope", int),
        complication_age=_require(patient, "complication_age", f"{name}, patient", int),
        male_situation=str(patient["male_situation"]),
        pregnancy_situation=str(patient["pregnancy_situation"]),
        esbl_situations=esbl_situations,
        esbl_comment=str(_require(esbl, "comment", f"{name}, esbl", str)),
        situations=situations,
    )
