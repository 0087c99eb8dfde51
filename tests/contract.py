"""The contract (version 4's safety invariants 1 to 23, 25 and 26), stated by the tests
in their own words.

Each function asserts one invariant of ../shared/CONTRACT.md about one plan.
They deliberately share no code with ``massageplan.plan.invariants``: a bug in
the library's checker must not hide a broken plan here.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Any

from massageplan import BodyArea, ClientProfile, SessionPlan

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
    everywhere = not profile.hypersensitive_areas  # else tolerance decides elsewhere (25)
    if (
        everywhere
        and profile.sessions_completed == 0
        and profile.hypersensitivity.value in ("moderate", "severe")
    ):
        assert plan.pressure == 1
    assert all(t.max_pressure <= plan.pressure for t in plan.techniques)


def safety_5_doctor_first(
    profile: ClientProfile, plan: SessionPlan, at_first_session: Collection[str]
) -> None:
    """``at_first_session``: the rules that fire for this same client with no
    sessions completed (the tests ask the engine)."""
    if profile.physician_consulted:
        return
    consult = [a for a in plan.advice if a.code.value == "consult_physician"]
    assert consult, "no consult_physician advice"
    if profile.sessions_completed == 0:
        assert "consult_physician" in {h.code.value for h in plan.holds}
    else:
        # Worded for a client already in a course: by no rule that would also
        # speak to this client before a first session, whatever its words.
        behind = {rule_id for a in consult for rule_id in a.reasons}
        assert not behind & set(at_first_session), "in-course advice from a first-session rule"


def safety_6_cited(plan: SessionPlan) -> None:
    listed = [s.id for s in plan.sources]
    assert len(listed) == len(set(listed)), "a source is listed twice"
    # Version 3: each reason listed once; items cite them by rule id.
    keys = [r.rule_id for r in plan.reasons]
    assert len(keys) == len(set(keys)), "a reason is listed twice"
    items: list[Any] = [
        *plan.holds,
        *plan.questions,
        *plan.visits,
        *plan.techniques,
        *plan.restrictions,
        *plan.advice,
        *plan.protocol,  # version 4, part 2: the session's steps
    ]
    used: set[str] = set(plan.pressure_reasons)
    for item in items:
        assert item.reasons, f"uncited item {item}"
        assert all(isinstance(key, str) for key in item.reasons)
        used |= set(item.reasons)
    assert used == set(keys), "a cited reason is not listed, or a listed one is not cited"
    cited: set[str] = set()
    for reason in plan.reasons:
        assert reason.rule_id in plan.fired_rules
        assert reason.text.strip()
        assert reason.severity.value in ("info", "warning", "critical")
        assert reason.sources
        assert set(reason.sources) <= set(listed)
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


def named(areas: Any) -> set[str]:
    """An area list's areas by name; a list not asked (None) names none."""
    return {a.value for a in areas or ()}


def safety_7_no_work_on_wounds(profile: ClientProfile, plan: SessionPlan) -> None:
    _no_work_on(named(profile.wounds), plan)


def safety_8_numb_areas(profile: ClientProfile, plan: SessionPlan) -> None:
    numb = named(profile.numb_areas)
    for t in plan.techniques:
        if numb & {a.value for a in t.areas}:
            assert t.name.value != "trigger_point"
            assert t.max_pressure <= 2


def safety_9_injection_sites(profile: ClientProfile, plan: SessionPlan) -> None:
    _no_work_on(named(profile.injection_sites), plan)
    # Version 4 (invariant 23): the blood-sugar advice is for a diabetic client.
    if profile.injection_sites and profile.condition.value == "diabetic_neuropathy":
        assert "watch_blood_sugar" in {a.code.value for a in plan.advice}


def safety_10_clearance_after_a_clot(profile: ClientProfile, plan: SessionPlan) -> None:
    if profile.clot_history and not profile.physician_consulted:
        assert "physician_clearance" in {h.code.value for h in plan.holds}


LEGS = {"hips", "thighs", "knees", "lower_legs", "ankles", "feet"}


def _advice(plan: SessionPlan, code: str) -> Any:
    found = [a for a in plan.advice if a.code.value == code]
    assert found, f"no {code} advice"
    return found[0]


