"""The contract (version 2), stated by the tests in their own words.

Each function asserts one invariant of ../shared/CONTRACT.md about one plan.
They deliberately share no code with ``massageplan._invariants``: a bug in
the library's checker must not hide a broken plan here.
"""

from __future__ import annotations

from typing import Any

from massageplan import ClientProfile, SessionPlan

NOT_GENTLE = {"trigger_point", "kneading", "friction"}


def at_risk(profile: ClientProfile) -> set[str]:
    return {a.value for a in profile.swelling} | {a.value for a in profile.fragile_tissue}


def technique_name(item: Any) -> str:
    value = item.technique if hasattr(item, "technique") else item.name
    return str(getattr(value, "value", value))


def safety_1_no_friction(profile: ClientProfile, plan: SessionPlan) -> None:
    """Each swollen or fragile area is covered by a restriction of friction,
    and no friction technique lists it."""
    forbidden = {
        area.value
        for r in plan.restrictions
        if technique_name(r) in ("friction", "all") and r.max_pressure is None
        for area in r.areas
    }
    assert at_risk(profile) <= forbidden, "an at-risk area lacks a friction restriction"
    for t in plan.techniques:
        if t.name.value == "friction":
            assert not at_risk(profile) & {a.value for a in t.areas}


def safety_2_only_gentle(profile: ClientProfile, plan: SessionPlan) -> None:
    """No technique that lists a swollen or fragile area is trigger point,
    kneading or friction, or has a max_pressure above 2."""
    for t in plan.techniques:
        if at_risk(profile) & {a.value for a in t.areas}:
            assert t.name.value not in NOT_GENTLE, f"{t.name.value} on an at-risk area"
            assert t.max_pressure <= 2, f"{t.name.value} at {t.max_pressure} on an at-risk area"


def safety_3_visits(profile: ClientProfile, plan: SessionPlan) -> None:
    """No visit is longer than tolerance.minutes; without a hold, at least one visit."""
    assert all(v.minutes <= profile.tolerance.minutes for v in plan.visits)
    if not plan.holds:
        assert plan.visits, "a plan without a hold has no visit"


def safety_4_gradual_pressure(profile: ClientProfile, plan: SessionPlan) -> None:
    tolerated = profile.tolerance.pressure
    if tolerated is None:
        assert plan.pressure <= 2
    else:
        assert plan.pressure <= tolerated + 1
    if profile.sessions_completed == 0 and profile.hypersensitivity.value in (
        "moderate",
        "severe",
    ):
        assert plan.pressure == 1
    assert all(t.max_pressure <= plan.pressure for t in plan.techniques)


def safety_5_doctor_first(profile: ClientProfile, plan: SessionPlan) -> None:
    if profile.physician_consulted:
        return
    consult = [a for a in plan.advice if a.code.value == "consult_physician"]
    assert consult, "no consult_physician advice"
    if profile.sessions_completed == 0:
        assert "consult_physician" in {h.code.value for h in plan.holds}
    else:
        # Worded for a client already in a course: not "before your first session".
        assert all("first session" not in a.text.lower() for a in consult)


def safety_6_cited(plan: SessionPlan) -> None:
    listed = [s.id for s in plan.sources]
    assert len(listed) == len(set(listed)), "a source is listed twice"
    cited: set[str] = set()
    items: list[Any] = [
        *plan.holds,
        *plan.visits,
        *plan.techniques,
        *plan.restrictions,
        *plan.advice,
    ]
    for item in items:
        assert item.reasons, f"uncited item {item}"
        for reason in item.reasons:
            assert reason.rule_id in plan.fired_rules
            assert reason.text.strip()
            assert reason.severity.value in ("info", "warning", "critical")
            assert reason.sources
            assert set(reason.sources) <= set(listed)
            cited |= set(reason.sources)
    for reason in plan.pressure_reasons:
        cited |= set(reason.sources)
    assert cited == set(listed), "a listed source is never cited"
    for source in plan.sources:
        assert source.kind.value in (
            "article",
            "reference",
            "literature",
            "project_default",
            "clinic",
        )
        assert source.title
        assert source.publisher
        if source.kind.value == "project_default":
            assert "choice" in source.title.lower(), "a project default must say it is one"


def _no_work_on(areas: set[str], plan: SessionPlan) -> None:
    banned = {
        a.value
        for r in plan.restrictions
        if technique_name(r) == "all" and r.max_pressure is None
        for a in r.areas
    }
    assert areas <= banned, "an area lacks a restriction of all work"
    for t in plan.techniques:
        assert not areas & {a.value for a in t.areas}, f"{t.name.value} on a no-work area"


def safety_7_no_work_on_wounds(profile: ClientProfile, plan: SessionPlan) -> None:
    _no_work_on({a.value for a in profile.wounds}, plan)


def safety_8_numb_areas(profile: ClientProfile, plan: SessionPlan) -> None:
    numb = {a.value for a in profile.numb_areas}
    for t in plan.techniques:
        if numb & {a.value for a in t.areas}:
            assert t.name.value != "trigger_point"
            assert t.max_pressure <= 2


def safety_9_injection_sites(profile: ClientProfile, plan: SessionPlan) -> None:
    _no_work_on({a.value for a in profile.injection_sites}, plan)
    if profile.injection_sites:
        assert "watch_blood_sugar" in {a.code.value for a in plan.advice}


def safety_10_clearance_after_a_clot(profile: ClientProfile, plan: SessionPlan) -> None:
    if profile.clot_history and not profile.physician_consulted:
        assert "physician_clearance" in {h.code.value for h in plan.holds}


def all_safety(profile: ClientProfile, plan: SessionPlan) -> None:
    safety_1_no_friction(profile, plan)
    safety_2_only_gentle(profile, plan)
    safety_3_visits(profile, plan)
    safety_4_gradual_pressure(profile, plan)
    safety_5_doctor_first(profile, plan)
    safety_6_cited(plan)
    safety_7_no_work_on_wounds(profile, plan)
    safety_8_numb_areas(profile, plan)
    safety_9_injection_sites(profile, plan)
    safety_10_clearance_after_a_clot(profile, plan)
