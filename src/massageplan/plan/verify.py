"""verify(): prove a rulebase keeps the contract's safety properties, or show where not."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..engine.facts import AREA_FIELDS
from ..model.errors import MassagePlanError
from ..model.profile import ClientProfile
from ..rules.profile_space import BASE, field_values, sweep
from ..rules.rulebase import Rulebase
from .invariants import INVARIANTS, SAFETY_INVARIANTS, Invariant, breaches
from .recommend import builtin_rulebase, plan_for, responsible

_FROZEN = ConfigDict(frozen=True, extra="forbid")
MAX_COUNTEREXAMPLES = 20


class Counterexample(BaseModel):
    """A profile for which the rulebase breaks an invariant (safety) or departs
    from the article's guidance (article)."""

    model_config = _FROZEN

    profile: ClientProfile
    scope: Literal["safety", "article"]
    invariants: tuple[int, ...]  # the numbers of the invariants broken, in that scope
    violations: tuple[str, ...]
    rules: tuple[str, ...]  # fired rules responsible
    silent_rules: tuple[str, ...]  # rules that bear on it but did not fire
    fired_rules: tuple[str, ...]

    def __str__(self) -> str:
        profile = self.profile.model_dump_json(exclude_defaults=True)
        blame = [f"fired: {', '.join(self.rules)}" if self.rules else "no fired rule bears on it"]
        if self.silent_rules:
            blame.append(f"did not fire: {', '.join(self.silent_rules)}")
        return f"{'; '.join(self.violations)} ({'; '.join(blame)}) for {profile}"


class VerifyReport(BaseModel):
    """What ``verify`` found: profiles whose plans break an invariant, and deviations."""

    model_config = _FROZEN

    swept: int  # profiles in the exhaustive sweep
    searched: int  # profiles tried by hypothesis's search
    article: bool  # whether article conformance was checked too
    counterexamples: tuple[Counterexample, ...]  # safety: recommend() would raise
    deviations: tuple[Counterexample, ...] = ()  # article guidance not followed

    @property
    def safe(self) -> bool:
        return not self.counterexamples

    @property
    def ok(self) -> bool:
        """No unsafe plan, and (when checked) no deviation from the article."""
        return self.safe and not self.deviations

    def __str__(self) -> str:
        checked = "every safety invariant" + (" and the article's guidance" if self.article else "")
        head = f"checked {checked} on {self.swept} representative profiles and {self.searched} "
        head += "searched: " + ("all hold" if self.ok else "findings below")
        lines = [head]
        if self.counterexamples:
            lines += ["unsafe plans (recommend() raises PlanSafetyError for these):"]
            lines += [f"- {c}" for c in self.counterexamples]
        if self.deviations:
            lines += ["deviations from the article's guidance (plans are given; review them):"]
            lines += [f"- {c}" for c in self.deviations]
        return "\n".join(lines)


def check_profile(
    profile: ClientProfile, rulebase: Rulebase, invariants: Iterable[Invariant] = SAFETY_INVARIANTS
) -> list[Counterexample]:
    """What ``profile`` shows of ``rulebase``: one counterexample per scope broken."""
    plan = plan_for(profile, rulebase)  # every profile is checked; plans are shared
    found = breaches(profile, plan, invariants)
    out = []
    for scope in ("safety", "article"):
        mine = [b for b in found if b.invariant.scope == scope]
        if not mine:
            continue
        loud: dict[str, None] = {}
        silent: dict[str, None] = {}
        for breach in mine:
            fired, quiet = responsible(rulebase, breach, plan.fired_rules)
            loud.update(dict.fromkeys(r.id for r in fired))
            silent.update(dict.fromkeys(r.id for r in quiet))
        out.append(
            Counterexample(
                profile=profile,
                scope=scope,
                invariants=tuple(sorted({b.invariant.number for b in mine})),
                violations=tuple(str(b) for b in mine),
                rules=tuple(loud),
                silent_rules=tuple(silent),
                fired_rules=plan.fired_rules,
            )
        )
    return out


def _distinct(found: Iterable[Counterexample]) -> tuple[Counterexample, ...]:
    # One counterexample per kind of failure: the same breaches by the same rules.
    kinds: dict[tuple[tuple[int, ...], tuple[str, ...]], Counterexample] = {}
    for counterexample in found:
        kinds.setdefault((counterexample.invariants, counterexample.rules), counterexample)
        if len(kinds) >= MAX_COUNTEREXAMPLES:
            break
    return tuple(kinds.values())


def search_available() -> bool:
    """Whether hypothesis, which verify's search uses, is installed."""
    return importlib.util.find_spec("hypothesis") is not None


class _UnsafeError(Exception):
    pass


def _search(
    rulebase: Rulebase, examples: int, invariants: tuple[Invariant, ...]
) -> list[Counterexample]:
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
        minutes=mixed("tolerance.minutes", st.integers(5, 180)),
        pressure=st.sampled_from(values["tolerance.pressure"]),
        sessions_completed=mixed("sessions_completed", st.integers(0, 10**6)),
        physician_consulted=st.booleans(),
        clot_history=st.booleans(),
        on_chemotherapy=st.booleans(),
        **{name: mixed(name, areas) for name in AREA_FIELDS},
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
        counterexamples = check_profile(profile, rulebase, invariants)
        if counterexamples:
            found.extend(counterexamples)
            raise _UnsafeError

    try:
        check()
    except _UnsafeError:
        # The last ones are the shrunk, simplest example.
        last = found[-1].profile
        return [c for c in found if c.profile == last]
    return []


def verify(
    rulebase: Rulebase | None = None, *, search: int = 200, article: bool = False
) -> VerifyReport:
    """Check the contract's safety invariants for ``rulebase`` across the profile space.

    Sweeps every combination of the values the rules test (and the
    contract's boundaries), then lets hypothesis search ``search`` more
    profiles. Returns counterexamples with the rules that produced them.
    With ``article=True`` the article's guidance is checked too, and
    departures from it are reported as ``deviations`` (never as unsafe).

    The sweep is exhaustive for every field but the two area lists, which
    vary one at a time (plus both full): a rule that needs particular areas
    in both lists at once is covered by the full lists and by the search,
    not by every pairing.
    """
    if search and not search_available():  # say so now, not after the whole sweep
        raise MassagePlanError(
            "verify's search needs hypothesis: pip install 'massageplan[verify]' "
            "(or search=0 for the exhaustive sweep alone)"
        )
    rules = builtin_rulebase() if rulebase is None else rulebase
    invariants = INVARIANTS if article else SAFETY_INVARIANTS
    swept = 0
    found: list[Counterexample] = []
    for profile in sweep(rules):
        swept += 1
        found += check_profile(profile, rules, invariants)
    if search:
        found.extend(_search(rules, search, invariants))
    return VerifyReport(
        swept=swept,
        searched=search,
        article=article,
        counterexamples=_distinct(c for c in found if c.scope == "safety"),
        deviations=_distinct(c for c in found if c.scope == "article"),
    )
