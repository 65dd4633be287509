"""Product catalogue and prescribing patterns of the demo region.

Everything here is a modelling choice, stated once so that it can be read and
argued with. Sources of the calibration targets are in docs/demo.md; the
figures below are chosen so that the generated region lands on them:

* community consumption ~ 21 DDD/1000 inhabitants/day and ~ 820 prescriptions
  per 1000 inhabitants per year (Santé publique France, 2022-2023), with
  Île-de-France about 7 % above the national level;
* amoxicillin first, then amoxicillin-clavulanate, macrolides, oral
  cephalosporins, fluoroquinolones (SpF and SPARES reports);
* prescribers: general practice ~ 70 % of lines, dentists ~ 10 %, hospital
  prescriptions dispensed in town ~ 15 % (regional field presentations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# National community targets (Santé publique France, 2023: 20.9 DDD/1000/day,
# 820.6 prescriptions/1000/year) and regional factors relative to them.
NATIONAL_PRESCRIPTIONS_PER_1000 = 820.6
NATIONAL_DID = 20.9
# 2019, the baseline of the national target (−25 % by 2025): 2021 was 18.9 DDD/1000/day
# and 704.6 prescriptions/1000/year, about 15 % and 17 % below 2019 (SpF 2011-2021 report;
# preventioninfection.fr), hence about 22.2 and 849 in 2019.
BASELINE_YEAR = 2019
BASELINE_PRESCRIPTIONS_PER_1000 = 704.6 / (1 - 0.17)
BASELINE_DID = 18.9 / (1 - 0.15)
REGIONAL_FACTOR: dict[str, float] = {
    "11": 1.07,  # Île-de-France: 7 % above the national average (field presentation)
    "93": 1.10,  # Provence-Alpes-Côte d'Azur: among the highest (SpF 2023)
    "94": 1.12,  # Corse: the highest (SpF 2023)
    "53": 0.88,  # Bretagne: among the lowest (SpF 2023)
    "52": 0.92,  # Pays de la Loire: among the lowest (SpF 2023)
    "01": 0.80,  # DROM: lowest (SpF 2023)
    "02": 0.80,
    "03": 0.80,
    "04": 0.80,
    "06": 0.80,
}

SPECIALTIES: tuple[str, ...] = (
    "general_practice",
    "dentistry",
    "hospital",
    "other_specialty",
    "midwifery",
    "other",
)
# Share of community antibiotic prescriptions (ordonnances) by prescriber specialty.
SPECIALTY_SHARE: tuple[float, ...] = (0.69, 0.11, 0.14, 0.045, 0.01, 0.005)
# Prescribers per 100 000 inhabitants and the spread of their volume (sigma of
# a log-normal weight): general practice is the most heavy-tailed, which is
# what targeting "big prescribers" is about.
PRESCRIBERS_PER_100K: tuple[float, ...] = (100.0, 60.0, 150.0, 60.0, 15.0, 10.0)
PRESCRIBER_SIGMA: tuple[float, ...] = (0.9, 0.6, 1.0, 0.8, 0.5, 0.5)


@dataclass(frozen=True)
class Product:
    """One presentation in the catalogue, and how much of it one course needs."""

    key: str
    cip7: str  # the seven digits between the French prefix 34009 and the check digit
    label: str
    atc: str
    route: str
    units_per_box: float
    amount_per_unit: float | None
    amount_unit: str | None
    ddd_per_box: float | None
    # Units (tablets, sachets, mL, vials) taken during one course, with their
    # probabilities; the number of boxes is what covers the course.
    course_units: tuple[int, ...]
    course_probs: tuple[float, ...]
    child: bool = False
    # Share of dispensings renewed month by month on the same prescription
    # (long acne courses).
    renewal_share: float = 0.0

    def boxes_distribution(self) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """Boxes per dispensing and their probabilities (courses needing as many boxes merged)."""
        merged: dict[int, float] = {}
        for units, prob in zip(self.course_units, self.course_probs, strict=True):
            boxes = max(1, math.ceil(units / self.units_per_box))
            merged[boxes] = merged.get(boxes, 0.0) + prob
        values = tuple(sorted(merged))
        return values, tuple(merged[v] for v in values)


def _p(
    key: str,
    cip7: str,
    label: str,
    atc: str,
    route: str,
    units: float,
    amount: float | None,
    unit: str | None,
    course: tuple[int, ...],
    probs: tuple[float, ...],
    *,
    ddd_per_box: float | None = None,
    child: bool = False,
    renewal_share: float = 0.0,
) -> Product:
    return Product(
        key=key,
        cip7=cip7,
        label=label,
        atc=atc,
        route=route,
        units_per_box=units,
        amount_per_unit=amount,
        amount_unit=unit,
        ddd_per_box=ddd_per_box,
        course_units=course,
        course_probs=probs,
        child=child,
        renewal_share=renewal_share,
    )


# Presentations sold in France (labels and box sizes as in the public drug
# database); the CIP codes are invented but well formed.
PRODUCTS: tuple[Product, ...] = (
    _p("amox_1g_14", "2741635", "AMOXICILLINE 1 g cp dispersible B/14", "J01CA04", "O",
       14, 1.0, "g", (12, 14, 21, 30), (0.2, 0.3, 0.35, 0.15)),
    _p("amox_1g_6", "3005418", "AMOXICILLINE 1 g cp dispersible B/6", "J01CA04", "O",
       6, 1.0, "g", (6, 12, 18), (0.2, 0.6, 0.2)),
    _p("amox_500_12", "3262814", "AMOXICILLINE 500 mg gél B/12", "J01CA04", "O",
       12, 500.0, "mg", (12, 18, 24, 36), (0.1, 0.2, 0.35, 0.35)),
    _p("amox_susp_500", "3365201", "AMOXICILLINE 500 mg/5 mL pdre susp buv fl 60 mL",
       "J01CA04", "O", 60, 0.1, "g", (60, 120, 180), (0.45, 0.4, 0.15), child=True),
    _p("amox_susp_250", "3365224", "AMOXICILLINE 250 mg/5 mL pdre susp buv fl 60 mL",
       "J01CA04", "O", 60, 0.05, "g", (60, 120), (0.6, 0.4), child=True),
    _p("amc_1g_8", "3573512", "AMOXICILLINE/ACIDE CLAVULANIQUE 1 g/125 mg sachet B/8",
       "J01CR02", "O", 8, 1.0, "g", (8, 16, 24), (0.15, 0.45, 0.4)),
    _p("amc_500_16", "3573529", "AMOXICILLINE/ACIDE CLAVULANIQUE 500 mg/62,5 mg cp B/16",
       "J01CR02", "O", 16, 0.5, "g", (16, 24, 32), (0.4, 0.3, 0.3)),
    _p("amc_susp", "3573535", "AMOXICILLINE/ACIDE CLAVULANIQUE 100 mg/12,5 mg/mL enfant fl 60 mL",
       "J01CR02", "O", 60, 0.1, "g", (60, 120), (0.65, 0.35), child=True),
    _p("azi_250_6", "3492637", "AZITHROMYCINE 250 mg cp B/6", "J01FA10", "O",
       6, 0.25, "g", (6, 12), (0.9, 0.1)),
    _p("azi_susp", "3492643", "AZITHROMYCINE 40 mg/mL pdre susp buv fl 15 mL",
       "J01FA10", "O", 15, 0.04, "g", (15, 30), (0.85, 0.15), child=True),
    _p("cla_500_14", "3621893", "CLARITHROMYCINE 500 mg cp B/14", "J01FA09", "O",
       14, 0.5, "g", (10, 14, 20), (0.3, 0.5, 0.2)),
    _p("rox_150_10", "3318240", "ROXITHROMYCINE 150 mg cp B/10", "J01FA06", "O",
       10, 0.15, "g", (10, 20), (0.6, 0.4)),
    _p("pri_500_16", "3121654", "PRISTINAMYCINE 500 mg cp B/16", "J01FG01", "O",
       16, 0.5, "g", (16, 24, 32), (0.2, 0.5, 0.3)),
    _p("cpd_100_10", "3347820", "CEFPODOXIME 100 mg cp B/10", "J01DD13", "O",
       10, 0.1, "g", (10, 20), (0.2, 0.8)),
    _p("cpd_susp", "3347837", "CEFPODOXIME 40 mg/5 mL pdre susp buv fl 100 mL",
       "J01DD13", "O", 100, 0.008, "g", (100,), (1.0,), child=True),
    _p("cfm_200_8", "3350311", "CEFIXIME 200 mg cp B/8", "J01DD08", "O",
       8, 0.2, "g", (8, 16), (0.6, 0.4)),
    _p("cro_1g_inj", "3551742", "CEFTRIAXONE 1 g pdre sol inj IM IV fl B/1", "J01DD04", "P",
       1, 1.0, "g", (1, 3, 5), (0.5, 0.3, 0.2)),
    _p("cxm_250_8", "3288611", "CEFUROXIME AXETIL 250 mg cp B/8", "J01DC02", "O",
       8, 0.25, "g", (8, 16), (0.5, 0.5)),
    _p("ofx_200_10", "3264209", "OFLOXACINE 200 mg cp B/10", "J01MA01", "O",
       10, 0.2, "g", (10, 20), (0.4, 0.6)),
    _p("cip_500_10", "3409125", "CIPROFLOXACINE 500 mg cp B/10", "J01MA02", "O",
       10, 0.5, "g", (6, 10, 14, 28), (0.2, 0.4, 0.25, 0.15)),
    _p("lvx_500_5", "3618420", "LEVOFLOXACINE 500 mg cp B/5", "J01MA12", "O",
       5, 0.5, "g", (5, 7, 10), (0.3, 0.4, 0.3)),
    _p("mxf_400_5", "3591317", "MOXIFLOXACINE 400 mg cp B/5", "J01MA14", "O",
       5, 0.4, "g", (5, 7), (0.5, 0.5)),
    _p("dox_100_15", "3306724", "DOXYCYCLINE 100 mg cp B/15", "J01AA02", "O",
       15, 100.0, "mg", (14, 28), (0.7, 0.3), renewal_share=0.15),
    _p("lym_300_28", "3289482", "LYMECYCLINE 300 mg gél B/28", "J01AA04", "O",
       28, 0.3, "g", (28,), (1.0,), renewal_share=0.6),
    _p("fos_3g_1", "3222351", "FOSFOMYCINE TROMETAMOL 3 g pdre sol buv sachet B/1", "J01XX01",
       "O", 1, 3.0, "g", (1, 2), (0.85, 0.15)),
    _p("nit_50_21", "3123418", "NITROFURANTOINE 50 mg gél B/21", "J01XE01", "O",
       21, 50.0, "mg", (21, 30, 42), (0.2, 0.5, 0.3)),
    _p("piv_200_10", "3402675", "PIVMECILLINAM 200 mg cp B/10", "J01CA08", "O",
       10, 0.2, "g", (10, 12, 20), (0.2, 0.5, 0.3)),
    # WHO gives no DDD for cotrimoxazole in the main index; the combined-products
    # list counts 4 unit doses of 400/80 mg, i.e. 2 forte tablets, per DDD.
    _p("sxt_forte_10", "3057621", "SULFAMETHOXAZOLE/TRIMETHOPRIME 800 mg/160 mg cp B/10",
       "J01EE01", "O", 10, 0.8, "g", (10, 20), (0.6, 0.4), ddd_per_box=5.0),
    # Left without override on purpose: its DDD cannot be computed and must be reported.
    _p("sxt_susp", "3057638", "SULFAMETHOXAZOLE/TRIMETHOPRIME 200 mg/40 mg/5 mL susp buv fl 100 mL",
       "J01EE01", "O", 100, 0.04, "g", (100,), (1.0,), child=True),
    _p("cli_300_16", "3326115", "CLINDAMYCINE 300 mg gél B/16", "J01FF01", "O",
       16, 0.3, "g", (16, 24, 32), (0.5, 0.3, 0.2)),
    _p("clo_500_16", "3312067", "CLOXACILLINE 500 mg gél B/16", "J01CF02", "O",
       16, 0.5, "g", (16, 32), (0.6, 0.4)),
    _p("lex_500_12", "3281540", "CEFALEXINE 500 mg gél B/12", "J01DB01", "O",
       12, 0.5, "g", (12, 24), (0.5, 0.5)),
)  # fmt: skip


@dataclass(frozen=True)
class Molecule:
    """A prescribing choice: an active substance and the presentations used for it."""

    key: str
    adult: tuple[str, ...]
    adult_weights: tuple[float, ...]
    child: tuple[str, ...] = ()
    child_weights: tuple[float, ...] = ()
    # Respiratory-tract prescribing follows the winter epidemics; urinary and
    # skin prescribing barely does.
    seasonal: bool = True


MOLECULES: tuple[Molecule, ...] = (
    Molecule("amox", ("amox_1g_14", "amox_1g_6", "amox_500_12"), (0.5, 0.25, 0.25),
             ("amox_susp_500", "amox_susp_250"), (0.7, 0.3)),
    Molecule("amc", ("amc_1g_8", "amc_500_16"), (0.65, 0.35), ("amc_susp",), (1.0,)),
    Molecule("azi", ("azi_250_6",), (1.0,), ("azi_susp",), (1.0,)),
    Molecule("cla", ("cla_500_14",), (1.0,)),
    Molecule("rox", ("rox_150_10",), (1.0,)),
    Molecule("pri", ("pri_500_16",), (1.0,)),
    Molecule("cpd", ("cpd_100_10",), (1.0,), ("cpd_susp",), (1.0,)),
    Molecule("cfm", ("cfm_200_8",), (1.0,)),
    Molecule("cro", ("cro_1g_inj",), (1.0,)),
    Molecule("cxm", ("cxm_250_8",), (1.0,)),
    Molecule("ofx", ("ofx_200_10",), (1.0,), seasonal=False),
    Molecule("cip", ("cip_500_10",), (1.0,), seasonal=False),
    Molecule("lvx", ("lvx_500_5",), (1.0,)),
    Molecule("mxf", ("mxf_400_5",), (1.0,)),
    Molecule("dox", ("dox_100_15",), (1.0,), seasonal=False),
    Molecule("lym", ("lym_300_28",), (1.0,), seasonal=False),
    Molecule("fos", ("fos_3g_1",), (1.0,), seasonal=False),
    Molecule("nit", ("nit_50_21",), (1.0,), seasonal=False),
    Molecule("piv", ("piv_200_10",), (1.0,), seasonal=False),
    Molecule("sxt", ("sxt_forte_10",), (1.0,), ("sxt_susp",), (1.0,), seasonal=False),
    Molecule("cli", ("cli_300_16",), (1.0,), seasonal=False),
    Molecule("clo", ("clo_500_16",), (1.0,), seasonal=False),
    Molecule("lex", ("lex_500_12",), (1.0,), seasonal=False),
)  # fmt: skip

# Share of prescriptions per molecule, by prescriber specialty (relative
# weights, normalised when used). Children under 12 follow their own mix
# whoever prescribes.
MOLECULE_MIX: dict[str, dict[str, float]] = {
    "general_practice": {
        "amox": 25, "amc": 16, "azi": 10, "cla": 7.5, "rox": 1, "pri": 5, "cpd": 9,
        "cfm": 1.2, "cro": 1.0, "cxm": 2, "ofx": 2, "cip": 4, "lvx": 2.5, "mxf": 0.4,
        "dox": 1.5, "lym": 2, "fos": 6, "nit": 1.5, "piv": 3.5, "sxt": 1.2, "cli": 0.6,
        "clo": 0.3, "lex": 0.2,
    },
    "dentistry": {"amox": 62, "amc": 16, "cli": 8, "azi": 6, "cla": 3, "pri": 5},
    "hospital": {
        "amox": 22, "amc": 22, "cip": 6, "ofx": 3, "lvx": 3, "cpd": 5, "cfm": 3, "cro": 2,
        "sxt": 4, "dox": 3, "azi": 4, "cla": 3, "pri": 3, "fos": 3, "nit": 2, "piv": 3,
        "cli": 3, "clo": 2, "lex": 1, "mxf": 1,
    },
    "other_specialty": {
        "dox": 8, "lym": 20, "amox": 22, "amc": 17, "cpd": 5, "azi": 5, "cla": 3, "cip": 5,
        "ofx": 3, "lvx": 2, "fos": 4, "nit": 2, "piv": 3, "pri": 2, "sxt": 2,
    },
    "midwifery": {"fos": 35, "piv": 20, "amox": 30, "nit": 10, "amc": 5},
    "other": {"amox": 40, "amc": 20, "fos": 10, "azi": 10, "dox": 10, "cip": 10},
    "child": {
        "amox": 52, "amc": 17, "azi": 10, "cla": 3, "cpd": 11, "cfm": 1, "sxt": 2, "fos": 2,
        "pri": 1, "cli": 1,
    },
}  # fmt: skip

# Age bands of the patients who receive at least one antibiotic in the year:
# (lowest age, highest age, share of such patients, extra prescriptions per
# patient per year on top of the first one). Young children and the old are
# treated more often.
AGE_BANDS: tuple[tuple[int, int, float, float], ...] = (
    (0, 4, 0.085, 1.4),
    (5, 11, 0.085, 0.7),
    (12, 24, 0.13, 0.6),
    (25, 44, 0.25, 0.7),
    (45, 64, 0.24, 0.8),
    (65, 74, 0.105, 1.0),
    (75, 84, 0.07, 1.3),
    (85, 100, 0.035, 1.6),
)
FEMALE_SHARE = 0.57  # women: 59 % of prescriptions, 56 % of DDD (SpF 2023)
CHILD_MAX_AGE = 11
# Nursing-home residents among treated patients aged 75+, and their extra
# prescriptions per year (EHPAD use is about twice the community level).
NURSING_HOME_MIN_AGE = 75
NURSING_HOME_SHARE = 0.12
NURSING_HOME_EXTRA = 2.0
# Prescriptions (ordonnances) holding a second antibiotic line.
SECOND_LINE_SHARE = 0.06
# Returns to the pharmacy.
RETURN_SHARE = 0.003
FULL_RETURN_SHARE = 0.7

# Relative volume of prescribing by month (January first): winter epidemics of
# respiratory infections. Non-seasonal molecules use a flat profile.
MONTH_WEIGHTS: tuple[float, ...] = (
    1.3, 1.22, 1.1, 1.0, 0.93, 0.87, 0.82, 0.74, 0.93, 1.05, 1.15, 1.25,
)  # fmt: skip
# Relative volume of dispensing by weekday (Monday first): pharmacies on duty
# only on Sundays.
WEEKDAY_WEIGHTS: tuple[float, ...] = (1.15, 1.0, 1.0, 1.0, 1.05, 0.75, 0.04)


def product_by_key() -> dict[str, Product]:
    return {p.key: p for p in PRODUCTS}
