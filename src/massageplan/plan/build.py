"""Plan assembly: the fired rules' effects, combined without regard to order.

Areas are unions, caps are minimums, and items are listed in a fixed order,
so the same fired rules always give the same plan. The effects themselves
(``rules.effects``) decide what to add; this module only combines. Areas are
bit masks (``model.profile.AREA_BIT``) until an item is made.

Items, lists of items and whole plans are made once per rulebase and shared
by every plan that has them (:class:`Parts`), each kept under a key of what
it is made of. Items are constructed, not validated: their fields are the
library's own values, of the models' own types, and the invariants check the
plan they make up. A property test validates every plan and finds it
unchanged, and another compares memoised plans with plans made afresh.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from .._memo import Memo
from ..model.plan import (
    EVERY_TECHNIQUE,
    LEAST_PRESSURE,
    QUESTION_FIELD,
    SEVERITY_ORDER,
    TECHNIQUE_ORDER,
    Advice,
    AdviceCode,
    Audience,
    GeneratedBy,
    Hold,
    HoldCode,
    ProtocolCode,
    ProtocolStep,
    Question,
    QuestionCode,
    Reason,
    RestrictedTechnique,
    Restriction,
    SessionPlan,
    Severity,
    Source,
    Technique,
    TechniqueName,
    Visit,
)
from ..model.profile import (
    ALL_AREAS,
    AREA_LIST_INDEX,
    AREA_LISTS,
    PlanInputs,
    area_mask,
    areas_in,
)
from ..rules.effects import PLAN_PARTS, AreaSpec, EffectBase

MAX_PRESSURE = 5
_LEVELS = range(1, MAX_PRESSURE)  # the caps below the most a technique may have

# A rule id's place in the rulebase: items list their reasons in that order,
# whatever order the effects were applied in (see :class:`Template`).
Rank = Mapping[str, int]
Item = TypeVar("Item", bound=BaseModel)


def _fields_set(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


# Every item and plan sets every field; one set per model serves them all (a
# copy of an item copies it, and frozen models never change it).
_FIELDS_SET: dict[type[BaseModel], set[str]] = {
    model: _fields_set(model)
    for model in (Technique, Restriction, Visit, Advice, Hold, Question, ProtocolStep, SessionPlan)
}


def construct(model: type[Item], fields: dict[str, Any]) -> Item:
    """``model`` made of ``fields`` without validation: what pydantic's
    ``model_construct`` does for a model given every field, in a third of its
    time. Only for the library's own values, of the model's own types."""
    made = model.__new__(model)
    object.__setattr__(made, "__dict__", fields)
    object.__setattr__(made, "__pydantic_fields_set__", _FIELDS_SET[model])
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


class Parts(Memo):
    """What plans are made of, made once under one rulebase and shared by
    every plan that has it: items, tuples of items, whole plans.

    Each is kept under a key of what it is made of. A key that names objects
    by identity (``id``) names only objects that what is kept holds, so no
    identity is reused while the entry lives. Bounded: a :class:`Memo`, so
    ``parts[key]`` gives what was made, or None.
    """

    SIZE = 32768

    def __init__(self) -> None:
        super().__init__(self.SIZE)

    def item(self, key: Hashable, model: type[Item], fields: dict[str, Any]) -> Item:
        """The item ``model(**fields)``, made the first time ``key`` is asked for."""
        made: Item | None = self[key]
        if made is None:
            made = self.keep(key, construct(model, fields))
        return made

    def cited(self, items: tuple[Any, ...]) -> tuple[str, ...]:
        """The rule ids ``items`` cite, in order, each item's in turn (a plan
        lists each once, in order of first use)."""
        key = ("cited", id(items))
        found: tuple[tuple[Any, ...], tuple[str, ...]] | None = self[key]
        if found is None:  # kept with the items: their identity is not reused
            found = self.keep(key, (items, tuple([r for item in items for r in item.reasons])))
        return found[1]

    def same(self, items: tuple[Any, ...]) -> tuple[Any, ...]:
        """An equal tuple made before, if any: plans' lists of items are often alike."""
        key = (tuple, *map(id, items))
        kept: tuple[Any, ...] | None = self[key]
        if kept is None:
            kept = self.keep(key, items)
        return kept


