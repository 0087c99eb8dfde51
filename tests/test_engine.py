"""The engines: each operator, limits and threads, for every engine this Python has.

Every test here runs on durable-rules (where it loads) and on the Python
evaluator alike; ``test_differential.py`` compares the two directly.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import massageplan
from massageplan import EngineError
from massageplan.engine.conditions import compile_when
from massageplan.engine.facts import profile_facts
from massageplan.engine.seam import ENGINES, compile_conditions, durable_available
from massageplan.model.profile import ClientProfile

PROFILE = ClientProfile.model_validate(
    {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "moderate",
        "swelling": ["feet"],
        "tolerance": {"minutes": 30, "pressure": None},
        "sessions_completed": 0,
    }
)


# What durable-rules tolerates in one ruleset (see massageplan.engine.durable).
RULES_PER_RULESET = 32


@pytest.fixture(
    params=[
        pytest.param(
            name,
            marks=pytest.mark.skipif(
                name == "durable" and not durable_available(),
                reason="durable-rules does not load on this Python",
            ),
        )
        for name in ENGINES
    ]
)
def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def holds(when: dict[str, object], engine: str, profile: ClientProfile = PROFILE) -> bool:
    conditions = compile_conditions([("rule", compile_when(when))], engine)
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
def test_each_operator_is_evaluated_by_the_engine(
    when: dict[str, object], expected: bool, engine: str
) -> None:
    assert holds(when, engine) is expected


def test_types_are_not_coerced(engine: str) -> None:
    # The engine itself would say "true" == true; a bool fact never meets a string.
    assert holds({"first_session": True}, engine)
    assert not holds({"first_session": False}, engine)


def test_more_rules_than_one_ruleset_can_hold_all_fire(engine: str) -> None:
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
    conditions = compile_conditions(named, engine)
    facts = profile_facts(PROFILE.model_copy(update={"sessions_completed": 100}))
    assert conditions.matching(facts) == {f"r{i}" for i in range(100, count)}


def test_no_match_is_an_empty_set(engine: str) -> None:
    never = compile_when({"tolerance.minutes": {"above": 179}})
    conditions = compile_conditions([("never", never)], engine)
    assert conditions.matching(profile_facts(PROFILE)) == frozenset()


def test_concurrent_evaluations_agree(engine: str) -> None:
    conditions = compile_conditions(
        [(f"r{i}", compile_when({"tolerance.minutes": {"at_least": i}})) for i in range(5, 65)],
        engine,
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


def test_many_rulesets_created_and_dropped(engine: str) -> None:
    for _ in range(300):
        conditions = compile_conditions([("r", compile_when({"first_session": True}))], engine)
        assert conditions.matching(profile_facts(PROFILE)) == {"r"}


def test_only_the_engine_module_imports_durable() -> None:
    package = Path(massageplan.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]  # absolute imports only: ".durable" is our own module
            if any(n.split(".")[0] in ("durable", "durable_rules_engine") for n in names):
                importers.add(path.relative_to(package).as_posix())
    assert importers == {"engine/durable.py"}


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(EngineError, match="not available"):
        compile_conditions([], "drools")


def _engine_in_a_fresh_process(value: str) -> subprocess.CompletedProcess[str]:
    code = (
        "from massageplan import recommend\n"
        "p = {'condition': 'diabetic_neuropathy', 'hypersensitivity': 'none',"
        " 'tolerance': {'minutes': 60}}\n"
        "print(recommend(p).generated_by.engine)"
    )
    env = {**os.environ, "MASSAGEPLAN_ENGINE": value}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_the_engine_can_be_chosen_by_environment() -> None:
    python = _engine_in_a_fresh_process("python")
    assert python.stdout.startswith("massageplan python evaluator")
    durable = _engine_in_a_fresh_process("durable")
    if durable_available():
        assert durable.stdout.strip() == "durable-rules 2.0.28"
    else:
        assert "durable-rules does not load on this Python" in durable.stderr
    bogus = _engine_in_a_fresh_process("drools")
    assert "EngineError: MASSAGEPLAN_ENGINE='drools': choose one of durable, python" in bogus.stderr
