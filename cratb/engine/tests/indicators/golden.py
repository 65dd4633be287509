"""A small reference data set whose indicator values are computed by hand.

Two years (2024 is a leap year), two départements with a population (75: 1000 people;
92: 500 in 2024, 600 in 2025) and one without (93: its patients are not residents of the
area, so population-based indicators leave them out). Products cover every way of getting
a DDD per box: computed from mg and from g, an explicit override, a combination product
without a WHO DDD, a unit that cannot be converted, an agent outside J01. The comments of
each row say what it contributes; the tests repeat the arithmetic.
"""

from __future__ import annotations

from pathlib import Path

from cratb.engine.sources import import_file

POPULATION = """
year,departement,population
2024,75,1000
2024,92,500
2025,75,1000
2025,92,600
"""

PRODUCTS = """
cip13,label,atc,route,units_per_box,amount_per_unit,amount_unit,ddd_per_box
AMX500,AMOXICILLINE 500 mg B/12,J01CA04,O,12,500,mg,
AUG1G,AMOXICILLINE ACIDE CLAVULANIQUE 1 g B/12,J01CR02,O,12,1,g,
CIP500,CIPROFLOXACINE 500 mg B/10,J01MA02,O,10,500,mg,
FOS3G,FOSFOMYCINE TROMETAMOL 3 g B/1,J01XX01,O,1,3,g,
SXTF,COTRIMOXAZOLE FORT B/20,J01EE01,O,20,,,5
SXTS,COTRIMOXAZOLE suspension,J01EE01,O,1,,,
MET,METRONIDAZOLE 500 mg B/14,P01AB01,O,14,500,mg,
AMXMU,AMOXICILLINE en MU (erreur de saisie),J01CA04,O,10,1,MU,
"""
# DDD per box: AMX500 12 × 0.5 g ÷ 1.5 g = 4; AUG1G 12 g ÷ 1.5 g = 8; CIP500 5 g ÷ 1 g = 5;
# FOS3G 3 g ÷ 3 g = 1; SXTF 5 (override); SXTS none (no WHO DDD for the combination);
# MET 7 g ÷ 2 g = 3.5 (not J01); AMXMU none (MU cannot be converted to g).

HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,setting"
)
DISPENSATIONS = f"""
{HEADER}
D01,2024-01-10,RX1,P1,30,F,75,GP1,general_practice,AMX500,2,community
D02,2024-01-10,RX1,P1,30,F,75,GP1,general_practice,AUG1G,1,community
D03,2024-02-29,RX2,P2,50,M,92,GP1,general_practice,CIP500,1,community
D04,2024-03-01,RX3,P3,70,F,75,DEN1,dentistry,AMX500,1,community
D05,2024-03-05,RX3,P3,70,F,75,DEN1,dentistry,AMX500,-1,community
D06,2024-07-01,RX4,P4,40,F,92,GP2,general_practice,FOS3G,1,community
D07,2024-07-02,RX5,P5,80,M,75,GP2,general_practice,SXTF,2,nursing_home
D08,2024-08-01,RX6,P6,20,F,75,GP2,general_practice,SXTS,3,community
D09,2024-10-01,RX7,P7,35,F,93,GP1,general_practice,AMX500,5,community
D10,2024-11-15,RX8,P8,45,M,75,GP1,general_practice,MET,1,community
D11,2024-12-31,RX9,P9,60,F,75,HOSP1,hospital,AUG1G,2,community
D12,2025-01-05,RX10,P1,31,F,75,GP1,general_practice,AMX500,1,community
D13,2025-02-10,RX10,P1,31,F,75,GP1,general_practice,AMX500,1,community
D14,2025-06-01,RX11,P2,51,M,92,GP1,general_practice,CIP500,2,community
D15,2025-12-01,RX12,P10,33,F,92,GP2,general_practice,AUG1G,1,community
D16,2025-03-03,RX13,P11,25,F,92,GP2,general_practice,UNKNOWN1,4,community
"""
# 2024, residents (75 and 92), J01, DDD: D01 8, D02 8, D03 5, D04 4, D05 −4, D06 1, D07 10,
# D11 16 = 48 (D08 has no DDD, D09 lives in 93, D10 is not J01).
# 2024 prescription lines (residents, J01): D01, D02, D03, D06, D07, D08, D11 = 7
# (RX3 nets to zero boxes: no line).
# 2025, residents, J01, DDD: D12 4, D13 4, D14 10, D15 8 = 26 (D16: product unknown);
# lines: D12 (D13 renews the same line), D14, D15 = 3.

PATIENT_DAYS = """
finess,year,sector,patient_days
750000002,2024,acute,1000
750000002,2024,nursing_home,1000
750000001,2024,nursing_home,3660
"""
# 750000001 is a nursing home without a hospital pharmacy (no hospital consumption):
# its 3660 resident-days are the denominator of the nursing-home indicator.

HOSPITAL_CONSUMPTION = """
finess,year,atc,route,ddd,grams
750000002,2024,J01CA04,P,100,
750000002,2024,J01DD04,P,,60
750000002,2024,J01XB01,P,,5
920000003,2024,J01MA02,O,,50
"""
# 750000002: 100 DDD amoxicillin + 60 g ceftriaxone ÷ 2 g = 30 DDD; colistin in grams has
# no DDD in grams (WHO gives MU): left out with a warning. 920000003 sent no patient-days.

FILES = {
    "population": POPULATION,
    "products": PRODUCTS,
    "dispensations": DISPENSATIONS,
    "patient_days": PATIENT_DAYS,
    "hospital_consumption": HOSPITAL_CONSUMPTION,
}


def build(folder: Path) -> Path:
    """Import the golden files into a new warehouse in ``folder``; zero rejection."""
    warehouse = folder / "golden.duckdb"
    for kind, text in FILES.items():
        path = folder / f"{kind}.csv"
        path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
        report = import_file(kind, path, warehouse=warehouse)
        assert report.rejected == 0, report.rejections
    return warehouse
