"""DDD per box of each product, with the reason kept for every product (CONTRACTS.md 1.2).

DDD per box = units_per_box × amount_per_unit ÷ WHO DDD, in the DDD's unit and for the
product's route; an explicit ``ddd_per_box`` wins. A product whose DDD cannot be computed
keeps a French reason and a NULL ``ddd_per_box``: its boxes are counted apart and
reported, never silently counted as 0 DDD.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

__all__ = ["STATUSES", "product_ddd"]

# ddd_status values, with their French labels for reports.
STATUSES = {
    "override": "DDJ par boîte fournie (ddd_per_box)",
    "computed": "calculée",
    "not_computable": "non calculable",
    "unknown_product": "produit absent du catalogue",
}

# Conversion factor from the product's amount unit to the WHO DDD unit; other pairs
# (e.g. mg against a DDD in MU or in unit doses) cannot be converted.
_FACTORS = {("g", "g"): 1.0, ("mg", "g"): 0.001, ("g", "mg"): 1000.0, ("mg", "mg"): 1.0,
            ("MU", "MU"): 1.0}  # fmt: skip


def product_ddd(products: ir.Table, ddd: ir.Table) -> ir.Table:
    """One row per product (cip13): ``atc``, ``route``, ``label``, the WHO DDD used
    (``who_ddd``, ``who_unit``), ``ddd_per_box`` (NULL when not computable),
    ``ddd_status`` (override, computed, not_computable) and ``ddd_reason`` (French)."""
    p = products.left_join(ddd, [products.atc == ddd.atc, products.route == ddd.route]).select(
        products.cip13,
        products.label,
        products.atc,
        products.route,
        products.units_per_box,
        products.amount_per_unit,
        products.amount_unit,
        products.ddd_per_box.name("ddd_override"),
        ddd.who_ddd,
        ddd.who_unit,
        ddd.ddd_missing,
    )
    factor = ibis.cases(
        *(
            ((p.amount_unit == a) & (p.who_unit == b), ibis.literal(f, "float64"))
            for (a, b), f in _FACTORS.items()
        ),
        else_=ibis.null("float64"),
    )
    has_amount = p.amount_per_unit.notnull() & p.amount_unit.notnull()
    computed = p.units_per_box * p.amount_per_unit * factor / p.who_ddd
    status = ibis.cases(
        (p.ddd_override.notnull(), "override"),
        (p.who_ddd.notnull() & has_amount & factor.notnull(), "computed"),
        else_="not_computable",
    )
    reason = ibis.cases(
        (p.ddd_override.notnull(), ibis.literal(STATUSES["override"])),
        (p.who_ddd.isnull(), p.ddd_missing.fill_null("code ATC absent du référentiel")),
        (
            ~has_amount,
            ibis.literal(
                "quantité par unité non renseignée (amount_per_unit, amount_unit) :"
                " renseigner la quantité ou ddd_per_box"
            ),
        ),
        (
            factor.isnull(),
            ibis.literal("unité ")
            + p.amount_unit
            + ibis.literal(" incompatible avec la DDJ OMS exprimée en ")
            + p.who_unit,
        ),
        else_=ibis.literal("calculée : unités × quantité ÷ DDJ OMS (")
        + p.who_ddd.cast("string")
        + ibis.literal(" ")
        + p.who_unit
        + ibis.literal(", voie ")
        + p.route
        + ibis.literal(")"),
    )
    value = ibis.cases(
        (p.ddd_override.notnull(), p.ddd_override),
        (status == "computed", computed),
        else_=ibis.null("float64"),
    )
    return p.select(
        "cip13",
        "label",
        "atc",
        "route",
        "units_per_box",
        "amount_per_unit",
        "amount_unit",
        "who_ddd",
        "who_unit",
        value.name("ddd_per_box"),
        status.name("ddd_status"),
        reason.name("ddd_reason"),
    )