def safety_11_clot_risk(profile: ClientProfile, plan: SessionPlan) -> None:
    """Clot history or anticoagulants, even after clearance: no kneading,
    trigger point or friction on hips or legs, pressure at most 2 there;
    critical advice to both audiences on the warning signs."""
    if not (profile.clot_history or profile.on_anticoagulants):
        return
    for t in plan.techniques:
        on_legs = LEGS & {a.value for a in t.areas}
        if on_legs:
            assert t.name.value not in NOT_GENTLE, f"{t.name.value} on {on_legs}"
            assert t.max_pressure <= 2, f"{t.name.value} at {t.max_pressure} on {on_legs}"
    warning = _advice(plan, "clot_warning_signs")
    assert warning.severity.value == "critical"
    assert warning.audience.value == "both"


def safety_12_chemotherapy(profile: ClientProfile, plan: SessionPlan) -> None:
    """On chemotherapy: pressure at most 2 everywhere; nothing on a port site;
    when the port sites are not asked, a question, never a guess."""
    if not profile.on_chemotherapy:
        return
    assert plan.pressure <= 2
    assert all(t.max_pressure <= 2 for t in plan.techniques)
    if profile.port_sites is None:
        assert "port_sites" in {q.code.value for q in plan.questions}, "ports not asked about"
    else:
        _no_work_on(named(profile.port_sites), plan)


def safety_13_wounds_and_agreeing_restrictions(profile: ClientProfile, plan: SessionPlan) -> None:
    """A referral for wounds; restrictions never contradict each other; a plan
    where no area may be worked has a hold, never a booked hour."""
    if profile.wounds:
        _advice(plan, "wound_referral")
    for r in plan.restrictions:
        for other in plan.restrictions:
            if other is r or other.max_pressure is not None:
                continue
            shared = {a.value for a in r.areas} & {a.value for a in other.areas}
            if not shared:
                continue
            # "Nothing at all" beside anything else said of the same area, or
            # "no X" beside "X up to a level" on the same area, contradict.
            assert technique_name(other) != "all", f"{technique_name(r)} on {shared}, banned"
            if r.max_pressure is not None:
                assert technique_name(r) != technique_name(other), f"capped and banned: {shared}"
    if not plan.techniques:
        assert plan.holds, "no technique, and no hold"


def safety_14_technique_levels(plan: SessionPlan) -> None:
    """Kneading needs level 2 or more, trigger point 3 or more, or it is left out."""
    least = {"kneading": 2, "trigger_point": 3}
    for t in plan.techniques:
        assert t.max_pressure >= least.get(t.name.value, 1), f"{t.name.value} at {t.max_pressure}"


def safety_15_client_view_shows_holds(plan: SessionPlan, client_view: str) -> None:
    """Every hold appears in the client's view, in words written to the client."""
    folded = " ".join(client_view.split())
    for hold in plan.holds:
        words = " ".join(hold.client_text.split())
        assert words, f"the {hold.code.value} hold has no client text"
        assert words in folded, f"the client view leaves out the {hold.code.value} hold"
        assert "the client" not in words.lower(), "a hold written about the client, not to them"


def safety_16_course(start: ClientProfile, course: Any) -> None:
    """Every week obeys the invariants; pressure rises by at most one level a
    week and not within a week; every step up cites a project_default source."""
    kinds = {s.id: s.kind.value for s in course.sources}
    reasons = {r.rule_id: r for r in course.reasons}
    assert len(reasons) == len(course.reasons), "a course reason is listed twice"
    previous = None
    for week in course.weeks:
        if not week.pressures:
            continue
        assert len(set(week.pressures)) == 1, f"pressure changes within week {week.week}"
        pressure = week.pressures[0]
        if start.on_chemotherapy or start.on_anticoagulants:
            assert pressure <= 2, f"level {pressure} in week {week.week}"
        if previous is not None:
            assert pressure <= previous + 1, f"a rise of more than a level in week {week.week}"
            if pressure > previous:
                cited = {kinds[s] for key in week.reasons for s in reasons[key].sources}
                assert "project_default" in cited, f"week {week.week}'s step cites no default"
        previous = pressure
        assert all(v <= week.tolerated_minutes for v in week.visits)
        if len(week.visits) > 1:
            assert min(week.visits) >= 15
        if week.week == 1 and start.sessions_completed == 0:
            tolerated = start.tolerance.pressure
            if tolerated is not None:
                assert pressure <= tolerated, f"level {pressure} over {tolerated} in week 1"
            if start.hypersensitivity.value == "severe":
                assert len(week.visits) <= 1, "more than one visit in a severe first week"


