"""Polars, the strongest dataframe peer of the engine (issue #19): the DDD per 1000
inhabitants per day by département × month (``community.did``), written as a Polars
user writes it (lazy frame, one join to the small products table, one grouping).

The dispensing lines are read either from the warehouse through Arrow
(``to_arrow_table``, then ``pl.from_arrow``: no copy of the buffers) or from a Parquet
copy of the table (``pl.scan_parquet``, which reads only the columns used). The small
tables (products with their WHO DDD, population) are read as the pandas peer reads them.
run.py checks that the result is the engine's.
"""

from __future__ import annotations

import calendar
from pathlib import Path

import duckdb
import polars as pl

from benchmarks.community.pandas_baseline import _product_attributes

COLUMNS = ("dispensed_on", "patient_departement", "cip13", "boxes")


def write_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The dispensing lines as a Parquet file (what a Polars user would keep them in)."""
    con.execute(f"COPY dispensations TO '{path}' (FORMAT parquet)")


def from_warehouse(con: duckdb.DuckDBPyConnection) -> pl.LazyFrame:
    columns = ", ".join(COLUMNS)
    table = con.sql(f"SELECT {columns} FROM dispensations").to_arrow_table()  # noqa: S608
    return pl.from_arrow(table).lazy()  # type: ignore[union-attr]


def from_parquet(path: Path) -> pl.LazyFrame:
    return pl.scan_parquet(path).select(COLUMNS)


def did(con: duckdb.DuckDBPyConnection, lines: pl.LazyFrame) -> pl.DataFrame:
    """``community.did`` by département × month, ``month`` written ``YYYY-MM``."""
    products = pl.from_pandas(_product_attributes(con)[["cip13", "ddd_box", "j01"]]).lazy()
    population = pl.from_arrow(
        con.sql(
            "SELECT year, departement, CAST(sum(population) AS BIGINT) AS population"
            " FROM population GROUP BY ALL"
        ).to_arrow_table()
    ).lazy()  # type: ignore[union-attr]
    month = pl.col("dispensed_on").dt.year() * 100 + pl.col("dispensed_on").dt.month()
    ddd, span = pl.collect_all(
        [
            lines.join(products, on="cip13", how="left")
            .filter(pl.col("j01"))
            .group_by(pl.col("patient_departement").alias("departement"), month.alias("month"))
            .agg((pl.col("boxes") * pl.col("ddd_box")).sum().alias("ddd")),
            lines.select(
                pl.col("dispensed_on").min().alias("first"),
                pl.col("dispensed_on").max().alias("last"),
            ),
        ]
    )
    first, last = span.row(0)
    # Whole months, from the first dispensing's to the last's (as the engine counts them).
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    days = pl.date_range(first.replace(day=1), end, "1d", eager=True).alias("day")
    months = (
        pl.DataFrame(days)
        .group_by(
            pl.col("day").dt.year().alias("year"),
            (pl.col("day").dt.year() * 100 + pl.col("day").dt.month()).alias("month"),
        )
        .agg(pl.len().alias("days"))
        .lazy()
    )
    person_days = months.join(population, on="year").select(
        "departement", "month", (pl.col("population") * pl.col("days")).alias("person_days")
    )
    return (
        person_days.join(ddd.lazy(), on=["departement", "month"], how="left")
        .with_columns(pl.col("ddd").fill_null(0.0))
        .select(
            "departement",
            pl.format(
                "{}-{}",
                (pl.col("month") // 100).cast(pl.String),
                (pl.col("month") % 100).cast(pl.String).str.zfill(2),
            ).alias("month"),
            (pl.col("ddd") / (pl.col("person_days") / 1000)).alias("did"),
        )
        .collect()
    )
