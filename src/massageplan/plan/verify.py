"""verify(): prove a rulebase keeps the contract's safety properties, or show where not."""

from __future__ import annotations

import concurrent.futures
import functools
import importlib.util
import itertools
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from .._gc_pause import collector_paused
from ..model.errors import MassagePlanError
from ..model.plan import SessionPlan
from ..model.profile import (
    FIELD,
    PROFILE_FIELDS,
    ClientProfile,
    Condition,
    FieldKind,
    Hypersensitivity,
    PlanInputs,
    ProfileField,
)
from ..rules.profile_space import BASE, SweepSpace, field_values, sweep_space, with_value
from ..rules.rulebase import Rulebase
from .compiled import CompiledRulebase, compiled_for
from .invariants import (
    INVARIANTS,
    SAFETY_INVARIANTS,
    Breach,
    Case,
    Checks,
    Invariant,
    PlanView,
    Scope,
    case_breaches,
    live_checks,
)
from .recommend import builtin_rulebase, responsible

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
    compiled = compiled_for(rulebase)
    inputs = PlanInputs.of(profile)
    _, view = compiled.view(profile, inputs)  # every profile is checked; plans are shared
    found = case_breaches(Case.of(profile, inputs), view, invariants)
    return _counterexamples(profile, view.plan, found, rulebase)


Kind = tuple[Scope, tuple[int, ...], tuple[str, ...]]


def _kinds(
    found: list[Breach], plan: SessionPlan, rulebase: Rulebase
) -> list[tuple[Kind, list[Breach], tuple[str, ...], tuple[str, ...]]]:
    """The breaches by scope, each scope's kind of failure (the invariants broken
    and the fired rules responsible), and its fired and silent rules."""
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
        numbers = tuple(sorted({b.invariant.number for b in mine}))
        kind: Kind = (scope, numbers, tuple(loud))
        out.append((kind, mine, tuple(loud), tuple(silent)))
    return out


def _counterexample(
    profile: ClientProfile,
    plan: SessionPlan,
    kind: Kind,
    mine: list[Breach],
    *,
    loud: tuple[str, ...],
    silent: tuple[str, ...],
) -> Counterexample:
    return Counterexample(
        profile=profile,
        scope=kind[0],
        invariants=kind[1],
        violations=tuple(str(b) for b in mine),
        rules=loud,
        silent_rules=silent,
        fired_rules=plan.fired_rules,
    )


def _counterexamples(
    profile: ClientProfile, plan: SessionPlan, found: list[Breach], rulebase: Rulebase
) -> list[Counterexample]:
    return [
        _counterexample(profile, plan, kind, mine, loud=loud, silent=silent)
        for kind, mine, loud, silent in _kinds(found, plan, rulebase)
    ]


def _distinct(found: Iterable[Counterexample]) -> tuple[Counterexample, ...]:
    # One counterexample per kind of failure: the same breaches by the same rules.
    kinds: dict[tuple[tuple[int, ...], tuple[str, ...]], Counterexample] = {}
    for counterexample in found:
        kinds.setdefault((counterexample.invariants, counterexample.rules), counterexample)
        if len(kinds) >= MAX_COUNTEREXAMPLES:
            break
    return tuple(kinds.values())


# ------------------------------------------------------------------ the sweep


_NO_FLAGS = (False, False, False, False)
# A named tuple made from a tuple of all its fields, without its Python-level
# ``__new__``: the sweep makes one case per profile.
_new = tuple.__new__


