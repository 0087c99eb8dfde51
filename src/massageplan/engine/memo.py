"""Which rules fire: the engine's verdicts, memoised per profile field.

Every clause tests one profile field (``engine.facts.FACT_FIELD``), so a rule
fires exactly when, for each field, its clauses on that field hold. For each
field the engine is asked once per *class* of values, the set of rules whose
clauses on that field hold, and the fired rules are the intersection over
the fields. Values fall in one class when every test in the rulebase treats
them alike (an integer's place among the constants the rules compare it
with; a list's areas among those the rules name, and how many it has), so
the memo holds at most the sum, not the product, of the classes the rules
distinguish, and the engine still decides every cell of it.

Rules are bits of an int (the n-th named condition set is bit n), so a
verdict is an int and the intersection is ``&``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence

from ..model.profile import (
    AREA_BIT,
    AREA_LIST_INDEX,
    AREA_LISTS_MAYBE_UNKNOWN,
    BodyArea,
    ClientProfile,
    PlanInputs,
)
from .conditions import Clause
from .facts import FACT_FIELD, FIELDS, FactValue, count_key, profile_facts
from .seam import Conditions, compile_conditions

# A fact's class, read from a profile and its area masks.
Classify = Callable[[ClientProfile, PlanInputs], Hashable]


def _numbers(tests: Sequence[object]) -> list[int]:
    return sorted(
        {
            value
            for t in tests
            if isinstance(value := getattr(t, "value", None), int) and not isinstance(value, bool)
        }
    )


def _classifier(clauses: Sequence[Clause], fact: str) -> Classify:
    """What of a fact's value the tests on it can tell apart, read cheaply."""
    tests = [t for c in clauses for t in c.tests if t.fact == fact]
    numbers = _numbers(tests)
    field = FACT_FIELD[fact]
    if field in AREA_LIST_INDEX:
        index = AREA_LIST_INDEX[field]
        maybe_unknown = field in AREA_LISTS_MAYBE_UNKNOWN
        if fact == count_key(field):  # how many areas: its place among the constants

            def count(profile: ClientProfile, inputs: PlanInputs) -> Hashable:
                if maybe_unknown and getattr(profile, field) is None:
                    return None
                n = inputs.masks[index].bit_count()
                return bisect.bisect_left(numbers, n), n in numbers

            return count
        named = 0
        for t in tests:
            if t.op == "includes":
                named |= AREA_BIT[BodyArea(t.value)]

        def areas(profile: ClientProfile, inputs: PlanInputs) -> Hashable:
            if maybe_unknown and getattr(profile, field) is None:
                return None
            return inputs.masks[index] & named

        return areas
    if fact not in FIELDS:  # how many values a list other than areas holds
        listed = FIELDS[field].read

        def counted(profile: ClientProfile, inputs: PlanInputs) -> Hashable:
            value = listed(profile)
            if not isinstance(value, list):
                return None
            return bisect.bisect_left(numbers, len(value)), len(value) in numbers

        return counted
    read = FIELDS[fact].read
    if FIELDS[fact].kind == "int":

        def number(profile: ClientProfile, inputs: PlanInputs) -> Hashable:
            value = read(profile)
            if value is None:
                return None
            return bisect.bisect_left(numbers, value), value in numbers

        return number

    def plain(profile: ClientProfile, inputs: PlanInputs) -> Hashable:
        value = read(profile)  # a bool or an enum's string: few values
        return value if not isinstance(value, list) else tuple(value)

    return plain


class _Field:
    """The rules' clauses on one profile field, compiled, with their memo."""

    def __init__(
        self, named: list[tuple[int, list[Clause]]], every: int, engine: str | None
    ) -> None:
        clauses = [c for _, cs in named for c in cs]
        self.facts = sorted({t.fact for c in clauses for t in c.tests})
        self.classifiers = [_classifier(clauses, fact) for fact in self.facts]
        self.conditions: Conditions = compile_conditions([(str(b), cs) for b, cs in named], engine)
        # Rules with no clause on this field pass it whatever its value.
        self.untested = every & ~sum(1 << bit for bit, _ in named)
        self.memo: dict[Hashable, int] = {}

    def verdict(self, profile: ClientProfile, inputs: PlanInputs) -> int:
        """The rules whose clauses on this field hold for ``profile``."""
        classifiers = self.classifiers
        key: Hashable = (
            classifiers[0](profile, inputs)
            if len(classifiers) == 1
            else tuple([classify(profile, inputs) for classify in classifiers])
        )
        found = self.memo.get(key)
        if found is None:
            facts = profile_facts(profile)
            own: dict[str, FactValue] = {f: facts[f] for f in self.facts if f in facts}
            found = self.untested
            for name in self.conditions.matching(own):
                found |= 1 << int(name)
            # Safe across threads: an entry is written whole, and two threads
            # that miss together store the same engine verdict.
            self.memo[key] = found
        return found


class FiredRules:
    """Which of the named condition sets (a rulebase's rules) hold for a profile,
    as the engine decides: bit n of the answer stands for the n-th set. The
    chosen engine, or ``engine`` (for tests that compare them)."""

    def __init__(
        self, named: Sequence[tuple[str, Sequence[Clause]]], engine: str | None = None
    ) -> None:
        self.every = (1 << len(named)) - 1
        by_field: dict[str, list[tuple[int, list[Clause]]]] = defaultdict(list)
        for bit, (_, rule_clauses) in enumerate(named):
            mine: dict[str, list[Clause]] = defaultdict(list)
            for clause in rule_clauses:
                mine[FACT_FIELD[clause.tests[0].fact]].append(clause)
            for field_name, clauses in mine.items():
                by_field[field_name].append((bit, clauses))
        # Rules without conditions never reach the engine: they pass every field.
        self.fields: dict[str, _Field] = {
            name: _Field(named_here, self.every, engine)
            for name, named_here in sorted(by_field.items())
        }
        self._verdicts = [field.verdict for field in self.fields.values()]

    def mask(self, profile: ClientProfile, inputs: PlanInputs) -> int:
        """The bits of the rules that fire for ``profile`` (``inputs`` are its own)."""
        fired = self.every
        for verdict in self._verdicts:
            fired &= verdict(profile, inputs)
        return fired

    def passing(self, field_name: str, profile: ClientProfile) -> int:
        """The bits of the rules whose clauses on one field hold for ``profile``
        (all the rules with no clause on it)."""
        field = self.fields.get(field_name)
        return self.every if field is None else field.verdict(profile, PlanInputs.of(profile))
