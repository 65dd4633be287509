"""INSEE population workbooks written in exactly the published layout, for the tests.

One sheet per year named by the year, a title row, a blank row, the two header rows
(« Départements » and the groups « Ensemble », « Hommes », « Femmes » each merged over
its columns; then the age bands and « Total »), one row per département with its code as
text (« 01 », « 2A », « 971 »), the total rows « France métropolitaine », « DOM »,
« France métropolitaine et DOM », and the footnotes. The counts are made up, consistent
(Ensemble = Hommes + Femmes, Total = sum of the bands) unless a test breaks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

GCA = ("0 à 19 ans", "20 à 39 ans", "40 à 59 ans", "60 à 74 ans", "75 ans et plus")
QUINQUENNAL = (*(f"{a} à {a + 4} ans" for a in range(0, 95, 5)), "95 ans et plus")

# code, name, men by band, women by band (grandes classes d'âge)
DEPARTEMENTS: list[tuple[str, str, list[int], list[int]]] = [
    ("01", "Ain", [83000, 76000, 87000, 52000, 27000], [79000, 75000, 87000, 55000, 38000]),
    ("02", "Aisne", [60000, 50000, 66000, 47000, 22000], [57000, 50000, 66000, 51000, 35000]),
    ("2A", "Corse-du-Sud", [16000, 17000, 22000, 17000, 9000], [15000, 17000, 23000, 18000, 12000]),
    ("2B", "Haute-Corse", [19000, 19000, 25000, 20000, 10000], [18000, 19000, 26000, 21000, 14000]),
    (
        "75",
        "Paris",
        [220000, 330000, 250000, 130000, 70000],
        [215000, 360000, 270000, 160000, 120000],
    ),
    ("971", "Guadeloupe", [50000, 35000, 50000, 38000, 17000], [48000, 42000, 60000, 46000, 24000]),
    ("976", "Mayotte", [85000, 40000, 22000, 5000, 1000], [84000, 48000, 25000, 5000, 1200]),
]


def _row(code: str, name: str, men: Sequence[int], women: Sequence[int]) -> list[object]:
    both = [m + w for m, w in zip(men, women, strict=True)]
    return [
        code,
        name,
        *both,
        sum(both),
        *men,
        sum(men),
        *women,
        sum(women),
    ]


def _totals(label: str, rows: Sequence[tuple[str, str, list[int], list[int]]]) -> list[object]:
    men = [sum(r[2][i] for r in rows) for i in range(len(rows[0][2]))]
    women = [sum(r[3][i] for r in rows) for i in range(len(rows[0][3]))]
    return [label, "", *_row("", "", men, women)[2:]]


def write_workbook(
    path: Path,
    years: Mapping[int, bool],
    *,
    bands: Sequence[str] = GCA,
    rows: Sequence[tuple[str, str, list[int], list[int]]] = DEPARTEMENTS,
    level: str = "Départements",
    extra_rows: Sequence[Sequence[object]] = (),
    notes_sheet: bool = True,
) -> Path:
    """A workbook with one sheet per year (``years``: year → provisional estimates)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    width = len(bands) + 1
    for year, provisional in sorted(years.items(), reverse=True):
        sheet = workbook.create_sheet(str(year))
        sheet.append(
            [
                f"Estimation de la population au 1er janvier {year}, par département,"
                " sexe et grande classe d'âge"
            ]
        )
        sheet.append([])
        sheet.append([level, None, "Ensemble", *[None] * (width - 1), "Hommes"]
                     + [None] * (width - 1) + ["Femmes"])  # fmt: skip
        sheet.append([None, None, *bands, "Total", *bands, "Total", *bands, "Total"])
        for start in (3, 3 + width, 3 + 2 * width):
            sheet.merge_cells(
                start_row=3, start_column=start, end_row=3, end_column=start + width - 1
            )
        sheet.merge_cells("A3:A4")
        metro = [r for r in rows if len(r[0]) < 3]
        overseas = [r for r in rows if len(r[0]) == 3]
        for code, name, men, women in metro:
            sheet.append(_row(code, name, men, women))
        for extra in extra_rows:
            sheet.append(list(extra))
        if metro:
            sheet.append(_totals("France métropolitaine", metro))
        for code, name, men, women in overseas:
            sheet.append(_row(code, name, men, women))
        if overseas:
            sheet.append(_totals("DOM", overseas))
            sheet.append(_totals("France métropolitaine et DOM", [*metro, *overseas]))
        sheet.append([])
        state = "provisoires arrêtés fin " + str(year - 1) if provisional else "définitifs"
        sheet.append([f"Source : Insee, estimations de population (résultats {state})."])
        sheet.append(["Champ : France hors Mayotte jusqu'en 2013, y compris Mayotte ensuite."])
    if notes_sheet:
        notes = workbook.create_sheet("À savoir")
        notes.append(["Les estimations des années les plus récentes sont provisoires."])
    workbook.save(path)
    return path


def quinquennal(
    rows: Sequence[tuple[str, str, list[int], list[int]]] = DEPARTEMENTS,
) -> list[tuple[str, str, list[int], list[int]]]:
    """The same départements spread over 20 five-year bands (each big band split evenly
    over its five-year bands, the remainder on the first)."""
    spans = [4, 4, 4, 3, 5]  # five-year bands in 0-19, 20-39, 40-59, 60-74, 75+
    out = []
    for code, name, men, women in rows:
        split = []
        for counts in (men, women):
            bands: list[int] = []
            for count, span in zip(counts, spans, strict=True):
                share = count // span
                bands.extend([count - share * (span - 1)] + [share] * (span - 1))
            split.append(bands)
        out.append((code, name, split[0], split[1]))
    return out
