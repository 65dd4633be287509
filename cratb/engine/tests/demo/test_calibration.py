"""The demo region lands on the published French figures (docs/demo.md).

Each indicator is recomputed here with plain DuckDB SQL on the generated
files, independently of the engine's indicator code.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from cratb.engine import reference
from cratb.engine.demo import DemoFiles
from cratb.engine.demo.catalogue import NATIONAL_DID, NATIONAL_PRESCRIPTIONS_PER_1000

IDF_FACTOR = 1.07  # Île-de-France about 7 % above the national level


@pytest.fixture(scope="module")
def con(demo_idf: DemoFiles) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    f = demo_idf.files
    text = {
        "dispensations": "{'cip13': 'VARCHAR', 'patient_departement': 'VARCHAR'}",
        "products": "{'cip13': 'VARCHAR'}",
        "isolates": "{'departement': 'VARCHAR'}",
        "population": "{'departement': 'VARCHAR'}",
    }
    for kind, path in f.items():
        types = f", types={text[kind]}" if kind in text else ""
        # Paths and kinds are the generator's own, not user input.
        con.execute(f"create table {kind} as select * from read_csv('{path}'{types})")  # noqa: S608
    # DDD per box from the WHO table of the reference data (the override wins).
    rows = []
    for cip, atc, route, units, amount, unit, override in con.execute(
        "select cip13, atc, route, units_per_box, amount_per_unit, amount_unit, ddd_per_box "
        "from products"
    ).fetchall():
        ddd = reference.who_ddd(atc, route)
        if override is not None:
            per_box = override
        elif ddd is None or amount is None:
            per_box = None
        else:
            grams = units * amount * (0.001 if unit == "mg" else 1.0)
            per_box = grams / (ddd.value * (0.001 if ddd.unit == "mg" else 1.0))
        aware = reference.aware_category(atc, route)
        rows.append((cip, atc, per_box, aware))
    con.execute("create table box (cip13 varchar, atc varchar, ddd double, aware varchar)")
    con.executemany("insert into box values (?, ?, ?, ?)", rows)
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None
    return float(row[0])


def test_community_ddd_per_1000_inhabitants_per_day(con: duckdb.DuckDBPyConnection) -> None:
    did = _one(
        con,
        "select sum(d.boxes * b.ddd) * 1000 / (select sum(population) from population) / 365 "
        "from dispensations d join box b using (cip13)",
    )
    assert (NATIONAL_DID - 3) * IDF_FACTOR < did < (NATIONAL_DID + 3) * IDF_FACTOR


def test_community_prescriptions_per_1000_inhabitants_per_year(
    con: duckdb.DuckDBPyConnection,
) -> None:
    per_1000 = _one(
        con,
        "select count(*) * 1000 / (select sum(population) from population) from ("
        " select prescription_id, cip13 from dispensations group by all having sum(boxes) > 0)",
    )
    assert NATIONAL_PRESCRIPTIONS_PER_1000 - 120 < per_1000 < NATIONAL_PRESCRIPTIONS_PER_1000 + 120


def test_access_share_and_critical_share(con: duckdb.DuckDBPyConnection) -> None:
    access = _one(
        con,
        "select 100 * sum(case when b.aware = 'Access' then d.boxes * b.ddd end)"
        " / sum(d.boxes * b.ddd) from dispensations d join box b using (cip13)",
    )
    assert 55 < access < 65
    critical = _one(
        con,
        "select 100 * avg(case when b.atc = 'J01CR02' or b.atc like 'J01DD%' or b.atc like "
        "'J01DE%' or b.atc like 'J01MA%' then 1 else 0 end) "
        "from dispensations d join box b using (cip13)",
    )
    assert 25 < critical < 45


def test_amoxicillin_comes_first(con: duckdb.DuckDBPyConnection) -> None:
    top = con.execute(
        "select b.atc from dispensations d join box b using (cip13) "
        "group by 1 order by count(*) desc limit 2"
    ).fetchall()
    assert [r[0] for r in top] == ["J01CA04", "J01CR02"]


def test_winter_above_summer(con: duckdb.DuckDBPyConnection) -> None:
    ratio = _one(
        con,
        "select count(*) filter (where month(dispensed_on) in (12, 1, 2))"
        " / count(*) filter (where month(dispensed_on) in (6, 7, 8)) from dispensations",
    )
    assert 1.15 < ratio < 1.6


def test_specialties_settings_and_returns(con: duckdb.DuckDBPyConnection) -> None:
    share = dict(
        con.execute(
            "select prescriber_specialty, 100 * count(*) / sum(count(*)) over () "
            "from dispensations group by 1"
        ).fetchall()
    )
    assert 65 < share["general_practice"] < 75
    assert 7 < share["dentistry"] < 13
    assert 11 < share["hospital"] < 18
    nursing = _one(con, "select 100 * avg((setting = 'nursing_home')::int) from dispensations")
    assert 1 < nursing < 5
    returns = _one(con, "select 1000 * avg((boxes < 0)::int) from dispensations")
    assert 1 < returns < 6


def test_a_few_big_prescribers(con: duckdb.DuckDBPyConnection) -> None:
    top_decile = _one(
        con,
        "with p as (select prescriber_id, count(*) n from dispensations "
        "where prescriber_specialty = 'general_practice' group by 1), "
        "r as (select n, ntile(10) over (order by n desc) decile from p) "
        "select sum(n) filter (where decile = 1) / sum(n) from r",
    )
    assert top_decile > 0.25


def test_products_whose_ddd_is_overridden_or_not_computable(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        "select p.label, p.ddd_per_box, b.ddd from products p join box b using (cip13) "
        "where b.ddd is null or p.ddd_per_box is not null"
    ).fetchall()
    labels = {label: (override, ddd) for label, override, ddd in rows}
    assert len(labels) == 2
    assert all(label.startswith("SULFAMETHOXAZOLE/TRIMETHOPRIME") for label in labels)
    assert sorted(v[0] is None for v in labels.values()) == [False, True]


def test_hospital_ddd_per_1000_patient_days(con: duckdb.DuckDBPyConnection) -> None:
    grams = {
        (atc, route): ddd.value
        for atc, route in con.execute(
            "select distinct atc, route from hospital_consumption where grams is not null"
        ).fetchall()
        if (ddd := reference.who_ddd(atc, route)) is not None and ddd.unit == "g"
    }
    con.execute("create temp table g (atc varchar, route varchar, ddd double)")
    con.executemany("insert into g values (?, ?, ?)", [(*k, v) for k, v in grams.items()])
    value = _one(
        con,
        "select sum(coalesce(c.ddd, c.grams / g.ddd)) * 1000"
        " / (select sum(patient_days) from patient_days"
        "    where finess in (select finess from hospital_consumption))"
        " from hospital_consumption c left join g using (atc, route)",
    )
    assert 250 < value < 350
    both = _one(
        con, "select count(*) from hospital_consumption where (ddd is null) = (grams is null)"
    )
    assert both == 0


def test_nursing_home_ddd_per_1000_resident_days(con: duckdb.DuckDBPyConnection) -> None:
    # SpF: 40.5 DDD per 1000 resident-days in nursing homes without a hospital pharmacy
    # (2022); their resident-days are those of the establishments with no consumption file.
    value = _one(
        con,
        "select sum(d.boxes * b.ddd) * 1000 / (select sum(patient_days) from patient_days"
        "   where sector = 'nursing_home'"
        "   and finess not in (select finess from hospital_consumption))"
        " from dispensations d join box b using (cip13)"
        " where d.setting = 'nursing_home' and b.atc like 'J01%'",
    )
    assert 32 < value < 50


FIRST_ISOLATES = """
create or replace temp table first as
with iso as (
    select isolate_id, any_value(patient_id) patient_id, any_value(organism) organism,
        any_value(setting) setting, any_value(specimen) specimen, any_value(esbl) esbl,
        any_value(sampled_on) sampled_on,
        bool_or(antibiotic in ('CTX', 'CRO', 'CAZ') and sir = 'R') c3g_r,
        bool_or(antibiotic = 'CIP' and sir = 'R') fq_r,
        bool_or(antibiotic = 'FOX' and sir = 'R') mrsa
    from isolates group by 1
)
select *, row_number() over (
    partition by patient_id, organism order by sampled_on, isolate_id) = 1 is_first
