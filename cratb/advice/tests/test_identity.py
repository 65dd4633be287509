from __future__ import annotations

import pytest

from cratb.advice.identity import describe, find_identity, nir_key_is_valid


def kinds(text: str) -> set[str]:
    return {finding.kind for finding in find_identity(text)}


def test_nir_key() -> None:
    # 1 85 05 78 006 084, key 91 (the INSEE documentation example).
    assert nir_key_is_valid("1850578006084", 91)
    assert not nir_key_is_valid("1850578006084", 90)
    # Corsica: 2A counts as 19 minus 1 000 000.
    body = "269022A123456"
    number = int("26902" + "19" + "123456") - 1_000_000
    assert nir_key_is_valid(body, 97 - number % 97)


@pytest.mark.parametrize(
    "text",
    [
        "patient 1 85 05 78 006 084 91 avec cystite",
        "NIR 185057800608491",
        "n° 1.85.05.78.006.084.91",
    ],
)
def test_social_security_number_with_its_key_is_found(text: str) -> None:
    assert kinds(text) == {"nir"}


def test_fifteen_digits_with_a_wrong_key_are_not_a_nir() -> None:
    assert "nir" not in kinds("lot 185057800608490")


@pytest.mark.parametrize(
    "text",
    [
        "rappeler au 06 12 34 56 78",
        "tél. 0612345678",
        "+33 6 12 34 56 78",
        "0033612345678",
        "01.45.67.89.10",
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    assert kinds(text) == {"phone"}


@pytest.mark.parametrize(
    "text",
    [
        "Mme Martin, 12/03/1950, pyélonéphrite",
        "Jean DUPONT né le 3 mars 1948",
        "patiente née le 04/05/1962",
        "nom : Durand ; 1962-05-04",
        "DDN 12.03.50",
    ],
)
def test_a_date_of_birth_next_to_a_name_is_found(text: str) -> None:
    assert "birth_date" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Femme de 75 ans, cystite à E. coli BLSE, DFG 45, ECBU du 12/03/2025 : quel relais ?",
        "Pyélonéphrite depuis le 3 mars 2025, traitée par ceftriaxone 1 g pendant 7 jours.",
        "Amoxicilline 1 g x 3/j, CRP 120 mg/L, 38,5 °C.",
    ],
)
def test_clinical_text_without_identity_raises_no_warning(text: str) -> None:
    assert find_identity(text) == []


def test_describe_lists_each_kind_once() -> None:
    findings = find_identity("06 12 34 56 78 ou 07 12 34 56 78, Mme Martin 12/03/1950")
    assert describe(findings) == ("un numéro de téléphone, une date de naissance à côté d'un nom")
