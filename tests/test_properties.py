"""The contract's invariants, as hypothesis properties over generated profiles.

Each invariant is stated in ``tests/contract.py`` from the contract's words,
not by calling the library's own checker, so a bug there cannot hide one here.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from typing import Any

import pydantic
from hypothesis import given, settings
from hypothesis import strategies as st

from massageplan import (
    ClientProfile,
    LastSession,
    PlanSafetyError,
    Reaction,
    Rulebase,
    SessionPlan,
    load_rulebase,
    recommend,
)
from massageplan.plan.build import Parts
from massageplan.plan.course import project_course
from massageplan.plan.recommend import build_plan, fired_rules
from massageplan.render.text import render_text
from massageplan.rules.load import builtin_rules_dir
from tests import contract
from tests.strategies import (
    ANSWERED_NONE,
    at_first_session,
    clinic_choices,
    clinic_rulebase,
    every_operator_rulebase,
    json_like,
    near_profiles,
    profile_dicts,
    profiles,
    screened,
)


@given(screened)
def test_safety_1_no_friction_on_swollen_or_fragile_areas(profile: ClientProfile) -> None:
    contract.safety_1_no_friction(profile, recommend(profile))


@given(screened)
def test_safety_2_only_gentle_work_on_swollen_or_fragile_tissue(profile: ClientProfile) -> None:
    contract.safety_2_only_gentle(profile, recommend(profile))


@given(screened)
def test_safety_3_visits_within_tolerance(profile: ClientProfile) -> None:
    contract.safety_3_visits(profile, recommend(profile))


@given(screened)
def test_safety_4_gradual_pressure_for_every_client(profile: ClientProfile) -> None:
    contract.safety_4_gradual_pressure(profile, recommend(profile))


@given(screened)
def test_safety_5_doctor_first(profile: ClientProfile) -> None:
    contract.safety_5_doctor_first(profile, recommend(profile), at_first_session(profile))


@given(screened)
def test_safety_6_every_item_cited_with_an_honest_kind(profile: ClientProfile) -> None:
    contract.safety_6_cited(recommend(profile))


@settings(max_examples=60, deadline=None)  # the first call loads a rulebase
@given(clinic_choices, screened)
def test_every_rulebase_fails_closed(choices: frozenset[str], profile: ClientProfile) -> None:
    """Any clinic rulebase gives a plan that keeps every safety invariant, or an error."""
    rulebase = clinic_rulebase(choices)
    refused: PlanSafetyError | None = None
    try:
        plan = recommend(profile, rulebase=rulebase)
    except PlanSafetyError as exc:
        refused = exc
    if refused is None:
        contract.all_safety(profile, plan, at_first_session(profile, rulebase))
    else:  # refused, naming invariants of the contract's safety list
        assert refused.violations
        assert refused.invariants
        assert set(refused.invariants) <= contract.SAFETY_NUMBERS


@given(screened)
def test_safety_7_no_work_on_wounds(profile: ClientProfile) -> None:
    contract.safety_7_no_work_on_wounds(profile, recommend(profile))


@given(screened)
def test_safety_8_light_work_and_no_trigger_points_on_numb_areas(profile: ClientProfile) -> None:
    contract.safety_8_numb_areas(profile, recommend(profile))


@given(screened)
def test_safety_9_no_work_on_injection_sites_and_watch_blood_sugar(
    profile: ClientProfile,
) -> None:
    contract.safety_9_injection_sites(profile, recommend(profile))


@given(screened)
def test_safety_10_clearance_after_a_clot(profile: ClientProfile) -> None:
    contract.safety_10_clearance_after_a_clot(profile, recommend(profile))


@given(screened)
def test_safety_11_a_clot_or_blood_thinners_limit_the_hips_and_legs(
    profile: ClientProfile,
) -> None:
    contract.safety_11_clot_risk(profile, recommend(profile))


@given(screened)
def test_safety_12_light_work_in_chemotherapy_and_none_on_a_port(profile: ClientProfile) -> None:
    contract.safety_12_chemotherapy(profile, recommend(profile))


@given(screened)
def test_safety_13_wounds_referred_restrictions_agree_no_empty_hour(
    profile: ClientProfile,
) -> None:
    contract.safety_13_wounds_and_agreeing_restrictions(profile, recommend(profile))


@given(screened)
def test_safety_14_no_technique_below_its_level(profile: ClientProfile) -> None:
    contract.safety_14_technique_levels(recommend(profile))


@given(screened)
def test_safety_15_the_client_view_shows_every_hold(profile: ClientProfile) -> None:
    plan = recommend(profile)
    view = render_text(plan, profile, audience="client")
    contract.safety_15_client_view_shows_holds(plan, view)


def check_course(
    profile: ClientProfile, weeks: int, gain: int, rulebase: Rulebase | None, may_refuse: bool
) -> None:
    """Each week's plan, made for the client as the course's assumptions say
    they are that week, keeps every invariant and is the week the course shows."""
    refused: PlanSafetyError | None = None
    try:
        course = project_course(profile, weeks, minutes_gain=gain, rulebase=rulebase)
    except PlanSafetyError as exc:  # an unsafe clinic rulebase: refused, never a course
        refused = exc
    if refused is not None:
        assert may_refuse, f"the built-in rules made an unsafe course: {refused}"
        assert set(refused.invariants) <= contract.SAFETY_NUMBERS
        return
    contract.safety_16_course(profile, course)
    contract.safety_27_good_weeks(profile, course)
    tolerated = profile.tolerance.pressure
    last = profile.last_session
    before: int | None = None  # last week's minutes
    for week in course.weeks:
        # As the assumptions say: sessions done so far, the client fine after
        # the last of them, last week's pressure tolerated, and the session
        # length grown by ``gain`` a week.
        minutes = min(180, profile.tolerance.minutes + gain * (week.week - 1))
        client = profile.model_copy(
            update={
                "sessions_completed": profile.sessions_completed
                + sum(len(w.visits) for w in course.weeks[: week.week - 1]),
                "tolerance": profile.tolerance.model_copy(
                    update={"minutes": minutes, "pressure": tolerated}
                ),
                "last_session": last,
            }
        )
        plan = recommend(client, rulebase=rulebase)
        contract.all_safety(client, plan, at_first_session(client, rulebase))
        planned = tuple(v.minutes for v in plan.visits)
        if week.visits != planned:  # the course's pace held the week's time lower
            assert before is not None
            assert sum(week.visits) <= before + 15 < sum(planned)
            assert all(v <= p for v, p in zip(week.visits, planned, strict=False))
        if week.pressures:
            # The plan's pressure, or less where the course's pace of a level a
            # week holds it lower; tolerated, so next week may go higher.
            assert week.pressures[0] <= plan.pressure
            tolerated = max(tolerated or 0, week.pressures[0])
            last = LastSession(
                pressure=week.pressures[-1], minutes=week.visits[-1], reaction=Reaction.FINE
            )
            before = sum(week.visits)


@settings(deadline=None)  # a course is a plan per visit
@given(screened, st.integers(1, 8), st.integers(0, 30))
def test_safety_16_every_week_of_a_course(profile: ClientProfile, weeks: int, gain: int) -> None:
    check_course(profile, weeks, gain, None, may_refuse=False)


@settings(max_examples=40, deadline=None)
@given(clinic_choices.filter(bool), screened, st.integers(1, 8), st.integers(0, 30))
def test_safety_16_every_week_of_a_clinics_course(
    choices: frozenset[str], profile: ClientProfile, weeks: int, gain: int
) -> None:
    check_course(profile, weeks, gain, clinic_rulebase(choices), may_refuse=True)


@given(screened)
def test_safety_17_no_split_visit_under_15_minutes(profile: ClientProfile) -> None:
    contract.safety_17_no_short_split(profile, recommend(profile))


@given(screened)
def test_safety_18_unknown_is_not_none(profile: ClientProfile) -> None:
    contract.safety_18_unknown_is_not_none(profile, recommend(profile))


@functools.cache
def _article_rules_alone() -> Rulebase:
    """The built-in rule files that encode the article, without the screening ones."""
    folder = builtin_rules_dir()
    # 25: the article's gradual ramp, stepped by the client's reaction to the last session.
    files = sorted([*folder.glob("[1-5]0-*.yaml"), *folder.glob("25-*.yaml")])
    assert files, "the article's rule files are not where the test looks"
    with tempfile.TemporaryDirectory() as copy:
        for path in [folder / "sources.yaml", folder / "article.sentences", *files]:
            shutil.copy(path, copy)
        return load_rulebase(copy)


def _answered_none(profile: ClientProfile) -> ClientProfile:
    return ClientProfile.model_validate({**profile.model_dump(), **ANSWERED_NONE})


@given(profiles)
def test_every_screening_answer_none_gives_the_articles_full_plan(profile: ClientProfile) -> None:
    """Every screening question answered "none" asks nothing more, and limits
    nothing beyond what the article's own rules give."""
    answered = _answered_none(profile)
    plan = recommend(answered)
    rules = _article_rules_alone()  # unchecked: alone they break invariant 19
    article = build_plan(answered, fired_rules(answered, rules), rules)
    assert plan.questions == ()
    for part in ("visits", "pressure", "techniques", "restrictions", "advice"):
        assert getattr(plan, part) == getattr(article, part), part
    # Invariant 19 holds for every client: swelling beyond the feet, ankles
    # and lower legs waits for the doctor. It is the only hold added.
    beyond = {a.value for a in profile.swelling} - {"lower_legs", "ankles", "feet"}
    added = {h.code.value for h in plan.holds} - {h.code.value for h in article.holds}
    assert added == (
        {"physician_clearance"} if beyond and not profile.physician_consulted else set()
    )