class _Swept:
    """The first profile of each kind of failure a sweep (or a part of one) found,
    by its place in the sweep's order; and how many profiles it checked."""

    def __init__(self) -> None:
        self.first: dict[Kind, tuple[int, Counterexample]] = {}
        self.checked = 0
        # The kinds a plan's breaches make: who is responsible depends on the
        # plan and on which invariants broke by which items, not on the profile.
        self.kinds: dict[Hashable, list[tuple[Kind, tuple[str, ...], tuple[str, ...]]]] = {}

    def add(self, other: _Swept) -> None:
        self.checked += other.checked
        for kind, (order, example) in other.first.items():
            if kind not in self.first or order < self.first[kind][0]:
                self.first[kind] = (order, example)

    def in_order(self) -> list[Counterexample]:
        return [example for _, example in sorted(self.first.values(), key=lambda e: e[0])]


def _verdicts(space: SweepSpace, compiled: CompiledRulebase) -> dict[str, list[int]]:
    """For each field the sweep varies, the rules its each value lets fire, as the
    engine decides (rules that test the field only through other fields pass it)."""
    return {
        name: [
            compiled.fired.passing(name, ClientProfile.model_validate(with_value(BASE, name, v)))
            for v in values
        ]
        for name, values in space.values.items()
    }


# Where a case's fields stand (``Case``): the sweep makes each case of the
# inputs, the scalar combination's fields, and its area set's fields before
# and after the condition, as ``Case.of`` read them from the area set's profile.
_BEFORE = slice(Case._fields.index("clot_history"), Case._fields.index("condition"))
_AFTER = slice(Case._fields.index("condition") + 1, None)


class _AreaSet(NamedTuple):
    """An area set as the sweep uses it: what a case of it holds, made once."""

    fired: int  # the rules its values let fire, as the engine decides
    masks: tuple[int, ...]  # its area lists, as masks
    last: tuple[int, int] | None  # its last session's pressure and minutes
    before: tuple[Any, ...]  # the case's fields before its condition (``_BEFORE``)
    after: tuple[Any, ...]  # and after it (``_AFTER``)
    live: Checks  # the checks that can find anything for a client with its lists and flags


def _area_sets(
    space: SweepSpace, verdicts: dict[str, list[int]], every: int, invariants: tuple[Invariant, ...]
) -> list[_AreaSet]:
    prepared = []
    for areas in space.area_sets:
        fired = every
        for name, value in areas.items():
            fired &= verdicts[name][space.values[name].index(value)]
        # The lists and flags this area set has: checks that speak only of
        # clients with others set have nothing to say here.
        set_fields = frozenset(name for name, value in areas.items() if value)
        # Read as any profile is read: its scalar fields are the base's, and
        # the sweep puts each combination's own in their place.
        case = Case.of(ClientProfile.model_validate({**BASE, **areas}))
        fields = tuple(case)
        prepared.append(
            _AreaSet(
                fired,
                case.inputs.masks,
                case.inputs.last,
                fields[_BEFORE],
                fields[_AFTER],
                live_checks(invariants, set_fields),
            )
        )
    return prepared


def _mapping(chosen: dict[str, Any], areas: dict[str, Any]) -> dict[str, Any]:
    """A swept profile as a mapping: the base, the scalar values, the area set."""
    mapping = dict(BASE)
    for name, value in chosen.items():
        mapping = with_value(mapping, name, value)
    mapping.update(areas)
    return mapping


def _record(
    swept: _Swept,
    order: int,
    found: list[Breach],
    plan: SessionPlan,
    *,
    rulebase: Rulebase,
    mapping: Callable[[], dict[str, Any]],
) -> None:
    """Keep the profile (``mapping()`` makes it) as the first of each kind of
    failure it shows."""
    signature = (id(plan), *((b.invariant.key, b.finding.item_rules) for b in found))
    kinds = swept.kinds.get(signature)
    if kinds is None:  # the plan is held by the sweep's views: its id is not reused
        kinds = swept.kinds[signature] = [
            (kind, loud, silent) for kind, _, loud, silent in _kinds(found, plan, rulebase)
        ]
    for kind, loud, silent in kinds:
        if kind in swept.first and swept.first[kind][0] <= order:
            continue
        mine = [b for b in found if b.invariant.scope == kind[0]]
        profile = ClientProfile.model_validate(mapping())
        found_here = _counterexample(profile, plan, kind, mine, loud=loud, silent=silent)
        swept.first[kind] = (order, found_here)


