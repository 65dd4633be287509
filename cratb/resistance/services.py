"""Workflows of the resistance app: one isolate through the targeted-reporting engine
(the lab API), the copy of the API's log into the warehouse, the labs' code table."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cratb.engine.ast import engine, log
from cratb.engine.ast.rules import CONTEXTS, Ruleset, load_rules
from cratb.engine.identifiers import identity_in_identifier
from cratb.engine.reference.organisms import resolve_organism
from cratb.engine.sources import lab_codes
from cratb.engine.sources.rules import plausible_years
from cratb.engine.warehouse import WarehouseError
from cratb.resistance.models import ApiToken, LabEvent, TargetedReport

SPECIMENS = ("urine", "blood", "respiratory", "skin", "other")
MAX_RESULTS = 200
LAB_CODES_TTL = 60.0


class _LabCodesCache:
    """The labs' code table, read from the warehouse at most once a minute per process
    (the API must not depend on the warehouse being free at each request)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes = lab_codes.LabCodes()
        self.read_at = float("-inf")

    def get(self) -> lab_codes.LabCodes:
        with self.lock:
            if time.monotonic() - self.read_at > LAB_CODES_TTL:
                try:
                    self.codes = lab_codes.read_current(Path(settings.CRATB_WAREHOUSE))
                except WarehouseError:
                    pass  # keep the last table read; the next request tries again
                self.read_at = time.monotonic()
            return self.codes

    def clear(self) -> None:
        with self.lock:
            self.read_at = float("-inf")


LAB_CODES = _LabCodesCache()


@dataclass(frozen=True)
class Checked:
    isolate_id: str
    sampled_on: dt.date
    specimen: str
    organism: str
    age: int | None
    sex: str | None
    context: str
    pregnant: bool
    esbl: bool
    results: list[tuple[str, str, str]]  # (code as sent, WHONET code, S/I/R)


def _flag(value: Any, name: str, errors: dict[str, str]) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().upper() in ("Y", "N"):
        return value.strip().upper() == "Y"
    errors[name] = f"valeur inconnue « {value} » ; valeurs admises : true, false, Y, N"
    return False


def _text(payload: Mapping[str, Any], name: str, errors: dict[str, str]) -> str | None:
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int):
        errors[name] = "texte attendu"
        return None
    return str(value).strip()


def check_request(payload: Any, *, lab_id: str) -> tuple[Checked | None, dict[str, str]]:
    """The request body of the API, checked; French reasons by field otherwise."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        return None, {"": "un objet JSON est attendu"}
    isolate_id = _text(payload, "isolate_id", errors)
    if isolate_id is None and "isolate_id" not in errors:
        errors["isolate_id"] = "valeur obligatoire manquante"
    elif isolate_id is not None and len(isolate_id) > 200:
        errors["isolate_id"] = "texte trop long (plus de 200 caractères)"
    elif isolate_id is not None and (refused := identity_in_identifier(isolate_id)):
        errors["isolate_id"] = refused
    sampled_text = _text(payload, "sampled_on", errors)
    sampled_on = None
    if sampled_text is None:
        errors.setdefault("sampled_on", "valeur obligatoire manquante")
    else:
        try:
            sampled_on = dt.date.fromisoformat(sampled_text)
        except ValueError:
            errors["sampled_on"] = f"date attendue au format AAAA-MM-JJ, lu « {sampled_text} »"
        else:
            first, _ = plausible_years()
            if sampled_on > timezone.localdate():
                errors["sampled_on"] = f"date dans le futur : « {sampled_text} »"
            elif sampled_on.year < first:
                errors["sampled_on"] = f"date hors de la période plausible : « {sampled_text} »"
    specimen = (_text(payload, "specimen", errors) or "").lower()
    if specimen not in SPECIMENS:
        errors["specimen"] = (
            f"valeur inconnue « {specimen} » ; valeurs admises : {', '.join(SPECIMENS)}"
            if specimen
            else "valeur obligatoire manquante"
        )
    organism_text = _text(payload, "organism", errors)
    organism = resolve_organism(organism_text) if organism_text else None
    if organism is None:
        errors["organism"] = (
            f"organisme inconnu « {organism_text} » : absent du référentiel des organismes"
            if organism_text
            else "valeur obligatoire manquante"
        )
    age = payload.get("patient_age")
    if age is not None and age != "":
        if isinstance(age, bool) or not isinstance(age, int | str) or not str(age).isdigit():
            errors["patient_age"] = f"nombre entier attendu, lu « {age} »"
            age = None
        elif not 0 <= int(age) <= 120:
            errors["patient_age"] = f"hors de l'intervalle 0–120 : « {age} »"
            age = None
        else:
            age = int(age)
    else:
        age = None
    sex = (_text(payload, "patient_sex", errors) or "").upper() or None
    if sex not in (None, "F", "M"):
        errors["patient_sex"] = f"valeur inconnue « {sex} » ; valeurs admises : F, M"
    context = (_text(payload, "clinical_context", errors) or "unknown").lower()
    if context not in CONTEXTS:
        errors["clinical_context"] = (
            f"valeur inconnue « {context} » ; valeurs admises : {', '.join(CONTEXTS)}"
        )
    pregnant = _flag(payload.get("pregnant"), "pregnant", errors)
    esbl = _flag(payload.get("esbl"), "esbl", errors)
    results = _results(payload.get("results"), lab_id=lab_id, errors=errors)
    if errors or isolate_id is None or sampled_on is None or organism is None:
        return None, errors
    return (
        Checked(
            isolate_id=isolate_id,
            sampled_on=sampled_on,
            specimen=specimen,
            organism=organism.name,
            age=age,
            sex=sex,
            context=context,
            pregnant=pregnant,
            esbl=esbl,
            results=results,
        ),
        errors,
    )


def _results(value: Any, *, lab_id: str, errors: dict[str, str]) -> list[tuple[str, str, str]]:
    if not isinstance(value, list) or not value:
        errors["results"] = "liste non vide de résultats attendue ({antibiotic, sir})"
        return []
    if len(value) > MAX_RESULTS:
        errors["results"] = f"au plus {MAX_RESULTS} résultats par isolat"
        return []
    codes = LAB_CODES.get()
    known = set(engine.codes())
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"results[{i}]"
        if not isinstance(item, dict):
            errors[where] = "objet {antibiotic, sir} attendu"
            continue
        sent = str(item.get("antibiotic") or "").strip()
        whonet = codes.translate(lab_id, sent) if sent else ""
        sir = str(item.get("sir") or "").strip().upper()
        if not sent:
            errors[f"{where}.antibiotic"] = "valeur obligatoire manquante"
        elif whonet not in known:
            errors[f"{where}.antibiotic"] = (
                f"code antibiotique inconnu « {sent} » : ni code WHONET, ni code du laboratoire"
                " dans la table de correspondance"
            )
        elif whonet in seen:
            errors[f"{where}.antibiotic"] = f"antibiotique en double : {whonet}"
        if sir not in engine.SIR:
            errors[f"{where}.sir"] = f"valeur inconnue « {sir} » ; valeurs admises : S, I, R"
        seen.add(whonet)
        out.append((sent, whonet, sir))
    return out


@dataclass(frozen=True)
class Answer:
    mode: str
    situation: str | None
    comment: str
    withheld: int
    reported: list[bool]
    rules: Ruleset


def decide(checked: Checked, *, rules: Ruleset | None = None) -> Answer:
    """The engine's decision for one isolate (the same code as ``cratb ast target``)."""
    rules = rules or load_rules(rules_dir=settings.CRATB_ENGINE.rules_dir)
    encoded = engine.encode_isolate(
        rules,
        organism=checked.organism,
        specimen=checked.specimen,
        age=checked.age,
        sex=checked.sex,
        context=checked.context,
        pregnant=checked.pregnant,
        esbl=checked.esbl,
        results=[(whonet, sir) for _, whonet, sir in checked.results],
    )
    decided = engine.decide(rules, encoded)
    return Answer(
        mode=decided.mode_code(0),
        situation=decided.situation_code(0),
        comment=decided.comments[int(decided.comment[0])],
        withheld=int(decided.withheld[0]),
        reported=[bool(r) for r in decided.reported],
        rules=rules,
    )


