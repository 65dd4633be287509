"""Community dispensing lines (CONTRACTS.md 1.1), generated block by block.

The model is patient-major: a block of treated patients is drawn (age band,
sex, département, nursing-home residence), each gets a number of
prescriptions (ordonnances) in the year, each prescription a specialty, a
prescriber, a date and one or two antibiotic lines, each line a product and a
number of boxes covering the course. Long courses are renewed month by month
on the same prescription and a few boxes come back to the pharmacy (negative
lines). Every step is a numpy operation on whole blocks, so memory stays
bounded and ten million lines take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cratb.engine import reference
from cratb.engine.demo import catalogue as cat
from cratb.engine.demo.codes import cip13, prefixed

# Treated patients per block: about 1.2 million dispensing lines per block.
BLOCK_PATIENTS = 500_000
GP = cat.SPECIALTIES.index("general_practice")
DENTISTRY = cat.SPECIALTIES.index("dentistry")
HOSPITAL = cat.SPECIALTIES.index("hospital")
CHILD_GROUP = len(cat.SPECIALTIES)


@dataclass(frozen=True)
class Prescribers:
    ids: pa.Array
    specialty: np.ndarray  # index in cat.SPECIALTIES
    departement: np.ndarray  # index in the region's départements
    weight: np.ndarray  # relative prescribing volume (heavy-tailed)


@dataclass(frozen=True)
class Visits:
    """The demo's big-prescriber campaign, known to the generator so that it has an effect
    to measure. The candidates (the general practitioners of largest volume) prescribe
    more critical antibiotics all year (``BOOST`` of their amoxicillin lines turned into
    amoxicillin-clavulanate, both AWaRe Access: the region's Access share is unchanged):
    they are the outliers the campaign targets. The visited
    ones (``visit_day`` ≥ 0) then turn a share ``reduction`` (10–20 %) of their critical
    lines into amoxicillin from the day of their visit; the others do not change."""

    candidate_of: np.ndarray  # per prescriber: its rank among the candidates, or -1
    prescriber: np.ndarray  # prescriber index of each candidate
    visit_day: np.ndarray  # per candidate: day of the year of the visit, -1 if none
    reduction: np.ndarray  # per candidate: share of critical lines given up after it


#: Share of the general practitioners who are campaign candidates (at least 8, at most
#: 60), share of their amoxicillin lines turned into amoxicillin-clavulanate, share of
#: them visited, visit window (1 July to 30 September) and the reduction after a visit.
CANDIDATE_SHARE = 0.25
CANDIDATES = (8, 60)
BOOST = 0.40
VISITED_SHARE = 0.6
VISIT_WINDOW = ((7, 1), (9, 30))
REDUCTION = (0.10, 0.20)


def plan_visits(prescribers: Prescribers, *, year: int, rng: np.random.Generator) -> Visits:
    """The campaign's candidates (general practitioners of largest volume), who of them
    is visited, when, and how much each one reduces."""
    gps = np.flatnonzero(prescribers.specialty == GP)
    count = int(np.clip(round(len(gps) * CANDIDATE_SHARE), *CANDIDATES))
    count = min(count, len(gps))
    chosen = gps[np.argsort(-prescribers.weight[gps], kind="stable")[:count]]
    candidate_of = np.full(len(prescribers.weight), -1, dtype=np.int64)
    candidate_of[chosen] = np.arange(count)
    first = (dt.date(year, *VISIT_WINDOW[0]) - dt.date(year, 1, 1)).days
    last = (dt.date(year, *VISIT_WINDOW[1]) - dt.date(year, 1, 1)).days
    visited = rng.random(count) < VISITED_SHARE
    day = rng.integers(first, last + 1, count)
    return Visits(
        candidate_of=candidate_of,
        prescriber=chosen,
        visit_day=np.where(visited, day, -1),
        reduction=rng.uniform(*REDUCTION, count),
    )


def visits_table(plan: CommunityPlan) -> pa.Table:
    """One row per visited candidate: ``prescriber_id``, ``visited_on``, ``reduction``
    (the share of critical lines given up, for the record: the page measures it)."""
    v = plan.visits
    if v is None:
        raise ValueError("plan without a campaign")
    done = np.flatnonzero(v.visit_day >= 0)
    epoch = (dt.date(plan.year, 1, 1) - dt.date(1970, 1, 1)).days
    return pa.table(
        {
            "prescriber_id": plan.prescribers.ids.take(pa.array(v.prescriber[done])),
            "visited_on": pa.array((v.visit_day[done] + epoch).astype(np.int32)).cast(pa.date32()),
            "reduction": pa.array(np.round(v.reduction[done], 3)),
        }
    )


@dataclass(frozen=True)
class CommunityPlan:
    """What to generate: sizes and per-group probabilities, computed once."""

    year: int
    tag: str
    departements: tuple[str, ...]
    departement_share: np.ndarray
    treated_patients: int
    target_lines: float
    prescribers: Prescribers
    visits: Visits | None = None


def expected_lines_per_patient() -> float:
    """Mean prescription lines (prescription × product, net boxes > 0) per treated patient."""
    band_share = np.array([b[2] for b in cat.AGE_BANDS])
    band_share /= band_share.sum()
    extra = np.array([b[3] for b in cat.AGE_BANDS])
    old = np.array([b[0] >= cat.NURSING_HOME_MIN_AGE for b in cat.AGE_BANDS])
    extra = np.where(
        old,
        (1 - cat.NURSING_HOME_SHARE) * extra + cat.NURSING_HOME_SHARE * cat.NURSING_HOME_EXTRA,
        extra,
    )
    prescriptions = float((band_share * (1 + extra)).sum())
    spec_share = np.array(cat.SPECIALTY_SHARE) / sum(cat.SPECIALTY_SHARE)
    same = sum(
        w * float((_mix(s) ** 2).sum()) for w, s in zip(spec_share, cat.SPECIALTIES, strict=True)
    )
    lines = 1 + cat.SECOND_LINE_SHARE * (1 - same)
    kept = 1 - cat.RETURN_SHARE * cat.FULL_RETURN_SHARE
    return prescriptions * lines * kept


def expected_treated_residents(plan: CommunityPlan) -> float:
    """Treated patients expected to live in a nursing home (aged 75+, NURSING_HOME_SHARE)."""
    band_share = np.array([b[2] for b in cat.AGE_BANDS])
    band_share /= band_share.sum()
    old = np.array([b[0] >= cat.NURSING_HOME_MIN_AGE for b in cat.AGE_BANDS])
    return plan.treated_patients * float(band_share[old].sum()) * cat.NURSING_HOME_SHARE


def _mix(group: str) -> np.ndarray:
    keys = [m.key for m in cat.MOLECULES]
    mix = cat.MOLECULE_MIX[group]
    weights = np.array([mix.get(k, 0.0) for k in keys], dtype=float)
    return weights / weights.sum()


def plan_community(
    *,
    departements: tuple[str, ...],
    simulated_population: np.ndarray,
    prescriptions_per_1000: float,
    year: int,
    tag: str,
    region_code: str,
    rng: np.random.Generator,
) -> CommunityPlan:
    total = float(simulated_population.sum())
    target_lines = prescriptions_per_1000 * total / 1000
    treated = max(1, round(target_lines / expected_lines_per_patient()))
    return CommunityPlan(
        year=year,
        tag=tag,
        departements=departements,
        departement_share=simulated_population / total,
        treated_patients=treated,
        target_lines=target_lines,
        prescribers=_prescribers(simulated_population, region_code=region_code, rng=rng),
    )


def _prescribers(
    population: np.ndarray, *, region_code: str, rng: np.random.Generator
) -> Prescribers:
    specialty: list[np.ndarray] = []
    departement: list[np.ndarray] = []
    weight: list[np.ndarray] = []
    for s, (density, sigma) in enumerate(
        zip(cat.PRESCRIBERS_PER_100K, cat.PRESCRIBER_SIGMA, strict=True)
    ):
        counts = np.maximum(1, np.rint(population * density / 100_000).astype(np.int64))
        n = int(counts.sum())
        specialty.append(np.full(n, s, dtype=np.int8))
        departement.append(np.repeat(np.arange(len(population), dtype=np.int16), counts))
        weight.append(rng.lognormal(0.0, sigma, n))
    count = sum(len(a) for a in specialty)
    return Prescribers(
        # 99 + region + sequence: eleven digits like an RPPS number, never a real one.
        ids=prefixed(f"99{region_code}", np.arange(1, count + 1), width=7),
        specialty=np.concatenate(specialty),
        departement=np.concatenate(departement),
        weight=np.concatenate(weight),
    )


def _day_weights(year: int, *, seasonal: bool) -> np.ndarray:
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    weights = np.empty(days)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        month = cat.MONTH_WEIGHTS[day.month - 1] if seasonal else 1.0
        weights[i] = month * cat.WEEKDAY_WEIGHTS[day.weekday()]
    return weights / weights.sum()


class _Tables:
    """Catalogue lookups as arrays, built once per generation."""

    def __init__(self, year: int) -> None:
        products = cat.product_by_key()
        self.product_keys = [p.key for p in cat.PRODUCTS]
        index = {k: i for i, k in enumerate(self.product_keys)}
        self.cip13 = pa.array([cip13(p.cip7) for p in cat.PRODUCTS])
        self.renewal_share = np.array([p.renewal_share for p in cat.PRODUCTS])
        dists = [p.boxes_distribution() for p in cat.PRODUCTS]
        width = max(len(v) for v, _ in dists)
        self.box_values = np.ones((len(dists), width), dtype=np.int64)
        self.box_cum = np.ones((len(dists), width))
        for i, (values, probs) in enumerate(dists):
            self.box_values[i, : len(values)] = values
            self.box_cum[i, : len(values)] = np.cumsum(probs) / sum(probs)
        self.molecules = cat.MOLECULES
        self.seasonal = np.array([m.seasonal for m in cat.MOLECULES])
        groups = [*cat.SPECIALTIES, "child"]
        self.mixes = [_mix(g) for g in groups]
        self.adult = [
            (
                np.array([index[k] for k in m.adult]),
                np.array(m.adult_weights) / sum(m.adult_weights),
            )
            for m in cat.MOLECULES
        ]
        self.child = [
            (
                np.array([index[k] for k in m.child]),
                np.array(m.child_weights) / sum(m.child_weights),
            )
            if m.child
            else None
            for m in cat.MOLECULES
        ]
        assert all(k in products for m in cat.MOLECULES for k in (*m.adult, *m.child))
        self.day_weights = (
            _day_weights(year, seasonal=False),
            _day_weights(year, seasonal=True),
        )
        self.epoch_day = (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days
        self.critical = np.array([reference.is_critical(p.atc) for p in cat.PRODUCTS])
        self.amoxicillin = np.array([p.atc == "J01CA04" for p in cat.PRODUCTS])
        # The campaign's substitutions (``Visits``): amoxicillin-clavulanate for the
        # candidates' extra critical lines, amoxicillin after a visit; adult, child.
        self.boosted = (index["amc_1g_8"], index["amc_susp"])
        self.substitute = (index["amox_1g_6"], index["amox_susp_500"])


def generate_dispensations(plan: CommunityPlan, *, entropy: int) -> Iterator[pa.Table]:
    """Yield the dispensing lines as tables of at most ~1.2 million rows, in a fixed order."""
    tables = _Tables(plan.year)
    first_patient = 0
    first_prescription = 0
    first_line = 0
    block = 0
    while first_patient < plan.treated_patients:
        size = min(BLOCK_PATIENTS, plan.treated_patients - first_patient)
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(1, block)))
        table, prescriptions = _block(
            plan,
            tables,
            rng=rng,
            size=size,
            first_patient=first_patient,
            first_prescription=first_prescription,
            first_line=first_line,
        )
        yield table
        first_patient += size
        first_prescription += prescriptions
        first_line += table.num_rows
        block += 1


def _choose(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Vectorised weighted choice (searchsorted on the cumulative probabilities)."""
    cum = np.cumsum(p)
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(p) - 1)


