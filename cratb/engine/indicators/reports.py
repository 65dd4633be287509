"""Reports that explain the indicators' inputs: the DDD of every product."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine.backends import Session
from cratb.engine.intermediate.products import STATUSES, product_ddd
from cratb.engine.reference import tables as ref

__all__ = ["REPORT_COLUMNS", "ddd_report"]

AGGREGATE = "aggregated_dispensations"
NOTES = "product_notes"
#: The antibacterials of the product catalogue (``sources.opendata.bdpm.DEFAULT_SCOPE``).
SCOPE = ("J01", "P01AB", "J04AB")

REPORT_COLUMNS = (
    "cip13",
    "label",
    "atc",
    "route",
    "units_per_box",
    "amount_per_unit",
    "amount_unit",
    "who_ddd",
    "who_unit",
    "ddd_per_box",
    "ddd_status",
    "ddd_status_label",
    "ddd_reason",
    "dispensed_boxes",
    "dispensing_rows",
)


def ddd_report(session: Session) -> pa.Table:
    """One row per product of the catalogue, and one per product code dispensed but
    missing from the catalogue: how its DDD per box was obtained (or why it could not
    be), and how many boxes were dispensed (net). Not computable first, then by the
    number of boxes concerned."""
    products = product_ddd(session.table("products"), session.memtable(ref.ddd_table()))
    parts = []
    if session.has("dispensations"):
        d = session.table("dispensations")
        parts.append(
            d.group_by("cip13").aggregate(
                dispensed_boxes=d.boxes.sum().cast("int64"),
                dispensing_rows=d.count().cast("int64"),
            )
        )
    if session.has(AGGREGATE):
        # Aggregated dispensing (Open Medic): the antibacterials of the catalogue's scope
        # only (an Open Medic year holds every drug).
        a = session.table(AGGREGATE)
        scope = ibis.or_(*(a.atc.startswith(p) for p in SCOPE)) | a.atc.isnull()
        a = a.filter(a.cip13.notnull() & scope)
        parts.append(
            a.group_by("cip13").aggregate(
                dispensed_boxes=a.boxes.sum().cast("int64"),
                dispensing_rows=a.count().cast("int64"),
            )
        )
    if not parts:
        dispensed = ibis.memtable(
            {"cip13": [], "dispensed_boxes": [], "dispensing_rows": []},
            schema={"cip13": "string", "dispensed_boxes": "int64", "dispensing_rows": "int64"},
        )
    elif len(parts) == 1:
        dispensed = parts[0]
    else:
        both = parts[0].union(parts[1])
        dispensed = both.group_by("cip13").aggregate(
            dispensed_boxes=both.dispensed_boxes.sum(),
            dispensing_rows=both.dispensing_rows.sum(),
        )
    if session.has(NOTES):
        # How the BDPM import worked the amount out (cratb import bdpm), after the reason
        # of the DDD itself.
        notes = session.table(NOTES)
        products = products.left_join(notes, products.cip13 == notes.cip13).select(
            *(products[c] for c in products.columns if c != "ddd_reason"),
            ibis.cases(
                (notes.reason.isnull(), products.ddd_reason),
                else_=products.ddd_reason.fill_null("") + " — BDPM : " + notes.reason,
            ).name("ddd_reason"),
        )
    known = products.left_join(dispensed, products.cip13 == dispensed.cip13).select(
        products,
        dispensed.dispensed_boxes.fill_null(0).name("dispensed_boxes"),
        dispensed.dispensing_rows.fill_null(0).name("dispensing_rows"),
    )
    unknown = dispensed.anti_join(products, "cip13")
    unknown = unknown.select(
        "cip13",
        ibis.null("string").name("label"),
        ibis.null("string").name("atc"),
        ibis.null("string").name("route"),
        ibis.null("float64").name("units_per_box"),
        ibis.null("float64").name("amount_per_unit"),
        ibis.null("string").name("amount_unit"),
        ibis.null("float64").name("who_ddd"),
        ibis.null("string").name("who_unit"),
        ibis.null("float64").name("ddd_per_box"),
        ibis.literal("unknown_product").name("ddd_status"),
        ibis.literal(
            "code CIP absent du catalogue des produits : importer le produit (cratb import"
            " products)"
        ).name("ddd_reason"),
        "dispensed_boxes",
        "dispensing_rows",
    )
    report: ir.Table = known.union(unknown.cast(known.schema()))
    label = ibis.cases(
        *((report.ddd_status == key, ibis.literal(text)) for key, text in STATUSES.items()),
        else_=report.ddd_status,
    )
    report = report.mutate(ddd_status_label=label)
    problem = report.ddd_status.isin(["not_computable", "unknown_product"]).ifelse(0, 1)
    report = report.order_by(problem, ibis.desc("dispensed_boxes"), "cip13")
    return session.to_arrow(report.select(*REPORT_COLUMNS))
