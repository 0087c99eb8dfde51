"""A rulebase missing a safety rule yields an error, never an unsafe plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from massageplan import PlanSafetyError, RulebaseConflictWarning, load_rulebase, recommend
from massageplan._rules import builtin_rules_dir

PROFILE = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "severe",
    "swelling": ["feet"],
    "tolerance": {"minutes": 20},
}


def rulebase_without(tmp_path: Path, *rule_files: str) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), folder)
    for name in rule_files:
        (folder / name).unlink()
    return folder


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("40-friction.yaml", "no friction restriction covers swollen or fragile feet"),
        ("20-pressure.yaml", "level 1"),
        ("50-advice.yaml", "consult a physician"),
    ],
)
def test_missing_safety_rule_is_an_error(tmp_path: Path, missing: str, words: str) -> None:
    rulebase = load_rulebase(rulebase_without(tmp_path, missing))
    with pytest.raises(PlanSafetyError, match=words) as info:
        recommend(PROFILE, rulebase=rulebase)
    assert "technique-mix" in info.value.rule_ids


def test_friction_prescribed_on_a_swollen_area_is_refused(tmp_path: Path) -> None:
    custom = tmp_path / "unsafe.yaml"
    custom.write_text(
        "rules:\n"
        "  - id: friction-everywhere\n"
        "    title: Friction on the legs\n"
        "    then:\n"
        "      - technique: friction\n"
        "        areas: [feet, lower_legs]\n"
        "        max_pressure: 2\n"
        "    because: A clinic's own idea.\n"
        "    sources: [ref1]\n",
        encoding="utf-8",
    )
    with pytest.warns(RulebaseConflictWarning, match="friction-everywhere") as conflicts:
        rulebase = load_rulebase(custom, builtin=True)
    assert len(conflicts) == 2  # against both built-in friction restrictions
    plan = recommend({**PROFILE, "swelling": []}, rulebase=rulebase)
    assert [a.value for a in plan.techniques[-1].areas] == ["lower_legs", "feet"]
    # With swollen feet, the built-in restriction removes the feet from friction.
    plan = recommend(PROFILE, rulebase=rulebase)
    friction = next(t for t in plan.techniques if t.name.value == "friction")
    assert [a.value for a in friction.areas] == ["lower_legs"]
