"""Tiny BDPM files written in exactly the published layouts, for the tests.

Tab-separated, no header; specialities 12 columns, presentations 13 (three price columns,
one with the thousands comma of the real files), compositions 8 plus the trailing tab of
the real files. Codes are made up (CIS 6000000x, CIP13 34009300000xx); texts follow the
ANSM's wording, oddities included: « (s) » plural marks, double spaces, SA/FT pairs with
the dosage on the FT line only, a kit of powder and solvent, a bottle given by its mass of
powder, an empty line.
"""

from __future__ import annotations

from pathlib import Path

from cratb.engine.sources.opendata.bdpm import FILE_NAMES

_AMM = (
    "Autorisation active\tProcédure nationale\tCommercialisée\t12/03/2001\t\t\t LABO EXEMPLE\tNon"
)

SPECIALITIES = [
    "60000001\tAMOXICILLINE EXEMPLE 1 g, comprimé dispersible\tcomprimé dispersible\torale"
    f"\t{_AMM}",
    "60000002\tAMOXICILLINE/ACIDE CLAVULANIQUE EXEMPLE 1 g/125 mg ADULTES, poudre pour"
    " suspension buvable en sachet-dose (rapport amoxicilline/acide clavulanique : 8/1)"
    f"\tpoudre pour suspension buvable\torale\t{_AMM}",
    "60000003\tAMOXICILLINE EXEMPLE 250 mg/5 ml, poudre pour suspension buvable"
    f"\tpoudre pour suspension buvable\torale\t{_AMM}",
    "60000004\tCEFTRIAXONE EXEMPLE 1 g/3,5 ml, poudre et solvant pour solution injectable (IM)"
    f"\tpoudre et  solvant pour solution injectable\tintramusculaire\t{_AMM}",
    "60000005\tERYTHROMYCINE EXEMPLE 500 mg, comprimé pelliculé\tcomprimé pelliculé\torale"
    f"\t{_AMM}",
    "60000006\tCOLISTIMETHATE EXEMPLE 1 000 000 UI, poudre pour solution injectable"
    f"\tpoudre pour solution injectable\tintramusculaire;intraveineuse\t{_AMM}",
    "60000007\tAMOXICILLINE AUTRE 250 mg/5 ml, poudre pour suspension buvable"
    f"\tpoudre pour suspension buvable\torale\t{_AMM}",
    "60000008\tCIPROFLOXACINE EXEMPLE 0,3 %, collyre en solution\tcollyre en solution"
    f"\tophtalmique\t{_AMM}",
    "60000009\tSULFAMETHOXAZOLE TRIMETHOPRIME EXEMPLE 400 mg/80 mg, comprimé\tcomprimé\torale"
    f"\t{_AMM}",
    f"60000010\tDOXYCYCLINE EXEMPLE 100 mg, comprimé sécable\tcomprimé sécable\torale\t{_AMM}",
    f"60000011\tPENICILLINE V EXEMPLE 1 000 000 UI, comprimé\tcomprimé\torale\t{_AMM}",
    f"60000012\tMETRONIDAZOLE EXEMPLE 500 mg, comprimé\tcomprimé\torale\t{_AMM}",
    "60000014\tSULFAMETHOXAZOLE TRIMETHOPRIME FORTE EXEMPLE 800 mg/160 mg, comprimé"
    f"\tcomprimé\torale\t{_AMM}",
    "60000015\tSULFAMETHOXAZOLE TRIMETHOPRIME EXEMPLE 200 mg/40 mg pour 5 ml, suspension"
    f" buvable\tsuspension buvable\torale\t{_AMM}",
    "60000016\tSULFAMETHOXAZOLE TRIMETHOPRIME EXEMPLE, solution injectable pour perfusion"
    f"\tsolution injectable pour perfusion\tintraveineuse\t{_AMM}",
]


