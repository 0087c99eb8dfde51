"""What the plan layer makes once per rulebase, and keeps for as long as the rulebase lives.

One typed object per rulebase (:func:`compiled_for`): the engine's verdicts
memoised by field, the effects' items shared across plans, the plans already
made (with what the checks of a plan alone found in them), and the engine's
other compilations, made when first asked for. It goes when the rulebase does.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterable

from .._memo import Memo
from .._version import __version__
from ..engine.conditions import Clause
from ..engine.memo import FiredRules
from ..engine.seam import ENGINE_NAME, Conditions, compile_conditions
from ..model.plan import GeneratedBy, SessionPlan
from ..model.profile import AREA_LISTS, ClientProfile, PlanInputs
from ..rules.profile_space import BASE, with_value
from ..rules.rulebase import LoadedRule, Rulebase
from .build import Parts, PlanBuilder, PlanMade, PlanMaker
from .invariants import PlanView, forget_parts

# A plan's key: the bits of the rules that fired, and the inputs their effects read.
PlanKey = tuple[int, PlanInputs]
# A plan and its view, kept by the plan's identity (held, so it is not reused).
_Viewed = tuple[SessionPlan, PlanView]


class _Fired:
    """The rules of one fired set, their ids, and what of the inputs their effects read."""

    __slots__ = ("ids", "last", "lists", "minutes", "pressure", "rules")

    def __init__(self, rules: tuple[LoadedRule, ...], reads_of: dict[str, frozenset[str]]) -> None:
        self.rules = rules
        self.ids = tuple(r.id for r in rules)
        reads = frozenset().union(*(reads_of[r.id] for r in rules))
        self.lists = tuple(name in reads for name in AREA_LISTS)
        self.minutes = "minutes" in reads
        self.pressure = "pressure" in reads
        self.last = "last" in reads

    def project(self, inputs: PlanInputs) -> PlanInputs:
        """The inputs with what these rules do not read left out (0, or None)."""
        return PlanInputs(
            tuple([m if kept else 0 for m, kept in zip(inputs.masks, self.lists, strict=True)]),
            inputs.minutes if self.minutes else 0,
            inputs.pressure if self.pressure else None,
            inputs.last if self.last else None,
        )


# How many plans, safe plans and views each memo keeps in its young generation.
_KEPT = 4096


class CompiledRulebase:
    """A rulebase as the plan layer uses it: compiled once, its results kept."""

    def __init__(self, rulebase: Rulebase) -> None:
        # The rules, never the Rulebase: _compiled holds this weakly keyed by
        # the rulebase, and a value that refers to its key keeps it alive forever.
        self.rules: tuple[LoadedRule, ...] = rulebase.rules
        self._sources = rulebase.sources
        self._trace = rulebase.trace
        self._named: list[tuple[str, tuple[Clause, ...]]] = [
            (rule.id, rule.clauses) for rule in rulebase
        ]
        self.fired = FiredRules(self._named)
        self.bits = {rule.id: 1 << index for index, rule in enumerate(rulebase)}
        self.rank = {rule.id: index for index, rule in enumerate(rulebase)}
        # What each rule's effects read of the inputs.
        self._reads = {
            rule.id: frozenset().union(*(e.reads() for e in rule.rule.then)) for rule in rulebase
        }
        self.parts = Parts()
        self.generated_by = GeneratedBy(
            library=f"massageplan {__version__}", rulebase=rulebase.digest, engine=ENGINE_NAME
        )
        self.made = self.made_with(self.parts)
        self.maker = PlanMaker(
            [(self.bits[r.id], r.id, r.rule.then, r.reason) for r in rulebase], self.made
        )
        # Plans by their key (unchecked: each profile is checked against the
        # plan it gets), and safe plans by the whole profile.
        self.plans = Memo(_KEPT)
        self.safe = Memo(_KEPT)
        self._views = Memo(_KEPT)
        self._fired: dict[int, _Fired] = {}
        self._bearing: dict[str, tuple[LoadedRule, ...]] = {}
        self._lock = threading.Lock()
        self._whole: Conditions | None = None
        self._clauses: Conditions | None = None

    # ------------------------------------------------------------ the rules

    def _set(self, fired: int) -> _Fired:
        found = self._fired.get(fired)
        if found is None:
            rules = tuple(r for r in self.rules if fired & self.bits[r.id])
            found = self._fired[fired] = _Fired(rules, self._reads)
        return found

    def rules_for(self, fired: int) -> tuple[LoadedRule, ...]:
        """The rules whose bits are set, in rulebase order."""
        return self._set(fired).rules

    def bearing_on(self, invariant_key: str) -> tuple[LoadedRule, ...]:
        """The rules with an effect that bears on an invariant, in rulebase order."""
        found = self._bearing.get(invariant_key)
        if found is None:
            found = self._bearing[invariant_key] = tuple(
                r for r in self.rules if any(invariant_key in e.bears_on() for e in r.rule.then)
            )
        return found

    @functools.cached_property
    def first_session_rules(self) -> frozenset[str]:
        """The rules that can fire for a client with no sessions completed, as
        the engine decides: each clause tests one field, so those whose
        clauses on the sessions completed hold for none."""
        first = ClientProfile.model_validate(with_value(BASE, "sessions_completed", 0))
        passing = self.fired.passing("sessions_completed", first)
        return frozenset(rule.id for rule in self.rules if passing & self.bits[rule.id])

    def reads_tolerance(self, fired: int) -> tuple[bool, bool, bool]:
        """Whether the fired set's effects read the tolerated minutes, the
        pressure, and the last session."""
        found = self._set(fired)
        return found.minutes, found.pressure, found.last

    def key(self, fired: int, inputs: PlanInputs) -> PlanKey:
        """A plan's key: the fired rules, and what of ``inputs`` their effects read."""
        return fired, self._set(fired).project(inputs)

    def mask_of(self, rule_ids: Iterable[str]) -> int:
        mask = 0
        for rule_id in rule_ids:
            mask |= self.bits[rule_id]
        return mask

    def whole_rules(self) -> Conditions:
        """The engine asked about whole rules at once (not field by field)."""
        if self._whole is None:
            with self._lock:
                if self._whole is None:
                    self._whole = compile_conditions(self._named)
        return self._whole

    def clauses(self) -> Conditions:
        """The engine asked about each clause alone, named ``clause_key(rule, clause)``."""
        if self._clauses is None:
            with self._lock:
                if self._clauses is None:
                    self._clauses = compile_conditions(
                        [
                            (clause_key(i, j), (clause,))
                            for i, (_, clauses) in enumerate(self._named)
                            for j, clause in enumerate(clauses)
                        ]
                    )
        return self._clauses

    # ------------------------------------------------------------ the plans

    def made_with(self, parts: Parts) -> PlanMade:
        """What this rulebase's plans are made with, items kept in ``parts``."""
        return PlanMade(
            parts=parts,
            rank=self.rank,
            reasons={rule.id: rule.reason for rule in self.rules},
            sources=self._sources,
            trace=self._trace,
            generated_by=self.generated_by,
        )

    def build(
        self, rules: Iterable[LoadedRule], inputs: PlanInputs, made: PlanMade | None = None
    ) -> SessionPlan:
        """The plan these rules' effects make for these inputs, made in one
        piece: every effect applied in rulebase order to one builder (unchecked).
        A check on plans made part by part, as :meth:`view_for` makes them."""
        made = self.made if made is None else made
        builder = PlanBuilder(inputs, made.parts, self.rank)
        fired = []
        for rule in rules:
            fired.append(rule.id)
            for effect in rule.rule.then:
                effect.apply(builder, rule.reason)
        return builder.build(tuple(fired), made)

    def view(self, profile: ClientProfile, inputs: PlanInputs) -> tuple[PlanKey, PlanView]:
        """The plan for ``profile`` (whose inputs are ``inputs``), made once per key."""
        key = self.key(self.fired.mask(profile, inputs), inputs)
        return key, self.view_for(key)

    def view_for(self, key: PlanKey) -> PlanView:
        """The plan for a key (as :meth:`key` makes them), made once: from the
        key's own inputs, so what the builder reads is the key, by construction."""
        view: PlanView | None = self.plans[key]
        if view is None:
            fired, inputs = key
            view = self._view_of(self.maker.plan(fired, self._set(fired).ids, inputs))
            self.plans.keep(key, view)
        return view

    def sweep_view(self, fired: int, inputs: PlanInputs, views: dict[int, _Viewed]) -> PlanView:
        """The plan for the rules ``fired`` and ``inputs``, its view kept in a
        sweep's own ``views`` (by plan identity, while the sweep lasts), not
        with the rulebase. No projection is needed: each part's builder is
        given only what its effects read, and equal parts make the same plan."""
        plan = self.maker.plan(fired, self._set(fired).ids, inputs)
        found = views.get(id(plan))
        if found is None:
            found = views[id(plan)] = (plan, PlanView(plan, self.first_session_rules))
        return found[1]

    def _view_of(self, plan: SessionPlan) -> PlanView:
        """The plan's view, made once per plan object (keys often share a plan)."""
        found: _Viewed | None = self._views.get(id(plan))
        if found is None:
            # The plan is held with its view, so its identity is not reused while kept.
            found = self._views.keep(id(plan), (plan, PlanView(plan, self.first_session_rules)))
        return found[1]

    def adopt(self, key: PlanKey, plan: SessionPlan) -> None:
        """Keep a plan another process made for ``key``, as if made here."""
        if key not in self.plans:
            self.plans.keep(key, self._view_of(plan))


def clause_key(rule_index: int, clause_index: int) -> str:
    return f"{rule_index}:{clause_index}"


_lock = threading.Lock()
_compiled: weakref.WeakKeyDictionary[Rulebase, CompiledRulebase] = weakref.WeakKeyDictionary()


def compiled_for(rulebase: Rulebase) -> CompiledRulebase:
    """The rulebase's compiled form, made once (the common case takes no lock)."""
    found = _compiled.get(rulebase)
    if found is None:
        with _lock:
            found = _compiled.get(rulebase)
            if found is None:
                found = _compiled[rulebase] = CompiledRulebase(rulebase)
                weakref.finalize(rulebase, forget_parts)
    return found