@given(screened)
def test_safety_20_no_kneading_heat_or_cold_on_numb_areas(profile: ClientProfile) -> None:
    contract.safety_20_numb_areas(profile, recommend(profile))


@given(screened)
def test_safety_19_swelling_is_questioned(profile: ClientProfile) -> None:
    contract.safety_19_swelling_questioned(profile, recommend(profile))


@given(screened)
def test_safety_21_bleeding_risk(profile: ClientProfile) -> None:
    contract.safety_21_bleeding_risk(profile, recommend(profile))


@given(screened)
def test_safety_23_ports_always_and_injections_asked(profile: ClientProfile) -> None:
    contract.safety_23_ports_and_injections(profile, recommend(profile))


@given(screened)
def test_safety_25_gentle_where_touch_hurts(profile: ClientProfile) -> None:
    contract.safety_25_where_touch_hurts(profile, recommend(profile))


@given(screened)
def test_safety_26_medicines_change_the_session(profile: ClientProfile) -> None:
    contract.safety_26_medicines(profile, recommend(profile))


@given(screened)
def test_safety_22_a_first_session_is_gentle(profile: ClientProfile) -> None:
    contract.safety_22_first_session_gentle(profile, recommend(profile))


# ------------------------------------------------- article conformance (built-in)


@given(screened)
def test_article_one_60_minute_visit_when_tolerated(profile: ClientProfile) -> None:
    # After a flare, no visit is longer than the last session (invariant 24).
    last = profile.last_session
    after_a_flare = last is not None and last.reaction.value == "flare" and last.minutes < 60
    if profile.tolerance.minutes >= 60 and not after_a_flare:
        assert [v.minutes for v in recommend(profile).visits] == [60]


