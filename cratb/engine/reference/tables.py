"""The reference data as small Arrow tables, for joins inside indicator computations.

Built from the same lookups as the rest of the engine (``who_ddd``, ``aware_category``,
``is_critical``), so a computation on DuckDB or Spark sees exactly what the Python API
answers. Each table states its grain.
"""

from __future__ import annotations

import functools

import pyarrow as pa

from cratb.engine import reference

__all__ = [
    "PRODUCT_ROUTES",
    "agents_table",
    "ddd_table",
    "departements_table",
]

# The route letters of the products and hospital consumption files (CONTRACTS.md 1.2, 1.4).
PRODUCT_ROUTES = ("O", "P", "R", "Inhal")


def _combination(atc: str) -> bool:
    name = (reference.atc_name(atc) or "").lower()
    return " and " in name or "combination" in name


@functools.cache
def agents_table() -> pa.Table:
    """One row per ATC code × product route: ATC levels, French name, J01 membership,
    the "critical" flag of CONTRACTS.md, the "high risk" flag (``is_high_risk``: by
    route) and the route-aware AWaRe 2023 category."""
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "atc",
            "route",
            "atc3",
            "atc4",
            "name_fr",
            "j01",
            "critical",
            "high_risk",
            "aware",
        )
    }
    for agent in reference.antibacterials().values():
        for route in PRODUCT_ROUTES:
            rows["atc"].append(agent.atc)
            rows["route"].append(route)
            rows["atc3"].append(agent.atc_level3)
            rows["atc4"].append(agent.atc_level4)
            rows["name_fr"].append(agent.name_fr)
            rows["j01"].append(agent.atc.startswith("J01"))
            rows["critical"].append(agent.critical)
            rows["high_risk"].append(reference.is_high_risk(agent.atc, route))
            rows["aware"].append(reference.aware_category(agent.atc, route))
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("atc", pa.string()),
                ("route", pa.string()),
                ("atc3", pa.string()),
                ("atc4", pa.string()),
                ("name_fr", pa.string()),
                ("j01", pa.bool_()),
                ("critical", pa.bool_()),
                ("high_risk", pa.bool_()),
                ("aware", pa.string()),
            ]
        ),
    )


@functools.cache
def ddd_table() -> pa.Table:
    """One row per ATC code × product route: the WHO DDD (value, unit) to divide by, or,
    when there is none to use, the French reason (``ddd_missing``)."""
    atcs, routes, values, units, missing = [], [], [], [], []
    for agent in reference.antibacterials().values():
        for route in PRODUCT_ROUTES:
            ddd = reference.who_ddd(agent.atc, route)
            atcs.append(agent.atc)
            routes.append(route)
            values.append(ddd.value if ddd else None)
            units.append(ddd.unit if ddd else None)
            missing.append(None if ddd else _missing_reason(agent.atc, route))
    return pa.table(
        {
            "atc": atcs,
            "route": routes,
            "who_ddd": values,
            "who_unit": units,
            "ddd_missing": missing,
        },
        schema=pa.schema(
            [
                ("atc", pa.string()),
                ("route", pa.string()),
                ("who_ddd", pa.float64()),
                ("who_unit", pa.string()),
                ("ddd_missing", pa.string()),
            ]
        ),
    )


def _missing_reason(atc: str, route: str) -> str:
    ddds = reference.antibacterial(atc).ddds
    if not ddds:
        if _combination(atc):
            return "produit d'association sans DDJ OMS : renseigner ddd_per_box"
        return "pas de DDJ OMS pour ce code ATC : renseigner ddd_per_box"
    same_route = [d for d in ddds if d.route == route or (route == "Inhal" and "Inhal" in d.route)]
    if same_route:
        return "plusieurs DDJ OMS pour cette voie selon la présentation : renseigner ddd_per_box"
    listed = ", ".join(sorted({d.route for d in ddds}))
    return f"pas de DDJ OMS pour la voie {route} (DDJ OMS pour : {listed})"


@functools.cache
def departements_table() -> pa.Table:
    """One row per département: INSEE COG code, region code, name."""
    deps = list(reference.departements().values())
    return pa.table(
        {
            "departement": [d.code for d in deps],
            "region": [d.region_code for d in deps],
            "departement_name": [d.name for d in deps],
        }
    )


def clear() -> None:
    for cached in (agents_table, ddd_table, departements_table):
        cached.cache_clear()
