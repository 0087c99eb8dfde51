"""Conflict analysis: rules that can fire for the same client and contradict each other.

Effects combine without regard to order (areas are unions, caps minimums), so
a contradiction never makes a plan unsafe; but one of the two rules is then
silently overridden, which a rule author wants to know. What contradicts
what is each effect kind's own business (``EffectBase.contradicts``); whether
two rules can fire together is the engine's (``rules.profile_space``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.facts import AREA_FIELDS
from ..model.errors import Problem
from .profile_space import can_fire_together, field_values, fires_without, satisfying_values

if TYPE_CHECKING:
    from .rulebase import LoadedRule, Rulebase


class RulebaseConflictWarning(UserWarning):
    """Two rules that can fire together contradict each other."""


@dataclass(frozen=True)
class Conflict:
    """Two rules that can fire for the same client but whose effects contradict."""

    first: LoadedRule
    second: LoadedRule
    what: str

    def __str__(self) -> str:
        return (
            f"rules {self.first.id!r} ({self.first.where}) and {self.second.id!r} "
            f"({self.second.where}) can fire together: {self.what}"
        )

    def problem(self) -> Problem:
        return Problem(
            f"contradicts rule {self.first.id!r} at {self.first.where}: {self.what}",
            self.second.path,
            self.second.line,
            None,
            "then",
            self.second.id,
            kind="conflict",
        )


Layered = Callable[["LoadedRule", "LoadedRule"], bool]


def _never_layered(one: LoadedRule, other: LoadedRule) -> bool:
    return False


def _contradictions(
    first: LoadedRule,
    second: LoadedRule,
    empty: frozenset[str],
    layered: Layered = _never_layered,
) -> list[str]:
    """What the two rules' effects contradict. An effect narrowed by a rule
    that fires for fewer clients (``layered``: the first can fire without
    the second) is layering, not a contradiction: kneading for everyone,
    but not on the legs after a clot."""
    found = []
    for a, b in itertools.product(first.rule.then, second.rule.then):
        if not (a.narrowed_by(b) and layered(first, second)):
            found += a.contradicts(b, empty)
        # Same-kind contradictions are symmetric: say them once.
        if type(a) is not type(b) and not (b.narrowed_by(a) and layered(second, first)):
            found += b.contradicts(a, empty)
    return found


MAX_CONFLICTS = 100  # enough to act on; more would only repeat the message
# Pairs of rules compared, at most (each takes about 0.1 ms): a rulebase whose
# rules could contradict in more pairs than this is told it was not fully checked.
MAX_PAIRS = 10_000


@dataclass(frozen=True)
class PairsNotChecked:
    """More pairs of rules could contradict than the analysis compares."""

    example: LoadedRule  # a rule in a pair left unchecked, to point the reader at

    def __str__(self) -> str:
        return (
            f"more than {MAX_PAIRS} pairs of rules could contradict (for example around rule "
            f"{self.example.id!r}, {self.example.where}); only the first {MAX_PAIRS} "
            "were checked for conflicts"
        )

    def problem(self) -> Problem:
        return Problem(
            str(self),
            self.example.path,
            self.example.line,
            None,
            "then",
            self.example.id,
            kind="conflict",
        )


def _candidate_pairs(
    rulebase: Rulebase,
) -> tuple[list[tuple[LoadedRule, LoadedRule]], PairsNotChecked | None]:
    """Pairs of rules with effects that share a conflict key in different variants:
    the only ones that can contradict, found without comparing every pair. At
    most MAX_PAIRS of them, and what was left out."""
    index: dict[Hashable, dict[Hashable, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position, rule in enumerate(rulebase):
        for effect in rule.rule.then:
            for key, variant in effect.conflict_keys():
                index[key][variant].append(position)
    pairs: set[tuple[int, int]] = set()
    rules = rulebase.rules
    for variants in index.values():
        for one, other in itertools.combinations(variants.values(), 2):
            for a, b in itertools.product(one, other):
                pair = (min(a, b), max(a, b))
                if a == b or pair in pairs:
                    continue
                if len(pairs) == MAX_PAIRS:  # a rulebase at war with itself
                    checked = [(rules[x], rules[y]) for x, y in sorted(pairs)]
                    return checked, PairsNotChecked(rules[a])
                pairs.add(pair)
    return [(rules[a], rules[b]) for a, b in sorted(pairs)], None


def find_conflicts(rulebase: Rulebase) -> list[Conflict | PairsNotChecked]:
    """Pairs of rules that can fire for one client and contradict each other
    (the first ``MAX_CONFLICTS`` of them), then whether some pairs went unchecked."""
    candidates, left_out = _candidate_pairs(rulebase)
    tail: list[Conflict | PairsNotChecked] = [left_out] if left_out is not None else []
    # What could contradict if both fired, before asking the engine whether they can.
    nothing_empty: frozenset[str] = frozenset()
    pairs = [(a, b) for a, b in candidates if _contradictions(a, b, nothing_empty)]
    if not pairs:
        return tail
    satisfying = satisfying_values(rulebase)
    values = field_values(rulebase)
    # The representative values of each area list that name no area (empty or unknown).
    no_area = {name: {i for i, v in enumerate(values[name]) if not v} for name in AREA_FIELDS}

    def layered(one: LoadedRule, other: LoadedRule) -> bool:
        return fires_without(satisfying, one.id, other.id)

    conflicts: list[Conflict | PairsNotChecked] = []
    for first, second in pairs:
        if can_fire_together(satisfying, first.id, second.id):
            # Area lists that name no area whenever both fire.
            empty = frozenset(
                name
                for name in AREA_FIELDS
                if satisfying[first.id][name] & satisfying[second.id][name] <= no_area[name]
            )
            conflicts.extend(
                Conflict(first, second, what)
                for what in _contradictions(first, second, empty, layered)
            )
            if len(conflicts) >= MAX_CONFLICTS:
                break
    return [*conflicts[:MAX_CONFLICTS], *tail]
