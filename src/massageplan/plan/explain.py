"""explain(): every rule, fired or not, and for each condition whether it held and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ..engine.conditions import KeyPath
from ..engine.facts import FIELDS, describe_value, profile_facts
from ..model.errors import EngineError
from ..model.plan import SessionPlan
from ..model.profile import ClientProfile
from ..rules.rulebase import Rulebase
from .compiled import clause_key, compiled_for
from .recommend import as_profile, builtin_rulebase, evaluate, unsafe

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ConditionCheck(BaseModel):
    """One condition of a rule, as the engine found it for this profile.

    As data (and JSON): the fact, the operator and operand as the rule file
    writes them, the profile's value (null when not known) and the verdict.
    The same in words for people: ``needs`` and ``actual``, left out of JSON.
    """

    model_config = _FROZEN

    fact: str
    operator: str = Field(description="As the rule file writes it: is, in, at_least, ...")
    operand: JsonValue = Field(description="The rule file's value for the operator.")
    value: JsonValue = Field(description="The profile's value of the fact; null if unknown.")
    held: bool
    needs: str = Field(exclude=True)  # what the condition asks for, in words
    actual: str = Field(exclude=True)  # the profile's value, in words

    def __str__(self) -> str:
        return f"{self.fact} is {self.actual}, needs {self.needs}"


class RuleExplanation(BaseModel):
    """One rule for one profile: whether it fired, each condition's verdict, what it adds."""

    model_config = _FROZEN

    rule_id: str
    title: str
    location: str
    fired: bool
    conditions: tuple[ConditionCheck, ...]
    effects: tuple[dict[str, JsonValue], ...] = Field(
        description="What the rule adds when it fires, as its rule file's 'then' says it."
    )
    adds: tuple[str, ...] = Field(exclude=True)  # the same, in words

    def __str__(self) -> str:
        if self.fired:
            because = "; ".join(str(c) for c in self.conditions) or "applies to every client"
            return f"{self.rule_id}: fired ({because}); adds {'; '.join(self.adds)}"
        failed = "; ".join(str(c) for c in self.conditions if not c.held)
        return f"{self.rule_id}: did not fire: {failed}"


class Explanation(BaseModel):
    """Why the plan is what it is: every rule of the rulebase, in order."""

    model_config = _FROZEN

    rules: tuple[RuleExplanation, ...]
    plan: SessionPlan | None
    error: str | None = None  # why there is no plan (an unsafe rulebase)

    def __str__(self) -> str:
        lines = [str(rule) for rule in self.rules]
        if self.error:
            lines.append(f"no plan: {self.error}")
        return "\n".join(lines)


def _as_written(when: Mapping[str, Any], key_path: KeyPath) -> dict[str, Any]:
    """A clause's operator and operand as its rule file writes them (a bare value is 'is')."""
    condition = when[str(key_path[0])]
    if len(key_path) == 1:
        return {"operator": "is", "operand": condition}
    return {"operator": str(key_path[1]), "operand": condition[key_path[1]]}


def explain(
    profile: ClientProfile | Mapping[str, Any], rulebase: Rulebase | None = None
) -> Explanation:
    """Every rule, fired or not; for each condition, whether it held, with the value.

    The engine evaluates each condition on its own, and the whole rules as
    ``recommend()`` does; the two must agree.
    """
    profile = as_profile(profile)
    rules = builtin_rulebase() if rulebase is None else rulebase
    facts = profile_facts(profile)
    held = compiled_for(rules).clauses().matching(facts)
    plan, problems = evaluate(profile, rules)
    fired = set(plan.fired_rules)
    explained = []
    for i, rule in enumerate(rules):
        checks = tuple(
            ConditionCheck(
                fact=clause.field,
                **_as_written(rule.rule.when, clause.key_path),
                value=facts.get(clause.field),  # None: the profile does not say
                held=clause_key(i, j) in held,
                needs=clause.needs,
                actual=describe_value(FIELDS[clause.field], facts),
            )
            for j, clause in enumerate(rule.clauses)
        )
        if (rule.id in fired) != all(c.held for c in checks):
            raise EngineError(f"the engine disagreed with itself about rule {rule.id!r}")
        explained.append(
            RuleExplanation(
                rule_id=rule.id,
                title=rule.rule.title,
                location=rule.location,
                fired=rule.id in fired,
                conditions=checks,
                effects=tuple(
                    effect.model_dump(mode="json", exclude_defaults=True)
                    for effect in rule.rule.then
                ),
                adds=tuple(effect.describe() for effect in rule.rule.then),
            )
        )
    if problems:
        return Explanation(
            rules=tuple(explained), plan=None, error=str(unsafe(plan, problems, rules))
        )
    return Explanation(rules=tuple(explained), plan=plan)
