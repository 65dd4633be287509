"""The pandas implementation of the community indicator set, the peer the engine is
compared with, written as a good pandas user writes it (issue #19): the tables are read
through DuckDB's Arrow path (``to_arrow_table().to_pandas()``, not the slower ``.df()``),
text keys become categoricals (département, prescriber, specialty, CIP13, setting) and
product attributes are looked up by category code instead of a merge on text; months are
integer keys until the last, small table. It computes the same tables as ``FULL_SET`` in
run.py; run.py checks that it gives the engine's DDD per 1000 inhabitants per day."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cratb.engine.reference import tables as ref

WINTER = [1, 2, 3, 10, 11, 12]


def _product_attributes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    products = con.execute("SELECT * FROM products").df()
    ddd = ref.ddd_table().to_pandas()
    agents = ref.agents_table().to_pandas()
    p = products.merge(ddd, on=["atc", "route"], how="left").merge(
        agents, on=["atc", "route"], how="left"
    )
    factor = np.select(
        [
            (p.amount_unit == "g") & (p.who_unit == "g"),
            (p.amount_unit == "mg") & (p.who_unit == "g"),
            (p.amount_unit == "g") & (p.who_unit == "mg"),
            (p.amount_unit == "mg") & (p.who_unit == "mg"),
            (p.amount_unit == "MU") & (p.who_unit == "MU"),
        ],
        [1.0, 0.001, 1000.0, 1.0, 1.0],
        default=np.nan,
    )
    computed = p.units_per_box * p.amount_per_unit * factor / p.who_ddd
    p["ddd_box"] = p.ddd_per_box.where(p.ddd_per_box.notna(), computed)
    p["critical"] = p.critical.fillna(False).astype(bool)
    p["j01"] = p.j01.fillna(False).astype(bool)
    return p[["cip13", "ddd_box", "aware", "critical", "j01"]]


def _person_days(con: duckdb.DuckDBPyConnection, months: pd.DataFrame) -> pd.DataFrame:
    pop = con.execute("SELECT year, departement, population FROM population").df()
    pop = pop.groupby(["year", "departement"], as_index=False).population.sum()
    out = months.merge(pop, on="year")
    out["person_days"] = out.population * out.days
    return out[["year", "month", "departement", "person_days"]]


def _month_text(month: pd.Series) -> pd.Series:
    """Integer month keys (202503) as the engine writes them (2025-03)."""
    return (month // 100).astype(str) + "-" + (month % 100).astype(str).str.zfill(2)


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A query's result as a DataFrame through Arrow, text as categoricals, dates as
    datetime64."""
    table = con.sql(sql).to_arrow_table()
    return table.to_pandas(strings_to_categorical=True, date_as_object=False)


def _by_code(d: pd.DataFrame, key: str, attributes: pd.DataFrame) -> dict[str, np.ndarray]:
    """The attributes (indexed by ``key``'s values) of each row of ``d``, looked up by
    the row's category code: one small reindex and a take, no merge of the big table."""
    codes = d[key].cat.codes.to_numpy()
    per_category = attributes.reindex(d[key].cat.categories)
    return {c: per_category[c].to_numpy()[codes] for c in attributes.columns}