def safety_17_no_short_split(profile: ClientProfile, plan: SessionPlan) -> None:
    """No split visit under 15 minutes; under 15 tolerated, one visit a week."""
    minutes = [v.minutes for v in plan.visits]
    if len(minutes) > 1:
        assert min(minutes) >= 15, f"split into {minutes}"
    if profile.tolerance.minutes < 15:
        assert len(minutes) <= 1, f"{minutes} for a tolerance of {profile.tolerance.minutes}"


def safety_20_numb_areas(profile: ClientProfile, plan: SessionPlan) -> None:
    """Numb areas: no kneading or trigger point, nothing above level 2, and the
    advice not to use heat or cold packs there."""
    numb = named(profile.numb_areas)
    if not numb:
        return
    for t in plan.techniques:
        if numb & {a.value for a in t.areas}:
            assert t.name.value not in {"kneading", "trigger_point"}, f"{t.name.value} on numb"
            assert t.max_pressure <= 2, f"{t.name.value} at {t.max_pressure} on numb areas"
    assert "no_heat_or_cold" in {a.code.value for a in plan.advice}, "no heat or cold advice"


HANDS_AND_FEET = {"hands", "feet"}
ARMS_AND_LEGS = {"upper_arms", "forearms", "hands"} | (LEGS - {"hips"})


def _gentle_on(areas: set[str], forbidden: set[str], plan: SessionPlan, why: str) -> None:
    for t in plan.techniques:
        on = areas & {a.value for a in t.areas}
        if on:
            assert t.name.value not in forbidden, f"{t.name.value} on {on} while {why}"
            assert t.max_pressure <= 2, f"{t.name.value} at {t.max_pressure} on {on} while {why}"


def safety_18_unknown_is_not_none(profile: ClientProfile, plan: SessionPlan) -> None:
    """A screening field not asked that matters: its question, and the plan
    for the cautious answer, until it is answered."""
    asked = {q.code.value for q in plan.questions}
    advice = {a.code.value: a for a in plan.advice}
    cipn = profile.condition.value == "chemotherapy_induced_neuropathy"

    def question(field: str) -> None:
        assert field in asked, f"{field} is not asked, and the plan does not ask it"

    if profile.numb_areas is None:
        question("numb_areas")
        _gentle_on(HANDS_AND_FEET, {"kneading", "trigger_point"}, plan, "numbness is not asked")
        assert "no_heat_or_cold" in advice, "no heat or cold advice while numbness is not asked"
    if profile.clot_history is None:
        question("clot_history")
        _gentle_on(LEGS, NOT_GENTLE, plan, "a clot is not asked about")
        warning = _advice(plan, "clot_warning_signs")
        assert (warning.severity.value, warning.audience.value) == ("critical", "both")
    if profile.on_anticoagulants is None and profile.clot_history is not False:
        question("on_anticoagulants")
        assert plan.pressure <= 2, f"level {plan.pressure} while blood thinners are not asked"
    if profile.on_chemotherapy is None and cipn:
        question("on_chemotherapy")
        assert plan.pressure <= 2, f"level {plan.pressure} while chemotherapy is not asked"
    if profile.port_sites is None and profile.on_chemotherapy is not False:
        question("port_sites")
        _no_work_on({"chest", "upper_arms"}, plan)
    if profile.lymphedema_risk is None and cipn:
        question("lymphedema_risk")
        _gentle_on(ARMS_AND_LEGS, NOT_GENTLE, plan, "lymphedema is not asked about")
    if profile.swelling_signs is None and profile.swelling:
        question("swelling_signs")
        _no_work_on(named(profile.swelling), plan)
    if profile.wounds is None:
        question("wounds")
        look = _advice(plan, "check_skin_for_wounds")
        assert (look.severity.value, look.audience.value) == ("critical", "therapist")
    if profile.injection_sites is None and profile.condition.value == "diabetic_neuropathy":
        question("injection_sites")
        _advice(plan, "watch_blood_sugar")


