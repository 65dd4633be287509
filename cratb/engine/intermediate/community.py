"""Intermediate tables of the community indicators: Table → Table steps.

- ``product_attributes``: the products with their DDD per box, ATC levels, AWaRe
  category and "critical" flag;
- ``cube`` then ``consumption_rows``: the dispensing lines summed into one small table
  (month × département × specialty × setting × product), with every measure the
  indicators need: computed once per session and period by the indicator layer, so the
  whole catalogue reads the dispensing lines once;
- ``per_prescriber``: the same measures by prescriber, read from the dispensing lines
  (a cube by prescriber × product would be far larger than the lines);
- ``population_years`` and ``person_days``: the population denominator, population ×
  days, by the time and geographic columns of the request.

Every step receives the tables it reads and its parameters; which results are kept for
the session is the indicator layer's choice (``indicators/community.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine.context import IndicatorError
from cratb.engine.dimensions import GEO_COLUMNS, TIME_COLUMNS
from cratb.engine.intermediate.products import product_ddd
from cratb.engine.staging import community as stg

__all__ = [
    "CUBE_KEYS",
    "MEASURES",
    "consumption_rows",
    "cube",
    "per_commune",
    "per_patient",
    "per_prescriber",
    "person_days",
    "person_days_by",
    "population_years",
    "product_attributes",
]

CUBE_KEYS = ("month_key", "departement", "prescriber_specialty", "setting")


def product_attributes(products: ir.Table, *, ddd: ir.Table, agents: ir.Table) -> ir.Table:
    """One row per product (cip13): ``atc``, ``route``, ``atc3``, ``atc4``, ``aware``,
    ``critical``, ``high_risk``, ``j01``, ``ddd_per_box`` (NULL when not computable); ``ddd`` is the
    WHO DDD table and ``agents`` the reference agents (``reference.tables``)."""
    p = product_ddd(products, ddd)
    return p.left_join(agents, [p.atc == agents.atc, p.route == agents.route]).select(
        p.cip13, p.atc, p.route, agents.atc3, agents.atc4, agents.aware,
        agents.critical.fill_null(False).name("critical"),
        agents.high_risk.fill_null(False).name("high_risk"),
        agents.j01.fill_null(False).name("j01"),
        p.ddd_per_box,
    )  # fmt: skip


PRODUCT_COLUMNS = ("atc", "atc3", "atc4", "aware", "route")
#: The measures of the consumption tables: J01 agents only, but for ``boxes_unknown``.
MEASURES = (
    "ddd",
    "ddd_access",
    "lines",
    "lines_critical",
    "lines_high_risk",
    "boxes_j01",
    "boxes_high_risk",
    "boxes_without_ddd",
    "boxes_unknown",
)


def _measures(t: ir.Table) -> dict[str, ir.Value]:
    """Per row of ``t`` (boxes, line_weight or lines, and the product attributes), the
    contribution to each measure."""
    j01 = t.j01.fill_null(False)
    ddd = (t.boxes.cast("float64") * t.ddd_per_box).fill_null(0.0)
    lines = t.lines if "lines" in t.columns else t.line_weight
    return {
        "ddd": j01.ifelse(ddd, 0.0),
        "ddd_access": (j01 & (t.aware == "Access")).ifelse(ddd, 0.0),
        "lines": j01.ifelse(lines, 0),
        "lines_critical": (j01 & t.critical.fill_null(False)).ifelse(lines, 0),
        "lines_high_risk": (j01 & t.high_risk.fill_null(False)).ifelse(lines, 0),
        "boxes_j01": j01.ifelse(t.boxes, 0),
        "boxes_high_risk": (j01 & t.high_risk.fill_null(False)).ifelse(t.boxes, 0),
        "boxes_without_ddd": (j01 & t.ddd_per_box.isnull()).ifelse(t.boxes, 0),
        "boxes_unknown": t.atc.isnull().ifelse(t.boxes, 0),
    }


def _product_keys(dims: set[str]) -> list[str]:
    """The product columns to keep: those asked, and the ATC code with them (it says
    whether the row is a J01 agent)."""
    asked = [c for c in PRODUCT_COLUMNS if c in dims]
    return ["atc", *(c for c in asked if c != "atc")] if asked else []


def cube(
    dispensations: ir.Table,
    *,
    date_from: date,
    date_to: date,
    specialties: ir.Table | None = None,
) -> ir.Table:
    """One row per month × département × specialty × setting × product (cip13) of the
    period: ``boxes``, ``lines``: the one scan of the dispensing lines for the whole
    catalogue. ``specialties``: the specialties' integer keys (``sources/derived.py``),
    when the warehouse stores them: the lines are then grouped by that key, and the
    specialty named after."""
    rows = stg.dispensations(dispensations, date_from=date_from, date_to=date_to)
    if specialties is None or "specialty_key" not in rows.columns:
        return rows.group_by([*CUBE_KEYS, "cip13"]).agg(
            boxes=rows.boxes.sum(), lines=rows.line_weight.sum()
        )
    keys = ["specialty_key" if c == "prescriber_specialty" else c for c in CUBE_KEYS]
    t = rows.group_by([*keys, "cip13"]).agg(boxes=rows.boxes.sum(), lines=rows.line_weight.sum())
    return _specialty_named(t, specialties, rows.prescriber_specialty.type())


def _specialty_named(t: ir.Table, specialties: ir.Table, dtype: dt.DataType) -> ir.Table:
    """``t`` with its ``specialty_key`` column replaced, in place, by the specialty
    (``prescriber_specialty`` of type ``dtype``). Every line's specialty has its key (both
    are written in the import's transaction); a left join all the same: a key without its
    name would give an empty name, never drop a row."""
    named = t.left_join(specialties, t.specialty_key == specialties.specialty_key)
    name = specialties.prescriber_specialty.cast(dtype).name("prescriber_specialty")
    return named.select(*(name if c == "specialty_key" else t[c] for c in t.columns))


def consumption_rows(cube: ir.Table, *, attributes: ir.Table, departements: ir.Table) -> ir.Table:
    """Dispensed antibacterials, one row per row of ``cube`` with the measures ``ddd``
    (net DDD of the products whose DDD is computable), ``ddd_access`` (of AWaRe Access
    agents), ``lines`` (prescription lines), ``lines_critical`` (of the "critical"
    agents), ``boxes_j01``, ``boxes_without_ddd`` (J01 boxes of products without a DDD
    per box) and ``boxes_unknown`` (boxes of products missing from the catalogue,
    whatever their agent), and the columns ``month_key``, ``year``, ``month``,
    ``departement``, ``region``, ``prescriber_specialty``, ``setting``, ``atc``,
    ``atc3``, ``atc4``, ``aware``, ``route``. ``attributes`` is ``product_attributes``,
    ``departements`` the reference départements."""
    t = cube.left_join(attributes, cube.cip13 == attributes.cip13).select(
        cube, *(attributes[c] for c in attributes.columns if c != "cip13")
    )
    t = t.select(*CUBE_KEYS, *_product_keys(set(PRODUCT_COLUMNS)), **_measures(t))
    return _calendar_and_region(t, departements)


def per_prescriber(
    dispensations: ir.Table,
    *,
    attributes: ir.Table,
    prescribers: ir.Table,
    departements: ir.Table,
    date_from: date,
    date_to: date,
    dims: Iterable[str],
    residents: ir.Column | None,
    specialties: ir.Table | None = None,
) -> ir.Table:
    """The measures of ``consumption_rows`` by prescriber (``prescriber_id``,
    ``prescriber_specialty``) and the other columns of ``dims`` (time, geography,
    setting, product). The product attributes are joined to the dispensing lines and the
    measures summed by prescriber: grouping by prescriber × product first would make far
    more groups than there are prescribers. ``residents``: keep the patients living in
    these départements. ``specialties``: the specialties' integer keys
    (``sources/derived.py``), when the warehouse stores them: the lines are then grouped
    by that key instead of the specialty's text."""
    dims = set(dims)
    rows = stg.dispensations(dispensations, date_from=date_from, date_to=date_to)
    if residents is not None:
        rows = rows.filter(rows.departement.isin(residents))
    rows = rows.left_join(attributes, rows.cip13 == attributes.cip13).select(
        rows, *(attributes[c] for c in attributes.columns if c != "cip13")
    )
    # Grouped by the prescriber's and the specialty's integer keys, then named: a text
    # key costs far more.
    by_key = specialties is not None and "specialty_key" in rows.columns
    specialty = "specialty_key" if by_key else "prescriber_specialty"
    keys = ["prescriber_key", specialty]
    keys += ["month_key"] if dims & set(TIME_COLUMNS) else []
    keys += ["departement"] if dims & set(GEO_COLUMNS) else []
    keys += ["setting"] if "setting" in dims else []
    keys += _product_keys(dims)
    measures = _measures(rows)
    t = rows.group_by(keys).aggregate(**{name: m.sum() for name, m in measures.items()})
    t = t.join(prescribers, "prescriber_key").drop("prescriber_key")
    if by_key and specialties is not None:
        t = _specialty_named(t, specialties, rows.prescriber_specialty.type())
    return _calendar_and_region(t, departements)


