"""Polars, the strongest dataframe peer of the engine (issue #19), written as a Polars
user writes it (lazy frames, joins to the small tables, groupings):

- ``did``: the DDD table alone (``community.did`` by département × month: one join to
  the products, one grouping);
- ``compute_all``: the same eight tables as the pandas peer (``pandas_baseline.
  compute_all``, ``FULL_SET`` in run.py), with the same definitions; the lines are read
  once (``pl.collect_all`` of the groupings that share the scan).

The dispensing lines are read either from the warehouse through Arrow
(``to_arrow_table``, then ``pl.from_arrow``: no copy of the buffers) or from a Parquet
copy of the table (``pl.scan_parquet``, which reads only the columns used). The small
tables (products with their WHO DDD, population, patient-days) are read as the pandas
peer reads them. run.py checks that ``did`` gives the engine's table and that
``compute_all`` gives pandas' eight tables (``compare``).
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

from benchmarks.community.pandas_baseline import WINTER, _product_attributes

#: The columns the DDD table reads.
COLUMNS: tuple[str, ...] = ("dispensed_on", "patient_departement", "cip13", "boxes")
#: The columns the full set reads (those pandas reads).
FULL_COLUMNS: tuple[str, ...] = (
    "dispensed_on",
    "patient_departement",
    "prescriber_id",
    "prescriber_specialty",
    "setting",
    "cip13",
    "boxes",
    "line_weight",
)


def write_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The dispensing lines as a Parquet file (what a Polars user would keep them in)."""
    con.execute(f"COPY dispensations TO '{path}' (FORMAT parquet)")


def from_warehouse(
    con: duckdb.DuckDBPyConnection, columns: tuple[str, ...] = COLUMNS
) -> pl.LazyFrame:
    listed = ", ".join(columns)
    table = con.sql(f"SELECT {listed} FROM dispensations").to_arrow_table()  # noqa: S608
    return pl.from_arrow(table).lazy()  # type: ignore[union-attr]


def from_parquet(path: Path, columns: tuple[str, ...] = COLUMNS) -> pl.LazyFrame:
    return pl.scan_parquet(path).select(columns)


def _population(con: duckdb.DuckDBPyConnection) -> pl.LazyFrame:
    """Inhabitants by year × département (every sex and age band)."""
    return pl.from_arrow(
        con.sql(
            "SELECT year, departement, CAST(sum(population) AS BIGINT) AS population"
            " FROM population GROUP BY ALL"
        ).to_arrow_table()
    ).lazy()  # type: ignore[union-attr]


def _months(first: date, last: date) -> pl.LazyFrame:
    """Whole months, from the first dispensing's to the last's (as the engine counts
    them): ``year``, ``month`` (integer key 202503) and the number of ``days``."""
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    days = pl.date_range(first.replace(day=1), end, "1d", eager=True).alias("day")
    return (
        pl.DataFrame(days)
        .group_by(
            pl.col("day").dt.year().alias("year"),
            (pl.col("day").dt.year() * 100 + pl.col("day").dt.month()).alias("month"),
        )
        .agg(pl.len().alias("days"))
        .lazy()
    )


