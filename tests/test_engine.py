"""The engine module: conditions evaluated by durable-rules, safely."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest

import massageplan
from massageplan._conditions import compile_when
from massageplan._engine import RULES_PER_RULESET, Conditions
from massageplan._facts import profile_facts
from massageplan._profile import ClientProfile

PROFILE = ClientProfile.model_validate(
    {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "moderate",
        "swelling": ["feet"],
        "tolerance": {"minutes": 30, "pressure": None},
        "sessions_completed": 0,
    }
)


def holds(when: dict[str, object], profile: ClientProfile = PROFILE) -> bool:
    conditions = Conditions([("rule", compile_when(when))])
    return conditions.matching(profile_facts(profile)) == {"rule"}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({}, True),
        ({"condition": "diabetic_neuropathy"}, True),
        ({"condition": {"is_not": "diabetic_neuropathy"}}, False),
        ({"condition": {"not_in": ["peripheral_neuropathy"]}}, True),
        ({"hypersensitivity": {"at_least": "moderate"}}, True),
        ({"hypersensitivity": {"above": "moderate"}}, False),
        ({"hypersensitivity": {"at_most": "mild"}}, False),
        ({"hypersensitivity": {"in": ["mild", "moderate"]}}, True),
        ({"tolerance.minutes": {"below": 60}}, True),
        ({"tolerance.minutes": {"at_least": 30, "at_most": 30}}, True),
        ({"tolerance.minutes": {"above": 30}}, False),
        ({"tolerance.minutes": 30}, True),
        ({"swelling": {"includes": "feet"}}, True),
        ({"swelling": {"includes": "hands"}}, False),
        ({"swelling": {"includes_any": ["hands", "feet"]}}, True),
        ({"swelling": {"includes_all": ["hands", "feet"]}}, False),
        ({"swelling": {"empty": False}}, True),
        ({"fragile_tissue": {"empty": True}}, True),
        ({"fragile_tissue": {"empty": False}}, False),
        ({"first_session": True}, True),
        ({"sessions_completed": 0}, True),
        ({"physician_consulted": False}, True),
        ({"pressure_known": False}, True),
        # An unknown pressure satisfies no comparison, not even "is not".
        ({"tolerance.pressure": {"at_most": 5}}, False),
        ({"tolerance.pressure": {"is_not": 3}}, False),
    ],
)
def test_each_operator_is_evaluated_by_the_engine(when: dict[str, object], expected: bool) -> None:
    assert holds(when) is expected


def test_types_are_not_coerced() -> None:
    # The engine itself would say "true" == true; a bool fact never meets a string.
    assert holds({"first_session": True})
    assert not holds({"first_session": False})


def test_more_rules_than_one_ruleset_can_hold_all_fire() -> None:
    # One fact may match at most 64 distinct conditions in one ruleset (error 303).
    count = 5 * RULES_PER_RULESET + 3
    named = [
        (
            f"r{i}",
            compile_when(
                {
                    "sessions_completed": {"at_most": i},
                    "hypersensitivity": {"in": ["moderate", "severe"]},
                }
            ),
        )
        for i in range(count)
    ]
    conditions = Conditions(named)
    facts = profile_facts(PROFILE.model_copy(update={"sessions_completed": 100}))
    assert conditions.matching(facts) == {f"r{i}" for i in range(100, count)}


def test_no_match_is_an_empty_set() -> None:
    conditions = Conditions([("never", compile_when({"tolerance.minutes": {"above": 179}}))])
    assert conditions.matching(profile_facts(PROFILE)) == frozenset()


def test_concurrent_evaluations_agree() -> None:
    conditions = Conditions(
        [(f"r{i}", compile_when({"tolerance.minutes": {"at_least": i}})) for i in range(5, 65)]
    )
    profiles = [
        PROFILE.model_copy(
            update={"tolerance": PROFILE.tolerance.model_copy(update={"minutes": m})}
        )
        for m in range(5, 70)
    ]
    expected = [conditions.matching(profile_facts(p)) for p in profiles]
    results: dict[int, list[frozenset[str]]] = {}

    def work(n: int) -> None:
        results[n] = [conditions.matching(profile_facts(p)) for p in profiles * 3]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected * 3 for r in results.values())


def test_many_rulesets_created_and_dropped() -> None:
    for _ in range(300):
        conditions = Conditions([("r", compile_when({"first_session": True}))])
        assert conditions.matching(profile_facts(PROFILE)) == {"r"}


def test_only_the_engine_module_imports_durable() -> None:
    package = Path(massageplan.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("durable", "durable_rules_engine") for n in names):
                importers.add(path.name)
    assert importers == {"_engine.py"}
