"""One end-to-end test per guidance point of the article, with its citation."""

from __future__ import annotations

from typing import Any

import pytest

from massageplan import Reason, SessionPlan, recommend

BASE: dict[str, Any] = {
    "condition": "peripheral_neuropathy",
    "hypersensitivity": "none",
    "tolerance": {"minutes": 60, "pressure": 3},
    "sessions_completed": 4,
    "physician_consulted": True,
}


def plan(**changes: Any) -> SessionPlan:
    return recommend({**BASE, **changes})


def cited(reasons: tuple[Reason, ...], rule_id: str, *source_ids: str) -> bool:
    return any(
        r.rule_id == rule_id and set(source_ids) <= {s.id for s in r.sources} for r in reasons
    )


def advice(p: SessionPlan, code: str) -> tuple[Reason, ...]:
    matches = [a for a in p.advice if a.code.value == code]
    assert matches, f"no {code!r} advice in {[a.code.value for a in p.advice]}"
    return matches[0].reasons


def test_technique_mix_swedish_trigger_point_kneading_ref1() -> None:
    techniques = {t.name.value: t for t in plan().techniques}
    assert {"swedish", "trigger_point", "kneading"} <= set(techniques)
    for name in ("swedish", "trigger_point", "kneading"):
        assert cited(techniques[name].reasons, "technique-mix", "ref1")
    # Swedish work is the gentler part, trigger points the deeper.
    assert techniques["swedish"].max_pressure < techniques["trigger_point"].max_pressure
    assert {a.value for a in techniques["kneading"].areas} == {
        "forearms",
        "hands",
        "lower_legs",
        "feet",
    }


def test_pain_relief_evidence_ref2() -> None:
    assert cited(advice(plan(), "pain_relief_evidence"), "pain-relief-evidence", "ref2")


def test_cipn_case_report_refs_2_and_3_only_for_cipn() -> None:
    reasons = advice(plan(condition="chemotherapy_induced_neuropathy"), "cipn_evidence")
    assert cited(reasons, "cipn-case-report", "ref2", "ref3")
    assert "cipn_evidence" not in {a.code.value for a in plan().advice}


def test_benefits_refs_4_and_5() -> None:
    p = plan()
    reasons = advice(p, "expected_benefits")
    assert cited(reasons, "expected-benefits", "ref4", "ref5")
    text = next(a.text for a in p.advice if a.code.value == "expected_benefits")
    for benefit in ("anxiety", "stress", "flexibility", "range of motion", "relaxed", "sleep"):
        assert benefit in text


@pytest.mark.parametrize("level", ["mild", "moderate", "severe"])
def test_hypersensitivity_experienced_therapist_ref6(level: str) -> None:
    assert cited(
        advice(plan(hypersensitivity=level), "experienced_therapist"),
        "experienced-therapist",
        "ref6",
    )
    assert "experienced_therapist" not in {a.code.value for a in plan().advice}


def test_pressure_raised_one_level_at_a_time_ref6() -> None:
    steps = [
        plan(hypersensitivity="mild", tolerance={"minutes": 60, "pressure": tolerated}).pressure
        for tolerated in (1, 2, 3)
    ]
    assert steps == [2, 3, 4]  # one above the tolerated level, up to the target (firm)
    p = plan(hypersensitivity="mild", tolerance={"minutes": 60, "pressure": 1})
    assert cited(p.pressure_reasons, "gradual-pressure", "ref6")


def test_pressure_unknown_starts_at_level_1() -> None:
    p = plan(hypersensitivity="mild", tolerance={"minutes": 60, "pressure": None})
    assert p.pressure == 1


@pytest.mark.parametrize("level", ["moderate", "severe"])
def test_marked_hypersensitivity_first_session_at_level_1(level: str) -> None:
    p = plan(hypersensitivity=level, sessions_completed=0, tolerance={"minutes": 60, "pressure": 4})
    assert p.pressure == 1
    assert cited(p.pressure_reasons, "very-light-first-session", "ref6")
    assert all(t.max_pressure == 1 for t in p.techniques)


