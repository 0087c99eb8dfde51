"""durable-rules and the Python evaluator give the same verdicts.

Run on a Python where both exist (3.10 to 3.12); elsewhere only the Python
evaluator exists and these tests are skipped, saying why. The comparison is
of the fired rule sets, from which plans are built deterministically.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from massageplan import ClientProfile, Rulebase, RulebaseConflictWarning, load_rulebase
from massageplan._conditions import OPERATORS
from massageplan._engine import compile_conditions, durable_available
from massageplan._facts import FIELDS, profile_facts
from massageplan._space import sweep
from tests.strategies import profiles

pytestmark = pytest.mark.skipif(
    not durable_available(), reason="durable-rules does not load on this Python"
)

# Operands for each kind of fact, chosen to cover boundaries on both sides.
INTS = {
    "tolerance.minutes": [5, 30, 59, 60, 61, 180],
    "tolerance.pressure": [1, 2, 3, 5],
    "sessions_completed": [0, 1, 2, 10],
}


def _operand(name: str, op: str, index: int) -> Any:
    fact = FIELDS[name]
    if fact.kind == "bool":
        return index % 2 == 0
    if fact.kind == "int":
        values = INTS[name]
        number = values[index % len(values)]
        return [number, values[(index + 1) % len(values)]] if op == "in" else number
    if op == "empty":
        return index % 2 == 0
    if fact.kind == "areas":  # a few areas, so the sweep's area lists stay few
        areas = ["hands", "ankles", "feet"]
        value = areas[index % 3]
        return [value, areas[(index + 1) % 3]] if op != "includes" else value
    if op in ("in", "not_in"):
        return list(fact.values[index % len(fact.values) :][:2]) or [fact.values[0]]
    # "above" the last or "below" the first value can never hold: the loader refuses it.
    choices = {"above": fact.values[:-1], "below": fact.values[1:]}.get(op, fact.values)
    return choices[(index * 3) % len(choices)]


def every_operator_rules() -> str:
    """Rules per fact and operator, with several operands and each operator
    repeated, so that they fill three of durable's 32-rule rulesets."""
    rules = []
    counter = itertools.count()
    for name, fact in FIELDS.items():
        kind = "ordered" if fact.ordered else fact.kind
        for op in OPERATORS[kind]:
            for index in range(2):
                operand = _operand(name, op, index)
                when = {name: {op: operand}}
                rules.append(
                    f"  - id: r{next(counter)}\n"
                    f"    title: {name} {op}\n"
                    f"    when: {when!r}\n"
                    "    then: [{advise: experienced_therapist, text: Same.}]\n"
                    "    because: Testing every operator.\n"
                    "    sources: [article]\n"
                )
    # Two-fact rules, so that ANDs across facts are compared too.
    rules.append(
        "  - id: joint\n    title: joint\n"
        "    when: {hypersensitivity: {at_least: mild}, tolerance.minutes: {below: 60},"
        " swelling: {includes_any: [feet, hands]}}\n"
        "    then: [{advise: experienced_therapist, text: Same.}]\n"
        "    because: Testing.\n    sources: [article]\n"
    )
    return "rules:\n" + "".join(rules).replace("'", '"')


@pytest.fixture(scope="module")
def operator_rulebase(tmp_path_factory: pytest.TempPathFactory) -> Rulebase:
    path: Path = tmp_path_factory.mktemp("ops") / "ops.yaml"
    path.write_text(every_operator_rules(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RulebaseConflictWarning)
        return load_rulebase(path)


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
