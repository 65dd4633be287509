"""The demo region's establishments (issue #14: the demo map showed Paris and five other
départements « without acute-care beds »): every département has acute-care beds, even
at the smallest scale, and the draw is unchanged where it already had some."""

from __future__ import annotations

import numpy as np

from cratb.engine.demo.hospital import generate_establishments

DEPS = ("75", "77", "78", "91", "92", "93", "94", "95")
NAMES = ("Paris", "Seine-et-Marne", "Yvelines", "Essonne", "Hauts-de-Seine",
         "Seine-Saint-Denis", "Val-de-Marne", "Val-d'Oise")  # fmt: skip
ACUTE = {"chu", "ch", "clinic"}


def _establishments(population: float, seed: int = 1) -> list[object]:
    share = np.array([2.1, 1.4, 1.4, 1.3, 1.6, 1.6, 1.4, 1.2])
    return generate_establishments(  # type: ignore[return-value]
        departements=DEPS,
        departement_names=NAMES,
        simulated_population=population * share / share.sum(),
        rng=np.random.default_rng(seed),
    )


def test_every_departement_has_acute_care_beds_even_at_a_tiny_scale() -> None:
    for seed in range(5):
        found = _establishments(120_000, seed)
        with_acute = {e.departement for e in found if e.type in ACUTE}  # type: ignore[attr-defined]
        assert with_acute == set(DEPS), seed


def test_a_region_that_already_had_them_keeps_the_same_draw() -> None:
    big = _establishments(12_000_000)
    assert {e.departement for e in big if e.type in ACUTE} == set(DEPS)  # type: ignore[attr-defined]
    assert len(big) == round(12_000_000 / 30_000)