def test_no_hypersensitivity_goes_to_the_target_pressure() -> None:
    assert plan(tolerance={"minutes": 60, "pressure": 1}).pressure == 4


def test_one_sixty_minute_session_a_week_ref7() -> None:
    p = plan()
    assert [v.minutes for v in p.visits] == [60]
    assert cited(p.visits[0].reasons, "weekly-session", "ref7")


@pytest.mark.parametrize(
    ("tolerated", "expected"),
    [
        (59, [30, 30]),
        (45, [30, 30]),
        (30, [30, 30]),
        (25, [20, 20, 20]),
        (20, [20, 20, 20]),
        (10, [10, 10, 10]),
        (5, [5, 5, 5]),
    ],
)
def test_shorter_split_sessions_ref8(tolerated: int, expected: list[int]) -> None:
    p = plan(tolerance={"minutes": tolerated, "pressure": 3})
    assert [v.minutes for v in p.visits] == expected
    assert cited(p.visits[0].reasons, "split-sessions", "ref8")
    assert cited(advice(p, "slower_progress_with_shorter_sessions"), "split-sessions", "ref8")


def test_no_split_advice_when_an_hour_is_tolerated() -> None:
    codes = {a.code.value for a in plan(tolerance={"minutes": 90, "pressure": 3}).advice}
    assert "slower_progress_with_shorter_sessions" not in codes


def test_talk_to_the_doctor_before_the_first_session() -> None:
    p = plan(sessions_completed=0, physician_consulted=False)
    assert cited(advice(p, "consult_physician"), "consult-physician", "article")
    assert "consult_physician" not in {a.code.value for a in plan().advice}


def test_keep_the_standard_treatment_and_disclose_history() -> None:
    p = plan()
    assert cited(advice(p, "continue_standard_treatment"), "continue-standard-treatment", "article")
    assert cited(advice(p, "disclose_medical_history"), "disclose-medical-history", "article")
    assert "supplement" in next(
        a.text for a in p.advice if a.code.value == "continue_standard_treatment"
    )


def test_no_friction_on_fragile_tissue() -> None:
    p = plan(fragile_tissue=["lower_legs", "forearms"])
    (restriction,) = p.restrictions
    assert restriction.technique.value == "friction"
    assert {a.value for a in restriction.areas} == {"lower_legs", "forearms"}
    assert cited(restriction.reasons, "no-friction-on-fragile-tissue", "article")
    assert "bruising" in restriction.reasons[0].text


def test_no_friction_on_swollen_areas_merged_with_fragile() -> None:
    p = plan(swelling=["feet", "ankles"], fragile_tissue=["feet"])
    (restriction,) = p.restrictions
    assert [a.value for a in restriction.areas] == ["ankles", "feet"]
    rule_ids = {r.rule_id for r in restriction.reasons}
    assert rule_ids == {"no-friction-on-swelling", "no-friction-on-fragile-tissue"}


def test_no_restrictions_without_swelling_or_fragile_tissue() -> None:
    assert plan().restrictions == ()


def test_quotes_are_the_articles_words() -> None:
    p = plan(
        hypersensitivity="severe",
        sessions_completed=0,
        physician_consulted=False,
        swelling=["feet"],
        fragile_tissue=["hands"],
        tolerance={"minutes": 20},
    )
    items: list[Any] = [*p.techniques, *p.advice, *p.restrictions, *p.visits]
    reasons = [r for item in items for r in item.reasons]
    assert all(r.quote for r in reasons)


def test_readme_example() -> None:
    p = recommend(
        {
            "condition": "diabetic_neuropathy",
            "hypersensitivity": "moderate",
            "swelling": ["feet"],
            "tolerance": {"minutes": 30, "pressure": None},
        }
    )
    assert p.pressure == 1
    assert [v.minutes for v in p.visits] == [30, 30]
    assert p.restrictions[0].technique.value == "friction"