def compute_all(con: duckdb.DuckDBPyConnection, *, baseline_year: int) -> dict[str, Any]:
    d = _arrow(
        con,
        "SELECT dispensed_on, patient_departement AS departement, prescriber_id,"
        " prescriber_specialty, setting, cip13, boxes, line_weight FROM dispensations",
    )
    p = _product_attributes(con).set_index("cip13")
    looked_up = _by_code(d, "cip13", p)
    d["ddd_box"] = looked_up["ddd_box"].astype(float)
    d["aware"] = looked_up["aware"]
    # A CIP13 missing from the products has no attribute: not J01, not critical (as in
    # the engine and the Polars peer); a bare astype(bool) would make NaN True.
    d["critical"] = pd.Series(looked_up["critical"]).fillna(False).astype(bool).to_numpy()
    d["j01"] = pd.Series(looked_up["j01"]).fillna(False).astype(bool).to_numpy()
    d["ddd"] = d.boxes * d.ddd_box
    dates = d.dispensed_on
    d["year"] = dates.dt.year
    d["month_number"] = dates.dt.month
    d["month"] = d.year * 100 + d.month_number
    first, last = dates.min(), dates.max()
    calendar = pd.DataFrame(
        {"day": pd.date_range(first.replace(day=1), last + pd.offsets.MonthEnd(0))}
    )
    calendar["year"] = calendar.day.dt.year
    calendar["month"] = calendar.day.dt.year * 100 + calendar.day.dt.month
    months = (
        calendar.groupby(["year", "month"], as_index=False).size().rename(columns={"size": "days"})
    )
    person_days = _person_days(con, months)
    known = d.departement.cat.categories.isin(person_days.departement.unique())
    residents = d[known[d.departement.cat.codes.to_numpy()] & d.j01]
    out: dict[str, Any] = {}

    keys = ["departement", "month"]
    g = (
        residents.assign(c=residents.line_weight * residents.critical)
        .groupby(keys, as_index=False, observed=True)
        .agg(ddd=("ddd", "sum"), lines=("line_weight", "sum"), critical=("c", "sum"))
        .astype({"lines": "int64", "critical": "int64"})
    )
    access = residents[residents.ddd.notna()]
    access_g = (
        access.assign(access=access.ddd.where(access.aware == "Access", 0.0))
        .groupby(keys, as_index=False, observed=True)[["access", "ddd"]]
        .sum()
    )
    pd_by = person_days.groupby(keys, as_index=False).person_days.sum()
    t = pd_by.merge(g, on=keys, how="left").fillna({"ddd": 0.0, "lines": 0, "critical": 0})
    t["did"] = t.ddd / (t.person_days / 1000)
    t["month"] = _month_text(t.month)
    access_g["month"] = _month_text(access_g.month)
    t["prescriptions"] = t.lines / (t.person_days / 365 / 1000)
    t["critical_share"] = 100 * t.critical / t.lines.where(t.lines > 0)
    out["community.did"] = t[[*keys, "did"]]
    out["community.prescriptions_per_1000"] = t[[*keys, "prescriptions"]]
    out["community.critical_share"] = t[[*keys, "critical_share"]]
    access_g["access_share"] = 100 * access_g.access / access_g.ddd
    out["community.access_share"] = access_g[[*keys, "access_share"]]

    j01 = d[d.j01]
    per = (
        j01.assign(c=j01.line_weight * j01.critical)
        .groupby(["prescriber_id", "prescriber_specialty"], as_index=False)
        .agg(numerator=("c", "sum"), denominator=("line_weight", "sum"), ddd=("ddd", "sum"))
        # line_weight is int8: pandas keeps sums that fit in int8 as int8, and then
        # ``100 * numerator`` would wrap round.
        .astype({"numerator": "int64", "denominator": "int64"})
    )
    per = per[per.denominator > 0]
    peers = per.groupby("prescriber_specialty").agg(
        pn=("numerator", "sum"), pd_=("denominator", "sum"), mean=("denominator", "mean")
    )
    per = per.join(peers, on="prescriber_specialty")
    p0 = per.pn / per.pd_
    half = 1.959963984540054 * np.sqrt(p0 * (1 - p0) / per.denominator)
    per["value"] = 100 * per.numerator / per.denominator
    per["limit_95_high"] = 100 * np.minimum(p0 + half, 1.0)
    per["excess_lines"] = per.numerator - p0 * per.denominator
    per["volume_percentile"] = 100 * per.groupby("prescriber_specialty").denominator.rank(
        method="min", pct=False
    ).sub(1).div(per.groupby("prescriber_specialty").denominator.transform("count").sub(1))
    out["community.prescriber_profile"] = per

    winter = residents.month_number.isin(WINTER)
    seasonal = (
        residents.assign(w=residents.ddd.where(winter, 0.0), s=residents.ddd.where(~winter, 0.0))
        .groupby(["year", "departement"], as_index=False)[["w", "s"]]
        .sum()
    )
    month_number = months.month % 100
    days = (
        months.assign(
            wd=months.days.where(month_number.isin(WINTER), 0),
            sd=months.days.where(~month_number.isin(WINTER), 0),
        )
        .groupby("year", as_index=False)[["wd", "sd"]]
        .sum()
    )
    seasonal = seasonal.merge(days, on="year")
    seasonal["value"] = ((seasonal.w / seasonal.wd) / (seasonal.s / seasonal.sd) - 1) * 100
    out["community.seasonal_variation"] = seasonal

    yearly = residents.groupby(["year", "departement"], as_index=False).ddd.sum()
    yearly_pd = person_days.groupby(["year", "departement"], as_index=False).person_days.sum()
    yearly = yearly_pd.merge(yearly, on=["year", "departement"], how="left").fillna({"ddd": 0})
    yearly["did"] = yearly.ddd / (yearly.person_days / 1000)
    base = yearly[yearly.year == baseline_year][["departement", "did"]].rename(
        columns={"did": "base"}
    )
    trend = yearly.merge(base, on="departement", how="left")
    trend["value"] = (trend.did / trend.base - 1) * 100
    out["community.did_change_vs_baseline"] = trend

    nh = d[d.j01 & (d.setting == "nursing_home")]
    nh = nh.groupby(["year", "departement"], as_index=False).ddd.sum()
    days_nh = con.execute(
        "SELECT year, CASE WHEN left(finess, 2) = '97' THEN left(finess, 3)"
        " ELSE left(finess, 2) END AS departement, sum(patient_days) AS rd FROM patient_days"
        " WHERE sector = 'nursing_home' AND finess NOT IN (SELECT finess FROM"
        " hospital_consumption) GROUP BY ALL"
    ).df()
    nh = days_nh.merge(nh, on=["year", "departement"], how="left").fillna({"ddd": 0})
    nh["value"] = nh.ddd / (nh.rd / 1000)
    out["nursing_home.ddd_per_1000_resident_days"] = nh
    return out
