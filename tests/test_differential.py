"""durable-rules and the Python evaluator give the same verdicts.

Run on a Python where both exist (3.10 to 3.12); elsewhere only the Python
evaluator exists and these tests are skipped, saying why. The comparison is
of the fired rule sets, from which plans are built deterministically.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from massageplan import ClientProfile, Rulebase, load_rulebase
from massageplan.engine.facts import FIELDS, profile_facts
from massageplan.engine.seam import compile_conditions, durable_available
from massageplan.rules.profile_space import sweep
from tests.strategies import every_operator_rulebase, profiles

pytestmark = pytest.mark.skipif(
    not durable_available(), reason="durable-rules does not load on this Python"
)


@pytest.fixture(scope="module")
def operator_rulebase() -> Rulebase:
    return every_operator_rulebase()


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
def test_engines_agree_on_the_whole_sweep(which: str, operator_rulebase: Rulebase) -> None:
    rulebase = load_rulebase() if which == "builtin" else operator_rulebase
    named = [(rule.id, rule.clauses) for rule in rulebase]
    durable = compile_conditions(named, "durable")
    python = compile_conditions(named, "python")
    count = 0
    for profile in sweep(rulebase):
        facts = profile_facts(profile)
        assert durable.matching(facts) == python.matching(facts), profile
        count += 1
    assert count > 1000


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_engines_agree_on_searched_profiles(
    operator_rulebase: Rulebase, profile: ClientProfile
) -> None:
    durable, python = verdicts(operator_rulebase, profile)
    assert durable == python
