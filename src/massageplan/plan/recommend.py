"""recommend(): a profile, through the rules, into a complete cited plan."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ..model.errors import PlanSafetyError
from ..model.limits import check_profile_input
from ..model.plan import GeneratedBy, SessionPlan
from ..model.profile import ClientProfile, PlanInputs
from ..rules.load import read_rulebase
from ..rules.rulebase import LoadedRule, Rulebase
from .build import Parts
from .compiled import PlanKey, compiled_for
from .invariants import Breach, Case, case_breaches

_lock = threading.Lock()
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


def fired_rules(
    profile: ClientProfile, rulebase: Rulebase, *, memo: bool = True
) -> list[LoadedRule]:
    """The rules whose conditions hold for ``profile``, as the engine decides, in rulebase order.

    By default the engine's verdicts are memoised per profile field
    (``engine.memo``); ``memo=False`` asks the engine about the whole rules, as a
    check that both give the same.
    """
    compiled = compiled_for(rulebase)
    if memo:
        return list(compiled.rules_for(compiled.fired.mask(profile, PlanInputs.of(profile))))
    from ..engine.facts import profile_facts  # noqa: PLC0415 - only this check needs them

    matched = compiled.whole_rules().matching(profile_facts(profile))
    return [rule for rule in rulebase if rule.id in matched]


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


def evaluate(profile: ClientProfile, rulebase: Rulebase) -> tuple[SessionPlan, list[Breach]]:
    """The plan the fired rules make for ``profile``, and the safety invariants it breaks."""
    compiled = compiled_for(rulebase)
    known: SessionPlan | None = compiled.safe[profile]
    if known is not None:
        return known, []
    inputs = PlanInputs.of(profile)
    _, view = compiled.view(profile, inputs)
    found = case_breaches(Case.of(profile, inputs), view)
    if not found:
        compiled.safe.keep(profile, view.plan)
    return view.plan, found


def plan_key(rulebase: Rulebase, fired: Iterable[str], profile: ClientProfile) -> PlanKey:
    """What decides a plan: the rules that fired, and what their effects read."""
    compiled = compiled_for(rulebase)
    return compiled.key(compiled.mask_of(fired), PlanInputs.of(profile))


def adopt_plan(rulebase: Rulebase, key: PlanKey, plan: SessionPlan) -> None:
    """Keep a plan another process built for ``key`` under ``rulebase``, as if
    built here. It is still checked against each profile it is given for:
    the plans memo holds plans before their safety check, not after."""
    compiled_for(rulebase).adopt(key, plan)


def generated_by(rulebase: Rulebase) -> GeneratedBy:
    return compiled_for(rulebase).generated_by


def build_plan(
    profile: ClientProfile,
    fired: list[LoadedRule],
    rulebase: Rulebase,
    parts: Parts | None = None,
) -> SessionPlan:
    """The plan the ``fired`` rules' effects make for ``profile``, made in one
    piece (every effect applied in rulebase order, every input given), with
    items kept in ``parts`` (by default the rulebase's own). Unchecked; a test
    holds it equal to the plan ``recommend`` makes part by part."""
    compiled = compiled_for(rulebase)
    made = None if parts is None else compiled.made_with(parts)
    return compiled.build(fired, PlanInputs.of(profile), made)


def responsible(
    rulebase: Rulebase, found: Breach, fired: Iterable[str]
) -> tuple[list[LoadedRule], list[LoadedRule]]:
    """The rules behind a breach: those that made the offending items, else the
    rules that bear on the invariant; split into fired and silent."""
    fired = set(fired)
    if found.finding.item_rules:
        rules = [rulebase[r] for r in found.finding.item_rules if r in rulebase]
    else:
        rules = list(compiled_for(rulebase).bearing_on(found.invariant.key))
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
