"""recommend(): a profile, through the rules, into a complete cited plan."""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._engine import Conditions
from ._errors import PlanSafetyError
from ._facts import profile_facts
from ._load import load_rulebase
from ._plan import (
    TECHNIQUE_ORDER,
    Advice,
    AdviceCode,
    Reason,
    Restriction,
    SessionPlan,
    Technique,
    TechniqueName,
    Visit,
)
from ._profile import AREA_ORDER, BodyArea, ClientProfile
from ._rules import (
    AdviceEffect,
    AreaSpec,
    AvoidEffect,
    LoadedRule,
    PressureEffect,
    Rulebase,
    TechniqueEffect,
    VisitsEffect,
)
from ._safety import Violation, violations

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
    return Conditions([(rule.id, rule.clauses) for rule in rulebase])


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
    meets every safety property of the contract, or :class:`PlanSafetyError`
    is raised. Thread-safe; the same profile always gives the same plan.
    """
    profile = as_profile(profile)
    plan, problems = evaluate(profile, builtin_rulebase() if rulebase is None else rulebase)
    if problems:
        raise unsafe(plan, problems)
    return plan


def evaluate(profile: ClientProfile, rulebase: Rulebase) -> tuple[SessionPlan, list[Violation]]:
    """The plan the fired rules make for ``profile``, and the safety properties it breaks."""
    plan = build_plan(profile, fired_rules(profile, rulebase), rulebase.trace)
    return plan, violations(profile, plan)


def unsafe(plan: SessionPlan, problems: list[Violation]) -> PlanSafetyError:
    return PlanSafetyError([str(p) for p in problems], plan.fired_rules)


# ---------------------------------------------------------------- combining


@dataclass
class _Item:
    areas: set[BodyArea] = field(default_factory=set)
    reasons: list[Reason] = field(default_factory=list)
    max_pressure: int = 5
    text: str = ""

    def cite(self, reason: Reason) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


def _areas(spec: AreaSpec, profile: ClientProfile) -> set[BodyArea]:
    if spec == "all":
        return set(BodyArea)
    if spec == "swelling":
        return set(profile.swelling)
    if spec == "fragile_tissue":
        return set(profile.fragile_tissue)
    return set(spec)


def _ordered(areas: Iterable[BodyArea]) -> tuple[BodyArea, ...]:
    return tuple(sorted(areas, key=AREA_ORDER.__getitem__))


def build_plan(
    profile: ClientProfile, fired: list[LoadedRule], trace: tuple[str, ...] = ()
) -> SessionPlan:
    """Combine the effects of the fired rules. Order never matters: areas are
    unions, pressures minimums; items are listed in a fixed order."""
    techniques: dict[TechniqueName, _Item] = {}
    restrictions: dict[TechniqueName, _Item] = {}
    advice: dict[AdviceCode, _Item] = {}
    caps: list[tuple[int, Reason]] = []
    schedule = _Schedule(profile.tolerance.minutes)
    for rule in fired:
        reason = rule.reason
        for effect in rule.rule.then:
            if isinstance(effect, TechniqueEffect):
                item = techniques.setdefault(effect.technique, _Item())
                item.areas |= _areas(effect.areas, profile)
                item.max_pressure = min(item.max_pressure, effect.max_pressure)
                item.cite(reason)
            elif isinstance(effect, AvoidEffect):
                areas = _areas(effect.areas, profile)
                if areas:
                    item = restrictions.setdefault(effect.avoid, _Item())
                    item.areas |= areas
                    item.cite(reason)
            elif isinstance(effect, PressureEffect):
                limit = effect.pressure_at_most
                if limit.level is not None:
                    caps.append((limit.level, reason))
                else:
                    tolerated = profile.tolerance.pressure or 0
                    caps.append((max(1, tolerated + (limit.above_tolerated or 0)), reason))
            elif isinstance(effect, VisitsEffect):
                schedule.add(effect, reason)
            elif isinstance(effect, AdviceEffect):
                item = advice.setdefault(effect.advise, _Item(text=effect.text))
                item.cite(reason)

    for name, item in techniques.items():
        item.areas -= restrictions[name].areas if name in restrictions else set()
    techniques = {name: item for name, item in techniques.items() if item.areas}

    target = max((item.max_pressure for item in techniques.values()), default=5)
    pressure = min([target, *(level for level, _ in caps)])
    pressure_reasons = [reason for level, reason in caps if level == pressure] or [
        r for item in techniques.values() if item.max_pressure == pressure for r in item.reasons
    ]

    return SessionPlan(
        visits=schedule.visits(),
        pressure=pressure,
        pressure_reasons=tuple(dict.fromkeys(pressure_reasons)),
        techniques=tuple(
            Technique(
                name=name,
                areas=_ordered(item.areas),
                max_pressure=min(item.max_pressure, pressure),
                reasons=tuple(item.reasons),
            )
            for name, item in sorted(techniques.items(), key=lambda kv: TECHNIQUE_ORDER[kv[0]])
        ),
        restrictions=tuple(
            Restriction(technique=name, areas=_ordered(item.areas), reasons=tuple(item.reasons))
            for name, item in sorted(restrictions.items(), key=lambda kv: TECHNIQUE_ORDER[kv[0]])
        ),
        advice=tuple(
            Advice(code=code, text=item.text, reasons=tuple(item.reasons))
            for code, item in advice.items()
        ),
        fired_rules=tuple(rule.id for rule in fired),
        trace=trace,
    )


class _Schedule:
    """This week's visits: the tightest of what the fired rules allow."""

    def __init__(self, tolerated_minutes: int) -> None:
        self.tolerated = tolerated_minutes
        self.weekly: int | None = None
        self.longest: int | None = None
        self.per_week: int | None = None
        self.reasons: list[Reason] = []

    def add(self, effect: VisitsEffect, reason: Reason) -> None:
        spec = effect.visits
        longest = self.tolerated if spec.longest_visit == "tolerance" else spec.longest_visit
        self.weekly = min(self.weekly or spec.weekly_minutes, spec.weekly_minutes)
        self.longest = min(self.longest or longest, longest)
        if spec.at_most_per_week is not None:
            self.per_week = min(self.per_week or spec.at_most_per_week, spec.at_most_per_week)
        if reason not in self.reasons:
            self.reasons.append(reason)

    def visits(self) -> tuple[Visit, ...]:
        if self.weekly is None or self.longest is None:
            return ()
        longest = min(self.longest, self.weekly)
        count = min(self.per_week or 1, math.ceil(self.weekly / longest))
        minutes = min(longest, self.weekly // count)
        reasons = tuple(self.reasons)
        return tuple(Visit(minutes=minutes, reasons=reasons) for _ in range(count))