def _month_text(month: pl.Expr) -> pl.Expr:
    """Integer month keys (202503) as the engine writes them (2025-03)."""
    return pl.format(
        "{}-{}",
        (month // 100).cast(pl.String),
        (month % 100).cast(pl.String).str.zfill(2),
    )


def _span(lines: pl.LazyFrame) -> pl.LazyFrame:
    return lines.select(
        pl.col("dispensed_on").min().alias("first"),
        pl.col("dispensed_on").max().alias("last"),
    )


def did(con: duckdb.DuckDBPyConnection, lines: pl.LazyFrame) -> pl.DataFrame:
    """``community.did`` by département × month, ``month`` written ``YYYY-MM``."""
    products = pl.from_pandas(_product_attributes(con)[["cip13", "ddd_box", "j01"]]).lazy()
    population = _population(con)
    month = pl.col("dispensed_on").dt.year() * 100 + pl.col("dispensed_on").dt.month()
    ddd, span = pl.collect_all(
        [
            lines.join(products, on="cip13", how="left")
            .filter(pl.col("j01"))
            .group_by(pl.col("patient_departement").alias("departement"), month.alias("month"))
            .agg((pl.col("boxes") * pl.col("ddd_box")).sum().alias("ddd")),
            _span(lines),
        ]
    )
    months = _months(*span.row(0))
    person_days = months.join(population, on="year").select(
        "departement", "month", (pl.col("population") * pl.col("days")).alias("person_days")
    )
    return (
        person_days.join(ddd.lazy(), on=["departement", "month"], how="left")
        .with_columns(pl.col("ddd").fill_null(0.0))
        .select(
            "departement",
            _month_text(pl.col("month")).alias("month"),
            (pl.col("ddd") / (pl.col("person_days") / 1000)).alias("did"),
        )
        .collect()
    )


def compute_all(
    con: duckdb.DuckDBPyConnection, lines: pl.LazyFrame, *, baseline_year: int
) -> dict[str, pl.DataFrame]:
    """The eight tables of ``pandas_baseline.compute_all``, with its definitions and its
    column names. ``lines`` holds ``FULL_COLUMNS``.

    The lines are read once: the groupings that need them (J01 lines by département ×
    month, by prescriber, nursing-home lines by year × département, the span of the
    dates) are collected together. The indicators by département then come from the
    small monthly table, restricted to the residents (départements with a population):
    the restriction is on the grouping key, so restricting after the grouping gives the
    rows pandas groups.

    Lines whose CIP13 is not in the products are left out (their ``j01`` is null after
    the join), as the pandas peer leaves them out.
    """
    products = pl.from_pandas(_product_attributes(con)).lazy()
    population = _population(con)
    d = lines.join(products, on="cip13", how="left").with_columns(
        pl.col("patient_departement").alias("departement"),
        (pl.col("boxes") * pl.col("ddd_box")).alias("ddd"),
        pl.col("line_weight").cast(pl.Int64).alias("weight"),
        pl.when(pl.col("critical"))
        .then(pl.col("line_weight").cast(pl.Int64))
        .otherwise(0)
        .alias("critical_lines"),
        pl.col("dispensed_on").dt.year().alias("year"),
        (pl.col("dispensed_on").dt.year() * 100 + pl.col("dispensed_on").dt.month()).alias("month"),
    )
    j01 = d.filter(pl.col("j01"))
    monthly, prescribers, nursing, span = pl.collect_all(
        [
            j01.group_by("departement", "year", "month").agg(
                pl.col("ddd").sum(),
                pl.col("ddd").count().alias("ddd_rows"),
                pl.col("weight").sum().alias("lines"),
                pl.col("critical_lines").sum().alias("critical"),
                pl.col("ddd").filter(pl.col("aware") == "Access").sum().alias("access"),
            ),
            j01.drop_nulls(["prescriber_id", "prescriber_specialty"])
            .group_by("prescriber_id", "prescriber_specialty")
            .agg(
                pl.col("critical_lines").sum().alias("numerator"),
                pl.col("weight").sum().alias("denominator"),
                pl.col("ddd").sum(),
            ),
            j01.filter(pl.col("setting") == "nursing_home")
            .group_by("year", "departement")
            .agg(pl.col("ddd").sum()),
            _span(lines),
        ]
    )
    months = _months(*span.row(0)).collect()
    person_days = (
        months.lazy()
        .join(population, on="year")
        .select(
            "year",
            "month",
            "departement",
            (pl.col("population") * pl.col("days")).alias("person_days"),
        )
        .collect()
    )
    known = person_days["departement"].unique().to_list()
    residents = monthly.filter(pl.col("departement").is_in(known))
    out: dict[str, pl.DataFrame] = {}

    keys = ["departement", "month"]
    t = (
        person_days.group_by(keys)
        .agg(pl.col("person_days").sum())
        .join(residents.select(*keys, "ddd", "lines", "critical"), on=keys, how="left")
        .with_columns(pl.col("ddd").fill_null(0.0), pl.col("lines", "critical").fill_null(0))
        .with_columns(
            _month_text(pl.col("month")).alias("month"),
            (pl.col("ddd") / (pl.col("person_days") / 1000)).alias("did"),
            (pl.col("lines") / (pl.col("person_days") / 365 / 1000)).alias("prescriptions"),
            pl.when(pl.col("lines") > 0)
            .then(100 * pl.col("critical") / pl.col("lines"))
            .alias("critical_share"),
        )
    )
    out["community.did"] = t.select(*keys, "did")
    out["community.prescriptions_per_1000"] = t.select(*keys, "prescriptions")
    out["community.critical_share"] = t.select(*keys, "critical_share")
    out["community.access_share"] = residents.filter(pl.col("ddd_rows") > 0).select(
        "departement",
        _month_text(pl.col("month")).alias("month"),
        (100 * pl.col("access") / pl.col("ddd")).alias("access_share"),
    )

    spec = "prescriber_specialty"
    per = prescribers.filter(pl.col("denominator") > 0)
    p0 = pl.col("numerator").sum().over(spec) / pl.col("denominator").sum().over(spec)
    half = 1.959963984540054 * (p0 * (1 - p0) / pl.col("denominator")).sqrt()
    rank = pl.col("denominator").rank("min").over(spec).cast(pl.Float64)
    out["community.prescriber_profile"] = per.with_columns(
        (100 * pl.col("numerator") / pl.col("denominator")).alias("value"),
        (100 * pl.min_horizontal(p0 + half, pl.lit(1.0))).alias("limit_95_high"),
        (pl.col("numerator") - p0 * pl.col("denominator")).alias("excess_lines"),
        (100 * (rank - 1) / (pl.len().over(spec).cast(pl.Float64) - 1)).alias("volume_percentile"),
    )

    winter = (pl.col("month") % 100).is_in(WINTER)
    days = months.group_by("year").agg(
        pl.col("days").filter(winter).sum().alias("wd"),
        pl.col("days").filter(~winter).sum().alias("sd"),
    )
    out["community.seasonal_variation"] = (
        residents.group_by("year", "departement")
        .agg(
            pl.col("ddd").filter(winter).sum().alias("w"),
            pl.col("ddd").filter(~winter).sum().alias("s"),
        )
        .join(days, on="year")
        .with_columns(
            (((pl.col("w") / pl.col("wd")) / (pl.col("s") / pl.col("sd")) - 1) * 100).alias("value")
        )
    )

    yearly = (
        person_days.group_by("year", "departement")
        .agg(pl.col("person_days").sum())
        .join(
            residents.group_by("year", "departement").agg(pl.col("ddd").sum()),
            on=["year", "departement"],
            how="left",
        )
        .with_columns(pl.col("ddd").fill_null(0.0))
        .with_columns((pl.col("ddd") / (pl.col("person_days") / 1000)).alias("did"))
    )
    base = yearly.filter(pl.col("year") == baseline_year).select(
        "departement", pl.col("did").alias("base")
    )
    out["community.did_change_vs_baseline"] = yearly.join(
        base, on="departement", how="left"
    ).with_columns(((pl.col("did") / pl.col("base") - 1) * 100).alias("value"))

    days_nh = pl.from_arrow(
        con.sql(
            "SELECT year, CASE WHEN left(finess, 2) = '97' THEN left(finess, 3)"
            " ELSE left(finess, 2) END AS departement,"
            " CAST(sum(patient_days) AS BIGINT) AS rd FROM patient_days"
            " WHERE sector = 'nursing_home' AND finess NOT IN (SELECT finess FROM"
            " hospital_consumption) GROUP BY ALL"
        ).to_arrow_table()
    )
    assert isinstance(days_nh, pl.DataFrame)
    out["nursing_home.ddd_per_1000_resident_days"] = (
        days_nh.join(nursing, on=["year", "departement"], how="left")
        .with_columns(pl.col("ddd").fill_null(0.0))
        .with_columns((pl.col("ddd") / (pl.col("rd") / 1000)).alias("value"))
    )
    return out


#: For each table of the set: the columns that name a row, and the values compared.
SET_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "community.did": (("departement", "month"), ("did",)),
    "community.prescriptions_per_1000": (("departement", "month"), ("prescriptions",)),
    "community.access_share": (("departement", "month"), ("access_share",)),
    "community.critical_share": (("departement", "month"), ("critical_share",)),
    "community.prescriber_profile": (
        ("prescriber_id", "prescriber_specialty"),
        (
            "numerator",
            "denominator",
            "ddd",
            "value",
            "limit_95_high",
            "excess_lines",
            "volume_percentile",
        ),
    ),
    "community.seasonal_variation": (("year", "departement"), ("w", "s", "wd", "sd", "value")),
    "community.did_change_vs_baseline": (
        ("year", "departement"),
        ("person_days", "ddd", "did", "base", "value"),
    ),
    "nursing_home.ddd_per_1000_resident_days": (("year", "departement"), ("rd", "ddd", "value")),
}