class _Cited:
    """Reasons an item cites, each once."""

    __slots__ = ("reasons",)

    def __init__(self) -> None:
        self.reasons: list[Reason] = []

    def cite(self, reason: Reason) -> None:
        # Reasons are the rules' own objects: identity says "the same rule".
        for cited in self.reasons:
            if cited is reason:
                return
        self.reasons.append(reason)

    def ids(self, rank: Rank) -> tuple[str, ...]:
        """The rule ids the item cites, in rulebase order: the plan lists each
        reason once, and items cite them by id."""
        reasons = self.reasons
        if len(reasons) > 1:
            reasons = sorted(reasons, key=lambda r: rank[r.rule_id])
        return tuple([r.rule_id for r in reasons])

    def first(self, rank: Rank) -> int:
        return min([rank[r.rule_id] for r in self.reasons])


class _TechniqueItem(_Cited):
    __slots__ = ("areas", "cap", "needs")

    def __init__(self, needs: int) -> None:
        super().__init__()
        self.areas = 0
        self.cap = MAX_PRESSURE
        self.needs = needs


class _TextItem(_Cited):
    __slots__ = ("audience", "text")

    def __init__(self, text: str, audience: Audience) -> None:
        super().__init__()
        self.text, self.audience = text, audience


class _AdviceItem(_TextItem):
    __slots__ = ("severity",)

    def __init__(self, text: str, audience: Audience, severity: Severity) -> None:
        super().__init__(text, audience)
        self.severity = severity


class _StepItem(_Cited):
    __slots__ = ("client_text", "text")

    def __init__(self, text: str, client_text: str | None) -> None:
        super().__init__()
        self.text, self.client_text = text, client_text


class _HoldItem(_Cited):
    __slots__ = ("client_text", "only_without_techniques", "text")

    def __init__(self, text: str, client_text: str) -> None:
        super().__init__()
        self.text, self.client_text = text, client_text
        # Held only when no technique is left, unless a rule holds it outright.
        self.only_without_techniques = True


def _first(pair: tuple[int, Any]) -> int:
    return pair[0]


Key = tuple[RestrictedTechnique, "int | None"]


def _stricter(other: Key, key: Key) -> bool:
    """Whether restriction ``other`` says all that ``key`` says, and more."""
    if other == key:
        return False
    (technique, cap), (their_technique, their_cap) = key, other
    covers = their_technique in (technique, EVERY_TECHNIQUE)
    return covers and (their_cap is None or (cap is not None and their_cap <= cap))


def _restriction_order(key: Key) -> tuple[int, int]:
    technique, cap = key
    rank = -1 if technique == EVERY_TECHNIQUE else TECHNIQUE_ORDER[TechniqueName(technique)]
    return rank, -1 if cap is None else cap


def _bits(mask: int) -> list[int]:
    """Each area of ``mask`` as a mask of its own, lowest first."""
    return [1 << i for i in range(mask.bit_length()) if mask >> i & 1]


def _reasons_by_key(
    entries: Sequence[Entry], stricter: dict[Key, int]
) -> dict[Key, dict[int, list[Any]]]:
    """For each technique and cap, each rule's reason (by identity) and the
    areas it restricts, leaving out those a stricter restriction covers."""
    by_key: dict[Key, dict[int, list[Any]]] = {}
    for techniques, areas, cap, reason in entries:
        for technique in techniques:
            key = (technique, cap)
            kept = areas & ~stricter[key]
            if kept:
                per_reason = by_key.setdefault(key, {})
                found = per_reason.get(id(reason))
                if found is None:
                    per_reason[id(reason)] = [reason, kept]
                else:
                    found[1] |= kept
    return by_key


# The masks of the area lists rules name outright, made once each.
_FIXED_MASKS: dict[tuple[Any, ...], int] = {}
_TECHNIQUES_IN_ORDER = tuple(TechniqueName)
# Every restriction a rule can say, as (technique or "all", cap or None).
_ALL_KEYS: tuple[Key, ...] = tuple(
    (technique, cap)
    for technique in (EVERY_TECHNIQUE, *TechniqueName)
    for cap in (None, *range(1, MAX_PRESSURE + 1))
)
# For each, those that say all it says and more, and its place in a plan's
# list: found once, the keys are few.
_STRICTER: dict[Key, frozenset[Key]] = {
    key: frozenset(other for other in _ALL_KEYS if _stricter(other, key)) for key in _ALL_KEYS
}
_ORDER: dict[Key, tuple[int, int]] = {key: _restriction_order(key) for key in _ALL_KEYS}


