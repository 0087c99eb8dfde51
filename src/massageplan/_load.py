"""load_rulebase(): read rule files, then look for rules that contradict each other.

Effects combine without regard to order (areas are unions, pressures
minimums), so contradictions never make a plan unsafe; but one of the two
rules is then silently overridden, which a rule author wants to know.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from pathlib import Path

from ._errors import Problem, RulebaseError
from ._profile import BodyArea
from ._rules import (
    AdviceEffect,
    AreaSpec,
    AvoidEffect,
    LoadedRule,
    Rulebase,
    TechniqueEffect,
    VisitsEffect,
    read_rulebase,
)
from ._space import AREA_FIELDS, can_fire_together, satisfying_values


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
            f"rules {self.first.id!r} ({self.first.location}) and {self.second.id!r} "
            f"({self.second.location}) can fire together: {self.what}"
        )

    def problem(self) -> Problem:
        return Problem(
            f"contradicts rule {self.first.id!r} at {self.first.location}: {self.what}",
            self.second.path,
            self.second.line,
            None,
            "then",
            self.second.id,
            kind="conflict",
        )


def _possible_areas(spec: AreaSpec, forced_empty: set[str]) -> set[BodyArea] | None:
    """The areas an effect may name; None for "whatever the client has"."""
    if spec == "all":
        return set(BodyArea)
    if isinstance(spec, str):
        return set() if spec in forced_empty else None
    return set(spec)


def _overlap(a: set[BodyArea] | None, b: set[BodyArea] | None) -> bool:
    if a is None or b is None:
        return (a is None or bool(a)) and (b is None or bool(b))
    return bool(a & b)


def _contradictions(first: LoadedRule, second: LoadedRule, empty: set[str]) -> list[str]:
    """What the two rules' effects contradict when both fire; ``empty`` names the
    area lists that are empty whenever both fire."""
    found = []
    for a, b in itertools.product(first.rule.then, second.rule.then):
        for technique, avoid, t_rule, a_rule in ((a, b, first, second), (b, a, second, first)):
            if (
                isinstance(technique, TechniqueEffect)
                and isinstance(avoid, AvoidEffect)
                and technique.technique is avoid.avoid
                and _overlap(
                    _possible_areas(technique.areas, empty),
                    _possible_areas(avoid.areas, empty),
                )
            ):
                found.append(
                    f"{t_rule.id!r} prescribes {technique.describe()}; "
                    f"{a_rule.id!r} says {avoid.describe()}"
                )
        if isinstance(a, VisitsEffect) and isinstance(b, VisitsEffect):
            for name in sorted(a.visits.model_fields_set & b.visits.model_fields_set):
                mine, theirs = getattr(a.visits, name), getattr(b.visits, name)
                if mine != theirs and not {mine, theirs} & {"tolerance"}:
                    found.append(f"{name} is {mine} in one and {theirs} in the other")
        if (
            isinstance(a, AdviceEffect)
            and isinstance(b, AdviceEffect)
            and a.advise is b.advise
            and a.text != b.text
        ):
            found.append(f"advice {a.advise.value!r} has two different texts")
    return found


def _may_contradict(first: LoadedRule, second: LoadedRule) -> bool:
    mine = {type(e) for e in first.rule.then}
    theirs = {type(e) for e in second.rule.then}
    # A technique against an avoidance (either way round), or two of a kind that must agree.
    return {TechniqueEffect, AvoidEffect} <= mine | theirs or bool(
        mine & theirs & {VisitsEffect, AdviceEffect}
    )


def find_conflicts(rulebase: Rulebase) -> list[Conflict]:
    """Pairs of rules that can fire for one client and contradict each other."""
    pairs = [(a, b) for a, b in itertools.combinations(rulebase, 2) if _may_contradict(a, b)]
    if not pairs:
        return []
    satisfying = satisfying_values(rulebase)
    conflicts: list[Conflict] = []
    for first, second in pairs:
        if can_fire_together(satisfying, first.id, second.id):
            # Area lists that are empty whenever both fire (index 0 is the empty list).
            empty = {
                field
                for field in AREA_FIELDS
                if satisfying[first.id][field] & satisfying[second.id][field] == {0}
            }
            conflicts.extend(
                Conflict(first, second, what) for what in _contradictions(first, second, empty)
            )
    return conflicts


def load_rulebase(
    *paths: str | Path,
    builtin: bool | None = None,
    strict: bool = False,
) -> Rulebase:
    """Load rules from YAML files and folders into a checked :class:`Rulebase`.

    With no paths, loads the built-in rulebase. ``builtin=True`` puts the
    built-in rules first and layers the given files on top: a later rule with
    an earlier rule's id replaces it only if it says ``replaces: true``.
    Every problem raises :class:`RulebaseError` naming file, line and rule.

    Rules that can fire together but contradict each other are listed in
    ``Rulebase.conflicts`` and reported as a :class:`RulebaseConflictWarning`,
    or raised as a :class:`RulebaseError` when ``strict``.
    """
    rulebase = read_rulebase(*paths, builtin=builtin)
    conflicts = find_conflicts(rulebase)
    if conflicts and strict:
        raise RulebaseError([c.problem() for c in conflicts])
    for conflict in conflicts:
        warnings.warn(str(conflict), RulebaseConflictWarning, stacklevel=2)
    rulebase.conflicts = tuple(str(c) for c in conflicts)
    return rulebase