def compare(
    pandas_out: dict[str, pd.DataFrame],
    polars_out: dict[str, pl.DataFrame],
    *,
    tolerance: float = 1e-9,
) -> float:
    """The largest relative difference between pandas' and Polars' values over the eight
    tables (``SET_COLUMNS``); ``ValueError`` when a table is missing, when the two do not
    have the same rows (keys), when a value is missing on one side only, or when a
    difference passes ``tolerance``. Missing on both sides (NaN, null) counts as equal, as
    do two infinities of the same sign."""
    worst = 0.0
    for name, (keys, values) in SET_COLUMNS.items():
        if name not in pandas_out or name not in polars_out:
            raise ValueError(f"{name}: missing from {'Polars' if name in pandas_out else 'pandas'}")
        theirs = _rows(pandas_out[name], keys, values)
        ours = _rows(polars_out[name].to_pandas(), keys, values)
        if theirs.keys() != ours.keys():
            only_pandas = sorted(theirs.keys() - ours.keys())[:5]
            only_polars = sorted(ours.keys() - theirs.keys())[:5]
            raise ValueError(
                f"{name}: not the same rows ({len(theirs)} in pandas, {len(ours)} in Polars;"
                f" pandas only: {only_pandas}, Polars only: {only_polars})"
            )
        for key, row in theirs.items():
            for column, b, a in zip(values, row, ours[key], strict=True):
                difference = _relative_difference(a, b)
                if not difference <= tolerance:
                    raise ValueError(
                        f"{name} {dict(zip(keys, key, strict=True))} {column}:"
                        f" pandas {b!r}, Polars {a!r} (relative difference {difference:.3g})"
                    )
                worst = max(worst, difference)
    return worst


def _rows(
    frame: pd.DataFrame, keys: tuple[str, ...], values: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[float, ...]]:
    """Each row's values by its key (keys as text: categories, objects and strings alike)."""
    key_columns = [frame[k].astype(str).tolist() for k in keys]
    value_columns = [frame[v].astype("float64").tolist() for v in values]
    rows = {
        tuple(key): tuple(value)
        for key, value in zip(
            zip(*key_columns, strict=True), zip(*value_columns, strict=True), strict=True
        )
    }
    if len(rows) != len(frame):
        raise ValueError(f"rows named twice by {keys}")
    return rows


def _relative_difference(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return 0.0 if math.isnan(a) and math.isnan(b) else math.inf
    if math.isinf(a) or math.isinf(b):
        return 0.0 if a == b else math.inf
    return abs(a - b) / max(abs(b), 1e-300) if a != b else 0.0