# A sweep makes hundreds of thousands of objects and no cyclic garbage; each
# collection would rescan every one of them, and every memo (a third of the time).
@collector_paused()
def _sweep_part(
    space: SweepSpace,
    rulebase: Rulebase,
    invariants: tuple[Invariant, ...],
    part: int = 0,
    parts: int = 1,
) -> _Swept:
    """Check every ``parts``-th scalar combination of the space, from ``part``.

    No profile is built unless it breaks an invariant: the fired rules are the
    AND of each field value's verdict (each clause tests one field, so that
    is exactly the engine's verdict on the whole profile), and a plan is kept
    by its key for the whole sweep. A test holds this equal to checking each
    validated profile of the space, plan by plan.
    """
    compiled = compiled_for(rulebase)
    verdicts = _verdicts(space, compiled)
    scalar, area_sets = space.scalar, space.area_sets
    every = compiled.fired.every
    prepared = _area_sets(space, verdicts, every, invariants)
    # Plans by the fired rules, the area set and what of the tolerance the
    # rules read; their views by plan (many of those share a plan), for as
    # long as the sweep lasts.
    views: dict[tuple[int, int, int, int | None], PlanView] = {}
    reads: dict[int, tuple[bool, bool, bool]] = {}
    by_plan: dict[int, tuple[SessionPlan, PlanView]] = {}
    swept = _Swept()
    per_combination = len(prepared)
    # A scalar combination whose fired rules and check class (``Case.check_class``)
    # an earlier one had gives the same kinds of failure later in the sweep, and
    # only the first of each kind is reported: it is covered, not checked again.
    classes: set[Hashable] = set()
    indexes = [range(len(space.values[name])) for name in scalar]
    for number, combination in enumerate(itertools.product(*indexes)):
        if number % parts != part:
            continue
        fired_here = every
        chosen = {}
        for name, index in zip(scalar, combination, strict=True):
            fired_here &= verdicts[name][index]
            chosen[name] = space.values[name][index]
        minutes, pressure = chosen["tolerance.minutes"], chosen["tolerance.pressure"]
        hypersensitivity = Hypersensitivity(chosen["hypersensitivity"])
        sessions, consulted = chosen["sessions_completed"], chosen["physician_consulted"]
        condition = Condition(chosen["condition"])
        scalar_class = (
            condition,
            Case(
                PlanInputs((), minutes, pressure), hypersensitivity, sessions, consulted, *_NO_FLAGS
            ).check_class(),
        )
        scalar_case = (hypersensitivity, sessions, consulted)
        if (fired_here, scalar_class) in classes:
            swept.checked += per_combination
            continue
        classes.add((fired_here, scalar_class))
        for offset, (fired_areas, masks, last, before, after, live) in enumerate(prepared):
            fired = fired_here & fired_areas
            inputs = _new(PlanInputs, (masks, minutes, pressure, last))
            read = reads.get(fired)
            if read is None:
                read = reads[fired] = compiled.reads_tolerance(fired)
            # (The area set's offset already tells its last sessions apart.)
            here = (fired, offset, minutes if read[0] else 0, pressure if read[1] else None)
            view = views.get(here)
            if view is None:
                view = views[here] = compiled.sweep_view(fired, inputs, by_plan)
            case = _new(Case, (inputs, *scalar_case, *before, condition, *after))
            found = case_breaches(case, view, invariants, live)
            swept.checked += 1
            if found:
                order = number * per_combination + offset
                made = functools.partial(_mapping, chosen, area_sets[offset])
                _record(swept, order, found, view.plan, rulebase=rulebase, mapping=made)
    return swept


