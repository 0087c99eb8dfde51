"""explain(): every rule, and for each one that did not fire, what failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given

from massageplan import ClientProfile, explain, load_rulebase, recommend
from tests.conftest import builtin_rule_count
from tests.strategies import profiles

PROFILE: dict[str, Any] = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "none",
    "tolerance": {"minutes": 60},
    "sessions_completed": 2,
}


def test_every_rule_is_listed_in_order() -> None:
    explanation = explain(PROFILE)
    ids = [r.rule_id for r in explanation.rules]
    assert ids[0] == "technique-mix"
    assert len(ids) == builtin_rule_count()
    assert explanation.plan == recommend(PROFILE)


def test_a_rule_that_did_not_fire_says_which_condition_failed_and_why() -> None:
    rules = {r.rule_id: r for r in explain(PROFILE).rules}
    therapist = rules["experienced-therapist"]
    assert not therapist.fired
    assert str(therapist) == (
        "experienced-therapist: did not fire: hypersensitivity is 'none', "
        "needs 'mild', 'moderate' or 'severe'"
    )
    first = rules["very-light-first-session"]
    assert [(c.fact, c.held) for c in first.conditions] == [
        ("hypersensitivity", False),
        ("hypersensitivity_by_area", True),  # no area named: the level is everywhere
        ("first_session", False),
    ]
    assert "first_session is no, needs yes" in str(first)
    assert str(rules["split-sessions"]).endswith("tolerance.minutes is 60, needs less than 60")


def test_only_the_failed_conditions_are_named() -> None:
    rules = {r.rule_id: r for r in explain({**PROFILE, "hypersensitivity": "severe"}).rules}
    first = rules["very-light-first-session"]
    assert [c.held for c in first.conditions] == [True, True, False]
    assert "hypersensitivity" not in str(first)


def test_fired_rules_say_what_they_add_and_where_they_live() -> None:
    rules = {r.rule_id: r for r in explain({**PROFILE, "swelling": ["feet"]}).rules}
    swelling = rules["no-friction-on-swelling"]
    assert swelling.fired
    assert swelling.adds == ("no friction on the client's swelling areas",)
    # Where the rule lives, without a machine's paths.
    assert swelling.location == "massageplan/rules/40-swollen-and-fragile-tissue.yaml:19"
    assert "swelling is feet, needs at least one area" in str(swelling)


def test_unknown_pressure_is_said_in_words(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - id: light-only\n"
        "    title: Light only\n"
        "    when: {tolerance.pressure: {at_most: 2}}\n"
        "    then: [{pressure_at_most: {level: 2}}]\n"
        "    because: Because.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    rulebase = load_rulebase(path, builtin=True)
    (rule,) = [r for r in explain(PROFILE, rulebase).rules if r.rule_id == "light-only"]
    assert (
        str(rule)
        == "light-only: did not fire: tolerance.pressure is not yet known, needs at most 2"
    )
    known = {**PROFILE, "tolerance": {"minutes": 60, "pressure": 2}}
    (rule,) = [r for r in explain(known, rulebase).rules if r.rule_id == "light-only"]
    assert rule.fired
    assert str(rule.conditions[0]) == "tolerance.pressure is 2, needs at most 2"


def test_explain_json_is_data_values_and_operators(tmp_path: Path) -> None:
    path = tmp_path / "light.yaml"
    path.write_text(
        "rules:\n"
        "  - id: light-only\n"
        "    title: Light only\n"
        "    when: {tolerance.pressure: {at_most: 2}, hypersensitivity: {in: [mild, severe]}}\n"
        "    then: [{pressure_at_most: {level: 2}}, {avoid: friction, areas: [feet]}]\n"
        "    because: Because.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    rulebase = load_rulebase(path, builtin=True)
    data = json.loads(explain(PROFILE, rulebase).model_dump_json())
    (rule,) = [r for r in data["rules"] if r["rule_id"] == "light-only"]
    assert rule["conditions"] == [
        {
            "fact": "tolerance.pressure",
            "operator": "at_most",
            "operand": 2,
            "value": None,
            "held": False,
        },
        {
            "fact": "hypersensitivity",
            "operator": "in",
            "operand": ["mild", "severe"],
            "value": "none",
            "held": False,
        },
    ]
    assert rule["effects"] == [
        {"pressure_at_most": {"level": 2}},
        {"avoid": "friction", "areas": ["feet"]},
    ]
    assert not {"needs", "actual", "adds"} & {*rule, *rule["conditions"][0]}


@given(profiles)
def test_explain_agrees_with_recommend(profile: ClientProfile) -> None:
    explanation = explain(profile)
    fired = tuple(r.rule_id for r in explanation.rules if r.fired)
    assert fired == recommend(profile).fired_rules
    for rule in explanation.rules:
        assert rule.fired == all(c.held for c in rule.conditions)


def test_an_unsafe_rulebase_is_explained_without_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - id: techniques-only\n"
        "    title: Techniques only\n"
        "    then: [{technique: swedish, areas: all, max_pressure: 2}]\n"
        "    because: Because.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    explanation = explain(PROFILE, load_rulebase(path))
    assert [r.rule_id for r in explanation.rules] == ["techniques-only"]
    assert explanation.plan is None
    assert explanation.error is not None
    assert "safety invariant 3 (visits within tolerance)" in explanation.error
    assert "no rule in the rulebase provides this" in explanation.error
    assert "no plan: the rulebase made an unsafe plan" in str(explanation)


def test_explain_covers_the_screening_fields() -> None:
    screened = {**PROFILE, "wounds": ["ankles"], "clot_history": True}
    rules = {r.rule_id: r for r in explain(screened).rules}
    wound = rules["no-work-on-wounds"]
    assert wound.fired
    assert [(c.fact, c.actual) for c in wound.conditions] == [("wounds", "ankles")]
    clot = rules["physician-clearance-after-a-clot"]
    assert clot.fired
    assert not rules["chemotherapy-check-with-the-oncology-team"].fired


def test_a_question_not_asked_is_said_as_not_asked() -> None:
    """Contract v4: a screening field left null is 'not asked', never 'none'."""
    rules = explain({**PROFILE, "wounds": None, "numb_areas": []}).rules
    lines = {r.rule_id: str(r) for r in rules}
    assert "wounds is not asked" in lines["no-work-on-wounds"]
    assert "numb_areas is none" in lines["gentle-and-watchful-on-numb-areas"]
    assert lines["wounds-not-yet-asked"].startswith("wounds-not-yet-asked: fired")
    assert "numbness-not-yet-asked: did not fire" in lines["numbness-not-yet-asked"]
