"""Plan assembly: the fired rules' effects, combined without regard to order.

Areas are unions, caps are minimums, and items are listed in a fixed order,
so the same fired rules always give the same plan. The effects themselves
(``rules.effects``) decide what to add; this module only combines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from ..engine.facts import AREA_FIELDS
from ..model.plan import (
    EVERY_TECHNIQUE,
    LEAST_PRESSURE,
    SEVERITY_ORDER,
    TECHNIQUE_ORDER,
    Advice,
    AdviceCode,
    Audience,
    GeneratedBy,
    Hold,
    HoldCode,
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
from ..model.profile import AREA_ORDER, BodyArea, ClientProfile
from ..rules.effects import AreaSpec

MAX_PRESSURE = 5


def plan_inputs(profile: ClientProfile) -> Hashable:
    """Everything of a profile that plan assembly reads: with the fired rules,
    it decides the plan (the effects read area lists and the tolerance only)."""
    return tuple(getattr(profile, name) for name in AREA_FIELDS), profile.tolerance


def ordered(areas: Iterable[BodyArea]) -> tuple[BodyArea, ...]:
    return tuple(sorted(set(areas), key=AREA_ORDER.__getitem__))


@dataclass
class _Cited:
    reasons: list[Reason] = field(default_factory=list)
    # Reasons are the rules' own objects: identity says "the same rule" cheaply.
    _seen: set[int] = field(default_factory=set)

    def cite(self, reason: Reason) -> None:
        if id(reason) not in self._seen:
            self._seen.add(id(reason))
            self.reasons.append(reason)

    def ids(self) -> tuple[str, ...]:
        """The rule ids the item cites: the plan lists each reason once."""
        return tuple(r.rule_id for r in self.reasons)


@dataclass
class _TechniqueItem(_Cited):
    areas: set[BodyArea] = field(default_factory=set)
    cap: int = MAX_PRESSURE
    needs: int = 1


@dataclass(frozen=True)
class _Rule:
    """One restriction as a rule said it."""

    techniques: frozenset[RestrictedTechnique]
    areas: frozenset[BodyArea]
    cap: int | None
    reason: Reason

    def applies_to(self, technique: TechniqueName) -> bool:
        return technique in self.techniques or EVERY_TECHNIQUE in self.techniques


@dataclass
class _TextItem(_Cited):
    text: str = ""
    audience: Audience = Audience.CLIENT


@dataclass
class _HoldItem(_Cited):
    text: str = ""
    client_text: str = ""
    # Held only when no technique is left, unless a rule holds it outright.
    only_without_techniques: bool = True


def _severity(reasons: Sequence[Reason]) -> Severity:
    return max((r.severity for r in reasons), key=SEVERITY_ORDER.__getitem__)


def _stricter(
    other: tuple[RestrictedTechnique, int | None], key: tuple[RestrictedTechnique, int | None]
) -> bool:
    """Whether restriction ``other`` says all that ``key`` says, and more."""
    if other == key:
        return False
    (technique, cap), (their_technique, their_cap) = key, other
    covers = their_technique in (technique, EVERY_TECHNIQUE)
    return covers and (their_cap is None or (cap is not None and their_cap <= cap))


Item = TypeVar("Item", bound=BaseModel)
Shared = TypeVar("Shared")


class Parts:
    """The plan items already made under one rulebase, shared by every plan that has them.

    Items are frozen, so plans may share them: a thousand plans hold one
    object per distinct item rather than one per plan, and each item is
    validated once. Tuples of items are keyed by identity, which is sound because
    they are the rulebase's own objects and this table lives and dies with
    it. Emptied when full, which bounds memory without a lock.
    """

    SIZE = 16384

    def __init__(self) -> None:
        self._made: dict[Hashable, Any] = {}

    def item(self, model: type[Item], **fields: Any) -> Item:
        """The item ``model(**fields)``, made the first time it is asked for."""
        key = (model, *fields.values())
        made: Item = self._kept(key, lambda: model(**fields))
        return made

    def same(self, items: tuple[Shared, ...]) -> tuple[Shared, ...]:
        """An equal tuple made before, if any: plans' lists of items are often alike.

        The key is the items' identities, sound because they are this table's
        own or the rulebase's, and the tuple kept holds them alive.
        """
        kept: tuple[Shared, ...] = self._kept((tuple, *map(id, items)), lambda: items)
        return kept

    def _kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        found = self._made.get(key)
        if found is None:
            if len(self._made) >= self.SIZE:
                self._made.clear()
            found = self._made[key] = make()
        return found


# Every plan sets every field; one set serves them all (a copy of a plan copies it).
_PLAN_FIELDS = set(SessionPlan.model_fields)


class PlanBuilder:
    """Collects what the fired rules' effects add, then makes the plan."""

    def __init__(self, profile: ClientProfile, parts: Parts) -> None:
        self.profile = profile
        self._parts = parts
        self._techniques: dict[TechniqueName, _TechniqueItem] = {}
        self._restrictions: list[_Rule] = []
        self._caps: list[tuple[int, Reason]] = []
        self._weekly: int | None = None
        self._longest: int | None = None
        self._per_week: int | None = None
        self._shortest_split: int | None = None
        self._visit_reasons = _Cited()
        self._advice: dict[AdviceCode, _TextItem] = {}
        self._holds: dict[HoldCode, _HoldItem] = {}

    # ------------------------------------------------------ what effects call

    def areas(self, spec: AreaSpec) -> set[BodyArea]:
        if spec == "all":
            return set(BodyArea)
        if isinstance(spec, str):
            return set(getattr(self.profile, spec) or ())  # a list not known names no area
        return set(spec)

    def add_technique(
        self, name: TechniqueName, areas: set[BodyArea], cap: int, needs: int, reason: Reason
    ) -> None:
        item = self._techniques.setdefault(name, _TechniqueItem())
        item.areas |= areas
        item.cap = min(item.cap, cap)
        item.needs = max(item.needs, needs, LEAST_PRESSURE.get(name, 1))
        item.cite(reason)

    def restrict(
        self,
        techniques: Iterable[RestrictedTechnique],
        areas: set[BodyArea],
        cap: int | None,
        reason: Reason,
    ) -> None:
        if areas:
            self._restrictions.append(_Rule(frozenset(techniques), frozenset(areas), cap, reason))

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

    def advise(self, code: AdviceCode, text: str, audience: Audience, reason: Reason) -> None:
        item = self._advice.setdefault(code, _TextItem(text=text, audience=audience))
        item.cite(reason)

    def add_hold(
        self, code: HoldCode, text: str, client_text: str, if_no_technique: bool, reason: Reason
    ) -> None:
        item = self._holds.setdefault(code, _HoldItem(text=text, client_text=client_text))
        item.only_without_techniques = item.only_without_techniques and if_no_technique
        item.cite(reason)

    # ------------------------------------------------------------- the plan

    def _visits(self) -> tuple[Visit, ...]:
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
        visit = self._parts.item(Visit, minutes=minutes, reasons=self._visit_reasons.ids())
        return (visit,) * count

    def _technique_items(self, pressure: int) -> list[Technique]:
        """Each technique once per pressure cap, on the areas where it may be
        done at all and at the pressure it needs to be itself. Its reasons are
        the rules that prescribed it; a lower cap's reason is its restriction's."""
        items = []
        for name in sorted(self._techniques, key=TECHNIQUE_ORDER.__getitem__):
            item = self._techniques[name]
            base = min(item.cap, pressure)
            banned: set[BodyArea] = set()
            caps: dict[BodyArea, int] = {}
            for rule in self._restrictions:
                if not rule.applies_to(name):
                    continue
                if rule.cap is None:
                    banned |= rule.areas
                else:
                    for area in rule.areas:
                        caps[area] = min(caps.get(area, base), rule.cap)
            groups: dict[int, list[BodyArea]] = {}
            for area in ordered(item.areas - banned):
                cap = min(base, caps.get(area, base))
                if cap >= item.needs:
                    groups.setdefault(cap, []).append(area)
            items += [
                self._parts.item(
                    Technique,
                    name=name,
                    areas=tuple(areas),
                    max_pressure=cap,
                    reasons=item.ids(),
                )
                for cap, areas in sorted(groups.items(), reverse=True)
            ]
        return items

    def _restriction_items(self) -> list[Restriction]:
        """One restriction per technique and cap, each area only under the
        strictest that applies to it: "no work of any kind on the feet" is
        not followed by "nothing above light pressure on the feet", which
        would say that some work is allowed there."""
        said: dict[BodyArea, set[tuple[RestrictedTechnique, int | None]]] = {}
        for rule in self._restrictions:
            for area in rule.areas:
                said.setdefault(area, set()).update((t, rule.cap) for t in rule.techniques)
        merged: dict[tuple[RestrictedTechnique, int | None], tuple[set[BodyArea], _Cited]] = {}
        for rule in self._restrictions:
            for technique in rule.techniques:
                key = (technique, rule.cap)
                areas = {a for a in rule.areas if not any(_stricter(s, key) for s in said[a])}
                if areas:
                    kept, cited = merged.setdefault(key, (set(), _Cited()))
                    kept |= areas
                    cited.cite(rule.reason)

        def order(key: tuple[RestrictedTechnique, int | None]) -> tuple[int, int]:
            technique, cap = key
            rank = -1 if technique == EVERY_TECHNIQUE else TECHNIQUE_ORDER[TechniqueName(technique)]
            return rank, -1 if cap is None else cap

        return [
            self._parts.item(
                Restriction,
                technique=technique,
                areas=ordered(merged[(technique, cap)][0]),
                max_pressure=cap,
                reasons=merged[(technique, cap)][1].ids(),
            )
            for technique, cap in sorted(merged, key=order)
        ]

    def _reasons_by_id(self) -> dict[str, Reason]:
        """Every reason an effect cited, by its rule id."""
        cited: list[_Cited] = [
            *self._techniques.values(),
            self._visit_reasons,
            *self._advice.values(),
            *self._holds.values(),
        ]
        found = {r.rule_id: r for item in cited for r in item.reasons}
        found.update((rule.reason.rule_id, rule.reason) for rule in self._restrictions)
        found.update((reason.rule_id, reason) for _, reason in self._caps)
        return found

    def build(
        self,
        fired_rules: Sequence[str],
        sources: Mapping[str, Source],
        trace: Sequence[str],
        generated_by: GeneratedBy,
    ) -> SessionPlan:
        pressure = min([MAX_PRESSURE, *(level for level, _ in self._caps)])
        techniques = self._technique_items(pressure)
        holds = [
            self._parts.item(
                Hold,
                code=code,
                text=item.text,
                client_text=item.client_text,
                reasons=item.ids(),
            )
            for code, item in self._holds.items()
            if not (techniques and item.only_without_techniques)
        ]
        advice = [
            self._parts.item(
                Advice,
                code=code,
                text=item.text,
                severity=_severity(item.reasons),
                audience=item.audience,
                reasons=item.ids(),
            )
            for code, item in self._advice.items()
        ]
        # Critical first; equal severities keep the rulebase's order (the sort is stable).
        advice.sort(key=lambda a: -SEVERITY_ORDER[a.severity])
        # An hour with nothing to do is not a visit: with no technique, no week.
        visits = self._visits() if techniques else ()
        pressure_reasons = tuple(
            dict.fromkeys(r.rule_id for level, r in self._caps if level == pressure)
        )
        restrictions = self._restriction_items()
        # Each reason once, in order of first use, and each source it cites.
        known = self._reasons_by_id()
        used: dict[str, None] = {}
        for ids in (
            *(h.reasons for h in holds),
            *(v.reasons for v in visits),
            pressure_reasons,
            *(t.reasons for t in techniques),
            *(r.reasons for r in restrictions),
            *(a.reasons for a in advice),
        ):
            used.update(dict.fromkeys(ids))
        reasons = tuple(known[rule_id] for rule_id in used)
        cited = dict.fromkeys(s for reason in reasons for s in reason.sources)
        same = self._parts.same
        # Made from parts that are validated models each, so the plan itself is
        # constructed, not validated again: validation would copy every tuple,
        # where these are shared with the other plans that have them. A property
        # test holds every plan equal to its validated copy.
        return SessionPlan.model_construct(
            _fields_set=_PLAN_FIELDS,
            holds=same(tuple(holds)),
            visits=same(visits),
            pressure=pressure,
            pressure_reasons=same(pressure_reasons),
            techniques=same(tuple(techniques)),
            restrictions=same(tuple(restrictions)),
            advice=same(tuple(advice)),
            reasons=same(reasons),
            sources=same(tuple(sources[s] for s in cited)),
            fired_rules=same(tuple(fired_rules)),
            trace=same(tuple(trace)),
            generated_by=generated_by,
        )
