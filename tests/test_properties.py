"""The contract's safety properties, as properties over generated profiles.

Each property is written out here from the contract's words rather than by
calling the library's own checker, so a bug there cannot hide one here.
"""

from __future__ import annotations

from typing import Any

import pydantic
from hypothesis import given
from hypothesis import strategies as st

from massageplan import ClientProfile, SessionPlan, TechniqueName, recommend
from tests.strategies import json_like, near_profiles, profile_dicts, profiles


def plan_for(profile: ClientProfile) -> SessionPlan:
    return recommend(profile)


@given(profiles)
def test_1_no_friction_on_swollen_or_fragile_areas(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    at_risk = set(profile.swelling) | set(profile.fragile_tissue)
    restricted = {
        area
        for restriction in plan.restrictions
        if restriction.technique is TechniqueName.FRICTION
        for area in restriction.areas
    }
    assert at_risk <= restricted
    for technique in plan.techniques:
        if technique.name is TechniqueName.FRICTION:
            assert not at_risk & set(technique.areas)


@given(profiles)
def test_2_visits_within_tolerance_and_an_hour_a_week(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    minutes = [visit.minutes for visit in plan.visits]
    assert minutes, "every plan schedules the week"
    assert all(m <= profile.tolerance.minutes for m in minutes)
    assert sum(minutes) <= 60
    if profile.tolerance.minutes >= 60:
        assert minutes == [60]


@given(profiles)
def test_3_pressure_rises_gradually(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    if profile.hypersensitivity.value != "none":
        assert plan.pressure <= (profile.tolerance.pressure or 0) + 1
    if profile.hypersensitivity.value in ("moderate", "severe") and profile.sessions_completed == 0:
        assert plan.pressure == 1


@given(profiles)
def test_4_no_technique_above_the_plan_pressure(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    assert all(t.max_pressure <= plan.pressure for t in plan.techniques)


@given(profiles)
def test_5_consult_physician_before_the_first_session(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    if profile.sessions_completed == 0 and not profile.physician_consulted:
        assert "consult_physician" in {a.code.value for a in plan.advice}


@given(profiles)
def test_6_every_item_is_cited(profile: ClientProfile) -> None:
    plan = plan_for(profile)
    builtin_sources = {f"ref{n}" for n in range(1, 9)} | {"article"}
    items: list[Any] = [*plan.visits, *plan.techniques, *plan.restrictions, *plan.advice]
    for item in items:
        assert item.reasons
        for reason in item.reasons:
            assert reason.rule_id in plan.fired_rules
            assert reason.text.strip()
            assert reason.sources
            for source in reason.sources:
                assert source.id in builtin_sources
                assert source.title
                assert source.publisher
                assert source.url


@given(profile_dicts())
def test_same_profile_same_json_bytes(data: dict[str, Any]) -> None:
    first = recommend(data).model_dump_json()
    assert recommend(ClientProfile.model_validate(data)).model_dump_json() == first
    assert recommend(dict(reversed(list(data.items())))).model_dump_json() == first


@given(st.one_of(json_like, near_profiles()))
def test_only_validation_errors_escape_for_bad_input(data: Any) -> None:
    try:
        plan = recommend(data)
    except pydantic.ValidationError:
        return
    # Whatever was accepted was a valid profile and gave a complete plan.
    assert isinstance(plan, SessionPlan)
    ClientProfile.model_validate(data)
