"""Grid rules and audit computations, checked by hand (no Django)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cratb.audits.grids import (
    BLANK,
    MET,
    NOT_APPLICABLE,
    NOT_APPLICABLE_ANSWER,
    NOT_MET,
    GridError,
    parse_grid,
    parse_yaml,
)
from cratb.audits.results import changes, compliance
from cratb.engine.stats import newcombe_difference

FILES = Path(__file__).resolve().parents[1] / "grid_files"


def _grid(name: str) -> Any:
    return parse_yaml((FILES / f"{name}.yaml").read_text(encoding="utf-8"))[0]


def test_the_example_grids_are_valid_and_cite_sources() -> None:
    for name in ("cystite-ville", "duree-etablissement"):
        grid = _grid(name)
        assert grid.code == name
        assert grid.sources and all("HAS" in s or "SPILF" in s for s in grid.sources)
        assert len(grid.criteria) >= 4


CYSTITIS_CASES: list[dict[str, Any]] = [
    # 1. simple cystitis treated as recommended.
    {"situation": "cystite_simple", "bandelette": True, "molecule": "fosfomycine",
     "duree": 1.0, "fluoroquinolone": True},
    # 2. simple cystitis, no dipstick, a fluoroquinolone for 5 days.
    {"situation": "cystite_simple", "bandelette": False, "molecule": "fluoroquinolone",
     "duree": 5.0, "fluoroquinolone": False},
    # 3. at risk of complication, urine culture ordered (molecule and duration: not asked).
    {"situation": "cystite_risque", "bandelette": True, "fluoroquinolone": True, "ecbu": True},
    # 4. situation not filled: the criteria it decides are blank, not « not applicable ».
    {"molecule": "pivmecillinam", "duree": 3.0},
    # 5. recurrent cystitis without urine culture.
    {"situation": "cystite_recidivante", "bandelette": True, "ecbu": False},
]  # fmt: skip


def test_compliance_per_rule_type_blanks_and_not_applicable() -> None:
    grid = _grid("cystite-ville")
    found = {
        c.code: (c.met, c.not_met, c.blank, c.not_applicable)
        for c in compliance(grid, CYSTITIS_CASES)
    }
    assert found == {
        "bandelette": (3, 1, 1, 0),  # yes/no
        "molecule": (1, 1, 1, 2),  # choice among allowed options
        "duree": (1, 1, 1, 2),  # value within a range
        "fluoroquinolone": (2, 1, 2, 0),
        "ecbu": (1, 1, 1, 2),
    }
    bandelette = compliance(grid, CYSTITIS_CASES)[0]
    assert bandelette.evaluated == 4 and bandelette.cases == 5
    assert bandelette.percent == pytest.approx(75.0)


def test_range_bounds_are_included_and_one_sided_ranges_work() -> None:
    cystitis = _grid("cystite-ville").field("duree")
    case = {"situation": "cystite_simple"}
    assert [cystitis.status({**case, "duree": d}) for d in (1.0, 3.0, 3.5, 0.5)] == [
        MET, MET, NOT_MET, NOT_MET,
    ]  # fmt: skip
    duration = _grid("duree-etablissement").field("duree")
    case = {"infection": "pneumonie"}
    assert [duration.status({**case, "duree": d}) for d in (1.0, 7.0, 8.0)] == [MET, MET, NOT_MET]
    assert duration.status({"infection": "autre", "duree": 21.0}) == NOT_APPLICABLE
    assert duration.status({"infection": "pneumonie"}) == BLANK


def test_an_explicit_not_applicable_answer() -> None:
    grid = _grid("duree-etablissement")
    field = grid.field("desescalade")
    assert field.clean_answer(NOT_APPLICABLE_ANSWER) == NOT_APPLICABLE_ANSWER
    assert field.status({"desescalade": NOT_APPLICABLE_ANSWER}) == NOT_APPLICABLE
    # « sans objet » is refused where the grid does not allow it.
    with pytest.raises(ValueError, match="sans objet"):
        grid.field("reevaluation").clean_answer(NOT_APPLICABLE_ANSWER)
    (c,) = [
        c
        for c in compliance(grid, [{"desescalade": NOT_APPLICABLE_ANSWER}, {"desescalade": True}])
        if c.code == "desescalade"
    ]
    assert (c.met, c.not_met, c.not_applicable, c.percent) == (1, 0, 1, 100.0)


def test_wilson_interval_hand_checked() -> None:
    # 8 met out of 10: p = 0.8, z = 1.96; Wilson: (0.8 + 0.192) / 1.384 ± 1.96 × 0.16 / 1.384
    # = 0.7167 ± 0.2266 → 49.0 % – 94.3 % (Newcombe 1998, table I gives 0.4902 – 0.9433).
    grid = _grid("duree-etablissement")
    cases = [{"reevaluation": True}] * 8 + [{"reevaluation": False}] * 2
    (c,) = [c for c in compliance(grid, cases) if c.code == "reevaluation"]
    assert c.percent == pytest.approx(80.0)
    assert c.low == pytest.approx(49.02, abs=0.01)
    assert c.high == pytest.approx(94.33, abs=0.01)
    # No evaluated case: no rate, no interval.
    (empty,) = [c for c in compliance(grid, [{}]) if c.code == "reevaluation"]
    assert (empty.percent, empty.interval, empty.blank) == (None, None, 1)


def test_newcombe_difference_matches_the_published_example() -> None:
    # Newcombe 1998 (Stat Med 17:873), example (a): 56/70 − 48/80 = 0.2000, method 10:
    # 0.0524 to 0.3339.
    d, low, high = newcombe_difference(56, 70, 48, 80)  # type: ignore[misc]
    assert d == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=1e-4)
    assert high == pytest.approx(0.3339, abs=1e-4)
    assert newcombe_difference(1, 0, 1, 2) is None


def test_round_two_change_per_criterion() -> None:
    grid = _grid("duree-etablissement")
    first = [{"reevaluation": True}] * 48 + [{"reevaluation": False}] * 32
    second = [{"reevaluation": True}] * 56 + [{"reevaluation": False}] * 14
    (change,) = [
        c
        for c in changes(compliance(grid, first), compliance(grid, second))
        if c.code == "reevaluation"
    ]
    assert change.before.percent == pytest.approx(60.0)
    assert change.after.percent == pytest.approx(80.0)
    assert change.difference == pytest.approx(20.0)
    assert change.low == pytest.approx(5.24, abs=0.01)
    assert change.high == pytest.approx(33.39, abs=0.01)
    assert change.significant
    # A criterion with no case in one round has no change.
    (none,) = [
        c
        for c in changes(compliance(grid, []), compliance(grid, second))
        if c.code == "reevaluation"
    ]
    assert none.difference is None and not none.significant


def _minimal(**field: Any) -> dict[str, Any]:
    return {"code": "test", "title": "Test", "sources": ["HAS 2021"], "fields": [field]}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"code": "d", "label": "Durée", "type": "number", "expected": {"min": 7, "max": 3}},
            "le minimum (7) est supérieur au maximum (3)",
        ),
        (
            {
                "code": "m",
                "label": "Molécule",
                "type": "choice",
                "options": ["a", "b"],
                "expected": ["c"],
            },
            "réponse attendue « c » absente des choix (a, b)",
        ),
        (
            {"code": "x", "label": "X", "type": "date", "expected": True},
            "type « date » inconnu",
        ),
        (
            {"code": "y", "label": "Y", "type": "yes_no", "expected": "peut-être"},
            "réponse attendue « peut-être » invalide",
        ),
        (
            {"code": "m", "label": "M", "type": "choice", "options": ["a"], "expected": ["a"]},
            "au moins deux choix",
        ),
        (
            {
                "code": "d",
                "label": "D",
                "type": "number",
                "bounds": {"min": 0, "max": 10},
                "expected": {"max": 20},
            },
            "sort des valeurs possibles",
        ),
        (
            {
                "code": "d",
                "label": "D",
                "type": "yes_no",
                "expected": True,
                "applies_if": {"field": "zz", "in": ["a"]},
            },
            "absent des champs qui le précèdent",
        ),
        ({"code": "d", "label": "D", "type": "yes_no"}, "aucun critère"),
    ],
)
def test_a_grid_with_an_invalid_rule_is_refused_with_a_clear_message(
    field: dict[str, Any], message: str
) -> None:
    with pytest.raises(GridError) as refused:
        parse_grid(_minimal(**field))
    assert any(message in problem for problem in refused.value.problems), refused.value.problems


def test_a_grid_without_source_or_with_duplicate_codes_is_refused() -> None:
    data = _minimal(code="a", label="A", type="yes_no", expected=True)
    data["sources"] = []
    data["fields"].append({"code": "a", "label": "A bis", "type": "yes_no", "expected": True})
    with pytest.raises(GridError) as refused:
        parse_grid(data)
    text = str(refused.value)
    assert "sources" in text and "déjà celui d'un autre champ" in text
    with pytest.raises(GridError, match="YAML illisible"):
        parse_yaml("code: [unclosed")


def test_answers_outside_the_allowed_values_are_refused() -> None:
    grid = _grid("cystite-ville")
    with pytest.raises(ValueError, match="« ciprofloxacine » n'est pas un des choix permis"):
        grid.clean_answers({"molecule": "ciprofloxacine"})
    with pytest.raises(ValueError, match="hors des valeurs possibles"):
        grid.clean_answers({"duree": "45"})
    with pytest.raises(ValueError, match="n'est pas un nombre"):
        grid.clean_answers({"duree": "trois"})
    with pytest.raises(ValueError, match="inconnu de la grille"):
        grid.clean_answers({"nom_patient": "x"})
    assert grid.clean_answers({"duree": "2,5", "bandelette": "oui"})["duree"] == 2.5
