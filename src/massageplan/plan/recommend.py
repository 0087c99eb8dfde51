"""recommend(): a profile, through the rules, into a complete cited plan."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from .._version import __version__
from ..engine.conditions import Clause
from ..engine.facts import profile_facts
from ..engine.memo import FiredRules
from ..engine.seam import ENGINE_NAME, Conditions, compile_conditions
from ..model.errors import PlanSafetyError
from ..model.limits import check_profile_input
from ..model.plan import GeneratedBy, SessionPlan
from ..model.profile import ClientProfile
from ..rules.load import read_rulebase
from ..rules.rulebase import LoadedRule, Rulebase
from .build import Parts, PlanBuilder, plan_inputs
from .invariants import Breach, breaches

_lock = threading.Lock()
# What each rulebase has compiled or memoised, dropped with the rulebase.
_compiled: weakref.WeakKeyDictionary[Rulebase, dict[str, Any]] = weakref.WeakKeyDictionary()
_builtin: list[Rulebase] = []


def builtin_rulebase() -> Rulebase:
    """The packaged rulebase, loaded once per process.

    Read without the conflict analysis that :func:`load_rulebase` runs to
    warn its caller: nobody asked for these rules by name, the test suite
    holds them free of conflicts, and a web server's first plan need not
    wait for the check (``conflicts`` still finds them when asked).
    """
    if not _builtin:  # the lock is taken only until the first load is done
        with _lock:
            if not _builtin:
                _builtin.append(read_rulebase())
    return _builtin[0]


T = TypeVar("T")


def compiled(rulebase: Rulebase, purpose: str, build: Callable[[Rulebase], T]) -> T:
    """The rulebase's conditions compiled for one purpose, once per rulebase."""
    found: T | None = _compiled.get(rulebase, {}).get(purpose)
    if found is not None:  # the common case takes no lock: threads do not queue here
        return found
    with _lock:
        cache = _compiled.setdefault(rulebase, {})
        if purpose not in cache:
            cache[purpose] = build(rulebase)
        made: T = cache[purpose]
        return made


def _named(rulebase: Rulebase) -> list[tuple[str, tuple[Clause, ...]]]:
    return [(rule.id, rule.clauses) for rule in rulebase]


def _whole_rules(rulebase: Rulebase) -> Conditions:
    return compile_conditions(_named(rulebase))


def _field_memo(rulebase: Rulebase) -> FiredRules:
    return FiredRules(_named(rulebase))


def fired_rules(
    profile: ClientProfile, rulebase: Rulebase, *, memo: bool = True
) -> list[LoadedRule]:
    """The rules whose conditions hold for ``profile``, as the engine decides, in rulebase order.

    By default the engine's verdicts are memoised per profile field
    (``engine.memo``); ``memo=False`` asks the engine about the whole rules, as a
    check that both give the same.
    """
    facts = profile_facts(profile)
    if memo:
        matched = compiled(rulebase, "memo", _field_memo).matching(facts)
    else:
        matched = compiled(rulebase, "rules", _whole_rules).matching(facts)
    return [
        rule
        for rule, rule_id in zip(rulebase.rules, rulebase.ids, strict=True)
        if rule_id in matched
    ]


def as_profile(profile: ClientProfile | Mapping[str, Any]) -> ClientProfile:
    """A profile, validating a mapping (pydantic.ValidationError if it does not fit)."""
    if isinstance(profile, ClientProfile):
        return profile
    # Bounded before pydantic walks it: no error message ever renders an
    # unbounded value, and a list that contains itself cannot hang the caller.
    check_profile_input(profile)
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


class _Memo:
    """Evaluations already made for one rulebase: pure functions of their keys.

    Plans are keyed by the fired rules and the profile fields plan assembly
    reads, so profiles that differ elsewhere share them; safe plans are also
    kept by the whole profile. Each table is emptied when it fills, which
    bounds memory without a lock on the hot path.
    """

    SIZE = 4096

    def __init__(self, rulebase: Rulebase) -> None:
        self.plans: dict[Hashable, SessionPlan] = {}
        self.safe: dict[ClientProfile, SessionPlan] = {}

    @classmethod
    def keep(cls, table: dict[Any, SessionPlan], key: Hashable, plan: SessionPlan) -> None:
        if len(table) >= cls.SIZE:
            table.clear()
        table[key] = plan


def evaluate(profile: ClientProfile, rulebase: Rulebase) -> tuple[SessionPlan, list[Breach]]:
    """The plan the fired rules make for ``profile``, and the safety invariants it breaks."""
    memo = compiled(rulebase, "evaluations", _Memo)
    known = memo.safe.get(profile)
    if known is not None:
        return known, []
    plan = plan_for(profile, rulebase)
    found = breaches(profile, plan)
    if not found:
        memo.keep(memo.safe, profile, plan)
    return plan, found


def plan_key(fired: Iterable[str], profile: ClientProfile) -> Hashable:
    """What decides a plan: the ids of the fired rules and the plan inputs."""
    return tuple(fired), plan_inputs(profile)


def plan_for(profile: ClientProfile, rulebase: Rulebase) -> SessionPlan:
    """The plan for ``profile``, built once per fired rules and plan inputs (unchecked)."""
    memo = compiled(rulebase, "evaluations", _Memo)
    fired = fired_rules(profile, rulebase)
    key = plan_key((rule.id for rule in fired), profile)
    plan = memo.plans.get(key)
    if plan is None:
        plan = build_plan(profile, fired, rulebase)
        memo.keep(memo.plans, key, plan)
    return plan


def adopt_plan(rulebase: Rulebase, key: Hashable, plan: SessionPlan) -> None:
    """Keep a plan another process built for ``key`` under ``rulebase``, as if
    built here. It is still checked against each profile it is given for:
    the plans memo holds plans before their safety check, not after."""
    memo = compiled(rulebase, "evaluations", _Memo)
    if key not in memo.plans:
        memo.keep(memo.plans, key, plan)


def generated_by(rulebase: Rulebase) -> GeneratedBy:
    return GeneratedBy(
        library=f"massageplan {__version__}", rulebase=rulebase.digest, engine=ENGINE_NAME
    )


def build_plan(
    profile: ClientProfile,
    fired: list[LoadedRule],
    rulebase: Rulebase,
    parts: Parts | None = None,
) -> SessionPlan:
    """Apply the fired rules' effects, in rulebase order, and assemble the plan
    from ``parts`` (by default the items the rulebase's plans already share)."""
    if parts is None:
        parts = compiled(rulebase, "parts", lambda _: Parts())
    builder = PlanBuilder(profile, parts)
    for rule in fired:
        for effect in rule.rule.then:
            effect.apply(builder, rule.reason)
    made_by = compiled(rulebase, "generated_by", generated_by)  # one per rulebase, not per plan
    return builder.build([rule.id for rule in fired], rulebase.sources, rulebase.trace, made_by)


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