def _cip(cis: str, n: int, label: str, price: str = "3,52\t4,54\t1,02") -> str:
    cip13 = f"34009300000{n:02d}"
    return (
        f"{cis}\t30000{n:02d}\t{label}\tPrésentation active\tDéclaration de commercialisation"
        f"\t19/03/1990\t{cip13}\toui\t65%\t{price}\t"
    )


PRESENTATIONS = [
    _cip("60000001", 1, "plaquette(s) thermoformée(s) PVC PVDC aluminium de 14 comprimé(s)"),
    _cip("60000001", 2, "3 plaquette(s) thermoformée(s) PVC aluminium de 6  comprimé(s)"),
    _cip("60000002", 3, "12 sachet(s)-dose(s) papier aluminium polyéthylène de 1,566 g"),
    _cip(
        "60000003",
        4,
        "1 flacon(s) en verre de 60 ml après reconstitution avec cuillère-mesure polystyrène",
    ),
    _cip("60000004", 5, "1 flacon(s) en verre - 1 ampoule(s) en verre de 3,5  ml"),
    _cip("60000005", 6, "plaquette(s) thermoformée(s) PVC aluminium de 20 comprimé(s)"),
    _cip("60000006", 7, "10 flacon(s) en verre", price="1,234,56\t1,235,58\t1,02"),
    _cip("60000007", 8, "1 flacon(s) en verre brun de 6,6 g avec cuillère-mesure polypropylène"),
    _cip("60000008", 9, "1 flacon(s) compte-gouttes polyéthylène de 5 ml"),
    _cip("60000009", 10, "plaquette(s) PVC aluminium de 20 comprimé(s)"),
    _cip("60000010", 11, "plaquette(s) thermoformée(s) PVC aluminium de 15 comprimé(s)"),
    _cip("60000011", 12, "plaquette(s) thermoformée(s) PVC aluminium de 12 comprimé(s)"),
    _cip("60000012", 13, "boîte de 2 plaquettes de 10 comprimés"),
    _cip("60000014", 14, "plaquette(s) PVC aluminium de 10 comprimé(s)"),
    _cip(
        "60000015",
        15,
        "1 flacon(s) en verre brun de 100 ml avec seringue(s) pour administration orale",
    ),
    _cip("60000016", 16, "6 ampoule(s) en verre de 5 ml"),
]