def safety_19_swelling_questioned(profile: ClientProfile, plan: SessionPlan) -> None:
    """One-sided, warm or red, or painful swelling: a same-day check (a hold);
    breathless: emergency services; new, or beyond the lower legs: the doctor
    first; lymphedema risk: light work, and swelling there a lymphedema therapist."""
    swollen = named(profile.swelling)
    signs = {s.value for s in profile.swelling_signs or ()}
    holds = {h.code.value for h in plan.holds}
    if swollen and signs & {"one_sided", "warm_or_red", "painful"}:
        assert "same_day_medical_check" in holds, "no same-day check for such swelling"
    if swollen and "short_of_breath" in signs:
        assert _advice(plan, "call_emergency_services").severity.value == "critical"
    beyond = swollen - {"lower_legs", "ankles", "feet"}
    if swollen and ("new" in signs or beyond) and not profile.physician_consulted:
        assert "physician_clearance" in holds, "new or widespread swelling, and no clearance"
    at_risk = named(profile.lymphedema_risk)
    _gentle_on(at_risk, NOT_GENTLE, plan, "at risk of lymphedema")
    if swollen & at_risk:
        _advice(plan, "lymphedema_therapist")


def safety_21_bleeding_risk(profile: ClientProfile, plan: SessionPlan) -> None:
    """Blood thinners: level 2 at most; low platelets: level 1 and no kneading;
    low white cells: postpone on a fever; chemotherapy: the clot's signs."""
    if profile.on_anticoagulants:
        assert plan.pressure <= 2, f"level {plan.pressure} on blood thinners"
    if profile.low_platelets:
        assert plan.pressure <= 1, f"level {plan.pressure} with low platelets"
        assert "kneading" not in {t.name.value for t in plan.techniques}
    if profile.low_white_cells:
        assert _advice(plan, "postpone_on_fever").severity.value == "critical"
    if profile.on_chemotherapy:
        _advice(plan, "clot_warning_signs")


def safety_23_ports_and_injections(profile: ClientProfile, plan: SessionPlan) -> None:
    """Nothing on a port, in chemotherapy or not; the blood-sugar advice only for
    a diabetic client or one on insulin or a sulfonylurea (version 4, part 2);
    anyone else with injection sites asked what they inject."""
    _no_work_on(named(profile.port_sites), plan)
    diabetic = profile.condition.value == "diabetic_neuropathy"
    if not diabetic:
        if "insulin_or_sulfonylurea" not in medicines(profile):
            assert "watch_blood_sugar" not in {a.code.value for a in plan.advice}
        if profile.injection_sites:
            assert "what_is_injected" in {q.code.value for q in plan.questions}


def safety_22_first_session_gentle(profile: ClientProfile, plan: SessionPlan) -> None:
    """No sessions yet: no pressure above the tolerated; severe: one visit."""
    if profile.sessions_completed != 0:
        return
    tolerated = profile.tolerance.pressure
    if tolerated is not None:
        assert plan.pressure <= tolerated, f"level {plan.pressure} over {tolerated} at first"
    if profile.hypersensitivity.value == "severe":
        assert len(plan.visits) <= 1, f"{len(plan.visits)} visits in a severe first week"


def safety_25_where_touch_hurts(profile: ClientProfile, plan: SessionPlan) -> None:
    """On an area where touch hurts: no kneading, trigger points or friction,
    nothing above 2, and above 1 at the first session."""
    hurts = {a.value for a in profile.hypersensitive_areas or ()}
    ceiling = 1 if profile.sessions_completed == 0 else 2
    for t in plan.techniques:
        if hurts & {a.value for a in t.areas}:
            assert t.name.value not in NOT_GENTLE, f"{t.name.value} where touch hurts"
            assert t.max_pressure <= ceiling, f"level {t.max_pressure} where touch hurts"


def medicines(profile: ClientProfile) -> set[str]:
    return {m.value for m in profile.medications or ()}


