"""A rulebase missing a safety rule, or adding an unsafe one, yields an error naming
the invariant, the profile values and the rules, never an unsafe plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from massageplan import PlanSafetyError, RulebaseConflictWarning, load_rulebase, recommend
from massageplan.model.profile import ClientProfile
from massageplan.plan.recommend import adopt_plan, fired_rules, plan_key
from massageplan.rules.load import builtin_rules_dir
from tests.strategies import ANSWERED_NONE

# Every screening question answered "none", so that only the rules a test
# removes stand between the profile and an unsafe plan.
PROFILE = {
    **ANSWERED_NONE,
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
    ("missing", "invariant", "words"),
    [
        ("40-swollen-and-fragile-tissue.yaml", 1, "no restriction of friction covers feet"),
        ("20-pressure.yaml", 4, "while the tolerated pressure is unknown"),
        ("50-advice.yaml", 5, "the consult_physician hold is missing"),
        ("30-schedule.yaml", 3, "no hold and no visit"),
    ],
)
def test_missing_safety_rules_are_an_error(
    tmp_path: Path, missing: str, invariant: int, words: str
) -> None:
    rulebase = load_rulebase(rulebase_without(tmp_path, missing))
    profile = {**PROFILE, "physician_consulted": missing != "50-advice.yaml"}
    with pytest.raises(PlanSafetyError, match=words) as info:
        recommend(profile, rulebase=rulebase)
    error = info.value
    assert invariant in error.invariants
    assert f"safety invariant {invariant} (" in str(error)
    assert "no plan is returned" in str(error)


# A clinic rule that lists kneading on every area, and says no level it needs.
KNEADING_EVERYWHERE = (
    "rules:\n"
    "  - id: kneading-everywhere\n"
    "    title: Kneading everywhere\n"
    "    then:\n"
    "      - technique: kneading\n"
    "        areas: all\n"
    "    because: A clinic's own idea.\n"
    "    sources: [project-default]\n"
)


def test_the_error_names_the_profile_values_and_the_rules(tmp_path: Path) -> None:
    custom = tmp_path / "unsafe.yaml"
    custom.write_text(
        KNEADING_EVERYWHERE + "  - id: gentle-work-on-fragile-tissue\n"
        "    title: The article's letter only\n"
        "    replaces: true\n"
        "    then: [{avoid: friction, areas: fragile_tissue}]\n"
        "    because: Only friction is named.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    rulebase = load_rulebase(custom, builtin=True)
    with pytest.raises(PlanSafetyError) as info:
        # In a course, so light pressure is allowed: kneading's own level (2).
        recommend(
            {
                **PROFILE,
                "physician_consulted": True,
                "sessions_completed": 1,
                "fragile_tissue": ["hands"],
            },
            rulebase,
        )
    error = info.value
    # The built-in rules hold on swollen feet; the clinic's kneading is on the fragile hands.
    assert error.invariants == (2,)
    assert error.profile_values == {"swelling": ["feet"], "fragile_tissue": ["hands"]}
    assert "kneading-everywhere" in error.rule_ids
    assert "kneading is listed on hands" in str(error)
    assert "[profile swelling: feet; fragile_tissue: hands]" in str(error)
    assert "kneading-everywhere (unsafe.yaml:2)" in str(error)


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
        "    sources: [project-default]\n"
        "  - id: no-friction-on-swelling\n"
        "    title: Only the hands\n"
        "    replaces: true\n"
        "    when: {swelling: {includes: hands}}\n"
        "    then: [{avoid: friction, areas: [hands]}]\n"
        "    because: Only the hands.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    rulebase = load_rulebase(custom, builtin=True)
    # Without swelling, friction on the legs is the clinic's choice.
    plan = recommend({**PROFILE, "swelling": [], "physician_consulted": True}, rulebase=rulebase)
    friction = next(t for t in plan.techniques if t.name.value == "friction")
    assert [a.value for a in friction.areas] == ["lower_legs", "feet"]
    # With swollen feet, the weakened restriction lets friction through: refused.
    with pytest.raises(PlanSafetyError) as info:
        recommend({**PROFILE, "physician_consulted": True}, rulebase=rulebase)
    assert info.value.invariants == (1, 2)
    assert "friction is listed on feet" in str(info.value)
    assert "friction-everywhere" in info.value.rule_ids
    assert "no-friction-on-swelling" in info.value.rule_ids  # bears on it, did not fire
    assert "did not fire" in str(info.value)


def test_a_conflicting_restriction_still_removes_friction(tmp_path: Path) -> None:
    custom = tmp_path / "feet.yaml"
    custom.write_text(
        "rules:\n"
        "  - id: friction-on-feet\n"
        "    title: Friction on the feet\n"
        "    then: [{technique: friction, areas: [feet]}]\n"
        "    because: A clinic's own idea.\n"
        "    sources: [project-default]\n"
        "  - id: no-friction-on-feet\n"
        "    title: But not on the feet\n"
        "    then: [{avoid: friction, areas: [feet, ankles]}]\n"
        "    because: A second thought.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    with pytest.warns(RulebaseConflictWarning, match="friction-on-feet"):
        rulebase = load_rulebase(custom, builtin=True)
    plan = recommend({**PROFILE, "physician_consulted": True}, rulebase=rulebase)
    assert "friction" not in {t.name.value for t in plan.techniques}


SCREENED = {
    **PROFILE,
    "physician_consulted": False,
    "sessions_completed": 2,
    "tolerance": {"minutes": 60, "pressure": 3},
    "wounds": ["ankles"],
    "injection_sites": ["abdomen"],
    "numb_areas": ["hands"],
    "clot_history": True,
}


def test_without_the_screening_rules_a_screened_profile_is_refused(tmp_path: Path) -> None:
    rulebase = load_rulebase(rulebase_without(tmp_path, "60-screening.yaml"))
    with pytest.raises(PlanSafetyError) as info:
        recommend(SCREENED, rulebase=rulebase)
    assert set(info.value.invariants) >= {7, 8, 9, 10}
    assert "safety invariant 10 (clearance after a clot)" in str(info.value)
    assert "[profile wounds: ankles]" in str(info.value)
    # Profiles without screening fields are not affected by the missing file.
    recommend({**PROFILE, "physician_consulted": True}, rulebase=rulebase)


def test_a_plan_another_process_built_is_still_checked() -> None:
    # recommend_many's parent keeps the plans its workers send under their key;
    # one that does not fit the profile it is then given for must not pass.
    rulebase = load_rulebase()  # a new object: nothing memoised yet
    swollen = ClientProfile.model_validate(PROFILE)
    key = plan_key(rulebase, (rule.id for rule in fired_rules(swollen, rulebase)), swollen)
    without_swelling = recommend({**PROFILE, "swelling": []}, rulebase)
    adopt_plan(rulebase, key, without_swelling)
    with pytest.raises(PlanSafetyError, match="no restriction of friction covers feet"):
        recommend(swollen, rulebase)


def test_a_technique_below_its_own_level_is_left_out_not_refused(tmp_path: Path) -> None:
    """Invariant 14 for every rulebase: a clinic rule that lists kneading
    without saying what level it needs still gets no kneading at level 1."""
    custom = tmp_path / "kneading.yaml"
    custom.write_text(KNEADING_EVERYWHERE, encoding="utf-8")
    rulebase = load_rulebase(custom, builtin=True)
    first = {**PROFILE, "swelling": [], "physician_consulted": True}  # severe, first: level 1
    plan = recommend(first, rulebase)
    assert plan.pressure == 1
    assert [t.name.value for t in plan.techniques] == ["swedish"]
    later = recommend({**first, "sessions_completed": 1}, rulebase)  # light (2) allowed
    kneading = [t for t in later.techniques if t.name.value == "kneading"]
    assert [(t.max_pressure, len(t.areas)) for t in kneading] == [(2, 16)]
