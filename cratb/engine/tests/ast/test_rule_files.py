"""Rule sets are data: the shipped one is labelled a derivation, every rule cites a
source, a local folder overrides it, a broken file is refused with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cratb.engine.ast import rules
from cratb.engine.ast.rules import RuleError, load_rules


def test_the_shipped_set_is_labelled_a_derivation_to_validate() -> None:
    shipped = load_rules()
    assert shipped.status == "dérivation à valider"
    assert shipped.label == "cratb-derive v1 (dérivation à valider)"
    assert shipped.path == rules.PACKAGED_DIR / "default.yaml"
    assert "DÉRIVATION À VALIDER" in shipped.path.read_text(encoding="utf-8")
    for situation in shipped.situations.values():
        for tier in situation.tiers:
            assert tier.source in shipped.sources


def _copy(tmp_path: Path, change: dict[str, object] | None = None) -> Path:
    data = yaml.safe_load((rules.PACKAGED_DIR / "default.yaml").read_text(encoding="utf-8"))
    data.update(change or {})
    folder = tmp_path / "regles"
    folder.mkdir(exist_ok=True)
    (folder / "default.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def test_a_local_folder_overrides_the_shipped_set(tmp_path: Path) -> None:
    data = yaml.safe_load((rules.PACKAGED_DIR / "default.yaml").read_text(encoding="utf-8"))
    data["situations"]["simple_cystitis"]["tiers"] = [{"agents": ["FOS"], "source": "has2023"}]
    folder = _copy(tmp_path, {"version": 2, "status": "validé", "situations": data["situations"]})
    local = load_rules(rules_dir=folder)
    assert local.label == "cratb-derive v2 (validé)"
    assert local.chain("simple_cystitis")[0] == (1, "FOS", "simple_cystitis")
    assert load_rules(rules_dir=tmp_path / "absent").version == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"situations": {"simple_cystitis": {"label": "x", "tiers": [{"agents": ["ZZZ"],
          "source": "has2023"}]}}}, "code WHONET inconnu ou absent : ZZZ"),
        ({"sources": {"autre": "x"}}, "cite une source inconnue"),
        ({"version": "un"}, "« version » invalide"),
        ({"ruleset": None}, "« ruleset » invalide"),
    ],
)  # fmt: skip
def test_a_broken_rule_file_is_refused_with_its_reason(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    folder = _copy(tmp_path, change)
    with pytest.raises(RuleError, match=message):
        load_rules(folder / "default.yaml")


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "default.yaml"
    path.write_text("situations: [\n", encoding="utf-8")
    with pytest.raises(RuleError, match="YAML invalide"):
        load_rules(path)
