from __future__ import annotations

import pytest

from cratb.engine.demo.codes import finess
from cratb.engine.identifiers import IdentifierError, check_finess, check_rpps, rpps

DEPARTEMENTS = frozenset({"75", "2A", "971", "01"})


def test_published_finess_numbers_pass() -> None:
    # Two real numbers from the Etalab extract of the FINESS file.
    assert check_finess("010003820") == "010003820"
    assert check_finess("01 000 381 2", departements=DEPARTEMENTS) == "010003812"


def test_demo_finess_numbers_pass_with_their_departement() -> None:
    for dep in ("75", "971", "2A"):
        assert check_finess(finess(dep, 1234), departements=DEPARTEMENTS)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("75000001", "9 caractères attendus, 8 reçus"),
        ("7500000014", "9 caractères attendus, 10 reçus"),
        ("75000001X", "chiffres attendus"),
        ("750000015", "clé de contrôle incorrecte"),
        ("990000014", "le préfixe 99 n'est pas un département"),
    ],
)
def test_bad_finess_is_refused_with_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        check_finess(value, departements=DEPARTEMENTS)


def test_rpps_key() -> None:
    number = rpps("1000000001")
    assert len(number) == 11
    assert check_rpps(number) == number
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    with pytest.raises(IdentifierError, match="clé de contrôle incorrecte"):
        check_rpps(wrong)
    with pytest.raises(IdentifierError, match="11 chiffres attendus"):
        check_rpps("1234")