def safety_26_medicines(profile: ClientProfile, plan: SessionPlan) -> None:
    """Gabapentin, pregabalin or opioids: no step up, and help getting up;
    steroids: fragile skin everywhere; insulin or a sulfonylurea: the blood
    sugar; oxaliplatin: nothing cold. Not asked: the question, no step up."""
    taken = medicines(profile)
    unasked = profile.medications is None
    tolerated = profile.tolerance.pressure
    if (unasked or taken & {"gabapentinoid", "opioid"}) and tolerated is not None:
        assert plan.pressure <= tolerated, f"level {plan.pressure}: a step up over {tolerated}"
    if unasked:
        assert "medications" in {q.code.value for q in plan.questions}
    if taken & {"gabapentinoid", "opioid"} and plan.techniques:
        assert {"get_up_slowly", "fall_risk"} <= {s.code.value for s in plan.protocol}
    if "steroid" in taken:
        everywhere = {a.value for a in BodyArea}
        no_friction = {
            a.value
            for r in plan.restrictions
            if technique_name(r) in ("friction", "all") and r.max_pressure is None
            for a in r.areas
        }
        assert no_friction == everywhere, "friction is not ruled out everywhere on steroids"
        for t in plan.techniques:
            assert t.name.value not in NOT_GENTLE, f"{t.name.value} on steroid-thinned skin"
            assert t.max_pressure <= 2, f"level {t.max_pressure} on steroid-thinned skin"
    advice = {a.code.value for a in plan.advice}
    if "insulin_or_sulfonylurea" in taken:
        assert "watch_blood_sugar" in advice
    if "oxaliplatin" in taken:
        assert "avoid_cold" in advice


def safety_24_reaction_decides(profile: ClientProfile, plan: SessionPlan) -> None:
    """After a flare a level lighter, no longer, and the doctor if flares
    repeat; after soreness no step up; after a fine session one level at most."""
    last = profile.last_session
    if last is None:
        return
    reaction = last.reaction.value
    if reaction == "flare":
        assert plan.pressure <= max(1, last.pressure - 1), f"level {plan.pressure} after a flare"
        for visit in plan.visits:
            assert visit.minutes <= last.minutes, f"{visit.minutes} minutes after a flare"
        assert "review_repeated_flares" in {a.code.value for a in plan.advice}
    elif reaction == "sore":
        assert plan.pressure <= last.pressure, f"level {plan.pressure}: a step up after soreness"
    else:
        assert plan.pressure <= last.pressure + 1, f"level {plan.pressure}: over one step up"


def safety_27_good_weeks(start: ClientProfile, course: Any) -> None:
    """A projection of good weeks, said so, with the step back stated; a week's
    minutes grow by 15 at most; severe hypersensitivity: a rise every other
    week at most."""
    assert course.reaction_assumed.value == "fine"
    assert any("fine after every session" in a for a in course.assumptions)
    assert "flare" in course.step_back
    assert "soreness" in course.step_back
    worked = [w for w in course.weeks if w.pressures]
    for before, week in itertools.pairwise(worked):
        grown = sum(week.visits) - sum(before.visits)
        assert grown <= 15, f"week {week.week} has {grown} minutes more than the week before"
    if start.hypersensitivity.value == "severe":
        levels = [w.pressures[0] for w in worked]
        for i in range(2, len(levels)):
            assert not levels[i] > levels[i - 1] > levels[i - 2], "two rises running"


# The safety invariants this file states, by number, as the contract numbers them.
SAFETY_NUMBERS = frozenset(range(1, 28))


def all_safety(
    profile: ClientProfile, plan: SessionPlan, at_first_session: Collection[str]
) -> None:
    safety_1_no_friction(profile, plan)
    safety_2_only_gentle(profile, plan)
    safety_3_visits(profile, plan)
    safety_4_gradual_pressure(profile, plan)
    safety_5_doctor_first(profile, plan, at_first_session)
    safety_6_cited(plan)
    safety_7_no_work_on_wounds(profile, plan)
    safety_8_numb_areas(profile, plan)
    safety_9_injection_sites(profile, plan)
    safety_10_clearance_after_a_clot(profile, plan)
    safety_11_clot_risk(profile, plan)
    safety_12_chemotherapy(profile, plan)
    safety_13_wounds_and_agreeing_restrictions(profile, plan)
    safety_14_technique_levels(plan)
    safety_17_no_short_split(profile, plan)
    safety_18_unknown_is_not_none(profile, plan)
    safety_19_swelling_questioned(profile, plan)
    safety_20_numb_areas(profile, plan)
    safety_21_bleeding_risk(profile, plan)
    safety_22_first_session_gentle(profile, plan)
    safety_23_ports_and_injections(profile, plan)
    safety_24_reaction_decides(profile, plan)
    safety_25_where_touch_hurts(profile, plan)
    safety_26_medicines(profile, plan)
