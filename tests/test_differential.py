"""durable-rules and the Python evaluator give the same verdicts.

Run on a Python where both exist (3.10 to 3.12); elsewhere only the Python
evaluator exists and these tests are skipped, saying why. The comparison is
of the fired rule sets, from which plans are built deterministically.

recommend() and verify() ask the engine about one profile field at a time
(each clause tests one field, and a rule fires when its clauses on every
field hold): both engines are compared on exactly that, for every value the
sweep gives each field, for the built-in rules and for a rulebase that uses
every operator. Whole rules are compared too: on every profile of the
built-in rules' sweep, on every seventh profile of the operator rulebase's
(207,360 profiles, two and a half minutes for both engines on its own), and
on a hypothesis search.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import given, settings

from massageplan import ClientProfile, Rulebase, load_rulebase
from massageplan.engine.facts import FIELDS, profile_facts
from massageplan.engine.memo import FiredRules
from massageplan.engine.seam import compile_conditions, durable_available
from massageplan.model.profile import PlanInputs
from massageplan.rules.profile_space import BASE, sweep_space, with_value
from tests.strategies import every_operator_rulebase, screened

pytestmark = pytest.mark.skipif(
    not durable_available(), reason="durable-rules does not load on this Python"
)


@pytest.fixture(scope="module")
def operator_rulebase() -> Rulebase:
    return every_operator_rulebase()


def rulebase_named(which: str, operator_rulebase: Rulebase) -> Rulebase:
    return load_rulebase() if which == "builtin" else operator_rulebase


def verdicts(rulebase: Rulebase, profile: ClientProfile) -> tuple[frozenset[str], ...]:
    named = [(rule.id, rule.clauses) for rule in rulebase]
    facts = profile_facts(profile)
    return tuple(compile_conditions(named, e).matching(facts) for e in ("durable", "python"))


def test_the_operator_rulebase_spans_several_rulesets(operator_rulebase: Rulebase) -> None:
    assert len(operator_rulebase) > 2 * 32
    ops = {
        (FIELDS[c.field].kind, c.tests[0].op) for rule in operator_rulebase for c in rule.clauses
    }
    assert {t[1] for t in ops} == {"eq", "ne", "lt", "le", "gt", "ge", "includes"}


@pytest.mark.parametrize("which", ["builtin", "operators"])
def test_engines_agree_field_by_field_on_every_value_of_the_sweep(
    which: str, operator_rulebase: Rulebase
) -> None:
    """What recommend and verify ask: for each profile field, which rules' clauses
    on it hold. Both engines, every value the sweep gives the field."""
    rulebase = rulebase_named(which, operator_rulebase)
    named = [(rule.id, rule.clauses) for rule in rulebase]
    durable, python = FiredRules(named, "durable"), FiredRules(named, "python")
    assert durable.fields.keys() == python.fields.keys()
    asked = 0
    for name, values in sweep_space(rulebase).values.items():
        if name not in durable.fields:
            continue
        for value in values:
            profile = ClientProfile.model_validate(with_value(BASE, name, value))
            inputs = PlanInputs.of(profile)
            mine = durable.fields[name].verdict(profile, inputs)
            assert mine == python.fields[name].verdict(profile, inputs), (name, value)
            asked += 1
    assert asked > 40


# Each whole-rule comparison in parts: separate tests, which pytest-xdist's
# workers share out, each run in its own process from start to end.
PARTS = 2


def compare_whole_rules(which: str, every: int, part: int) -> int:
    """Compare the engines on every ``every``-th profile of the sweep, this
    part's share of them: how many it compared (none may disagree)."""
    rulebase = load_rulebase() if which == "builtin" else every_operator_rulebase()
    named = [(rule.id, rule.clauses) for rule in rulebase]
    durable = compile_conditions(named, "durable")
    python = compile_conditions(named, "python")
    tested = sorted({test.fact for _, clauses in named for c in clauses for test in c.tests})
    count, disagree = 0, []
    compared: set[tuple[tuple[str, object], ...]] = set()
    # Mappings are sliced before validating: only the profiles compared are made.
    swept = itertools.islice(sweep_space(rulebase).mappings(), 0, None, every)
    for mapping in itertools.islice(swept, part, None, PARTS):
        count += 1
        facts = profile_facts(ClientProfile.model_validate(mapping))
        # Both engines read only the facts some condition tests (durable-rules
        # is given no others), so a profile whose tested facts were compared
        # already has had its verdicts compared: a memo, not a sample.
        asked = tuple(
            (name, tuple(value) if isinstance(value, list) else value)
            for name in tested
            if (value := facts.get(name)) is not None
        )
        if asked in compared:
            continue
        compared.add(asked)
        if durable.matching(facts) != python.matching(facts):
            disagree.append(json.dumps(mapping, default=str))
    assert not disagree, disagree[:3]
    return count


def share(size: int, part: int) -> int:
    """How many of ``size`` profiles part ``part`` of ``PARTS`` has."""
    return len(range(part, size, PARTS))


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_engines_agree_on_whole_rules_over_the_whole_builtin_sweep(part: int) -> None:
    size = len(sweep_space(load_rulebase()))
    assert compare_whole_rules("builtin", 1, part) == share(size, part)


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_engines_agree_on_whole_rules_over_the_operator_sweep(
    operator_rulebase: Rulebase, part: int
) -> None:
    """Every seventh profile or so: a step prime to the number of area sets each
    scalar combination is swept with, so every area set is met, in many
    combinations, and every scalar combination has at least one of its
    profiles checked."""
    space = sweep_space(operator_rulebase)
    step = next(p for p in (7, 11, 13) if math.gcd(p, len(space.area_sets)) == 1)
    assert len(space.area_sets) > step
    assert compare_whole_rules("operators", step, part) == share(
        len(range(0, len(space), step)), part
    )


@settings(max_examples=300, deadline=None)
@given(screened)
def test_engines_agree_on_searched_profiles(
    operator_rulebase: Rulebase, profile: ClientProfile
) -> None:
    durable, python = verdicts(operator_rulebase, profile)
    assert durable == python