def per_commune(
    dispensations: ir.Table,
    *,
    attributes: ir.Table,
    departements: ir.Table,
    date_from: date,
    date_to: date,
    dims: Iterable[str],
    residents: ir.Column | None,
) -> ir.Table:
    """The measures of ``consumption_rows`` by the patient's ``commune`` and the other
    columns of ``dims`` (time, geography, specialty, setting, product), over the lines
    that carry a commune. ``residents``: keep the patients living in these départements."""
    dims = set(dims)
    rows = stg.dispensations(dispensations, date_from=date_from, date_to=date_to)
    rows = rows.filter(rows.commune.notnull())
    if residents is not None:
        rows = rows.filter(rows.departement.isin(residents))
    rows = rows.left_join(attributes, rows.cip13 == attributes.cip13).select(
        rows, *(attributes[c] for c in attributes.columns if c != "cip13")
    )
    keys = ["commune"]
    keys += ["month_key"] if dims & set(TIME_COLUMNS) else []
    keys += ["departement"] if dims & set(GEO_COLUMNS) else []
    keys += [c for c in ("prescriber_specialty", "setting") if c in dims]
    keys += _product_keys(dims)
    measures = _measures(rows)
    t = rows.group_by(keys).aggregate(**{name: m.sum() for name, m in measures.items()})
    return _calendar_and_region(t, departements)


