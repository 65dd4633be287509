"""Open Medic files written in exactly the published layout, for the tests and benchmark.

``OPEN_MEDIC_<YEAR>.CSV`` inside ``OPEN_MEDIC_<YEAR>.zip``: ``;``-separated, "Latin-1"
as the Windows code page writes it (’ is byte 0x92), Windows line ends, a header of 21
columns (ATC1 … L_ATC5 with their labels, CIP13, l_cip13, TOP_GEN, GEN_NUM, age, sexe,
BEN_REG, PSP_SPE, BOITES, REM, BSE), decimal comma and dots grouping the thousands of
the amounts (« 1.234,56 »).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

HEADER = (
    "ATC1;l_ATC1;ATC2;L_ATC2;ATC3;L_ATC3;ATC4;L_ATC4;ATC5;L_ATC5;CIP13;l_cip13;TOP_GEN;"
    "GEN_NUM;age;sexe;BEN_REG;PSP_SPE;BOITES;REM;BSE"
)
_ATC_LEVELS = {
    "J01CA04": (
        "PENICILLINES A LARGE SPECTRE",
        "AMOXICILLINE",
        "J01C",
        "BETALACTAMINES : PENICILLINES",
    ),
    "J01CR02": (
        "ASSOCIATIONS DE PENICILLINES, Y COMPRIS INHIBITEURS DES BETALACTAMASES",
        "AMOXICILLINE ET INHIBITEUR D'ENZYME",
        "J01C",
        "BETALACTAMINES : PENICILLINES",
    ),
    "J01DD04": (
        "CEPHALOSPORINES DE TROISIEME GENERATION",
        "CEFTRIAXONE",
        "J01D",
        "AUTRES BETALACTAMINES",
    ),
    "N02BE01": ("ANILIDES", "PARACETAMOL", "N02B", "AUTRES ANALGESIQUES ET ANTIPYRETIQUES"),
}


def row(
    *,
    atc: str = "J01CA04",
    cip13: str = "3400930000001",
    label: str = "AMOXICILLINE EXEMPLE 1 G CPR DISP 14",
    age: str = "0",
    sex: str = "2",
    region: str = "11",
    specialty: str = "1",
    boxes: str = "12",
    rem: str = "35,23",
    bse: str = "54,20",
    generic: str = "1",
    group: str = "123",
) -> str:
    """One line of the file."""
    l4, l5, atc3, l3 = _ATC_LEVELS.get(atc, ("AUTRE", "AUTRE", atc[:4], "AUTRE"))
    if atc.startswith("J"):
        l1, atc2, l2 = "ANTIINFECTIEUX GENERAUX A USAGE SYSTEMIQUE", "J01", "ANTIBACTERIENS"
    else:
        l1, atc2, l2 = "SYSTEME NERVEUX", "N02", "ANALGESIQUES"
    return ";".join(
        [
            atc[:1],
            l1,
            atc2,
            l2,
            atc3,
            l3,
            atc[:5],
            l4,
            atc,
            l5,
            cip13,
            label,
            generic,
            group,
            age,
            sex,
            region,
            specialty,
            boxes,
            rem,
            bse,
        ]
    )


def write_csv(
    path: Path,
    rows: Iterable[str],
    *,
    header: str = HEADER,
    encoding: str = "cp1252",
    newline: str = "\r\n",
    final_newline: bool = True,
) -> Path:
    text = newline.join([header, *rows]) + (newline if final_newline else "")
    path.write_bytes(text.encode(encoding))
    return path


def write_zip(path: Path, csv_path: Path) -> Path:
    """Zip ``csv_path`` as the published archive (one member, deflated)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, arcname=csv_path.name)
    return path