def target_isolate(payload: Any, *, token: ApiToken, lab_id: str) -> tuple[dict[str, Any], int]:
    """The API's answer (JSON body, status) to one request; logs the decision."""
    checked, errors = check_request(payload, lab_id=lab_id)
    if checked is None:
        return {"errors": errors}, 400
    answer = decide(checked)
    TargetedReport.objects.create(
        lab_id=lab_id,
        isolate_id=checked.isolate_id,
        sampled_on=checked.sampled_on,
        clinical_context=checked.context,
        situation=answer.situation or "",
        mode=answer.mode,
        withheld=answer.withheld,
        ruleset=answer.rules.ruleset,
        rules_version=answer.rules.version,
        token=token,
    )
    return {
        "isolate_id": checked.isolate_id,
        "lab_id": lab_id,
        "mode": answer.mode,
        "situation": answer.situation,
        "report_comment": answer.comment,
        "rules": {
            "ruleset": answer.rules.ruleset,
            "version": answer.rules.version,
            "status": answer.rules.status,
        },
        "results": [
            {"antibiotic": sent, "whonet": whonet, "sir": sir, "reported": shown}
            for (sent, whonet, sir), shown in zip(checked.results, answer.reported, strict=True)
        ],
    }, 200


def sync_targeted_log(*, warehouse: Path) -> int:
    """Copy the API's decisions not yet copied into the warehouse log; returns how many."""
    after = log.last_source_id(warehouse)
    rows = [
        {
            "lab_id": r.lab_id,
            "isolate_id": r.isolate_id,
            "sampled_on": r.sampled_on,
            "clinical_context": r.clinical_context,
            "situation": r.situation or None,
            "mode": r.mode,
            "withheld": r.withheld,
            "ruleset": r.ruleset,
            "rules_version": r.rules_version,
            "source_id": r.id,
            "processed_at": timezone.localtime(r.created_at).replace(tzinfo=None),
        }
        for r in TargetedReport.objects.filter(id__gt=after).order_by("id")
    ]
    return log.append_rows(warehouse, rows)


def save_lab_codes(
    rows: list[dict[str, str]] | list[lab_codes.LabCode], *, user: Any, note: str
) -> lab_codes.LabCodes:
    """A new version of the labs' code table, written to the warehouse and traced."""
    warehouse = Path(settings.CRATB_WAREHOUSE)
    before = lab_codes.read_current(warehouse).version
    saved = lab_codes.save(warehouse, rows, changed_by=user.get_username(), note=note)
    if saved.version != before:
        with transaction.atomic():
            LabEvent.objects.create(
                kind=LabEvent.Kind.LAB_CODES_SAVED,
                user=user,
                detail=f"version {saved.version} : {note}"[:300],
            )
    LAB_CODES.clear()
    return saved
