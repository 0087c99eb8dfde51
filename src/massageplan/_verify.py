"""verify(): prove a rulebase keeps the contract's safety properties, or show where not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._errors import MassagePlanError
from ._plan import AdviceCode, TechniqueName
from ._profile import ClientProfile
from ._recommend import builtin_rulebase, evaluate
from ._rules import (
    AdviceEffect,
    AvoidEffect,
    LoadedRule,
    PressureEffect,
    Rulebase,
    TechniqueEffect,
    VisitsEffect,
)
from ._space import BASE, field_values, sweep

_FROZEN = ConfigDict(frozen=True, extra="forbid")
MAX_COUNTEREXAMPLES = 20


class Counterexample(BaseModel):
    """A profile for which the rulebase gives an unsafe plan."""

    model_config = _FROZEN

    profile: ClientProfile
    properties: tuple[int, ...]  # the contract's safety properties broken
    kinds: tuple[str, ...]  # how they are broken (stable codes)
    violations: tuple[str, ...]
    rules: tuple[str, ...]  # fired rules whose effects bear on the broken properties
    silent_rules: tuple[str, ...]  # rules that bear on them but did not fire
    fired_rules: tuple[str, ...]

    def __str__(self) -> str:
        profile = self.profile.model_dump_json(exclude_defaults=True)
        blame = [f"fired: {', '.join(self.rules)}" if self.rules else "no fired rule bears on it"]
        if self.silent_rules:
            blame.append(f"did not fire: {', '.join(self.silent_rules)}")
        return f"{'; '.join(self.violations)} ({'; '.join(blame)}) for {profile}"


class VerifyReport(BaseModel):
    model_config = _FROZEN

    swept: int  # profiles in the exhaustive sweep
    searched: int  # profiles tried by hypothesis's search
    counterexamples: tuple[Counterexample, ...]

    @property
    def ok(self) -> bool:
        return not self.counterexamples

    def __str__(self) -> str:
        head = f"checked {self.swept} representative profiles and {self.searched} searched: " + (
            "every safety property holds" if self.ok else "unsafe plans found"
        )
        return "\n".join([head, *(f"- {c}" for c in self.counterexamples)])


def _bears_on(rule: LoadedRule, number: int) -> bool:
    for effect in rule.rule.then:
        if number == 1 and (
            (isinstance(effect, TechniqueEffect) and effect.technique is TechniqueName.FRICTION)
            or (isinstance(effect, AvoidEffect) and effect.avoid is TechniqueName.FRICTION)
        ):
            return True
        if number == 2 and isinstance(effect, VisitsEffect):
            return True
        if number in (3, 4) and isinstance(effect, PressureEffect | TechniqueEffect):
            return True
        if (
            number == 5
            and isinstance(effect, AdviceEffect)
            and effect.advise is AdviceCode.CONSULT_PHYSICIAN
        ):
            return True
    return False


def check_profile(profile: ClientProfile, rulebase: Rulebase) -> Counterexample | None:
    """The counterexample ``profile`` makes of ``rulebase``, if any."""
    plan, found = evaluate(profile, rulebase)
    if not found:
        return None
    properties = tuple(sorted({v.property for v in found}))
    bearing = [r.id for r in rulebase if any(_bears_on(r, n) for n in properties)]
    return Counterexample(
        profile=profile,
        properties=properties,
        kinds=tuple(v.kind for v in found),
        violations=tuple(v.message for v in found),
        rules=tuple(r for r in bearing if r in plan.fired_rules),
        silent_rules=tuple(r for r in bearing if r not in plan.fired_rules),
        fired_rules=plan.fired_rules,
    )


def _distinct(found: Iterable[Counterexample]) -> tuple[Counterexample, ...]:
    # One counterexample per kind of failure: the same breaches by the same rules.
    kinds: dict[tuple[tuple[str, ...], tuple[str, ...]], Counterexample] = {}
    for counterexample in found:
        kinds.setdefault((counterexample.kinds, counterexample.rules), counterexample)
        if len(kinds) >= MAX_COUNTEREXAMPLES:
            break
    return tuple(kinds.values())


class _UnsafeError(Exception):
    pass


def _search(rulebase: Rulebase, examples: int) -> list[Counterexample]:
    try:
        from hypothesis import HealthCheck, Phase, given, settings  # noqa: PLC0415 - optional
        from hypothesis import strategies as st  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise MassagePlanError(
            "verify's search needs hypothesis: pip install 'massageplan[verify]' "
            "(or pass search=0 for the exhaustive sweep alone)"
        ) from None
    values = field_values(rulebase)

    def mixed(field: str, anything: Any) -> Any:
        # The values the rules test, and anything else the profile allows.
        return st.one_of(st.sampled_from(values[field]), anything)

    def profile(minutes: int, pressure: int | None, **fields: Any) -> ClientProfile:
        tolerance = {"minutes": minutes, "pressure": pressure}
        return ClientProfile.model_validate({**BASE, **fields, "tolerance": tolerance})

    areas = st.lists(st.sampled_from(values["swelling"][-1]), max_size=5)
    profiles = st.builds(
        profile,
        condition=st.sampled_from(values["condition"]),
        hypersensitivity=st.sampled_from(values["hypersensitivity"]),
        swelling=mixed("swelling", areas),
        fragile_tissue=mixed("fragile_tissue", areas),
        minutes=mixed("tolerance.minutes", st.integers(5, 180)),
        pressure=st.sampled_from(values["tolerance.pressure"]),
        sessions_completed=mixed("sessions_completed", st.integers(0, 10**6)),
        physician_consulted=st.booleans(),
    )
    found: list[Counterexample] = []

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(profiles)
    def check(profile: ClientProfile) -> None:
        counterexample = check_profile(profile, rulebase)
        if counterexample is not None:
            found.append(counterexample)
            raise _UnsafeError

    try:
        check()
    except _UnsafeError:
        return found[-1:]  # the last one is the shrunk, simplest example
    return []


def verify(rulebase: Rulebase | None = None, *, search: int = 200) -> VerifyReport:
    """Check the contract's safety properties for ``rulebase`` across the profile space.

    Sweeps every combination of the values the rules test (and the
    contract's boundaries), then lets hypothesis search ``search`` more
    profiles. Returns counterexamples with the rules that produced them.

    The sweep is exhaustive for every field but the two area lists, which
    vary one at a time (plus both full): a rule that needs particular areas
    in both lists at once is covered by the full lists and by the search,
    not by every pairing.
    """
    rules = builtin_rulebase() if rulebase is None else rulebase
    swept = 0
    found: list[Counterexample] = []
    for profile in sweep(rules):
        swept += 1
        counterexample = check_profile(profile, rules)
        if counterexample is not None:
            found.append(counterexample)
    if search:
        found.extend(_search(rules, search))
    return VerifyReport(swept=swept, searched=search, counterexamples=_distinct(found))
