"""verify(): the safety properties over the profile space, for any rulebase."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from massageplan import (
    PlanSafetyError,
    Rulebase,
    RulebaseConflictWarning,
    load_rulebase,
    recommend,
    verify,
)
from massageplan.plan.invariants import SAFETY_INVARIANTS
from massageplan.plan.verify import _search
from massageplan.rules.profile_space import field_values, sweep, sweep_space
from tests.conftest import verified
from tests.strategies import ANSWERED_NONE, clinic_rulebase

FRICTION_ON_FEET = """\
  - id: friction-on-feet
    title: Friction to warm up the feet
    then:
      - technique: friction
        areas: [feet]
        max_pressure: 2
    because: The clinic warms the feet with friction.
    sources: [project-default]
"""
# Narrows the built-in swelling restriction to the hands.
ONLY_HANDS = """\
  - id: no-friction-on-swelling
    title: No friction on swollen hands
    replaces: true
    when: {swelling: {includes: hands}}
    then: [{avoid: friction, areas: [hands]}]
    because: Only the hands.
    sources: [project-default]
"""
# Together they put friction on swollen feet.
UNSAFE = "rules:\n" + FRICTION_ON_FEET + ONLY_HANDS


def load_quietly(*paths: Path) -> Rulebase:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RulebaseConflictWarning)
        return load_rulebase(*paths, builtin=True)


@pytest.mark.slow
def test_builtin_rulebase_is_safe() -> None:
    report = verified(search=50, article=True)  # the article's report says safety too
    assert report.safe, str(report)
    assert report.swept > 1000
    assert "every safety invariant" in str(report)
    assert "all hold" in str(report)


@pytest.mark.slow
def test_unsafe_custom_rule_is_caught_with_its_rule(tmp_path: Path) -> None:
    path = tmp_path / "unsafe.yaml"
    path.write_text(UNSAFE, encoding="utf-8")
    report = verified(load_quietly(path), search=0, small=True)
    assert not report.ok
    on_feet = [
        c
        for c in report.counterexamples
        if any("friction is listed on feet" in v for v in c.violations)
    ]
    assert on_feet, str(report)
    example = on_feet[0]
    # Friction is neither allowed (1) nor gentle work (2) on swollen feet.
    assert example.invariants == (1, 2)
    assert [a.value for a in example.profile.swelling] == ["feet"]
    assert example.rules == ("friction-on-feet",)
    assert "safety invariant 1 (no friction on swollen or fragile tissue)" in str(report)


@pytest.mark.slow
def test_weakened_restriction_is_caught_by_the_silent_rule(tmp_path: Path) -> None:
    weakened = tmp_path / "weak.yaml"
    weakened.write_text("rules:\n" + ONLY_HANDS, encoding="utf-8")
    report = verified(load_quietly(weakened), search=0, small=True)
    uncovered = next(
        c
        for c in report.counterexamples
        if c.invariants == (1,) and "no restriction of friction covers" in c.violations[0]
    )
    # A swollen area other than the hands, that the replaced rule no longer covers.
    assert uncovered.profile.swelling
    assert "no-friction-on-swelling" in uncovered.rules + uncovered.silent_rules


@pytest.mark.slow
def test_hypothesis_search_finds_what_the_sweep_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "unsafe.yaml"
    path.write_text(UNSAFE, encoding="utf-8")
    rulebase = load_quietly(path)
    # The search alone finds the rule the sweep finds (among the fired rules
    # that bear on the invariant: a cautious rule for a question not asked
    # restricts friction too).
    searched = _search(rulebase, 300, SAFETY_INVARIANTS)
    assert any("friction-on-feet" in c.rules for c in searched)
    assert any(
        "friction-on-feet" in c.rules
        for c in verified(rulebase, search=0, small=True).counterexamples
    )
    # And verify reports it, after a sweep of the first value of each field.
    tiny = sweep_space(rulebase)
    tiny = tiny.narrowed(**{n.replace(".", "_"): tiny.values[n][:1] for n in tiny.values})
    monkeypatch.setattr("massageplan.plan.verify.sweep_space", lambda _: tiny)
    report = verify(rulebase, search=300)
    assert (report.swept, report.searched) == (len(tiny), 300)
    assert len(tiny) <= 2
    assert any("friction-on-feet" in c.rules for c in report.counterexamples)


@pytest.mark.slow
def test_counterexamples_are_real(tmp_path: Path) -> None:
    path = tmp_path / "unsafe.yaml"
    path.write_text(UNSAFE, encoding="utf-8")
    rulebase = load_quietly(path)
    for example in verified(rulebase, search=0, small=True).counterexamples:
        with pytest.raises(PlanSafetyError, match="unsafe plan"):
            recommend(example.profile, rulebase=rulebase)


def test_sweep_covers_the_values_rules_test() -> None:
    rulebase = load_rulebase()
    values = field_values(rulebase)
    # 60 from the rules' conditions and visits; 15, the shortest split visit.
    assert values["tolerance.minutes"] == [5, 14, 15, 16, 59, 60, 61, 180]
    assert values["tolerance.pressure"] == [None, 1, 2, 3, 4, 5]
    seen = {
        (p.hypersensitivity.value, p.sessions_completed, p.tolerance.minutes)
        for p in sweep(rulebase)
    }
    assert ("severe", 0, 59) in seen
    assert ("none", 1, 60) in seen


@pytest.mark.slow
def test_builtin_rulebase_follows_the_article() -> None:
    report = verified(search=50, article=True)
    assert report.ok, str(report)
    assert "and the article's guidance" in str(report)


def two_visits_at_most(
    tmp_path: Path,
    visits: str,
    rule_id: str = "split-sessions",
    minutes: str = "{at_least: 15, below: 60}",
) -> Path:
    """A clinic rule file that books at most two visits a week, as ``visits``
    says, in place of the built-in rule ``rule_id``."""
    path = tmp_path / "clinic.yaml"
    path.write_text(
        "rules:\n"
        f"  - id: {rule_id}\n"
        "    title: Two visits at most\n"
        "    replaces: true\n"
        # The built-in rule's own condition: a severe first week is another rule's.
        f"    when: {{tolerance.minutes: {minutes}, hypersensitivity: {{below: severe}}}}\n"
        f"    then: [{{visits: {visits}}}]\n"
        "    because: The clinic books two visits a week at most.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_article_deviations_are_findings_not_unsafe(tmp_path: Path) -> None:
    # Two visits at most, and no split advice: the article's guidance, not safety.
    path = two_visits_at_most(
        tmp_path, "{longest_visit: tolerance, at_most_per_week: 2, shortest_split_visit: 15}"
    )
    rulebase = load_quietly(path)
    report = verified(rulebase, search=0, small=True, article=True)
    # Safe, so a report that did not look at the article would be all clear.
    assert not report.counterexamples
    assert report.safe
    assert not report.ok
    # One kind of deviation, reported once per set of rules behind it (the
    # step back after a flare shapes the visits too).
    assert {d.invariants for d in report.deviations} == {(2,)}
    deviation = report.deviations[0]
    assert deviation.scope == "article"
    assert "slower_progress_with_shorter_sessions advice is missing" in str(report)
    assert "split-sessions" in deviation.rules + deviation.silent_rules
    # And recommend() gives these clients plans.
    plan = recommend(deviation.profile, rulebase=rulebase)
    assert len(plan.visits) <= 2


def test_the_sweep_covers_the_screening_fields() -> None:
    seen = {
        (bool(p.numb_areas), bool(p.wounds), bool(p.injection_sites), p.clot_history)
        for p in sweep(load_rulebase())
    }
    assert {(True, False, False, False), (False, True, False, False)} <= seen
    assert {(False, False, True, False), (False, False, False, True)} <= seen


@pytest.mark.slow
def test_a_split_without_a_shortest_visit_is_unsafe(tmp_path: Path) -> None:
    """Invariant 17: a clinic's split rule that forgets the 15-minute floor
    splits a 10-minute tolerance into two 10-minute visits."""
    # The built-in rule for under 15 minutes, replaced by one with no floor.
    path = two_visits_at_most(
        tmp_path,
        "{longest_visit: tolerance, at_most_per_week: 2}",
        rule_id="one-short-visit-under-fifteen-minutes",
        minutes="{below: 15}",
    )
    report = verified(load_quietly(path), search=0, small=True)
    assert not report.safe
    assert {17} <= {n for c in report.counterexamples for n in c.invariants}
    with pytest.raises(PlanSafetyError, match="safety invariant 17"):
        recommend(
            {
                "condition": "diabetic_neuropathy",
                "hypersensitivity": "none",
                "tolerance": {"minutes": 10, "pressure": 2},
                "sessions_completed": 3,
                "physician_consulted": True,
            },
            rulebase=load_quietly(path),
        )


def test_in_course_consult_advice_is_judged_by_its_rules_not_its_words(tmp_path: Path) -> None:
    """Invariant 5 from structure: advice whose words never say "first session"
    still breaks it in a course when a rule behind it also fires before one;
    the built-in in-course rule, which cannot, keeps it."""
    client = {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "none",
        "tolerance": {"minutes": 60, "pressure": 2},
        "sessions_completed": 3,
        "physician_consulted": False,
        **ANSWERED_NONE,
    }
    builtin = recommend(client)
    (advice,) = [a for a in builtin.advice if a.code.value == "consult_physician"]
    assert advice.reasons == ("consult-physician-during-course",)
    path = tmp_path / "same-words.yaml"
    path.write_text(
        "rules:\n"
        "  - id: consult-physician-during-course\n"
        "    title: The same words for every client\n"
        "    replaces: true\n"
        "    when: {physician_consulted: false}\n"
        "    then: [{advise: consult_physician, text: Talk to your doctor about massage.}]\n"
        "    because: The clinic says the same to every client.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanSafetyError, match="safety invariant 5") as raised:
        recommend(client, rulebase=load_quietly(path))
    assert "also fire at a first session" in str(raised.value)
    assert "consult-physician-during-course" in str(raised.value)
    first = recommend({**client, "sessions_completed": 0}, rulebase=load_quietly(path))
    assert [h.code.value for h in first.holds] == ["consult_physician"]


@pytest.mark.parametrize(
    ("clinic", "medicines", "says"),
    [
        ("step-up-on-opioids", ["opioid"], "no step up"),
        ("steroid-skin-as-usual", ["steroid"], "no restriction of friction covers"),
        ("cold-packs-on-oxaliplatin", ["oxaliplatin"], "the avoid_cold advice is missing"),
        ("medicines-question-alone", None, "while medicines are not asked about"),
    ],
)
def test_a_clinic_that_ignores_a_medicine_is_refused(
    clinic: str, medicines: list[str] | None, says: str
) -> None:
    """Invariant 26: each medicine's change to the session is kept whatever the
    clinic's rules say; without it, no plan."""
    client = {
        "condition": "chemotherapy_induced_neuropathy",
        "hypersensitivity": "none",
        "tolerance": {"minutes": 60, "pressure": 1},
        "sessions_completed": 5,
        "physician_consulted": True,
        **ANSWERED_NONE,
        "medications": medicines,
    }
    with pytest.raises(PlanSafetyError, match="safety invariant 26") as raised:
        recommend(client, rulebase=clinic_rulebase(frozenset({clinic})))
    assert says in str(raised.value)
    recommend(client)  # the built-in rules keep it


@pytest.mark.parametrize(
    ("clinic", "reaction", "says"),
    [
        ("press-on-after-a-flare", "flare", "after a flare: a level lighter"),
        ("step-up-after-soreness", "sore", "after soreness: no step up"),
        ("two-steps-after-a-fine-session", "fine", "after a fine session (at most 3)"),
    ],
)
def test_a_clinic_that_ignores_the_last_reaction_is_refused(
    clinic: str, reaction: str, says: str
) -> None:
    """Invariant 24: the reaction decides the step whatever the clinic's rules say."""
    client = {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "none",
        "tolerance": {"minutes": 60, "pressure": 4},
        "sessions_completed": 5,
        "physician_consulted": True,
        **ANSWERED_NONE,
        "last_session": {"pressure": 2, "minutes": 45, "reaction": reaction},
    }
    with pytest.raises(PlanSafetyError, match="safety invariant 24") as raised:
        recommend(client, rulebase=clinic_rulebase(frozenset({clinic})))
    assert says in str(raised.value)
    kept = recommend(client)  # the built-in rules keep it
    assert kept.pressure == {"flare": 1, "sore": 2, "fine": 3}[reaction]
