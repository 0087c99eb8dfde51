"""The profiles a rulebase can tell apart, as a finite set of representatives.

Rules compare facts with constants, so between two constants every value
behaves alike. Taking each constant and its neighbours, the contract's own
boundaries (60 minutes, the first session, every pressure level) and every
value of each enum gives a small set of profiles on which every rule and
every safety property is decided exactly as on all profiles.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine.conditions import Clause
from ..engine.facts import FACT_FIELD, INT_CEILING, profile_facts
from ..engine.seam import compile_conditions
from ..model.profile import (
    FIELD,
    PROFILE_FIELDS,
    BodyArea,
    ClientProfile,
    FieldKind,
    ProfileField,
    SweepAxis,
    nested_profile,
)

if TYPE_CHECKING:
    from .rulebase import LoadedRule, Rulebase


def _base_value(field: ProfileField) -> Any:
    """A field's value in the sweep's base profile: its default, or for a field
    a profile must give, its first choice or least number."""
    if not field.required:
        return field.default
    return field.choices[0] if field.kind is FieldKind.CHOICE else field.minimum


# A complete profile every sweep starts from; each field is then swept.
BASE: dict[str, Any] = {
    **nested_profile({f.name: _base_value(f) for f in PROFILE_FIELDS if f.unit == f.name}),
    **{f.unit: None for f in PROFILE_FIELDS if f.unit != f.name},  # a group: not known
}
# Profile fields that no safety invariant reads: only the rules tell their values apart.
RULES_ONLY = tuple(f.name for f in PROFILE_FIELDS if f.sweep is SweepAxis.RULES_ONLY)
# Fields the sweep varies one at a time (empty, off first; see SweepSpace).
# (The last session's fields are one such value: given together, or null.)
ONE_AT_A_TIME = tuple(
    dict.fromkeys(f.unit for f in PROFILE_FIELDS if f.sweep is SweepAxis.ONE_AT_A_TIME)
)


def _screening(name: str) -> bool:
    return name in FIELD and FIELD[name].screening


def _neighbours(values: set[int], low: int, high: int) -> list[int]:
    return sorted({n for v in values for n in (v - 1, v, v + 1) if low <= n <= high})


def _constants(rulebase: Rulebase, fact: str) -> set[int]:
    return {
        test.value
        for rule in rulebase
        for clause in rule.clauses
        for test in clause.tests
        if test.fact == fact and isinstance(test.value, int) and not isinstance(test.value, bool)
    }


def _relevant_areas(rulebase: Rulebase) -> list[BodyArea]:
    named: set[BodyArea] = set()
    for rule in rulebase:
        for clause in rule.clauses:
            field = FIELD.get(FACT_FIELD[clause.field])
            if field is None or field.kind is not FieldKind.AREAS:
                continue  # a list of other values (swelling signs) names no area
            named |= {BodyArea(t.value) for t in clause.tests if t.op == "includes"}
        for effect in rule.rule.then:
            named |= effect.named_areas()
    # One area no rule names stands for all the others.
    unnamed = [a for a in BodyArea if a not in named]
    return sorted(named | set(unnamed[:1]), key=list(BodyArea).index)


def field_values(rulebase: Rulebase) -> dict[str, list[Any]]:
    """Representative values of each profile field for this rulebase, in the field
    table's order: every choice; both answers of a flag; the area lists empty,
    with each area a rule names (and one that none does), and with every area;
    and a number's own points, its boundaries and every constant a rule compares
    it with, each with its neighbours. A field the profile may leave unknown
    takes "unknown" first."""
    visit_lengths = {
        minutes
        for rule in rulebase
        for effect in rule.rule.then
        for minutes in effect.minute_constants()
    }
    areas = _relevant_areas(rulebase)
    area_lists: list[Any] = [[], *([a.value] for a in areas), [a.value for a in BodyArea]]
    values: dict[str, list[Any]] = {}
    for field in PROFILE_FIELDS:
        taken: list[Any]
        if field.kind is FieldKind.CHOICE:
            taken = list(field.choices)
        elif field.kind is FieldKind.FLAG:
            taken = [False, True]
        elif field.kind is FieldKind.AREAS:
            taken = list(area_lists)
        elif field.kind is FieldKind.CHOICES:
            taken = [[], *([c] for c in field.choices), list(field.choices)]
        else:
            low = field.minimum if field.minimum is not None else 0
            high = field.maximum if field.maximum is not None else INT_CEILING
            compared = {*field.boundaries, *_constants(rulebase, field.name)}
            if field.visit_lengths:
                compared |= visit_lengths
            taken = sorted({*field.points, *_neighbours(compared, low, high)})
        # Unknown is a value of its own: never "none".
        values[field.name] = [None, *taken] if field.may_be_unknown else taken
    return _grouped(values)


def _grouped(values: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The values with each group of fields given together (``NULLABLE_GROUPS``)
    taken as one: null, or every choice of its choice fields, each with its
    numbers taken one at a time while the others stay at their middle value."""
    out: dict[str, list[Any]] = {}
    for name, taken in values.items():
        unit = FIELD[name].unit
        if unit == name:
            out[name] = taken
            continue
        if unit in out:
            continue
        members = {
            f.name.split(".", 1)[1]: [v for v in values[f.name] if v is not None]
            for f in PROFILE_FIELDS
            if f.unit == unit
        }
        numbers = [k for k in members if FIELD[f"{unit}.{k}"].kind is FieldKind.NUMBER]
        choices = [k for k in members if k not in numbers]
        middle = {k: members[k][len(members[k]) // 2] for k in numbers}
        combos: list[dict[str, Any]] = []
        for chosen in itertools.product(*(members[k] for k in choices)):
            for number in numbers:
                for value in members[number]:
                    combo = {**dict(zip(choices, chosen, strict=True)), **middle, number: value}
                    if combo not in combos:
                        combos.append(combo)
        out[unit] = [None, *combos]
    return out


def with_value(profile: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """A profile mapping with one field (``tolerance.minutes``: a nested one) set."""
    if "." in field:
        outer, inner = field.split(".", 1)
        return {**profile, outer: with_value(profile.get(outer, {}), inner, value)}
    return {**profile, field: value}


@dataclass(frozen=True)
class SweepSpace:
    """The profiles a sweep covers: every combination of the ``scalar`` fields'
    representative values, each with every one of ``area_sets``.

    The area lists and the screening flags (``ONE_AT_A_TIME``) each take
    their values, unknown among them, one at a time, with the others empty
    or off (plus all of them full and on at once, and all of them unknown at
    once), against every combination of the other
    fields; and values of a field no safety invariant reads (``RULES_ONLY``)
    that no rule tells apart count once. That keeps the sweep to a hundred
    thousand profiles or so; rules that need two of those fields at once are
    covered by the all-at-once case and by verify's search.
    """

    values: dict[str, list[Any]]  # representative values of every field swept

    @functools.cached_property
    def scalar(self) -> list[str]:
        return [f for f in self.values if f not in ONE_AT_A_TIME]

    @functools.cached_property
    def area_sets(self) -> list[dict[str, Any]]:
        """The values of ``ONE_AT_A_TIME`` the sweep pairs with each scalar combination."""
        values = self.values
        # Each field's "none" (asked, and nothing): the first value that is not
        # unknown (not asked). Every other value, unknown among them, is taken
        # one at a time.
        # A field whose null is an answer of its own (the hypersensitivity level
        # everywhere, not area by area) takes null as its "none".
        nothing: dict[str, Any] = {
            name: None
            if not _screening(name) and None in values[name]
            else next((v for v in values[name] if v is not None), None)
            for name in ONE_AT_A_TIME
        }
        sets: list[dict[str, Any]] = [nothing]
        for name in ONE_AT_A_TIME:
            partner = FIELD[name].sweep_with if name in FIELD else ""
            if partner:  # it matters only with its partner set: the last one area (feet), and all
                with_partner = values[partner][-2:]
                sets += [
                    {**nothing, partner: given, name: value}
                    for given in with_partner
                    for value in values[name]
                ]
                continue
            sets += [{**nothing, name: value} for value in values[name] if value != nothing[name]]
        sets.append({name: values[name][-1] for name in ONE_AT_A_TIME})
        # Nothing asked at all: a profile sent with the article's fields alone.
        unasked = {
            name: None for name in ONE_AT_A_TIME if _screening(name) and None in values[name]
        }
        if unasked:
            sets.append({**nothing, **unasked})
        distinct: list[dict[str, Any]] = []  # a narrowed space can make one set twice
        for area_set in sets:
            if area_set not in distinct:
                distinct.append(area_set)
        return distinct

    def __len__(self) -> int:
        return math.prod(len(self.values[f]) for f in self.scalar) * len(self.area_sets)

    def narrowed(self, **keep: list[Any]) -> SweepSpace:
        """The same space with some fields' values cut down (``tolerance.minutes``
        is written ``tolerance_minutes`` here)."""
        cut = {name.replace("tolerance_", "tolerance."): kept for name, kept in keep.items()}
        unknown = set(cut) - set(self.values)
        if unknown:
            raise KeyError(f"no such field in the sweep: {sorted(unknown)}")
        return SweepSpace({f: cut.get(f, v) for f, v in self.values.items()})

    def mappings(self) -> Iterator[dict[str, Any]]:
        """Every profile of the space, as a mapping, in the sweep's order."""
        scalar = self.scalar
        area_sets = self.area_sets
        for combination in itertools.product(*(self.values[f] for f in scalar)):
            profile = dict(BASE)
            for field, value in zip(scalar, combination, strict=True):
                profile = with_value(profile, field, value)
            for areas in area_sets:
                yield {**profile, **areas}

    def profiles(self) -> Iterator[ClientProfile]:
        """Every profile of the space, validated, in the sweep's order."""
        for mapping in self.mappings():
            yield ClientProfile.model_validate(mapping)


def sweep_space(rulebase: Rulebase) -> SweepSpace:
    """The representative profiles of ``rulebase``'s space (see :class:`SweepSpace`)."""
    values = field_values(rulebase)
    satisfying = satisfying_values(rulebase)
    for name in RULES_ONLY:
        distinct: dict[tuple[bool, ...], Any] = {}
        for index, value in enumerate(values[name]):
            signature = tuple(index in satisfying[rule.id][name] for rule in rulebase)
            distinct.setdefault(signature, value)
        values[name] = list(distinct.values())
    return SweepSpace(values)


def sweep(rulebase: Rulebase) -> Iterator[ClientProfile]:
    """Every profile of the rulebase's sweep (see :class:`SweepSpace`), validated."""
    return sweep_space(rulebase).profiles()


def _field_clauses(rule: LoadedRule, field: str) -> tuple[Clause, ...]:
    return tuple(c for c in rule.clauses if FACT_FIELD[c.tests[0].fact] == field)


Satisfying = dict[str, dict[str, frozenset[int]]]
# What the engine decided, by rulebase digest: the rules' conditions and the
# values swept are functions of the rules, which the digest names. A server
# that reloads its rule files, or threads that load the same ones, ask once.
_SATISFYING: dict[str, Satisfying] = {}
_SATISFYING_SIZE = 64


def satisfying_values(rulebase: Rulebase) -> Satisfying:
    """For each rule and profile field, which representative values (by index)
    meet the rule's conditions on that field, as the engine decides.

    Two rules can fire together exactly when, for every field, their sets
    intersect: each condition tests one field.
    """
    found = _SATISFYING.get(rulebase.digest)
    if found is None:
        found = _satisfying_values(rulebase)
        if len(_SATISFYING) >= _SATISFYING_SIZE:
            _SATISFYING.clear()
        _SATISFYING[rulebase.digest] = found
    return found


def _satisfying_values(rulebase: Rulebase) -> Satisfying:
    values = field_values(rulebase)
    result: dict[str, dict[str, frozenset[int]]] = {rule.id: {} for rule in rulebase}
    for field, candidates in values.items():
        conditions = compile_conditions(
            [(rule.id, _field_clauses(rule, field)) for rule in rulebase]
        )
        holding: dict[str, set[int]] = {rule.id: set() for rule in rulebase}
        for index, value in enumerate(candidates):
            facts = profile_facts(ClientProfile.model_validate(with_value(BASE, field, value)))
            own = {k: v for k, v in facts.items() if FACT_FIELD.get(k) == field}
            for rule_id in conditions.matching(own):
                holding[rule_id].add(index)
        for rule_id, indexes in holding.items():
            result[rule_id][field] = frozenset(indexes)
    return result


def can_fire_together(
    satisfying: dict[str, dict[str, frozenset[int]]], first: str, second: str
) -> bool:
    a, b = satisfying[first], satisfying[second]
    return all(a[field] & b[field] for field in a)


def fires_without(
    satisfying: dict[str, dict[str, frozenset[int]]], first: str, second: str
) -> bool:
    """Whether ``first`` can fire for a client for whom ``second`` does not.

    Each condition tests one field and a rule's conditions all hold, so
    ``first`` implies ``second`` exactly when, field by field, every value
    meeting ``first`` meets ``second``.
    """
    a, b = satisfying[first], satisfying[second]
    return any(not a[field] <= b[field] for field in a)
