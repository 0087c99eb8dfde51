"""Faults and load: an error or Ctrl-C inside the engine, forked workers, and
many threads loading, dropping and using rulebases at once.

Each test compares with plans made single-threaded, in a quiet process.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import shutil
import threading
import warnings
import weakref
from pathlib import Path
from typing import Any

import pytest

from massageplan import (
    EngineError,
    explain,
    load_rulebase,
    recommend,
    verify,
)
from massageplan.engine.python import PythonConditions
from massageplan.engine.seam import ENGINE_NAME
from massageplan.rules.load import builtin_rules_dir
from tests.conftest import ran_alone, verified
from tests.strategies import CLINIC_RULES, CLINIC_SOURCES

PROFILES: list[dict[str, Any]] = [
    {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": level,
        "swelling": ["feet"][: n % 2],
        "fragile_tissue": ["hands"][: n % 3 // 2],
        "tolerance": {"minutes": 10 + n * 7, "pressure": (n % 5) or None},
        "sessions_completed": n % 4,
        "physician_consulted": n % 3 == 0,
    }
    for n, level in enumerate(["none", "mild", "moderate", "severe"] * 5)
]


def fresh_rulebase(tmp_path: Path) -> Any:
    """The built-in rules as a new rulebase object: nothing compiled or memoised yet."""
    folder = tmp_path / f"rules-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(builtin_rules_dir(), folder)
    return load_rulebase(folder)


EXPECTED = [recommend(p).model_dump_json() for p in PROFILES]
pytestmark = pytest.mark.filterwarnings("ignore::massageplan.RulebaseConflictWarning")


class InjectedError(Exception):
    pass


def _fail_first_call(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> list[tuple[int, str]]:
    """Make the engine fail once, in the middle of an evaluation; returns the
    (ruleset, session) pairs durable-rules opened, to check none is left."""
    opened: list[tuple[int, str]] = []
    if ENGINE_NAME.startswith("durable"):
        import durable_rules_engine as engine  # noqa: PLC0415 - only where it loads

        real = engine.complete_and_start_action
        real_assert = engine.assert_facts
        calls = [0]

        def failing(*args: Any) -> Any:
            calls[0] += 1
            if calls[0] == 1:
                raise error
            return real(*args)

        def recording(handle: int, facts: str) -> Any:
            opened.append((handle, json.loads(facts)[0]["sid"]))
            return real_assert(handle, facts)

        monkeypatch.setattr(engine, "complete_and_start_action", failing)
        monkeypatch.setattr(engine, "assert_facts", recording)
    else:
        real_matching = PythonConditions.matching
        calls = [0]

        def failing_matching(self: PythonConditions, facts: Any) -> frozenset[str]:
            calls[0] += 1
            if calls[0] == 1:
                raise error
            return real_matching(self, facts)

        monkeypatch.setattr(PythonConditions, "matching", failing_matching)
    return opened


@pytest.mark.parametrize("error", [InjectedError("boom"), KeyboardInterrupt()])
def test_a_fault_inside_the_engine_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    rulebase = fresh_rulebase(tmp_path)
    opened = _fail_first_call(monkeypatch, error)
    with pytest.raises((type(error), EngineError)):
        recommend(PROFILES[0], rulebase=rulebase)
    if opened:  # durable-rules: no session's state outlives the failed call
        import durable_rules_engine as engine  # noqa: PLC0415 - only where it loads

        for handle, sid in opened:
            with pytest.raises(engine.error, match="309"):
                engine.get_state(handle, sid)
    # The same rulebase, the same engine: every plan is right afterwards.
    assert [recommend(p, rulebase=rulebase).model_dump_json() for p in PROFILES] == EXPECTED


def _plan_in_child(index: int) -> str:
    return recommend(PROFILES[index]).model_dump_json()


def test_fork_started_workers_give_the_parents_plans(request: pytest.FixtureRequest) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    if ran_alone(request):
        return
    recommend(PROFILES[0])  # the parent has loaded and compiled before forking
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork in a process that has run threads.
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            got = pool.map(_plan_in_child, range(len(PROFILES)))
    assert got == EXPECTED


@pytest.mark.slow
def test_sixteen_threads_using_and_loading_rulebases_at_once(tmp_path: Path) -> None:
    clinics = []
    for n, name in enumerate(["house-maximum-45", "kneading-everywhere", "faster-pressure"]):
        path = tmp_path / f"clinic-{n}.yaml"
        path.write_text(CLINIC_SOURCES + CLINIC_RULES[name], encoding="utf-8")
        clinics.append(path)

    def layered(path: Path) -> Any:
        # Conflict warnings are ignored by this module's mark: catch_warnings()
        # swaps process-wide filters and is not safe to use from threads.
        return load_rulebase(path, builtin=True)

    def outcome(rulebase: Any, profile: dict[str, Any]) -> str:
        try:
            return recommend(profile, rulebase=rulebase).model_dump_json()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    def outcomes(path: Path) -> list[str]:
        rulebase = layered(path)  # the expected outcomes, from one load before the threads
        return [outcome(rulebase, p) for p in PROFILES]

    expected_clinic = {path: outcomes(path) for path in clinics}
    expected_explain = [explain(p).model_dump_json() for p in PROFILES]
    expected_verify = verified(search=0)  # the session's report; the thread's is made anew
    failures: list[str] = []

    def planner(rounds: int) -> None:
        for _ in range(rounds):
            got = [recommend(p).model_dump_json() for p in PROFILES]
            if got != EXPECTED:
                failures.append("recommend differed")

    def explainer(rounds: int) -> None:
        for _ in range(rounds):
            if [explain(p).model_dump_json() for p in PROFILES] != expected_explain:
                failures.append("explain differed")

    def verifier() -> None:
        if verify(search=0) != expected_verify:
            failures.append("verify differed")

    def loader(path: Path, rounds: int) -> None:
        for _ in range(rounds):  # a new rulebase for each profile, dropped after use
            if [outcome(layered(path), p) for p in PROFILES] != expected_clinic[path]:
                failures.append(f"{path.name} differed")

    threads = [threading.Thread(target=planner, args=(20,)) for _ in range(8)]
    threads += [threading.Thread(target=explainer, args=(5,)) for _ in range(3)]
    threads += [threading.Thread(target=verifier)]
    threads += [threading.Thread(target=loader, args=(clinics[n % 3], 4)) for n in range(4)]
    assert len(threads) == 16
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert failures == []


def test_a_rulebase_used_for_plans_is_freed_when_dropped() -> None:
    """A server that reloads its rule files must not keep every rulebase it
    ever used, nor the parts of the plans it made (each rulebase held about
    3 MB when its compiled form kept it alive, and its plans' parts about
    70 KB while the checks' memos kept them)."""
    rulebase = load_rulebase(builtin_rules_dir())
    for profile in PROFILES[:5]:
        recommend(profile, rulebase=rulebase)
    explain(PROFILES[0], rulebase=rulebase)
    gone: list[weakref.ref[object]] = [weakref.ref(rulebase)]
    gone += [weakref.ref(r.reason) for r in rulebase.rules]
    del rulebase
    gc.collect()
    assert [ref for ref in gone if ref() is not None] == []
