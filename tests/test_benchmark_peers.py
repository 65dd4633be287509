"""The peers of the benchmarks compute what the engine computes (issue #19)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from benchmarks.resistance.pandas_reference import first_isolates, first_isolates_loop


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_episode_rule_gives_the_loop_s_first_isolates(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    heads = pd.DataFrame(
        {
            "isolate_id": [f"I{i:05d}" for i in range(n)],
            "patient_id": rng.choice([f"P{i}" for i in range(200)], n),
            "organism": rng.choice(["Escherichia coli", "Klebsiella pneumoniae"], n),
            "sampled_on": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
        }
    ).sort_values(["patient_id", "organism", "sampled_on", "isolate_id"])
    vectorised = first_isolates(heads, episode_days=365)
    looped = first_isolates_loop(heads, episode_days=365)
    assert vectorised.tolist() == looped.tolist()
    # Several episodes per group occur, so the rounds are exercised.
    assert 0 < vectorised.sum() < n
    groups = heads.assign(first=vectorised).groupby(["patient_id", "organism"])["first"].sum()
    assert groups.max() > 1


def test_an_isolate_a_year_later_opens_a_new_episode() -> None:
    heads = pd.DataFrame(
        {
            "isolate_id": ["a", "b", "c", "d"],
            "patient_id": ["P1"] * 4,
            "organism": ["Escherichia coli"] * 4,
            "sampled_on": pd.to_datetime(["2024-01-01", "2024-12-30", "2024-12-31", "2025-06-01"]),
        }
    )
    # 2024-12-30 is 364 days after the first: same episode; 2024-12-31 is 365 days after:
    # a new one, which then covers 2025-06-01.
    assert first_isolates(heads).tolist() == [True, False, True, False]


# The community set: Polars' eight tables are pandas' -----------------------------------

#: Products of the small warehouse: J01 and not (vancomycin by mouth), critical and not,
#: Access and Watch, with and without a WHO DDD (doxycycline rectal has none), amounts in
#: g and mg, one with its own DDD per box.
PRODUCTS = [
    # cip13, atc, route, units per box, amount per unit, unit, DDD per box
    ("3400000000011", "J01CA04", "O", 14.0, 1.0, "g", None),
    ("3400000000028", "J01CR02", "O", 16.0, 1.0, "g", None),
    ("3400000000035", "J01MA02", "O", 10.0, 500.0, "mg", None),
    ("3400000000042", "A07AA09", "O", 12.0, 250.0, "mg", None),
    ("3400000000059", "J01AA02", "R", 10.0, 100.0, "mg", None),
    ("3400000000066", "J01DD04", "P", 1.0, 1.0, "g", 0.5),
    ("3400000000073", "J01CR03", "O", 8.0, 1.0, "g", 4.0),
]


def _small_warehouse(path: str) -> None:
    """A warehouse of a few thousand lines over 2024-2025 with everything the set's
    definitions leave out: a département without population (60), lines that are not
    J01, lines of weight 0, products without a DDD, a prescriber whose lines all weigh 0,
    a specialty of one prescriber, a département (971) without lines in 2024, one (93)
    whose lines have no DDD, a nursing home also in the hospital consumption, lines of a
    product missing from the catalogue."""
    import duckdb

    rng = np.random.default_rng(7)
    n = 4000
    prescribers = [f"PR{i:03d}" for i in range(60)]
    specialty = {
        p: ("generalist", "dentist", "paediatrician")[i % 3] for i, p in enumerate(prescribers)
    }
    specialty["PR999"] = "ophthalmologist"
    lines = pd.DataFrame(
        {
            "dispensed_on": pd.to_datetime("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 731, n), unit="D"),
            "patient_departement": rng.choice(["75", "92", "971", "60"], n),
            "prescriber_id": rng.choice([*prescribers, "PR999", "PR000"], n),
            "setting": rng.choice(["community", "nursing_home"], n, p=[0.7, 0.3]),
            "cip13": rng.choice([p[0] for p in PRODUCTS], n),
            "boxes": rng.integers(1, 4, n),
            "line_weight": rng.choice([0, 1], n, p=[0.15, 0.85]),
        }
    )
    lines["prescriber_specialty"] = lines.prescriber_id.map(specialty)
    # PR000's lines all weigh 0 (left out of the profile); 971 has no line in 2024.
    lines.loc[lines.prescriber_id == "PR000", "line_weight"] = 0
    lines = lines[~((lines.patient_departement == "971") & (lines.dispensed_on.dt.year == 2024))]
    # 93's only lines (March 2025) are of a product without a DDD: no access share there.
    no_ddd = lines.iloc[:5].assign(
        dispensed_on=pd.Timestamp("2025-03-14"), patient_departement="93", cip13=PRODUCTS[4][0]
    )
    # A few lines of a CIP13 missing from the products: not J01, counted nowhere.
    unknown = lines.iloc[5:12].assign(cip13="3400000009999")
    lines = pd.concat([lines, no_ddd, unknown], ignore_index=True)
    inhabitants = {"75": 210_000, "92": 160_000, "93": 170_000, "971": 38_000}
    population = pd.DataFrame(
        [
            (year, dep, sex, round((count + (year - 2024) * 1000) * share))
            for year in (2024, 2025)
            for dep, count in inhabitants.items()
            for sex, share in (("F", 0.52), ("M", 0.48))
        ],
        columns=["year", "departement", "sex", "population"],
    )
    products = pd.DataFrame(
        PRODUCTS,
        columns=[
            "cip13",
            "atc",
            "route",
            "units_per_box",
            "amount_per_unit",
            "amount_unit",
            "ddd_per_box",
        ],
    )
    patient_days = pd.DataFrame(
        [
            ("750000011", 2024, "nursing_home", 30_000),
            ("750000011", 2025, "nursing_home", 31_000),
            ("750000029", 2025, "nursing_home", 12_000),
            ("920000013", 2024, "nursing_home", 25_000),
            ("920000013", 2025, "nursing_home", 26_000),
            ("920000021", 2025, "nursing_home", 9_000),  # also a hospital: left out
            ("920000021", 2025, "medicine", 40_000),
            ("971000015", 2025, "nursing_home", 8_000),
        ],
        columns=["finess", "year", "sector", "patient_days"],
    )
    hospital = pd.DataFrame({"finess": ["920000021"]})
    con = duckdb.connect(path)
    con.register("l", lines)
    con.execute(
        "CREATE TABLE dispensations AS SELECT CAST(dispensed_on AS DATE) AS dispensed_on,"
        " patient_departement, prescriber_id, prescriber_specialty, setting, cip13,"
        " CAST(boxes AS BIGINT) AS boxes, CAST(line_weight AS TINYINT) AS line_weight FROM l"
    )
    for name, frame in (
        ("population", population),
        ("products", products),
        ("patient_days", patient_days),
        ("hospital_consumption", hospital),
    ):
        con.register("f", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")  # noqa: S608
        con.unregister("f")
    con.close()


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import duckdb

    from benchmarks.community import polars_peer

    folder = tmp_path_factory.mktemp("community")
    path = folder / "warehouse.duckdb"
    _small_warehouse(str(path))
    con = duckdb.connect(str(path), read_only=True)
    polars_peer.write_parquet(con, folder / "dispensations.parquet")
    yield con, folder / "dispensations.parquet"
    con.close()


@pytest.mark.parametrize("source", ["arrow", "parquet"])
def test_polars_full_set_gives_pandas_tables(small_warehouse: Any, source: str) -> None:
    from benchmarks.community import pandas_baseline, polars_peer

    con, parquet = small_warehouse
    columns = polars_peer.FULL_COLUMNS
    lines = (
        polars_peer.from_warehouse(con, columns)
        if source == "arrow"
        else polars_peer.from_parquet(parquet, columns)
    )
    ours = polars_peer.compute_all(con, lines, baseline_year=2024)
    theirs = pandas_baseline.compute_all(con, baseline_year=2024)
    assert polars_peer.compare(theirs, ours) <= 1e-12
    # The small warehouse reaches the cases the definitions single out.
    profile = ours["community.prescriber_profile"]
    assert "PR000" not in profile["prescriber_id"].to_list()  # every line weighs 0
    assert (
        profile.filter(prescriber_specialty="ophthalmologist")["volume_percentile"].is_nan().all()
    )
    assert set(ours["community.did"]["departement"]) == {"75", "92", "93", "971"}  # not 60
    assert "93" not in ours["community.access_share"]["departement"].to_list()
    assert ours["community.critical_share"]["critical_share"].null_count() > 0  # 971 in 2024
    nursing = ours["nursing_home.ddd_per_1000_resident_days"]
    assert nursing.filter(departement="92", year=2025)["rd"].to_list() == [26_000]
    assert len(ours["community.seasonal_variation"]) == 6  # 4 in 2025, 2 in 2024


def test_the_comparison_sees_a_filter_left_out(
    small_warehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polars counting every product as J01 (its J01 filter left out) is caught."""
    from benchmarks.community import pandas_baseline, polars_peer

    con, _ = small_warehouse
    theirs = pandas_baseline.compute_all(con, baseline_year=2024)
    attributes = pandas_baseline._product_attributes
    monkeypatch.setattr(
        polars_peer, "_product_attributes", lambda c: attributes(c).assign(j01=True)
    )
    lines = polars_peer.from_warehouse(con, polars_peer.FULL_COLUMNS)
    ours = polars_peer.compute_all(con, lines, baseline_year=2024)
    with pytest.raises(ValueError, match="relative difference"):
        polars_peer.compare(theirs, ours)


def test_the_comparison_sees_a_missing_row_and_a_small_difference(small_warehouse: Any) -> None:
    import polars as pl

    from benchmarks.community import pandas_baseline, polars_peer

    con, _ = small_warehouse
    theirs = pandas_baseline.compute_all(con, baseline_year=2024)
    lines = polars_peer.from_warehouse(con, polars_peer.FULL_COLUMNS)
    ours = polars_peer.compute_all(con, lines, baseline_year=2024)
    name = "community.access_share"
    with pytest.raises(ValueError, match="not the same rows"):
        polars_peer.compare(theirs, {**ours, name: ours[name].slice(1)})
    nudged = ours[name].with_columns(pl.col("access_share") * (1 + 1e-8))
    with pytest.raises(ValueError, match="relative difference"):
        polars_peer.compare(theirs, {**ours, name: nudged})
