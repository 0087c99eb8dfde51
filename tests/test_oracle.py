"""The test oracle and the library's own checker agree, plan by plan.

``tests/contract.py`` states the invariants from the contract's words with no
library code; ``massageplan.plan.invariants`` is what ``recommend`` and
``verify`` enforce. On plans nobody checked (from clinic rulebases that break
invariants on purpose, and from the built-in rules), each invariant is broken
by the one exactly when the other says so.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from massageplan import ClientProfile, Rulebase, SessionPlan
from massageplan.plan.compiled import compiled_for
from massageplan.plan.invariants import breaches
from massageplan.plan.recommend import build_plan, fired_rules
from massageplan.render.text import render_text
from tests import contract
from tests.strategies import (
    ANSWERED_NONE,
    at_first_session,
    clinic_choices,
    clinic_rulebase,
    screened,
    weak_screening,
)

Check = Callable[[ClientProfile, SessionPlan], None]

# The oracle's statement of each invariant a single plan can break (5 needs
# the rulebase too: see ``oracle_says_broken``).
ORACLE: dict[int, Check] = {
    1: contract.safety_1_no_friction,
    2: contract.safety_2_only_gentle,
    3: contract.safety_3_visits,
    4: contract.safety_4_gradual_pressure,
    6: lambda profile, plan: contract.safety_6_cited(plan),
    7: contract.safety_7_no_work_on_wounds,
    8: contract.safety_8_numb_areas,
    9: contract.safety_9_injection_sites,
    10: contract.safety_10_clearance_after_a_clot,
    11: contract.safety_11_clot_risk,
    12: contract.safety_12_chemotherapy,
    13: contract.safety_13_wounds_and_agreeing_restrictions,
    14: lambda profile, plan: contract.safety_14_technique_levels(plan),
    15: lambda profile, plan: contract.safety_15_client_view_shows_holds(
        plan, render_text(plan, profile, audience="client")
    ),
    17: contract.safety_17_no_short_split,
    18: contract.safety_18_unknown_is_not_none,
    19: contract.safety_19_swelling_questioned,
    20: contract.safety_20_numb_areas,
    21: contract.safety_21_bleeding_risk,
    22: contract.safety_22_first_session_gentle,
    23: contract.safety_23_ports_and_injections,
    24: contract.safety_24_reaction_decides,
    25: contract.safety_25_where_touch_hurts,
    26: contract.safety_26_medicines,
}


def oracle_says_broken(profile: ClientProfile, plan: SessionPlan, rulebase: Rulebase) -> set[int]:
    first = at_first_session(profile, rulebase)
    checks: dict[int, Check] = {
        **ORACLE,
        5: lambda profile, plan: contract.safety_5_doctor_first(profile, plan, first),
    }
    broken = set()
    for number, check in checks.items():
        try:
            check(profile, plan)
        except AssertionError:
            broken.add(number)
    return broken


# Rulebases that break invariants, so that both checkers have something to find.
UNSAFE = st.frozensets(
    st.sampled_from(
        [
            "faster-pressure",
            "firm-while-unknown",
            "friction-only-rule-for-swelling",
            "kneading-everywhere",
            "long-visits",
            "no-hold",
            "clot-hold-only",
            "firm-in-chemotherapy",
            "short-splits",
            "no-empty-hour-hold",
            "kneading-on-numb-areas",
            "step-up-at-the-first-session",
            "split-severe-first-week",
            "one-consult-advice-for-everyone",
            "step-up-on-opioids",
            "steroid-skin-as-usual",
            "cold-packs-on-oxaliplatin",
            "medicines-question-alone",
            "kneading-where-touch-hurts",
            "press-on-after-a-flare",
            "step-up-after-soreness",
            "two-steps-after-a-fine-session",
        ]
    ),
    min_size=1,
    max_size=4,
)
RULEBASES = st.one_of(UNSAFE, clinic_choices, st.just("weak screening"))


@settings(max_examples=400, deadline=None)  # the first call of each rulebase loads it
@given(RULEBASES, screened)
def test_the_oracle_and_the_library_agree_plan_by_plan(
    choices: frozenset[str] | str, profile: ClientProfile
) -> None:
    rulebase = weak_screening() if isinstance(choices, str) else clinic_rulebase(choices)
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase)  # not checked
    library = breaches(profile, plan, compiled_for(rulebase).first_session_rules)
    numbers = {b.invariant.number for b in library}
    assert numbers == oracle_says_broken(profile, plan, rulebase), sorted(choices)


def test_the_oracle_finds_what_it_is_asked_about() -> None:
    """The cross-check compares findings, not two silences: on an unsafe
    rulebase, both find broken invariants."""
    rulebase = clinic_rulebase(frozenset({"friction-only-rule-for-swelling", "faster-pressure"}))
    profile = ClientProfile.model_validate(
        {
            "condition": "diabetic_neuropathy",
            "hypersensitivity": "none",
            "swelling": ["hands"],
            "tolerance": {"minutes": 60, "pressure": 1},
            "sessions_completed": 4,
            "physician_consulted": True,
            **ANSWERED_NONE,  # no cautious limit stands in the clinic's way
        }
    )
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase)
    found = oracle_says_broken(profile, plan, rulebase)
    assert {2, 4} <= found
    library = breaches(profile, plan, compiled_for(rulebase).first_session_rules)
    assert found == {b.invariant.number for b in library}
