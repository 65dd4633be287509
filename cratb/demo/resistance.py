"""Demo content of the resistance app: the demo lab account and its API token.

The demo lab user (``demo-laboratoire``) speaks for the town lab ``LBM-<first
département>-01`` of the demo isolates, with a fixed token printed by ``cratb demo``
(for a laptop demonstration only). The API's log, empty at first, is copied into the
warehouse (``cratb ast sync``) so the adoption indicator includes API calls made since.

The simulated isolates never contradict an expected resistant phenotype (EUCAST); real
labs sometimes do (a K. pneumoniae reported S to amoxicillin). The demo lab therefore
sends a few such results (``CONTRARY``), imported like any lab file, so that its page
« Résultats à vérifier » and the antibiogram's « RN » cells show what they are for.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cratb.accounts.models import Role, User
from cratb.engine import reference
from cratb.engine.reference.expected import is_expected_resistant
from cratb.engine.sources import import_file
from cratb.resistance.models import ApiToken, LabAccount, digest
from cratb.resistance.services import sync_targeted_log

DEMO_LAB_USER = "demo-laboratoire"
DEMO_TOKEN = "cratb_demo-laboratoire-jeton-2025"  # noqa: S105 - printed for the demo


#: (isolate, month-day, setting, specimen, organism, age, sex, results): results a lab
#: should check (expected resistant pair reported S or I), beside ordinary ones.
CONTRARY = (
    ("CTRL-0001", "02-14", "community", "urine", "Klebsiella pneumoniae", 67, "F",
     {"AMX": "S", "AMC": "S", "CIP": "S", "SXT": "S"}),
    ("CTRL-0002", "04-03", "community", "urine", "Klebsiella pneumoniae", 34, "F",
     {"AMX": "S", "AMC": "S", "FOS": "R", "CIP": "S"}),
    ("CTRL-0003", "06-21", "nursing_home", "urine", "Proteus mirabilis", 88, "F",
     {"AMX": "S", "NIT": "S", "SXT": "R"}),
    ("CTRL-0004", "09-09", "community", "urine", "Klebsiella pneumoniae", 72, "M",
     {"AMX": "I", "CTX": "S", "CIP": "R"}),
    ("CTRL-0005", "11-17", "community", "urine", "Pseudomonas aeruginosa", 79, "M",
     {"CTX": "S", "CAZ": "S", "CIP": "S"}),
)  # fmt: skip


@dataclass(frozen=True)
class DemoLab:
    lab_id: str
    token: str
    synced: int
    contrary: int = 0  # demo results contrary to an expected resistant phenotype


def _contrary_file(folder: Path, *, lab_id: str, departement: str, year: int) -> Path:
    lines = [
        "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,"
        "antibiotic,sir,patient_age,patient_sex"
    ]
    for iso, day, setting, specimen, organism, age, sex, results in CONTRARY:
        for code, sir in results.items():
            lines.append(
                f"{iso},DEMO-{iso},{year}-{day},{specimen},{setting},{departement},{lab_id},"
                f"{organism},{code},{sir},{age},{sex}"
            )
    path = folder / "isolates_contrary.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_demo(*, region_code: str, warehouse: Path, year: int = 2025) -> DemoLab | None:
    """Attach the demo lab user to its lab and give it the demo token, and import the
    demo lab's few contrary results of ``year`` (idempotent: same content, no new row)."""
    user = User.objects.filter(username=DEMO_LAB_USER, role=Role.LAB).first()
    if user is None:
        return None
    lab_id = f"LBM-{reference.departements_of(region_code)[0].code}-01"
    with transaction.atomic():
        LabAccount.objects.update_or_create(
            user=user, defaults={"lab_id": lab_id, "name": "Laboratoire de démonstration"}
        )
        if not ApiToken.objects.filter(digest=digest(DEMO_TOKEN)).exists():
            ApiToken.issue(user=user, label="démonstration", key=DEMO_TOKEN)
    synced = sync_targeted_log(warehouse=warehouse)
    departement = reference.departements_of(region_code)[0].code
    with tempfile.TemporaryDirectory(prefix="cratb-demo-lab-") as folder:
        path = _contrary_file(Path(folder), lab_id=lab_id, departement=departement, year=year)
        import_file("isolates", path, warehouse=warehouse)
    contrary = sum(
        1 for *_, organism, _age, _sex, results in CONTRARY for code, sir in results.items()
        if sir != "R" and is_expected_resistant(organism, code)
    )  # fmt: skip
    return DemoLab(lab_id=lab_id, token=DEMO_TOKEN, synced=synced, contrary=contrary)
