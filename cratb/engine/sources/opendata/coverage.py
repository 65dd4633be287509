"""The share of dispensed boxes that got a DDD, and what the other boxes are.

Issue #17 aims at a DDD for over 98 % of the J01 boxes dispensed. Given the products with
their DDD per box as the project computes it (``intermediate.products.product_ddd``:
``cip13``, ``ddd_per_box``, ``ddd_status``, ``ddd_reason``) and boxes dispensed per CIP13
(Open Medic rows: ``cip13``, ``atc``, ``boxes``, optionally ``cip13_label``), this says
how many boxes are counted in DDD and, for the others, why: the product has no DDD (its
reason), or the CIP13 is not in the catalogue at all (listed with the boxes it leaves out
of the figures).
"""

# ruff: noqa: S608 - the scope prefixes reach the SQL text only as quoted literals.
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from cratb.engine.sources.rules import literal

__all__ = ["DddCoverage", "ddd_coverage"]


@dataclass(frozen=True)
class DddCoverage:
    scope: tuple[str, ...]
    boxes: int  # net boxes dispensed in scope
    boxes_with_ddd: int
    # status, reason, number of CIP13, boxes: one row per reason, most boxes first
    by_reason: pa.Table
    # cip13, atc, label, boxes: dispensed CIP13 absent from the catalogue, most boxes first
    missing_products: pa.Table

    @property
    def share(self) -> float | None:
        """Percentage of the boxes with a DDD (0–100), None without boxes."""
        return 100 * self.boxes_with_ddd / self.boxes if self.boxes else None


def ddd_coverage(
    products_ddd: pa.Table, dispensed: pa.Table, *, scope: Iterable[str] = ("J01",)
) -> DddCoverage:
    """Coverage of the boxes of ``dispensed`` whose ATC code starts with one of ``scope``
    (the dispensing source's ATC code: a CIP13 absent from the catalogue has no other)."""
    prefixes = tuple(scope)
    in_scope = " OR ".join(f"starts_with(d.atc, {literal(p)})" for p in prefixes) or "true"
    label = "d.cip13_label" if "cip13_label" in dispensed.column_names else "NULL"
    con = duckdb.connect()
    try:
        con.register("products_ddd", products_ddd)
        con.register("dispensed", dispensed)
        con.execute(
            "CREATE TEMP TABLE joined AS SELECT d.cip13, d.atc, d.boxes,"
            f" {label} AS label, p.ddd_per_box,"
            " coalesce(p.ddd_status, 'unknown_product') AS status,"
            " coalesce(p.ddd_reason, 'produit absent du catalogue') AS reason"
            f" FROM dispensed d LEFT JOIN products_ddd p USING (cip13) WHERE {in_scope}"
        )
        ((boxes, with_ddd),) = con.execute(
            "SELECT coalesce(sum(boxes), 0)::BIGINT,"
            " coalesce(sum(boxes) FILTER (WHERE ddd_per_box IS NOT NULL), 0)::BIGINT"
            " FROM joined"
        ).fetchall()
        by_reason = con.sql(
            "SELECT status, reason, count(DISTINCT cip13) AS cip13s, sum(boxes) AS boxes"
            " FROM joined WHERE ddd_per_box IS NULL GROUP BY status, reason"
            " ORDER BY boxes DESC, reason"
        ).to_arrow_table()
        missing = con.sql(
            "SELECT cip13, any_value(atc) AS atc, any_value(label) AS label,"
            " sum(boxes) AS boxes FROM joined WHERE status = 'unknown_product'"
            " GROUP BY cip13 ORDER BY boxes DESC, cip13"
        ).to_arrow_table()
    finally:
        con.close()
    return DddCoverage(prefixes, int(boxes), int(with_ddd), by_reason, missing)