@given(screened)
def test_article_shorter_visits_within_an_hour(profile: ClientProfile) -> None:
    plan = recommend(profile)
    if profile.tolerance.minutes < 60:
        minutes = [v.minutes for v in plan.visits]
        assert minutes
        assert all(m <= profile.tolerance.minutes for m in minutes)
        assert sum(minutes) <= 60
        assert "slower_progress_with_shorter_sessions" in {a.code.value for a in plan.advice}


@given(screened)
def test_article_guidance_points_where_they_apply(profile: ClientProfile) -> None:
    plan = recommend(profile)
    codes = {a.code.value for a in plan.advice}
    assert {"continue_standard_treatment", "disclose_medical_history"} <= codes
    assert ("experienced_therapist" in codes) == (profile.hypersensitivity.value != "none")
    off_limits = {
        area.value
        for r in plan.restrictions
        if str(getattr(r.technique, "value", r.technique)) == "all" and r.max_pressure is None
        for area in r.areas
    }
    if len(off_limits) < 16:  # some area may be worked on
        assert "swedish" in {t.name.value for t in plan.techniques}
    if not profile.physician_consulted:
        assert "consult_physician" in codes


# ------------------------------------------------------------ determinism, input


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


def _rulebase(choices: frozenset[str] | str) -> Rulebase:
    return every_operator_rulebase() if choices == "operators" else clinic_rulebase(choices)


