"""recommend(): a profile, through the rules, into a complete cited plan."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._build import PlanBuilder
from ._engine import ENGINE_NAME, Conditions, compile_conditions
from ._errors import PlanSafetyError
from ._facts import profile_facts
from ._invariants import Breach, breaches
from ._plan import GeneratedBy, SessionPlan
from ._profile import ClientProfile
from ._rulebase import LoadedRule, Rulebase, load_rulebase
from ._version import __version__

_lock = threading.Lock()
_compiled: weakref.WeakKeyDictionary[Rulebase, dict[str, Conditions]] = weakref.WeakKeyDictionary()
_builtin: list[Rulebase] = []


def builtin_rulebase() -> Rulebase:
    """The packaged rulebase, loaded once per process."""
    with _lock:
        if not _builtin:
            _builtin.append(load_rulebase())
        return _builtin[0]


def compiled(
    rulebase: Rulebase, purpose: str, build: Callable[[Rulebase], Conditions]
) -> Conditions:
    """The rulebase's conditions compiled for one purpose, once per rulebase."""
    with _lock:
        cache = _compiled.setdefault(rulebase, {})
        if purpose not in cache:
            cache[purpose] = build(rulebase)
        return cache[purpose]


def _whole_rules(rulebase: Rulebase) -> Conditions:
    return compile_conditions([(rule.id, rule.clauses) for rule in rulebase])


def fired_rules(profile: ClientProfile, rulebase: Rulebase) -> list[LoadedRule]:
    """The rules whose conditions hold for ``profile``, as the engine decides, in rulebase order."""
    matched = compiled(rulebase, "rules", _whole_rules).matching(profile_facts(profile))
    return [rule for rule in rulebase if rule.id in matched]


def as_profile(profile: ClientProfile | Mapping[str, Any]) -> ClientProfile:
    """A profile, validating a mapping (pydantic.ValidationError if it does not fit)."""
    if isinstance(profile, ClientProfile):
        return profile
    return ClientProfile.model_validate(profile)


def recommend(
    profile: ClientProfile | Mapping[str, Any],
    rulebase: Rulebase | None = None,
) -> SessionPlan:
    """The session plan for ``profile`` under ``rulebase`` (the built-in rules by default).

    A mapping is validated into a :class:`ClientProfile` first and raises
    ``pydantic.ValidationError`` if it does not fit. The plan is complete and
    meets every safety invariant of the contract, or :class:`PlanSafetyError`
    is raised, naming the invariant, the profile values and the rules.
    Thread-safe; the same profile always gives the same plan.
    """
    profile = as_profile(profile)
    rules = builtin_rulebase() if rulebase is None else rulebase
    plan, problems = evaluate(profile, rules)
    if problems:
        raise unsafe(plan, problems, rules)
    return plan


def evaluate(profile: ClientProfile, rulebase: Rulebase) -> tuple[SessionPlan, list[Breach]]:
    """The plan the fired rules make for ``profile``, and the safety invariants it breaks."""
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase)
    return plan, breaches(profile, plan)


def generated_by(rulebase: Rulebase) -> GeneratedBy:
    return GeneratedBy(
        library=f"massageplan {__version__}", rulebase=rulebase.digest, engine=ENGINE_NAME
    )


def build_plan(profile: ClientProfile, fired: list[LoadedRule], rulebase: Rulebase) -> SessionPlan:
    """Apply the fired rules' effects, in rulebase order, and assemble the plan."""
    builder = PlanBuilder(profile)
    for rule in fired:
        for effect in rule.rule.then:
            effect.apply(builder, rule.reason)
    return builder.build(
        [rule.id for rule in fired], rulebase.sources, rulebase.trace, generated_by(rulebase)
    )


def responsible(
    rulebase: Rulebase, found: Breach, fired: Iterable[str]
) -> tuple[list[LoadedRule], list[LoadedRule]]:
    """The rules behind a breach: those that made the offending items, else the
    rules that bear on the invariant; split into fired and silent."""
    fired = set(fired)
    if found.finding.item_rules:
        rules = [rulebase[r] for r in found.finding.item_rules if r in rulebase]
    else:
        key = found.invariant.key
        rules = [r for r in rulebase if any(key in e.bears_on() for e in r.rule.then)]
    return [r for r in rules if r.id in fired], [r for r in rules if r.id not in fired]


def unsafe(plan: SessionPlan, found: list[Breach], rulebase: Rulebase) -> PlanSafetyError:
    values: dict[str, object] = {}
    blamed: dict[str, str] = {}
    lines = []
    for breach in found:
        values.update(breach.finding.profile_values)
        loud, silent = responsible(rulebase, breach, plan.fired_rules)
        orphan = "" if loud or silent else " (no rule in the rulebase provides this: add one)"
        lines.append(str(breach) + orphan)
        for rule in loud:
            blamed.setdefault(rule.id, f"{rule.id} ({rule.location})")
        for rule in silent:
            blamed.setdefault(rule.id, f"{rule.id} ({rule.location}, did not fire)")
    return PlanSafetyError(
        lines,
        invariants=sorted({b.invariant.number for b in found}),
        rule_ids=list(blamed),
        profile_values=values,
        responsible=list(blamed.values()),
    )