def _block(
    plan: CommunityPlan,
    t: _Tables,
    *,
    rng: np.random.Generator,
    size: int,
    first_patient: int,
    first_prescription: int,
    first_line: int,
) -> tuple[pa.Table, int]:
    # Patients.
    bands = cat.AGE_BANDS
    band = _choose(rng, np.array([b[2] for b in bands]), size)
    low = np.array([b[0] for b in bands])[band]
    span = np.array([b[1] - b[0] + 1 for b in bands])[band]
    age = low + (rng.random(size) * span).astype(np.int64)
    female = rng.random(size) < cat.FEMALE_SHARE
    dep = _choose(rng, plan.departement_share, size)
    resident = (age >= cat.NURSING_HOME_MIN_AGE) & (rng.random(size) < cat.NURSING_HOME_SHARE)
    extra = np.where(resident, cat.NURSING_HOME_EXTRA, np.array([b[3] for b in bands])[band])
    per_patient = 1 + rng.poisson(extra)

    # Prescriptions (ordonnances).
    o_patient = np.repeat(np.arange(size), per_patient)
    n_presc = len(o_patient)
    o_age = age[o_patient]
    o_resident = resident[o_patient]
    spec = _choose(rng, np.array(cat.SPECIALTY_SHARE), n_presc)
    spec = np.where(o_resident, np.where(rng.random(n_presc) < 0.92, GP, HOSPITAL), spec)
    spec = np.where((o_age < 6) & (spec == DENTISTRY), GP, spec)
    child = (o_age <= cat.CHILD_MAX_AGE) & (spec != DENTISTRY)
    group = np.where(child, CHILD_GROUP, spec)
    molecule = np.empty(n_presc, dtype=np.int64)
    second = np.full(n_presc, -1, dtype=np.int64)
    has_second = rng.random(n_presc) < cat.SECOND_LINE_SHARE
    for g, mix in enumerate(t.mixes):
        rows = np.flatnonzero(group == g)
        molecule[rows] = _choose(rng, mix, len(rows))
        rows2 = rows[has_second[rows]]
        second[rows2] = _choose(rng, mix, len(rows2))
    # Two lines of the same molecule on one prescription are one line.
    second = np.where(second == molecule, -1, second)
    day = np.empty(n_presc, dtype=np.int64)
    seasonal = t.seasonal[molecule]
    for flag in (False, True):
        rows = np.flatnonzero(seasonal == flag)
        day[rows] = _choose(rng, t.day_weights[int(flag)], len(rows))
    prescriber = _pick_prescribers(plan.prescribers, spec, dep[o_patient], rng=rng)

    # Lines: first lines, then second lines.
    with_second = np.flatnonzero(second >= 0)
    l_presc = np.concatenate([np.arange(n_presc), with_second])
    l_mol = np.concatenate([molecule, second[with_second]])
    l_child = child[l_presc]
    product = np.empty(len(l_presc), dtype=np.int64)
    for m in range(len(t.molecules)):
        for is_child in (False, True):
            choice = t.child[m] if is_child and t.child[m] is not None else t.adult[m]
            assert choice is not None
            rows = np.flatnonzero((l_mol == m) & (l_child == is_child))
            product[rows] = choice[0][_choose(rng, choice[1], len(rows))]
    # The campaign's draws come from a generator of their own (the communes' stream is
    # the first child, as before), so without a campaign nothing else changes.
    crng, vrng = rng.spawn(2)
    if plan.visits is not None:
        product = _campaign(plan.visits, t, product, prescriber[l_presc], day[l_presc], l_child,
                            rng=vrng)  # fmt: skip
    cum = t.box_cum[product]
    boxes = t.box_values[product, (rng.random(len(product))[:, None] > cum).sum(axis=1)]
    l_day = day[l_presc]
    n_days = len(t.day_weights[0])

    # Monthly renewals of long courses, on the same prescription.
    renew = np.flatnonzero(rng.random(len(product)) < t.renewal_share[product])
    times = 1 + (rng.random(len(renew)) < 0.5)
    r_src = np.repeat(renew, times)
    r_rank = np.concatenate([np.arange(1, k + 1) for k in times]) if len(times) else r_src
    r_day = l_day[r_src] + 30 * r_rank + rng.integers(-2, 3, len(r_src))
    keep = r_day < n_days
    r_src, r_day = r_src[keep], r_day[keep]
    l_presc = np.concatenate([l_presc, l_presc[r_src]])
    product = np.concatenate([product, product[r_src]])
    boxes = np.concatenate([boxes, boxes[r_src]])
    l_day = np.concatenate([l_day, r_day])

    # Returns: a whole dispensing or one box brought back a few days later.
    back = np.flatnonzero(rng.random(len(product)) < cat.RETURN_SHARE)
    full = (rng.random(len(back)) < cat.FULL_RETURN_SHARE) | (boxes[back] == 1)
    back_boxes = np.where(full, -boxes[back], -1)
    back_day = np.minimum(l_day[back] + rng.integers(0, 4, len(back)), n_days - 1)
    l_presc = np.concatenate([l_presc, l_presc[back]])
    product = np.concatenate([product, product[back]])
    boxes = np.concatenate([boxes, back_boxes])
    l_day = np.concatenate([l_day, back_day])

    order = np.lexsort((l_presc, l_day))
    l_presc, product, boxes, l_day = l_presc[order], product[order], boxes[order], l_day[order]
    l_patient = o_patient[l_presc]
    n_lines = len(l_presc)
    deps = pa.array(plan.departements)
    specialties = pa.array(cat.SPECIALTIES)
    settings = pa.array(["community", "nursing_home"])
    table = pa.table(
        {
            "dispensation_id": prefixed(
                f"D{plan.tag}", np.arange(first_line + 1, first_line + n_lines + 1), width=10
            ),
            "dispensed_on": pa.array((l_day + t.epoch_day).astype(np.int32)).cast(pa.date32()),
            "prescription_id": prefixed(f"O{plan.tag}", first_prescription + l_presc + 1, width=9),
            "patient_id": prefixed(f"P{plan.tag}", first_patient + l_patient + 1, width=9),
            "patient_age": pa.array(age[l_patient].astype(np.int16)),
            "patient_sex": pa.array(["M", "F"]).take(pa.array(female[l_patient].astype(np.int8))),
            "patient_departement": deps.take(pa.array(dep[l_patient])),
            "prescriber_id": plan.prescribers.ids.take(pa.array(prescriber[l_presc])),
            "prescriber_specialty": specialties.take(pa.array(spec[l_presc])),
            "cip13": t.cip13.take(pa.array(product)),
            "boxes": pa.array(boxes.astype(np.int32)),
            "setting": settings.take(pa.array(resident[l_patient].astype(np.int8))),
        }
    )
    # The communes: drawn from a generator of their own (``crng`` above), so every other
    # column is the same as without them.
    commune = _communes(plan.departements, dep, rng=crng)
    local = crng.random(n_presc) < PRESCRIBER_IN_PATIENT_COMMUNE
    other = _communes(plan.departements, dep[o_patient], rng=crng)
    prescriber_commune = np.where(local, commune[o_patient], other)
    table = table.append_column("patient_commune", pa.array(commune[l_patient]))
    table = table.append_column("prescriber_commune", pa.array(prescriber_commune[l_presc]))
    return table, n_presc


