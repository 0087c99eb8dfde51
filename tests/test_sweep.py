"""verify's fast sweep loses nothing: on a smaller space, it reports what checking
every profile raw reports, kind by kind, with the same first profile of each.

The raw sweep validates each profile of the space, asks the engine about the
whole rules (not field by field), makes the plan in one piece with fresh items
(not part by part), and runs every check of the table on it. The fast sweep
builds no profile but a counterexample, ANDs each field value's verdict, keeps
plans by key, makes them part by part, skips checks that have nothing to say
for an area set, and skips scalar combinations of a check class already seen.
"""

from __future__ import annotations

import concurrent.futures
import itertools
from typing import Any

import pytest

from massageplan import Rulebase, load_rulebase
from massageplan.plan.batch import worker_context
from massageplan.plan.build import Parts
from massageplan.plan.compiled import compiled_for
from massageplan.plan.invariants import INVARIANTS, SAFETY_INVARIANTS, Invariant, breaches
from massageplan.plan.recommend import build_plan, fired_rules
from massageplan.plan.verify import _kinds, sweep_findings
from massageplan.rules.profile_space import SweepSpace, sweep_space
from tests.conftest import own_processes, small_space
from tests.strategies import clinic_rulebase, weak_screening


def _raw_part(
    choices: frozenset[str] | str, scope: str, part: int, parts: int
) -> tuple[int, dict[Any, tuple[int, dict[str, Any]]]]:
    """This process's share of the raw sweep: every ``parts``-th profile from
    ``part``; the first of each kind it finds, with its place in the sweep."""
    rulebase = rulebase_for(choices)
    invariants = INVARIANTS if scope == "article" else SAFETY_INVARIANTS
    space = small(rulebase)
    checked = 0
    first: dict[Any, tuple[int, dict[str, Any]]] = {}
    for order, profile in itertools.islice(enumerate(space.profiles()), part, None, parts):
        checked += 1
        fired = fired_rules(profile, rulebase, memo=False)
        plan = build_plan(profile, fired, rulebase, Parts())
        found = breaches(profile, plan, compiled_for(rulebase).first_session_rules, invariants)
        for kind, mine, _, _ in _kinds(found, plan, rulebase):
            if kind not in first:
                first[kind] = (
                    order,
                    {
                        "profile": profile.model_dump(mode="json"),
                        "violations": [str(b) for b in mine],
                    },
                )
    return checked, first


def raw_first_of_each_kind(
    choices: frozenset[str] | str, scope: str
) -> tuple[int, dict[Any, dict[str, Any]]]:
    """The raw sweep, shared by two processes when the suite runs in one."""
    parts = own_processes()
    if parts == 1:
        done = [_raw_part(choices, scope, 0, 1)]
    else:
        with concurrent.futures.ProcessPoolExecutor(parts, worker_context()) as pool:
            shares = [pool.submit(_raw_part, choices, scope, part, parts) for part in range(parts)]
            done = [share.result() for share in shares]
    first: dict[Any, tuple[int, dict[str, Any]]] = {}
    for _, found in done:
        for kind, (order, example) in found.items():
            if kind not in first or order < first[kind][0]:
                first[kind] = (order, example)
    return sum(checked for checked, _ in done), {k: v for k, (_, v) in first.items()}


def rulebase_for(choices: frozenset[str] | str) -> Rulebase:
    return weak_screening() if choices == "weak" else clinic_rulebase(choices)


def small(rulebase: Rulebase) -> SweepSpace:
    """The rulebase's space with fewer values of each field (``small_space``)."""
    return small_space(sweep_space(rulebase))


# Between them, rulebases that break every safety invariant a plan can break
# and depart from the article: a finding the fast sweep lost would show.
UNSAFE_ELSEWHERE = frozenset(
    {
        "faster-pressure",
        "firm-while-unknown",
        "long-visits",
        "no-hold",
        "short-splits",
        "no-empty-hour-hold",
        "firm-in-chemotherapy",
    }
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "choices", "invariants"),
    [
        ("a clinic's own booking, and the article", frozenset({"house-maximum-45"}), INVARIANTS),
        ("screening limits dropped", "weak", SAFETY_INVARIANTS),
        ("pressure, visits and holds", UNSAFE_ELSEWHERE, SAFETY_INVARIANTS),
    ],
)
def test_the_fast_sweep_reports_what_the_raw_sweep_finds(
    name: str, choices: frozenset[str] | str, invariants: tuple[Invariant, ...]
) -> None:
    rulebase = rulebase_for(choices)
    space = small(rulebase)
    scope = "article" if invariants is INVARIANTS else "safety"
    checked, raw = raw_first_of_each_kind(choices, scope)
    swept, found = sweep_findings(space, rulebase, invariants)
    assert checked == swept == len(space)
    fast = {
        (c.scope, c.invariants, c.rules): {
            "profile": c.profile.model_dump(mode="json"),
            "violations": list(c.violations),
        }
        for c in found
    }
    assert fast.keys() == raw.keys()
    for kind, first in raw.items():
        assert fast[kind] == first, kind
    # The failures are found, so the comparison says something.
    broken = {n for (scope, numbers, _) in raw if scope == "safety" for n in numbers}
    if choices == "weak":  # every invariant the sweep may skip for some clients
        assert {i.number for i in SAFETY_INVARIANTS if i.only_with} <= broken
    elif choices == UNSAFE_ELSEWHERE:
        assert {3, 4, 5, 12, 13, 17} <= broken
    else:
        assert any(scope == "article" for scope, _, _ in raw)


@pytest.mark.slow
def test_the_sweep_is_the_same_over_processes() -> None:
    rulebase = clinic_rulebase(frozenset({"friction-only-rule-for-swelling", "faster-pressure"}))
    space = small(rulebase)
    one = sweep_findings(space, rulebase)
    two = sweep_findings(space, rulebase, workers=2)
    assert one[0] == two[0] == len(space)
    assert [c.model_dump() for c in one[1]] == [c.model_dump() for c in two[1]]
    assert one[1]


def test_the_small_space_keeps_the_boundaries() -> None:
    space = small(load_rulebase())
    assert len(space) > 1000
    assert {"moderate", "severe"} <= set(space.values["hypersensitivity"])
    assert space.values["tolerance.minutes"] == [14, 15, 60]  # one visit; a split; an hour