COMPOSITIONS = [
    "60000001\tcomprimé\t05248\tAMOXICILLINE ANHYDRE\t1000,00 mg\tun comprimé\tFT\t1\t",
    "60000001\tcomprimé\t28165\tAMOXICILLINE TRIHYDRATÉE\t\t\tSA\t1\t",
    "60000002\tpoudre\t05248\tAMOXICILLINE ANHYDRE\t1 g\tun sachet-dose\tFT\t1\t",
    "60000002\tpoudre\t28165\tAMOXICILLINE TRIHYDRATÉE\t\t\tSA\t1\t",
    "60000002\tpoudre\t29442\tCLAVULANATE DE POTASSIUM\t\t\tSA\t2\t",
    "60000002\tpoudre\t93286\tACIDE CLAVULANIQUE\t125 mg\tun sachet-dose\tFT\t2\t",
    "60000003\tpoudre\t05248\tAMOXICILLINE ANHYDRE\t250 mg"
    "\tune cuillère-mesure de 5 ml de suspension reconstituée\tFT\t1\t",
    "60000003\tpoudre\t28165\tAMOXICILLINE TRIHYDRATÉE\t\t\tSA\t1\t",
    "60000004\tpoudre\t04479\tCEFTRIAXONE SODIQUE\t\t\tSA\t1\t",
    "60000004\tpoudre\t04480\tCEFTRIAXONE BASE\t1 g\t3,5 ml de solution reconstituée\tFT\t1\t",
    "60000005\tcomprimé\t01234\tÉRYTHROMYCINE (ÉTHYLSUCCINATE D')\t\t\tSA\t1\t",
    "60000005\tcomprimé\t01235\tÉRYTHROMYCINE\t500 mg\tun comprimé\tFT\t1\t",
    "60000006\tpoudre\t01236\tCOLISTIMÉTHATE SODIQUE\t1 000 000 UI\tun flacon de poudre\tSA\t1\t",
    "60000007\tpoudre\t05248\tAMOXICILLINE ANHYDRE\t250 mg\t5 ml de suspension reconstituée"
    "\tFT\t1\t",
    "60000008\tcollyre\t01237\tCIPROFLOXACINE\t3 mg\t1 ml\tFT\t1\t",
    "60000009\tcomprimé\t01238\tSULFAMÉTHOXAZOLE\t400 mg\tun comprimé\tSA\t1\t",
    "60000009\tcomprimé\t01239\tTRIMÉTHOPRIME\t80 mg\tun comprimé\tSA\t2\t",
    "60000010\tcomprimé\t01240\tDOXYCYCLINE MONOHYDRATÉE\t100,00 mg\tun comprimé\tSA\t1\t",
    "60000011\tcomprimé\t01241\tPHÉNOXYMÉTHYLPÉNICILLINE POTASSIQUE\t1 000 000 UI"
    "\tun comprimé\tSA\t1\t",
    "60000012\tcomprimé\t01242\tMÉTRONIDAZOLE\t500 mg\tun comprimé\tSA\t1\t",
    "60000014\tcomprimé\t01238\tSULFAMÉTHOXAZOLE\t800 mg\tun comprimé\tSA\t1\t",
    "60000014\tcomprimé\t01239\tTRIMÉTHOPRIME\t160 mg\tun comprimé\tSA\t2\t",
    "60000015\tsuspension\t01238\tSULFAMÉTHOXAZOLE\t4 g\t100 ml\tSA\t1\t",
    "60000015\tsuspension\t01239\tTRIMÉTHOPRIME\t0,80 g\t100 ml\tSA\t2\t",
    "60000016\tsolution\t01239\tTRIMÉTHOPRIME\t80,00 mg\tune ampoule\tSA\t2\t",
    "60000016\tsolution\t01238\tSULFAMÉTHOXAZOLE\t400,00 mg\tune ampoule\tSA\t1\t",
]

# CIP13 → ATC5 as Open Medic gives them (and a few the builder must leave out or report).
ATC_CODES = {
    "3400930000001": "J01CA04",
    "3400930000002": "J01CA04",
    "3400930000003": "J01CR02",
    "3400930000004": "J01CA04",
    "3400930000005": "J01DD04",
    "3400930000006": "J01FA01",
    "3400930000007": "J01XB01",
    "3400930000008": "J01CA04",
    "3400930000009": "J01MA02",
    "3400930000010": "J01EE01",
    "3400930000011": "J01AA02",
    "3400930000012": "J01CE02",
    "3400930000013": "P01AB01",
    "3400930000014": "J01EE01",
    "3400930000015": "J01EE01",
    "3400930000016": "J01EE01",
    "3400939999999": "J01CA04",  # dispensed, absent from the BDPM
    "3400938888888": "N02BE01",  # paracetamol: out of scope
    "3400937777777": "J01XX05",  # methenamine: not in the reference tables
}


def write(
    folder: Path,
    *,
    encoding: str = "cp1252",
    specialities: list[str] | None = None,
    presentations: list[str] | None = None,
    compositions: list[str] | None = None,
    newline: str = "\r\n",
) -> Path:
    """Write the three files in ``folder`` (Windows line ends, as published)."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "specialities": SPECIALITIES if specialities is None else specialities,
        "presentations": PRESENTATIONS if presentations is None else presentations,
        "compositions": COMPOSITIONS if compositions is None else compositions,
    }
    for kind, lines in contents.items():
        text = newline.join(lines) + newline
        (folder / FILE_NAMES[kind]).write_bytes(text.encode(encoding))
    return folder