def per_patient(
    dispensations: ir.Table,
    *,
    attributes: ir.Table,
    departements: ir.Table,
    date_from: date,
    date_to: date,
    residents: ir.Column | None,
) -> ir.Table:
    """One row per J01 prescription line of the period (``line_weight`` = 1: net boxes
    > 0) with its pseudonymous ``patient_id``, ``high_risk`` (an agent at high risk of
    resistance), ``commune``, ``month_key``, ``year``, ``month``, ``departement``,
    ``region``, ``prescriber_specialty``, ``setting``: the input of counts of distinct
    patients, which cannot be summed from the cube. ``residents``: keep the patients
    living in these départements."""
    rows = stg.dispensations(dispensations, date_from=date_from, date_to=date_to)
    rows = rows.filter(rows.line_weight > 0)
    if residents is not None:
        rows = rows.filter(rows.departement.isin(residents))
    rows = rows.join(attributes, rows.cip13 == attributes.cip13).select(
        rows.patient_id, rows.commune, rows.month_key, rows.departement,
        rows.prescriber_specialty, rows.setting, attributes.high_risk, attributes.j01,
    )  # fmt: skip
    rows = rows.filter(rows.j01).drop("j01")
    return _calendar_and_region(rows, departements)


def _calendar_and_region(t: ir.Table, departements: ir.Table) -> ir.Table:
    if "month_key" in t.columns:
        t = t.mutate(year=(t.month_key // 100).cast("int32"), month=stg.month_label(t.month_key))
    if "departement" in t.columns:
        t = t.left_join(departements, t.departement == departements.departement).select(
            t, departements.region
        )
    return t


def population_years(years: Sequence[int], *, available: Sequence[int]) -> pa.Table:
    """One row per calendar year of the period: ``year``, ``population_year``, the year
    of the population table that counts for it: that year, else the latest earlier year,
    else the earliest year given (populations are published years late). ``available``
    lists the years of the population table, in order."""
    if not available:
        raise IndicatorError("la table « population » est vide : importer la population")
    return pa.table(
        {
            "year": pa.array(years, pa.int32()),
            "population_year": pa.array(
                [max((a for a in available if a <= y), default=available[0]) for y in years],
                pa.int32(),
            ),
        }
    )


def person_days(
    population: ir.Table, *, months: ir.Table, years: ir.Table, departements: ir.Table
) -> ir.Table:
    """One row per month × département of the period: ``year``, ``month``,
    ``departement``, ``region``, ``person_days`` = population × days of the month in the
    period. ``population`` is the staged population (``staging.community.population``),
    ``months`` the months of the period (``context.months_table``), ``years`` the
    population year of each year (``population_years``)."""
    months = months.join(years, "year")
    pop = population.left_join(departements, population.departement == departements.departement)
    pop = pop.select(population, departements.region)
    return months.join(pop, months.population_year == pop.year).select(
        months.year, months.month, pop.departement, pop.region,
        (pop.population * months.days).name("person_days"),
    )  # fmt: skip


def person_days_by(days: ir.Table, *, dims: Iterable[str]) -> ir.Table:
    """``person_days`` summed by the time and geographic columns among ``dims``: one row
    per value of those columns, one row in all when there is none."""
    dims = [c for c in dims if c in (*TIME_COLUMNS, *GEO_COLUMNS)]
    if dims:
        return days.group_by(dims).agg(person_days=days.person_days.sum())
    return days.aggregate(person_days=days.person_days.sum())
