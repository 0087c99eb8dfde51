"""The engine of record: durable-rules, driven directly and safely.

This is the only module that imports durable-rules; ``engine.seam`` chooses it
wherever it loads. It answers one question: of these named condition sets,
which hold for these facts? It knows clauses and facts, not rules, profiles
or plans.

How durable-rules 2.0.28 is driven, and why (see the project's notes on
durable-rules for the measurements):

- No ``Host`` and no ``durable.lang``: the Host starts polling timer threads
  that touch the engine behind any lock. We call the C module directly.
- One process-wide lock around every call into it: the C engine is not
  thread-safe, and the calls hold the GIL anyway, so the lock costs nothing.
- Each ruleset gets a warm-up evaluation that fires a rule right after it is
  created: deleting the state of a ruleset whose first evaluation fired
  nothing frees an uninitialised pointer.
- Facts are asserted, not posted, so every matching rule fires; each call
  uses a fresh session whose state is deleted in ``finally``.
- A fact may match at most 64 distinct conditions under one node (error 303),
  so rules are compiled into rulesets of at most ``RULES_PER_RULESET``.
- Facts arrive clean (exact types, no nulls); dotted fact names are mapped
  to plain keys, because the engine reads dots as nested paths. Only the
  facts some condition tests are asserted.
- Each fired action's message begins ``{"cN":``; the name is read from
  there, not by parsing the copy of the fact that follows.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import durable_rules_engine as _dre

from ..model.errors import EngineError
from .conditions import Clause, Test
from .facts import FactValue

RULES_PER_RULESET = 32
# Named in every plan's generated_by; pyproject pins this release.
ENGINE_NAME = "durable-rules 2.0.28"

_LOCK = threading.Lock()
_names = itertools.count()
_sessions = itertools.count()
# Rulesets whose owner was garbage-collected; freed under the lock later,
# because a finalizer may run while this thread already holds the lock.
_doomed: list[int] = []

_KIND = "massageplan_kind"
_WARMUP = "warmup"
_OPS = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def _key(fact: str) -> str:
    return fact.replace(".", "__")


def _test_json(test: Test) -> dict[str, Any]:
    key = _key(test.fact)
    if test.op == "eq":
        return {key: test.value}
    if test.op == "includes":
        return {"$iany": {key: {"$i": test.value}}}
    return {_OPS[test.op]: {key: test.value}}


def _clause_json(clause: Clause) -> dict[str, Any]:
    if len(clause.tests) == 1:
        return _test_json(clause.tests[0])
    return {"$or": [_test_json(t) for t in clause.tests]}


def _rule_json(clauses: Sequence[Clause]) -> dict[str, Any]:
    parts = [{_KIND: "profile"}, *(_clause_json(c) for c in clauses)]
    return {"all": [{"m": parts[0] if len(parts) == 1 else {"$and": parts}}]}


def _call(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except _dre.error as exc:
        raise EngineError(f"durable-rules failed: {exc}") from None


class _Ruleset:
    """One durable ruleset. Call only with ``_LOCK`` held."""

    def __init__(self, conditions: Sequence[Sequence[Clause]]) -> None:
        definition = {f"c{i}": _rule_json(clauses) for i, clauses in enumerate(conditions)}
        definition["warmup"] = {"all": [{"m": {_KIND: _WARMUP}}]}
        self.handle: int = _call(
            _dre.create_ruleset, f"massageplan-{next(_names)}", json.dumps(definition)
        )
        if self.run({_KIND: _WARMUP}) != {"warmup"}:
            raise EngineError("durable-rules did not fire the warm-up rule")

    def run(self, facts: Mapping[str, Any]) -> set[str]:
        sid = str(next(_sessions))
        fact = {**facts, "sid": sid, "id": "facts"}
        fired: set[str] = set()
        # Code 1 means no rule matched: there is simply nothing to fire.
        _code, state = _call(_dre.assert_facts, self.handle, json.dumps([fact]))
        try:
            started = _call(_dre.start_action_for_state, self.handle, state)
            message = started[1] if started else None
            while message:
                fired.add(message[2 : message.index('"', 2)])
                message = _call(_dre.complete_and_start_action, self.handle, state)
        finally:
            _call(_dre.delete_state, self.handle, sid)
        return fired


def _free(handles: list[int]) -> None:
    _doomed.extend(handles)


def _free_doomed() -> None:
    while _doomed:
        handle = _doomed.pop()
        # The handle is ours and unused; if freeing fails there is nothing to recover.
        with contextlib.suppress(_dre.error):
            _dre.delete_ruleset(handle)


class DurableConditions:
    """Named condition sets compiled for durable-rules.

    ``matching(facts)`` returns the names whose clauses all hold. Safe to
    call from many threads at once.
    """

    def __init__(self, named: Sequence[tuple[str, Sequence[Clause]]]) -> None:
        self._names = [name for name, _ in named]
        if len(set(self._names)) != len(self._names):
            raise ValueError("condition names must be unique")
        self._tested = {
            _key(test.fact) for _, clauses in named for c in clauses for test in c.tests
        }
        with _LOCK:
            _free_doomed()
            self._rulesets: list[tuple[_Ruleset, list[str]]] = []
            try:
                for start in range(0, len(named), RULES_PER_RULESET):
                    chunk = named[start : start + RULES_PER_RULESET]
                    ruleset = _Ruleset([clauses for _, clauses in chunk])
                    self._rulesets.append((ruleset, [name for name, _ in chunk]))
            except BaseException:
                _free([r.handle for r, _ in self._rulesets])
                raise
        weakref.finalize(self, _free, [r.handle for r, _ in self._rulesets])

    def matching(self, facts: Mapping[str, FactValue]) -> frozenset[str]:
        clean = {_key(name): value for name, value in facts.items()}
        clean = {key: value for key, value in clean.items() if key in self._tested}
        clean[_KIND] = "profile"
        matched: set[str] = set()
        with _LOCK:
            _free_doomed()
            for ruleset, names in self._rulesets:
                for fired in ruleset.run(clean):
                    if fired.startswith("c"):
                        matched.add(names[int(fired[1:])])
        return frozenset(matched)
