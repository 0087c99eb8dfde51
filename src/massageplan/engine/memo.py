"""Which rules fire: the engine's verdicts, memoised per profile field.

Every clause tests one profile field (``engine.facts.FACT_FIELD``), so a rule
fires exactly when, for each field, its clauses on that field hold. For each
field the engine is asked once per *class* of values, the set of rules whose
clauses on that field hold, and the fired rules are the intersection over
the fields. Values fall in one class when every test in the rulebase treats
them alike (an integer's place among the constants the rules compare it
with; a list's areas among those the rules name), so the memo holds at most
the sum, not the product, of the classes the rules distinguish, and the
engine still decides every cell of it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence

from .conditions import Clause
from .facts import FACT_FIELD, FactValue
from .seam import Conditions, compile_conditions

Facts = Mapping[str, FactValue]
_MISSING = ("missing",)


def _classifier(clauses: list[Clause], fact: str) -> Callable[[FactValue | None], Hashable]:
    """What of a fact's value the tests on it can tell apart."""
    tests = [t for c in clauses for t in c.tests if t.fact == fact]
    numbers = sorted(
        {t.value for t in tests if isinstance(t.value, int) and not isinstance(t.value, bool)}
    )
    named = frozenset(t.value for t in tests if t.op == "includes")

    def classify(value: FactValue | None) -> Hashable:
        if value is None:
            return _MISSING
        if isinstance(value, list):
            return frozenset(value) & named
        if isinstance(value, int) and not isinstance(value, bool):
            return bisect.bisect_left(numbers, value), value in numbers
        return value  # a bool or an enum's string: few values

    return classify


class _Field:
    """The rules' clauses on one profile field, compiled, with their memo."""

    def __init__(self, named: list[tuple[str, list[Clause]]], every: frozenset[str]) -> None:
        clauses = [c for _, cs in named for c in cs]
        self.facts = sorted({t.fact for c in clauses for t in c.tests})
        self.classifiers = [_classifier(clauses, fact) for fact in self.facts]
        self.conditions: Conditions = compile_conditions(named)
        # Rules with no clause on this field pass it whatever its value.
        self.untested = every - {rule_id for rule_id, _ in named}
        self.memo: dict[tuple[Hashable, ...], frozenset[str]] = {}

    def passing(self, facts: Facts) -> frozenset[str]:
        values = [facts.get(fact) for fact in self.facts]
        key = tuple(classify(v) for classify, v in zip(self.classifiers, values, strict=True))
        verdict = self.memo.get(key)
        if verdict is None:
            own = {f: v for f, v in zip(self.facts, values, strict=True) if v is not None}
            verdict = self.untested | self.conditions.matching(own)
            # Safe across threads: an entry is written whole, and two threads
            # that miss together store the same engine verdict.
            self.memo[key] = verdict
        return verdict


class FiredRules:
    """Which of the named condition sets (a rulebase's rules) hold for given
    facts, as the engine decides."""

    def __init__(self, named: Sequence[tuple[str, Sequence[Clause]]]) -> None:
        every = frozenset(name for name, _ in named)
        by_field: dict[str, list[tuple[str, list[Clause]]]] = defaultdict(list)
        for name, rule_clauses in named:
            mine: dict[str, list[Clause]] = defaultdict(list)
            for clause in rule_clauses:
                mine[FACT_FIELD[clause.tests[0].fact]].append(clause)
            for field_name, clauses in mine.items():
                by_field[field_name].append((name, clauses))
        # Rules without conditions never reach the engine: they pass every field.
        self.every = every
        self.fields = [_Field(named, every) for _, named in sorted(by_field.items())]

    def matching(self, facts: Facts) -> frozenset[str]:
        fired = self.every
        for field in self.fields:
            fired &= field.passing(facts)
        return fired

    def memo_size(self) -> int:
        return sum(len(field.memo) for field in self.fields)