from iso
"""


def _share(con: duckdb.DuckDBPyConnection, flag: str, where: str) -> float:
    sql = f"select 100 * avg(({flag})::int) from first where is_first and {where}"  # noqa: S608
    return _one(con, sql)


def test_resistance_rates_of_first_isolates(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FIRST_ISOLATES)
    community_ecoli = "organism = 'Escherichia coli' and setting = 'community'"
    assert 2 < _share(con, "esbl = 'Y'", community_ecoli + " and specimen = 'urine'") < 4.5
    assert 8 < _share(con, "fq_r", community_ecoli) < 14
    assert (
        6 < _share(con, "esbl = 'Y'", "organism = 'Escherichia coli' and setting = 'hospital'") < 11
    )
    assert (
        6
        < _share(con, "esbl = 'Y'", "organism = 'Escherichia coli' and setting = 'nursing_home'")
        < 15
    )
    assert (
        17
        < _share(con, "c3g_r", "organism = 'Klebsiella pneumoniae' and setting = 'hospital'")
        < 33
    )
    assert (
        9 < _share(con, "mrsa", "organism = 'Staphylococcus aureus' and setting = 'hospital'") < 18
    )


def test_repeat_isolates_make_first_isolate_rules_matter(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FIRST_ISOLATES)
    repeats = _one(con, "select 100 * avg((not is_first)::int) from first")
    assert 5 < repeats < 25
    # Resistant strains come back more often, so counting every isolate inflates ESBL.
    where = "organism = 'Escherichia coli'"
    first = _share(con, "esbl = 'Y'", where)
    every = _one(con, f"select 100 * avg((esbl = 'Y')::int) from first where {where}")  # noqa: S608
    assert every > first
