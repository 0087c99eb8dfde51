"""A compiled pure-Python evaluator of the condition language.

It answers the same question as durable-rules (``engine.durable``) over
the same clauses, with durable-rules' semantics on the clean facts the
library asserts: a missing fact satisfies no test, not even "not equal";
``includes`` asks whether a list holds a value. It is used where
durable-rules does not load (Python 3.13 and later) or when asked, and a
differential test proves the two agree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._version import __version__
from .conditions import Clause, Test
from .facts import FactValue

ENGINE_NAME = f"massageplan python evaluator {__version__}"

Facts = Mapping[str, FactValue]
Predicate = Callable[[Facts], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _test(test: Test) -> Predicate:
    fact, value = test.fact, test.value
    if test.op == "includes":
        return lambda facts: isinstance(seen := facts.get(fact), list) and value in seen
    compare = _COMPARE[test.op]
    # Facts are clean: types match the condition's (the loader checked), and an
    # unknown fact is absent, which no comparison matches.
    return lambda facts: fact in facts and compare(facts[fact], value)


def _clause(clause: Clause) -> Predicate:
    tests = tuple(_test(t) for t in clause.tests)
    if len(tests) == 1:
        return tests[0]
    return lambda facts: any(test(facts) for test in tests)


class PythonConditions:
    """Named condition sets, each compiled to a tuple of clause predicates."""

    def __init__(self, named: Sequence[tuple[str, Sequence[Clause]]]) -> None:
        names = [name for name, _ in named]
        if len(set(names)) != len(names):
            raise ValueError("condition names must be unique")
        self._compiled = tuple(
            (name, tuple(_clause(c) for c in clauses)) for name, clauses in named
        )

    def matching(self, facts: Facts) -> frozenset[str]:
        return frozenset(
            name for name, clauses in self._compiled if all(clause(facts) for clause in clauses)
        )
