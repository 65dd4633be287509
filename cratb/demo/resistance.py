"""Demo content of the resistance app: the demo lab account and its API token.

The demo lab user (``demo-laboratoire``) speaks for the town lab ``LBM-<first
département>-01`` of the demo isolates, with a fixed token printed by ``cratb demo``
(for a laptop demonstration only). The API's log, empty at first, is copied into the
warehouse (``cratb ast sync``) so the adoption indicator includes API calls made since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cratb.accounts.models import Role, User
from cratb.engine import reference
from cratb.resistance.models import ApiToken, LabAccount, digest
from cratb.resistance.services import sync_targeted_log

DEMO_LAB_USER = "demo-laboratoire"
DEMO_TOKEN = "cratb_demo-laboratoire-jeton-2025"  # noqa: S105 - printed for the demo


@dataclass(frozen=True)
class DemoLab:
    lab_id: str
    token: str
    synced: int


def build_demo(*, region_code: str, warehouse: Path) -> DemoLab | None:
    """Attach the demo lab user to its lab and give it the demo token (idempotent)."""
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
    return DemoLab(lab_id=lab_id, token=DEMO_TOKEN, synced=synced)
