"""Rules that can fire together but contradict each other are reported at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from massageplan import RulebaseConflictWarning, RulebaseError, load_rulebase
from massageplan.plan.recommend import builtin_rulebase
from massageplan.rules import conflicts
from massageplan.rules.load import read_rulebase

RULE = """\
  - id: {id}
    title: {id}
    when: {when}
    then: [{effect}]
    because: Because.
    sources: [project-default]
"""


def rules(tmp_path: Path, *specs: tuple[str, str, str]) -> Path:
    text = "rules:\n" + "".join(
        RULE.format(id=rule_id, when=when, effect=effect) for rule_id, when, effect in specs
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_rulebase_has_no_conflicts() -> None:
    assert load_rulebase(strict=True).conflicts == ()


def test_two_exact_visit_plans_conflict(tmp_path: Path) -> None:
    path = rules(
        tmp_path,
        ("weekly", "{}", "{visits: {weekly_minutes: 60}}"),
        ("short-week", "{hypersensitivity: severe}", "{visits: {weekly_minutes: 30}}"),
    )
    with pytest.raises(RulebaseError) as info:
        load_rulebase(path, strict=True)
    error = info.value
    assert (error.rule_id, error.line, error.path) == ("short-week", 8, path)
    assert f"contradicts rule 'weekly' at {path}:2" in str(error)
    assert "weekly_minutes is 60 in one and 30 in the other" in str(error)


def test_rules_that_cannot_fire_together_do_not_conflict(tmp_path: Path) -> None:
    path = rules(
        tmp_path,
        ("mild-week", "{hypersensitivity: mild}", "{visits: {weekly_minutes: 60}}"),
        ("severe-week", "{hypersensitivity: severe}", "{visits: {weekly_minutes: 30}}"),
        (
            "unknown",
            "{pressure_known: false}",
            "{advise: evidence_x, text: a}".replace("evidence_x", "pain_relief_evidence"),
        ),
        ("known", "{tolerance.pressure: {at_least: 1}}", "{advise: pain_relief_evidence, text: b}"),
    )
    assert load_rulebase(path, strict=True).conflicts == ()


def test_friction_prescribed_where_another_rule_forbids_it(tmp_path: Path) -> None:
    path = rules(
        tmp_path,
        ("friction-feet", "{}", "{technique: friction, areas: [feet], max_pressure: 2}"),
        (
            "no-friction-swelling",
            "{swelling: {empty: false}}",
            "{avoid: friction, areas: swelling}",
        ),
        ("no-friction-hands", "{}", "{avoid: friction, areas: [hands]}"),
        ("no-friction-feet", "{}", "{avoid: friction, areas: [ankles, feet]}"),
    )
    with pytest.warns(RulebaseConflictWarning) as caught:
        rulebase = load_rulebase(path)
    # A restriction of the client's swollen areas narrows the friction: layering,
    # not a contradiction. The rule naming the feet outright contradicts it.
    assert len(caught) == 1
    (conflict,) = rulebase.conflicts
    assert "'friction-feet'" in conflict
    assert "'no-friction-feet'" in conflict
    assert "no friction on ankles, feet" in conflict


def test_a_rulebase_read_without_the_check_finds_its_conflicts_when_asked(
    tmp_path: Path,
) -> None:
    path = rules(
        tmp_path,
        ("friction-feet", "{}", "{technique: friction, areas: [feet], max_pressure: 2}"),
        ("no-friction-feet", "{}", "{avoid: friction, areas: [feet]}"),
    )
    with pytest.warns(RulebaseConflictWarning):
        checked = load_rulebase(path)
    unchecked = read_rulebase(path)  # as the built-in rules are read for recommend()
    assert unchecked.conflicts == checked.conflicts
    assert len(unchecked.conflicts) == 1
    assert builtin_rulebase().conflicts == ()


def test_the_same_client_list_on_both_sides_contradicts(tmp_path: Path) -> None:
    path = rules(
        tmp_path,
        ("friction-swelling", "{}", "{technique: friction, areas: swelling, max_pressure: 2}"),
        ("no-friction-swelling", "{}", "{avoid: friction, areas: swelling}"),
    )
    with pytest.warns(RulebaseConflictWarning, match="no friction on the client's swelling"):
        load_rulebase(path)


def test_an_area_list_forced_empty_names_no_area(tmp_path: Path) -> None:
    # Both fire for a client without swelling, but then "swelling" names no area.
    path = rules(
        tmp_path,
        (
            "friction-swelling",
            "{swelling: {empty: true}}",
            "{technique: friction, areas: swelling}",
        ),
        ("no-friction-swelling", "{}", "{avoid: friction, areas: swelling}"),
    )
    assert load_rulebase(path, strict=True).conflicts == ()


def test_same_advice_with_two_texts(tmp_path: Path) -> None:
    path = rules(
        tmp_path,
        ("a", "{}", "{advise: consult_physician, text: See your doctor.}"),
        ("b", "{first_session: true}", "{advise: consult_physician, text: Ask your GP.}"),
    )
    with pytest.warns(RulebaseConflictWarning, match="two different texts"):
        load_rulebase(path)


def test_a_rulebase_at_war_with_itself_is_told_it_was_not_fully_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every "knead" rule could contradict every "no knead" rule: 3 x 3 pairs,
    # over a limit of 4, so the check stops and says so instead of going on.
    monkeypatch.setattr(conflicts, "MAX_PAIRS", 4)
    specs = [
        (f"knead-{i}", "{}", "{technique: kneading, areas: [feet], max_pressure: 2}")
        for i in range(3)
    ] + [(f"no-knead-{i}", "{}", "{avoid: kneading, areas: [feet]}") for i in range(3)]
    path = rules(tmp_path, *specs)
    with pytest.warns(RulebaseConflictWarning):
        rulebase = load_rulebase(path)
    *found, last = rulebase.conflicts
    assert "more than 4 pairs of rules could contradict" in last
    assert "only the first 4 were checked" in last
    assert found, "the pairs that were checked still report their conflicts"
    with pytest.raises(RulebaseError, match="more than 4 pairs"):
        load_rulebase(path, strict=True)