def _campaign(
    visits: Visits,
    t: _Tables,
    product: np.ndarray,
    prescriber: np.ndarray,
    day: np.ndarray,
    child: np.ndarray,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """``product`` of each first or second line with the campaign's substitutions: a
    candidate's amoxicillin line becomes amoxicillin-clavulanate with probability
    ``BOOST``; then a visited candidate's critical line dated on or after the visit
    becomes amoxicillin with probability ``reduction``."""
    rank = visits.candidate_of[prescriber]
    candidate = rank >= 0
    who = np.where(candidate, rank, 0)
    kid = child.astype(np.int64)
    boost = candidate & t.amoxicillin[product] & (rng.random(len(product)) < BOOST)
    product = np.where(boost, np.array(t.boosted)[kid], product)
    visit = visits.visit_day[who]
    after = candidate & (visit >= 0) & (day >= visit)
    reduce = after & t.critical[product] & (rng.random(len(product)) < visits.reduction[who])
    return np.where(reduce, np.array(t.substitute)[kid], product)


#: Cities counted through their municipal arrondissements.
SPLIT_CITIES = ("75056", "69123", "13055")
#: Share of prescriptions written in the patient's own commune (else: another commune of
#: the patient's département, chosen by population).
PRESCRIBER_IN_PATIENT_COMMUNE = 0.7


@functools.cache
def _departement_communes(departement: str) -> tuple[np.ndarray, np.ndarray]:
    """The communes of a département (INSEE codes; Paris, Lyon and Marseille through their
    arrondissements, as the directory's CPTS) and their population shares."""
    found = [
        c
        for c in reference.communes().values()
        if c.departement == departement and c.code not in SPLIT_CITIES
    ]
    codes = np.array([c.code for c in found], dtype=object)
    weights = np.array([float(c.population or 1) for c in found])
    return codes, weights / weights.sum()


def _communes(
    departements: tuple[str, ...], dep: np.ndarray, *, rng: np.random.Generator
) -> np.ndarray:
    """A commune for each row, in the row's département (index into ``departements``),
    chosen by population."""
    out = np.empty(len(dep), dtype=object)
    for d, code in enumerate(departements):
        rows = np.flatnonzero(dep == d)
        codes, share = _departement_communes(code)
        if len(codes) == 0:
            continue
        out[rows] = codes[_choose(rng, share, len(rows))]
    return out


def _pick_prescribers(
    prescribers: Prescribers,
    spec: np.ndarray,
    dep: np.ndarray,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """A prescriber of the prescription's specialty, in the patient's département."""
    chosen = np.empty(len(spec), dtype=np.int64)
    key = spec.astype(np.int64) * 1000 + dep
    pool_key = prescribers.specialty.astype(np.int64) * 1000 + prescribers.departement
    for k in np.unique(key):
        rows = np.flatnonzero(key == k)
        pool = np.flatnonzero(pool_key == k)
        chosen[rows] = pool[_choose(rng, prescribers.weight[pool], len(rows))]
    return chosen
