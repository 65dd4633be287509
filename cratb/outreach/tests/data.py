"""A small warehouse whose campaign figures are computed by hand (test_views.py).

Six general practitioners of Paris (75). Reference year 2022 (January–June): V1, V2, C1
and C2 write 3 amoxicillin-clavulanate lines (critical) and 1 amoxicillin line each
(75 %), L1 and L2 4 amoxicillin lines (0 %): peers' share 12/24 = 50 %, excess of each
of the four = 3 − 0.5 × 4 = 1 line, of L1 and L2 −2.

Campaign start 2024-03-01. Baseline (2023-09 to 2024-02), 4 lines each: V1 3 critical
(75 %), V2 2 (50 %), C1 3 (75 %), C2 2 (50 %). Follow-up (2024-03 to 2024-08), 4 lines
each: V1 1 (25 %, −50), V2 1 (25 %, −25), C1 3 (75 %, 0), C2 1 (25 %, −25).
"""

from __future__ import annotations

from pathlib import Path

from cratb.engine.sources import import_file

PRODUCTS = """
cip13,label,atc,route,units_per_box,amount_per_unit,amount_unit,ddd_per_box
AMX500,AMOXICILLINE 500 mg B/12,J01CA04,O,12,500,mg,
AUG1G,AMOXICILLINE ACIDE CLAVULANIQUE 1 g B/12,J01CR02,O,12,1,g,
"""
POPULATION = """
year,departement,population
2022,75,1000
2023,75,1000
2024,75,1000
"""
HEADER = (
    "dispensation_id,dispensed_on,prescription_id,patient_id,patient_age,patient_sex,"
    "patient_departement,prescriber_id,prescriber_specialty,cip13,boxes,setting"
)

#: prescriber → (reference-year critical lines, baseline critical, follow-up critical),
#: out of 4 lines in each period.
CRITICAL = {
    "V1": (3, 3, 1),
    "V2": (3, 2, 1),
    "C1": (3, 3, 3),
    "C2": (3, 2, 1),
    "L1": (0, 0, 0),
    "L2": (0, 0, 0),
}
#: The months of each period's four lines.
MONTHS = (
    ("2022-01", "2022-02", "2022-04", "2022-06"),
    ("2023-10", "2023-12", "2024-01", "2024-02"),
    ("2024-03", "2024-05", "2024-07", "2024-08"),
)


def dispensations() -> str:
    lines = [HEADER]
    n = 0
    for prescriber, counts in CRITICAL.items():
        for period, critical in enumerate(counts):
            for i, month in enumerate(MONTHS[period]):
                n += 1
                product = "AUG1G" if i < critical else "AMX500"
                lines.append(
                    f"D{n},{month}-10,RX{n},P{n},40,F,75,{prescriber},general_practice,"
                    f"{product},1,community"
                )
    return "\n".join(lines)


def build(folder: Path) -> Path:
    warehouse = folder / "outreach.duckdb"
    for kind, text in (
        ("products", PRODUCTS),
        ("population", POPULATION),
        ("dispensations", dispensations()),
    ):
        path = folder / f"{kind}.csv"
        path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
        report = import_file(kind, path, warehouse=warehouse)
        assert report.rejected == 0, report.rejections
    return warehouse
