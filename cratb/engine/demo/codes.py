"""Well-formed identifiers for synthetic data: CIP13, FINESS, prescriber numbers.

The numbers look real (right length, prefix and check digit) but are made up;
prescriber numbers start with 99 so they can never be a real RPPS number.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cratb.engine.identifiers import luhn_check_digit

__all__ = ["cip13", "ean13_check_digit", "finess", "luhn_check_digit", "prefixed"]


def ean13_check_digit(first12: str) -> str:
    """EAN-13 check digit, as printed on French medicine boxes (CIP13)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"12 chiffres attendus : {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def cip13(cip7: str) -> str:
    """A CIP13 code: French prefix 34009, the seven-digit CIP code, a check digit."""
    first12 = "34009" + cip7
    return first12 + ean13_check_digit(first12)


def finess(departement: str, number: int) -> str:
    """A nine-character FINESS-like number: département code, sequence, Luhn key.

    Corsican codes (2A, 2B) count as 20 in the key, which only needs to be stable.
    """
    body = departement + str(number).zfill(8 - len(departement))
    return body + luhn_check_digit(body.replace("A", "0").replace("B", "0"))


def prefixed(prefix: str, numbers: np.ndarray, *, width: int) -> pa.Array:
    """``prefix`` followed by each number zero-padded to ``width`` digits (vectorised)."""
    digits = pc.utf8_lpad(pa.array(numbers, type=pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")