@settings(max_examples=300, deadline=None)  # the first call loads a rulebase
@given(st.one_of(clinic_choices, st.just("operators")), screened)
def test_memoised_and_direct_evaluation_give_identical_plans(
    choices: frozenset[str] | str, profile: ClientProfile
) -> None:
    """recommend() makes plans part by part, each part kept by the fired rules
    that add to it and the inputs they read; a plan made in one piece, every
    effect applied to one builder with every input, is the same plan."""
    rulebase = _rulebase(choices)
    # Direct: the engine asked about whole rules, every item made afresh.
    direct = build_plan(profile, fired_rules(profile, rulebase, memo=False), rulebase, Parts())
    memoised = build_plan(profile, fired_rules(profile, rulebase), rulebase)
    assert memoised.model_dump_json() == direct.model_dump_json()
    # recommend() keeps plans by their inputs and safe results by profile: twice,
    # so that the second call is answered from what the first kept.
    for _ in range(2):
        try:
            kept = recommend(profile, rulebase=rulebase)
        except PlanSafetyError:
            continue
        assert kept.model_dump_json() == direct.model_dump_json()


def test_plans_share_the_items_they_have_in_common() -> None:
    base = {"condition": "diabetic_neuropathy", "hypersensitivity": "mild", "swelling": ["feet"]}
    one = recommend({**base, "tolerance": {"minutes": 60, "pressure": 3}})
    other = recommend({**base, "tolerance": {"minutes": 30, "pressure": 3}})
    assert one.visits != other.visits
    for name in ("restrictions", "advice"):
        mine, theirs = getattr(one, name), getattr(other, name)
        shared = [a for a in mine if any(a is b for b in theirs)]
        assert shared, f"no {name} item is shared"


@settings(max_examples=150, deadline=None)  # the first call loads a rulebase
@given(st.one_of(clinic_choices, st.just("operators")), profiles)
def test_every_plan_is_what_validating_it_would_make(
    choices: frozenset[str] | str, profile: ClientProfile
) -> None:
    # Plans are assembled from validated parts without validating the whole
    # again (so that they can share tuples); here every one is validated.
    rulebase = _rulebase(choices)
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase)
    assert SessionPlan.model_validate(dict(plan)) == plan
    text = plan.model_dump_json()
    assert SessionPlan.model_validate_json(text).model_dump_json() == text


@settings(max_examples=150, deadline=None)  # the first call loads a rulebase
@given(st.one_of(clinic_choices, st.just("operators")), screened)
def test_each_reason_once_in_a_plans_json(
    choices: frozenset[str] | str, profile: ClientProfile
) -> None:
    """Contract v3: every cited id resolves, and no reason text, quote or
    source entry appears twice in the plan's JSON (unsafe plans included:
    their shape is the builder's, before any check)."""
    rulebase = _rulebase(choices)
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase)
    text = plan.model_dump_json()
    data = json.loads(text)
    keys = [r["rule_id"] for r in data["reasons"]]
    assert len(keys) == len(set(keys))
    parts = ("holds", "questions", "visits", "techniques", "restrictions", "advice", "protocol")
    items = [data[name] for name in parts]
    cited = {key for group in items for item in group for key in item["reasons"]}
    cited |= set(data["pressure_reasons"])
    assert cited == set(keys), "a cited id does not resolve, or a reason is listed uncited"
    for reason in data["reasons"]:
        for said in (reason["text"], reason["quote"]):
            if said is not None:
                assert text.count(json.dumps(said, ensure_ascii=False)) == 1, said
    for source in data["sources"]:
        entry = json.dumps(source, ensure_ascii=False, separators=(",", ":"))
        assert text.count(entry) == 1, source["id"]
