"""Regions and départements of the directory, kept in step with the engine's reference table."""

from __future__ import annotations

from django.db import transaction

from cratb.engine import reference
from cratb.network.models import Territory


@transaction.atomic
def sync_territories() -> int:
    """Upsert the 18 regions and 101 départements into ``Territory``; return rows written.

    Rows already equal to the reference are left alone (and not counted), so a second run
    writes nothing. Territories absent from the reference are kept: organisations may
    point to them and removing a territory is a decision for an administrator.
    """
    written = 0
    region_rows: dict[str, Territory] = {}
    for region in reference.regions().values():
        row, changed = _upsert(
            kind=Territory.Kind.REGION,
            code=region.code,
            values={
                "name": region.name,
                "parent": None,
                "population": region.population,
                "population_year": region.population_year,
            },
        )
        region_rows[region.code] = row
        written += changed
    for dep in reference.departements().values():
        _, changed = _upsert(
            kind=Territory.Kind.DEPARTEMENT,
            code=dep.code,
            values={
                "name": dep.name,
                "parent": region_rows[dep.region_code],
                "population": dep.population,
                "population_year": dep.population_year,
            },
        )
        written += changed
    return written


def _upsert(*, kind: str, code: str, values: dict[str, object]) -> tuple[Territory, bool]:
    row = Territory.objects.filter(kind=kind, code=code).first()
    if row is None:
        return Territory.objects.create(kind=kind, code=code, **values), True
    if all(getattr(row, field) == value for field, value in values.items()):
        return row, False
    for field, value in values.items():
        setattr(row, field, value)
    row.save(update_fields=list(values))
    return row, True