def sweep_findings(
    space: SweepSpace,
    rulebase: Rulebase,
    invariants: tuple[Invariant, ...] = SAFETY_INVARIANTS,
    *,
    workers: int = 1,
) -> tuple[int, list[Counterexample]]:
    """How many profiles of ``space`` were checked, and the first counterexample
    of each kind of failure among them, in the sweep's order."""
    if workers <= 1:
        swept = _sweep_part(space, rulebase, invariants)
    else:
        from .batch import worker_context  # noqa: PLC0415 - processes only when asked for

        swept = _Swept()
        with concurrent.futures.ProcessPoolExecutor(workers, worker_context()) as pool:
            parts = [
                pool.submit(_sweep_part, space, rulebase, invariants, part, workers)
                for part in range(workers)
            ]
            for done in parts:
                swept.add(done.result())
    return swept.checked, swept.in_order()


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

    def anything(field: ProfileField) -> Any:
        """Any value the profile allows for a list, a number or a choice."""
        if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
            return st.lists(st.sampled_from(field.choices), max_size=5)
        if field.kind is FieldKind.NUMBER:
            high = 10**6 if field.maximum is None else field.maximum
            return st.integers(field.minimum or 0, high)
        return st.sampled_from(field.choices) if field.kind is FieldKind.CHOICE else None

    def drawn(unit: str) -> Any:
        """The values the rules test, and anything else the profile allows; a
        group of fields (the last session) is null or given whole."""
        swept = st.sampled_from(values[unit])
        members = [f for f in PROFILE_FIELDS if f.unit == unit]
        if unit not in FIELD:
            whole = {f.name.split(".", 1)[1]: anything(f) for f in members}
            return st.one_of(swept, st.fixed_dictionaries(whole))
        other = anything(FIELD[unit])
        return (
            swept
            if other is None or FIELD[unit].kind is FieldKind.CHOICE
            else st.one_of(swept, other)
        )

    def profile(drawn_values: dict[str, Any]) -> ClientProfile:
        mapping = dict(BASE)
        for name, value in drawn_values.items():
            mapping = with_value(mapping, name, value)
        return ClientProfile.model_validate(mapping)

    units = dict.fromkeys(f.unit for f in PROFILE_FIELDS)
    profiles = st.fixed_dictionaries({unit: drawn(unit) for unit in units}).map(profile)
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
    rulebase: Rulebase | None = None,
    *,
    search: int = 200,
    article: bool = False,
    workers: int = 1,
) -> VerifyReport:
    """Check the contract's safety invariants for ``rulebase`` across the profile space.

    Sweeps every combination of the values the rules test (and the
    contract's boundaries), then lets hypothesis search ``search`` more
    profiles. Returns counterexamples with the rules that produced them.
    With ``article=True`` the article's guidance is checked too, and
    departures from it are reported as ``deviations`` (never as unsafe).

    The sweep is exhaustive for every field but the area lists and the
    screening flags, which vary one at a time (plus all at once): a rule that
    needs particular values in two of them at once is covered by the
    all-at-once case and by the search, not by every pairing. ``workers``
    processes share the sweep (for a clinic's large rulebase); the report is
    the same.
    """
    if workers < 1:
        raise MassagePlanError(f"workers must be at least 1, not {workers}")
    if search and not search_available():  # say so now, not after the whole sweep
        raise MassagePlanError(
            "verify's search needs hypothesis: pip install 'massageplan[verify]' "
            "(or search=0 for the exhaustive sweep alone)"
        )
    rules = builtin_rulebase() if rulebase is None else rulebase
    invariants = INVARIANTS if article else SAFETY_INVARIANTS
    swept, found = sweep_findings(sweep_space(rules), rules, invariants, workers=workers)
    if search:
        found.extend(_search(rules, search, invariants))
    return VerifyReport(
        swept=swept,
        searched=search,
        article=article,
        counterexamples=_distinct(c for c in found if c.scope == "safety"),
        deviations=_distinct(c for c in found if c.scope == "article"),
    )