# A restriction as a rule said it: techniques, areas, cap or None, and its reason.
Entry = tuple[tuple[RestrictedTechnique, ...], int, "int | None", Reason]


class PlanBuilder:
    """Collects what the fired rules' effects add, then makes the plan.

    It is the ``rules.effects.PlanBuilder`` the effects are written against.
    """

    __slots__ = (
        "_advice",
        "_caps",
        "_holds",
        "_longest",
        "_parts",
        "_per_week",
        "_questions",
        "_rank",
        "_restrictions",
        "_shortest_split",
        "_steps",
        "_techniques",
        "_visit_reasons",
        "_weekly",
        "inputs",
    )

    def __init__(self, inputs: PlanInputs, parts: Parts, rank: Rank) -> None:
        self.inputs = inputs
        self._parts = parts
        self._rank = rank
        self._techniques: dict[TechniqueName, _TechniqueItem] = {}
        # As the rules said them, each with its rule's rank (to sort by).
        self._restrictions: list[tuple[int, Entry]] = []
        self._caps: list[tuple[int, Reason]] = []
        self._weekly: int | None = None
        self._longest: int | None = None
        self._per_week: int | None = None
        self._shortest_split: int | None = None
        self._visit_reasons = _Cited()
        self._advice: dict[AdviceCode, _AdviceItem] = {}
        self._holds: dict[HoldCode, _HoldItem] = {}
        self._questions: dict[QuestionCode, _TextItem] = {}
        self._steps: dict[ProtocolCode, _StepItem] = {}

    # ------------------------------------------------------ what effects call

    def areas(self, spec: AreaSpec) -> int:
        if spec == "all":
            return ALL_AREAS
        if isinstance(spec, str):  # a list not known names no area
            return self.inputs.masks[AREA_LIST_INDEX[spec]]
        found = _FIXED_MASKS.get(spec)
        if found is None:
            found = _FIXED_MASKS[spec] = area_mask(spec)
        return found

    def add_technique(
        self, name: TechniqueName, areas: int, cap: int, needs: int, reason: Reason
    ) -> None:
        item = self._techniques.get(name)
        if item is None:
            item = self._techniques[name] = _TechniqueItem(LEAST_PRESSURE.get(name, 1))
        item.areas |= areas
        item.cap = min(item.cap, cap)
        item.needs = max(item.needs, needs)
        item.cite(reason)

    def restrict(
        self,
        techniques: tuple[RestrictedTechnique, ...],
        areas: int,
        cap: int | None,
        reason: Reason,
    ) -> None:
        if areas:
            self._restrictions.append(
                (self._rank[reason.rule_id], (techniques, areas, cap, reason))
            )

    def cap_pressure(self, level: int, reason: Reason) -> None:
        self._caps.append((level, reason))

    def schedule(
        self,
        weekly: int,
        longest: int,
        per_week: int | None,
        shortest_split: int | None,
        reason: Reason,
    ) -> None:
        self._weekly = min(self._weekly or weekly, weekly)
        self._longest = min(self._longest or longest, longest)
        if per_week is not None:
            self._per_week = min(self._per_week or per_week, per_week)
        if shortest_split is not None:
            self._shortest_split = max(self._shortest_split or 0, shortest_split)
        self._visit_reasons.cite(reason)

    def advise(
        self, code: AdviceCode, text: str, audience: Audience, severity: Severity, reason: Reason
    ) -> None:
        item = self._advice.get(code)
        if item is None:
            item = self._advice[code] = _AdviceItem(text, audience, severity)
        elif SEVERITY_ORDER[severity] > SEVERITY_ORDER[item.severity]:
            item.severity = severity  # as much as the rule that says it most
        item.cite(reason)

    def add_hold(
        self, code: HoldCode, text: str, client_text: str, if_no_technique: bool, reason: Reason
    ) -> None:
        item = self._holds.get(code)
        if item is None:
            item = self._holds[code] = _HoldItem(text, client_text)
        item.only_without_techniques = item.only_without_techniques and if_no_technique
        item.cite(reason)

    def add_step(
        self, code: ProtocolCode, text: str, client_text: str | None, reason: Reason
    ) -> None:
        item = self._steps.get(code)
        if item is None:
            item = self._steps[code] = _StepItem(text, client_text)
        item.cite(reason)

    def ask(self, code: QuestionCode, text: str, reason: Reason) -> None:
        item = self._questions.get(code)
        if item is None:
            item = self._questions[code] = _TextItem(text, Audience.THERAPIST)
        item.cite(reason)

    # ------------------------------------------------------------- the parts

    def visit_items(self) -> tuple[Visit, ...]:
        if self._weekly is None or self._longest is None:
            return ()
        longest = min(self._longest, self._weekly)
        count = min(self._per_week or 1, math.ceil(self._weekly / longest))
        minutes = min(longest, self._weekly // count)
        # Fewer, longer visits rather than any split visit below the shortest
        # allowed; one visit of what the client tolerates at the least.
        while count > 1 and minutes < (self._shortest_split or 0):
            count -= 1
            minutes = min(longest, self._weekly // count)
        reasons = self._visit_reasons.ids(self._rank)
        visit = self._parts.item(
            ("v", minutes, reasons), Visit, {"minutes": minutes, "reasons": reasons}
        )
        return self._parts.same((visit,) * count)

    def pressure_part(self) -> tuple[int, tuple[str, ...]]:
        """The firmest pressure allowed, and the rules holding it there."""
        rank = self._rank
        self._caps.sort(key=lambda cap: rank[cap[1].rule_id])
        pressure = MAX_PRESSURE
        for level, _ in self._caps:
            pressure = min(pressure, level)
        named = [r.rule_id for level, r in self._caps if level == pressure]
        return pressure, self._parts.same(tuple(dict.fromkeys(named)))

    def entries(self) -> tuple[Entry, ...]:
        """The restrictions as the rules said them, in rulebase order (stable:
        a rule's own effects keep theirs)."""
        self._restrictions.sort(key=_first)
        return tuple([entry for _, entry in self._restrictions])

    def technique_items(self, pressure: int, entries: Sequence[Entry]) -> tuple[Technique, ...]:
        """Each technique once per pressure cap, on the areas where it may be
        done at all (the restrictions ``entries`` say where not) and at the
        pressure it needs to be itself. Its reasons are the rules that
        prescribed it; a lower cap's reason is its restriction's."""
        # What the restrictions forbid outright, and cap at each level, by technique.
        banned: dict[RestrictedTechnique, int] = {}
        capped: dict[RestrictedTechnique, list[int]] = {}
        for named, areas, cap, _ in entries:
            for technique in named:
                if cap is None:
                    banned[technique] = banned.get(technique, 0) | areas
                else:
                    levels = capped.get(technique)
                    if levels is None:
                        levels = capped[technique] = [0] * (MAX_PRESSURE + 1)
                    levels[cap] |= areas
        every_banned = banned.get(EVERY_TECHNIQUE, 0)
        every_capped = capped.get(EVERY_TECHNIQUE)
        items = []
        parts, rank = self._parts, self._rank
        for name in _TECHNIQUES_IN_ORDER:
            item = self._techniques.get(name)
            if item is None:
                continue
            allowed = item.areas & ~(banned.get(name, 0) | every_banned)
            base = min(item.cap, pressure)
            own = capped.get(name)
            below = 0  # areas capped under the level being looked at
            groups: list[tuple[int, int]] = []
            for level in _LEVELS:
                if level >= base:
                    break
                at_level = (own[level] if own else 0) | (every_capped[level] if every_capped else 0)
                here = allowed & at_level & ~below
                below |= at_level
                if here and level >= item.needs:
                    groups.append((level, here))
            rest = allowed & ~below
            if rest and base >= item.needs:
                groups.append((base, rest))
            ids = item.ids(rank)
            for level, mask in reversed(groups):
                fields = {
                    "name": name,
                    "areas": areas_in(mask),
                    "max_pressure": level,
                    "reasons": ids,
                }
                items.append(parts.item(("t", name, mask, level, ids), Technique, fields))
        return parts.same(tuple(items))

    def restriction_items(self, entries: Sequence[Entry]) -> tuple[Restriction, ...]:
        """One restriction per technique, cap and set of reasons, each area
        only under the strictest that applies to it: "no work of any kind on
        the feet" is not followed by "nothing above light pressure on the
        feet", which would say that some work is allowed there. Areas are
        merged only where the same reasons restrict them, so every reason an
        item cites is a reason for each of its areas."""
        said: dict[Key, int] = {}
        for techniques, areas, cap, _ in entries:
            for technique in techniques:
                key = (technique, cap)
                said[key] = said.get(key, 0) | areas
        stricter: dict[Key, int] = {}
        for key in said:
            above = _STRICTER[key]
            mask = 0
            for other, areas in said.items():
                if other in above:
                    mask |= areas
            stricter[key] = mask
        by_key = _reasons_by_key(entries, stricter)
        rank = self._rank
        items = []
        for key in sorted(by_key, key=_ORDER.__getitem__):
            # The rules in rulebase order; areas grouped by which of them restrict each.
            by_rule = list(by_key[key].values())
            grouped: dict[tuple[int, ...], int]
            if len(by_rule) == 1:  # the usual case: one rule, one restriction
                grouped = {(0,): by_rule[0][1]}
            else:
                by_rule.sort(key=lambda pair: rank[pair[0].rule_id])
                grouped = {}
                everywhere = 0
                for _, mask in by_rule:
                    everywhere |= mask
                for bit in _bits(everywhere):
                    which = tuple([i for i, (_, mask) in enumerate(by_rule) if mask & bit])
                    grouped[which] = grouped.get(which, 0) | bit
            for which, mask in grouped.items():
                ids = tuple([by_rule[i][0].rule_id for i in which])
                fields = {
                    "technique": key[0],
                    "areas": areas_in(mask),
                    "max_pressure": key[1],
                    "reasons": ids,
                }
                items.append(self._parts.item(("r", *key, mask, ids), Restriction, fields))
        return self._parts.same(tuple(items))

    def advice_items(self) -> tuple[Advice, ...]:
        """The advice, critical first, then in the order the rulebase gives it."""
        rank, parts = self._rank, self._parts
        made = []
        for code, item in sorted(self._advice.items(), key=lambda pair: pair[1].first(rank)):
            ids = item.ids(rank)
            fields = {
                "code": code,
                "text": item.text,
                "severity": item.severity,
                "audience": item.audience,
                "reasons": ids,
            }
            key = ("a", code, ids, item.text, item.audience, item.severity)
            made.append(parts.item(key, Advice, fields))
        # Equal severities keep the rulebase's order (the sort is stable).
        made.sort(key=lambda a: -SEVERITY_ORDER[a.severity])
        return parts.same(tuple(made))

    def hold_items(self, with_techniques: bool) -> tuple[Hold, ...]:
        """The holds; those held only when no technique is left, only then."""
        rank, parts = self._rank, self._parts
        made = []
        for code, item in sorted(self._holds.items(), key=lambda pair: pair[1].first(rank)):
            if with_techniques and item.only_without_techniques:
                continue
            ids = item.ids(rank)
            fields = {
                "code": code,
                "text": item.text,
                "client_text": item.client_text,
                "reasons": ids,
            }
            made.append(parts.item(("h", code, ids, item.text, item.client_text), Hold, fields))
        return parts.same(tuple(made))

    def question_items(self) -> tuple[Question, ...]:
        """The questions, in the order of the profile's fields."""
        parts = self._parts
        made = []
        for code in QuestionCode:  # the fields' order, stable whatever fired first
            item = self._questions.get(code)
            if item is None:
                continue
            ids = item.ids(self._rank)
            fields = {
                "code": code,
                "field": QUESTION_FIELD[code],
                "text": item.text,
                "reasons": ids,
            }
            made.append(parts.item(("q", code, ids, item.text), Question, fields))
        return parts.same(tuple(made))

    def protocol_items(self, with_techniques: bool) -> tuple[ProtocolStep, ...]:
        """The session's steps, in session order; none when there is no session
        (no technique left)."""
        if not with_techniques:
            return ()
        parts = self._parts
        made = []
        for code in ProtocolCode:  # the session's order, whatever fired first
            item = self._steps.get(code)
            if item is None:
                continue
            ids = item.ids(self._rank)
            fields = {
                "code": code,
                "text": item.text,
                "client_text": item.client_text,
                "reasons": ids,
            }
            key = ("s", code, ids, item.text, item.client_text)
            made.append(parts.item(key, ProtocolStep, fields))
        return parts.same(tuple(made))

    def build(self, fired_rules: tuple[str, ...], made_by: PlanMade) -> SessionPlan:
        """The plan of all the effects applied to this builder."""
        entries = self.entries()
        pressure, pressure_reasons = self.pressure_part()
        techniques = self.technique_items(pressure, entries)
        return made_by.assemble(
            holds=self.hold_items(bool(techniques)),
            # An hour with nothing to do is not a visit: with no technique, no week.
            visits=self.visit_items() if techniques else (),
            pressure=pressure,
            pressure_reasons=pressure_reasons,
            techniques=techniques,
            restrictions=self.restriction_items(entries),
            advice=self.advice_items(),
            questions=self.question_items(),
            protocol=self.protocol_items(bool(techniques)),
            fired_rules=self._parts.same(fired_rules),
        )


def _each_quote_once(reasons: tuple[Reason, ...]) -> tuple[Reason, ...]:
    """The reasons with the article's sentence given once: two rules resting on
    the same sentence (a pressure cap after a good session, and while the
    pressure is unknown) both bind, and the plan quotes it at the first."""
    seen: set[str] = set()
    shown, changed = [], False
    for reason in reasons:
        if reason.quote is not None and reason.quote in seen:
            shown.append(reason.model_copy(update={"quote": None}))
            changed = True
            continue
        if reason.quote is not None:
            seen.add(reason.quote)
        shown.append(reason)
    return tuple(shown) if changed else reasons


@dataclass(frozen=True, slots=True)
class PlanMade:
    """What every plan of one rulebase is made with: its items' table, its
    rules' order, reasons and sources, its trace and ``generated_by``."""

    parts: Parts
    rank: Rank
    reasons: Mapping[str, Reason]
    sources: Mapping[str, Source]
    trace: tuple[str, ...]
    generated_by: GeneratedBy

    def assemble(
        self,
        *,
        holds: tuple[Hold, ...],
        visits: tuple[Visit, ...],
        pressure: int,
        pressure_reasons: tuple[str, ...],
        techniques: tuple[Technique, ...],
        restrictions: tuple[Restriction, ...],
        advice: tuple[Advice, ...],
        questions: tuple[Question, ...],
        protocol: tuple[ProtocolStep, ...],
        fired_rules: tuple[str, ...],
    ) -> SessionPlan:
        """The plan of these parts, made once (plans of different inputs are
        often the same plan): each reason it cites listed once, in order of
        first use, and each source those cite."""
        parts = self.parts
        # Identities of what the plan holds, so no identity is reused while it is kept.
        key = (
            "plan",
            id(holds),
            id(visits),
            pressure,
            id(pressure_reasons),
            id(techniques),
            id(restrictions),
            id(advice),
            id(questions),
            id(protocol),
            id(fired_rules),
        )
        known: SessionPlan | None = parts[key]
        if known is not None:
            return known
        cited = parts.cited
        ids = [
            *cited(holds),
            *cited(questions),
            *cited(visits),  # every visit cites the same: the first's are listed
            *pressure_reasons,
            *cited(techniques),
            *cited(restrictions),
            *cited(advice),
            *cited(protocol),
        ]
        reasons = parts.same(tuple([self.reasons[rule_id] for rule_id in dict.fromkeys(ids)]))
        sources_key = ("sources", id(reasons))
        found: tuple[tuple[Reason, ...], tuple[Source, ...]] | None = parts[sources_key]
        if found is None:  # kept with the reasons: their identity is not reused
            listed = dict.fromkeys([s for reason in reasons for s in reason.sources])
            found = parts.keep(
                sources_key,
                (_each_quote_once(reasons), parts.same(tuple([self.sources[s] for s in listed]))),
            )
        shown, sources = found
        plan: SessionPlan = construct(
            SessionPlan,
            {
                "holds": holds,
                "questions": questions,
                "visits": visits,
                "pressure": pressure,
                "pressure_reasons": pressure_reasons,
                "techniques": techniques,
                "restrictions": restrictions,
                "advice": advice,
                "protocol": protocol,
                "reasons": shown,
                "sources": sources,
                "fired_rules": fired_rules,
                "trace": self.trace,
                "generated_by": self.generated_by,
            },
        )
        parts.keep(key, plan)
        return plan


# What a part whose effects read nothing is made with.
_NO_INPUTS = PlanInputs((0,) * len(AREA_LISTS), 0, None, None)

# A rule as plan assembly uses it: its bit, id, effects and reason.
RuleEffects = tuple[int, str, Sequence[EffectBase], Reason]


# A part's name, its fired rules, and what of the inputs their effects read.
Recipe = tuple[str, int, tuple[int, ...], bool, bool, bool]


def _key(recipe: Recipe, inputs: PlanInputs) -> Hashable:
    name, mine, lists, minutes, pressure, last = recipe
    if not lists and not minutes and not pressure and not last:
        return name, mine
    masks = inputs.masks
    return (
        name,
        mine,
        tuple([masks[i] for i in lists]),
        inputs.minutes if minutes else 0,
        inputs.pressure if pressure else None,
        inputs.last if last else None,
    )


class _Part:
    """The effects that add to one part of the plan, from the rules that have them."""

    __slots__ = ("_reads", "effects", "mask", "name", "reads")

    def __init__(self, name: str, rules: Sequence[RuleEffects]) -> None:
        self.name = name
        self.effects = [
            (bit, effect, reason)
            for bit, _, effects, reason in rules
            for effect in effects
            if effect.part == name
        ]
        self._reads = [(bit, effect.reads()) for bit, effect, _ in self.effects]
        self.mask = 0
        for bit, _, _ in self.effects:
            self.mask |= bit
        # What the effects of each fired subset read, found once per subset.
        self.reads: dict[int, tuple[tuple[int, ...], bool, bool, bool]] = {}

    def _read(self, mine: int) -> tuple[tuple[int, ...], bool, bool, bool]:
        """What the effects of the fired subset ``mine`` read: the area lists (by
        index), the minutes, the pressure, the last session; found once per subset."""
        reads = self.reads.get(mine)
        if reads is None:
            named = frozenset().union(*(reads for bit, reads in self._reads if mine & bit))
            reads = self.reads[mine] = (
                tuple(i for i, name in enumerate(AREA_LISTS) if name in named),
                "minutes" in named,
                "pressure" in named,
                "last" in named,
            )
        return reads

    def recipe(self, fired: int) -> Recipe:
        """How to make the part's key for the fired set: its fired rules, and the
        area lists (by index), minutes, pressure and last session their effects read."""
        mine = fired & self.mask
        return (self.name, mine, *self._read(mine))

    def key(self, fired: int, inputs: PlanInputs) -> Hashable:
        """The part's key: its fired rules, and what of ``inputs`` their effects read."""
        return _key(self.recipe(fired), inputs)

    def projected(self, fired: int, inputs: PlanInputs) -> PlanInputs:
        """``inputs`` with all but what the part's fired effects read left out:
        what the part's builder is given is what its key holds, by construction."""
        lists, minutes, pressure, last = self._read(fired & self.mask)
        kept = set(lists)
        return PlanInputs(
            tuple([m if i in kept else 0 for i, m in enumerate(inputs.masks)]),
            inputs.minutes if minutes else 0,
            inputs.pressure if pressure else None,
            inputs.last if last else None,
        )

    def builder(self, fired: int, inputs: PlanInputs, made: PlanMade) -> PlanBuilder:
        """A builder holding what this part's fired effects add for ``inputs``
        (given only what they read)."""
        builder = PlanBuilder(self.projected(fired, inputs), made.parts, made.rank)
        for bit, effect, reason in self.effects:
            if fired & bit:
                effect.apply(builder, reason)
        return builder


class PlanMaker:
    """The plans of one rulebase, made part by part.

    A part (the techniques, the restrictions, the pressure, the visits, the
    advice, the holds) depends only on the fired rules whose effects add to
    it, and on the inputs those effects read; each part is made once per such
    key and kept, so a plan for a client never seen before is mostly made of
    parts made before. Each part is made by applying its effects, in
    rulebase order, to a builder, as a plan made in one piece is (a property
    test compares the two).
    """

    def __init__(self, rules: Sequence[RuleEffects], made: PlanMade) -> None:
        self._made = made
        self._parts = {name: _Part(name, rules) for name in PLAN_PARTS}
        # Each fired set's part recipes, in PLAN_PARTS order, each with its key
        # when its effects read nothing of the inputs (the key is then the same
        # for all of them).
        self._recipes: dict[int, tuple[tuple[Recipe, Hashable], ...]] = {}

    def _keys(self, fired: int, inputs: PlanInputs) -> list[Hashable]:
        recipes = self._recipes.get(fired)
        if recipes is None:
            if len(self._recipes) >= Parts.SIZE:
                self._recipes.clear()
            made = [self._parts[name].recipe(fired) for name in PLAN_PARTS]
            recipes = self._recipes[fired] = tuple(
                (recipe, None if any(recipe[2:]) else _key(recipe, _NO_INPUTS)) for recipe in made
            )
        return [_key(recipe, inputs) if fixed is None else fixed for recipe, fixed in recipes]

    def plan(self, fired: int, fired_rules: tuple[str, ...], inputs: PlanInputs) -> SessionPlan:
        made, parts, mine = self._made, self._made.parts, self._parts
        (
            techniques_key,
            restrictions_key,
            pressure_key,
            visits_key,
            advice_key,
            holds_key,
            questions_key,
            protocol_key,
        ) = self._keys(fired, inputs)
        said: tuple[tuple[Entry, ...], tuple[Restriction, ...]] | None = parts[restrictions_key]
        if said is None:
            builder = mine["restrictions"].builder(fired, inputs, made)
            entries = builder.entries()
            said = parts.keep(restrictions_key, (entries, builder.restriction_items(entries)))
        entries, restrictions = said

        caps: tuple[int, tuple[str, ...]] | None = parts[pressure_key]
        if caps is None:
            builder = mine["pressure"].builder(fired, inputs, made)
            caps = parts.keep(pressure_key, builder.pressure_part())
        pressure, pressure_reasons = caps

        technique_key = (techniques_key, restrictions_key, pressure)
        techniques: tuple[Technique, ...] | None = parts[technique_key]
        if techniques is None:
            builder = mine["techniques"].builder(fired, inputs, made)
            techniques = parts.keep(technique_key, builder.technique_items(pressure, entries))

        hold_key = (holds_key, bool(techniques))
        holds: tuple[Hold, ...] | None = parts[hold_key]
        if holds is None:
            builder = mine["holds"].builder(fired, inputs, made)
            holds = parts.keep(hold_key, builder.hold_items(bool(techniques)))

        visits: tuple[Visit, ...] = ()
        if techniques:  # an hour with nothing to do is not a visit: no technique, no week
            found: tuple[Visit, ...] | None = parts[visits_key]
            if found is None:
                builder = mine["visits"].builder(fired, inputs, made)
                found = parts.keep(visits_key, builder.visit_items())
            visits = found

        advice: tuple[Advice, ...] | None = parts[advice_key]
        if advice is None:
            builder = mine["advice"].builder(fired, inputs, made)
            advice = parts.keep(advice_key, builder.advice_items())

        asked: tuple[Question, ...] | None = parts[questions_key]
        if asked is None:
            builder = mine["questions"].builder(fired, inputs, made)
            asked = parts.keep(questions_key, builder.question_items())

        step_key = (protocol_key, bool(techniques))
        steps: tuple[ProtocolStep, ...] | None = parts[step_key]
        if steps is None:
            builder = mine["protocol"].builder(fired, inputs, made)
            steps = parts.keep(step_key, builder.protocol_items(bool(techniques)))

        return made.assemble(
            holds=holds,
            visits=visits,
            pressure=pressure,
            pressure_reasons=pressure_reasons,
            techniques=techniques,
            restrictions=restrictions,
            advice=advice,
            questions=asked,
            protocol=steps,
            fired_rules=fired_rules,
        )
