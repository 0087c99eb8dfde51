"""The contract's invariants, as one table.

Safety invariants hold for every rulebase: ``recommend()`` raises
``PlanSafetyError`` rather than return a plan that breaks one, and ``verify()``
searches for profiles that do. Article conformance is the article's guidance:
the built-in rulebase follows it, a clinic may deviate, and
``verify(article=True)`` reports deviations as findings. The README's list of
invariants is generated from this table (a test keeps it in step).

Checks read a :class:`Case` (the profile as the invariants need it: area
lists as masks, and flags) and a :class:`PlanView` (the plan, with its areas
as masks, made once per plan). A check of the plan alone is a
``plan_check``: it runs once per plan, not once per profile the plan is for.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar

from .._memo import Memo
from ..model.course import Course
from ..model.plan import (
    EVERY_TECHNIQUE,
    LEAST_PRESSURE,
    Advice,
    AdviceCode,
    Audience,
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
    SourceKind,
    Technique,
    TechniqueName,
)
from ..model.profile import (
    ALL_AREAS,
    AREA_LIST_INDEX,
    BodyArea,
    ClientProfile,
    Condition,
    Hypersensitivity,
    Medication,
    PlanInputs,
    Reaction,
    SwellingSign,
    area_mask,
    areas_in,
)
from ..model.wording import words

Scope = Literal["safety", "article"]
WEEKLY_MINUTES = 60
GENTLE_PRESSURE = 2
UNKNOWN_PRESSURE_CEILING = 2
# Techniques that are not gentle work, whatever their pressure.
NOT_GENTLE = frozenset(
    {TechniqueName.TRIGGER_POINT, TechniqueName.KNEADING, TechniqueName.FRICTION}
)
# The hips and legs, where a clot forms and where vigorous massage was followed by one.
HIPS_AND_LEGS = area_mask(
    [
        BodyArea.HIPS,
        BodyArea.THIGHS,
        BodyArea.KNEES,
        BodyArea.LOWER_LEGS,
        BodyArea.ANKLES,
        BodyArea.FEET,
    ]
)
# What invariant 18 treats as numb, as a port site, and as at risk of
# lymphedema while the client has not been asked.
HANDS_AND_FEET = area_mask([BodyArea.HANDS, BodyArea.FEET])
CHEST_AND_UPPER_ARMS = area_mask([BodyArea.CHEST, BodyArea.UPPER_ARMS])
ARMS_AND_LEGS = area_mask(
    [
        BodyArea.UPPER_ARMS,
        BodyArea.FOREARMS,
        BodyArea.HANDS,
        BodyArea.THIGHS,
        BodyArea.KNEES,
        BodyArea.LOWER_LEGS,
        BodyArea.ANKLES,
        BodyArea.FEET,
    ]
)
SHORTEST_SPLIT_VISIT = 15  # minutes
MAX_WEEKLY_GROWTH = 15  # minutes a projected course's week may grow by
# Words of a text written about the client to someone else, not to the client.
THIRD_PERSON_WORDS = ("the client",)
_MARKED = frozenset({Hypersensitivity.MODERATE, Hypersensitivity.SEVERE})
# Where each area list is in a case's masks.
_SWELLING = AREA_LIST_INDEX["swelling"]
_FRAGILE = AREA_LIST_INDEX["fragile_tissue"]
_NUMB = AREA_LIST_INDEX["numb_areas"]
_WOUNDS = AREA_LIST_INDEX["wounds"]
_INJECTIONS = AREA_LIST_INDEX["injection_sites"]
_PORTS = AREA_LIST_INDEX["port_sites"]


@dataclass(frozen=True)
class Finding:
    """How one plan breaks one invariant."""

    message: str
    profile_values: dict[str, Any]  # the profile fields involved, as the profile has them
    item_rules: tuple[str, ...] = ()  # rules that produced the offending items


class Case(NamedTuple):
    """What the invariants read of a profile: area lists as masks (``PlanInputs``
    order; an unknown list names no area), the facts they test (a flag not
    asked is None), the condition, and the screening fields not asked."""

    inputs: PlanInputs
    hypersensitivity: Hypersensitivity
    sessions_completed: int
    physician_consulted: bool
    clot_history: bool | None
    on_chemotherapy: bool | None
    on_anticoagulants: bool | None
    ports_known: bool
    condition: Condition = Condition.PERIPHERAL_NEUROPATHY
    unanswered: frozenset[str] = frozenset()
    swelling_signs: frozenset[SwellingSign] = frozenset()  # none when not asked
    low_platelets: bool | None = None
    low_white_cells: bool | None = None
    medications: frozenset[Medication] = frozenset()  # none when not asked
    by_area: bool = False  # hypersensitivity given area by area: some area named
    reaction: Reaction | None = None  # after the last session (None: not known)

    @classmethod
    def of(cls, profile: ClientProfile, inputs: PlanInputs | None = None) -> Case:
        return cls(
            PlanInputs.of(profile) if inputs is None else inputs,
            profile.hypersensitivity,
            profile.sessions_completed,
            profile.physician_consulted,
            profile.clot_history,
            profile.on_chemotherapy,
            profile.on_anticoagulants,
            profile.port_sites is not None,
            profile.condition,
            frozenset(profile.unanswered()),
            frozenset(profile.swelling_signs or ()),
            profile.low_platelets,
            profile.low_white_cells,
            frozenset(profile.medications or ()),
            bool(profile.hypersensitive_areas),
            None if profile.last_session is None else profile.last_session.reaction,
        )

    def mask(self, area_list: str) -> int:
        return self.inputs.masks[AREA_LIST_INDEX[area_list]]

    def check_class(self) -> Hashable:
        """What the checks read of the case. Two cases of one class get the same
        findings from every check, but for the profile values a finding quotes.
        The checks read hypersensitivity and sessions only as: none at all
        (article 3); a first session with moderate or severe (invariant 4), or
        with severe (22); and a first session or not (5, 10, 22)."""
        hypersensitivity = self.hypersensitivity
        first = self.sessions_completed == 0
        return (
            self.inputs,
            hypersensitivity is Hypersensitivity.NONE,
            first and hypersensitivity in _MARKED,
            first and hypersensitivity is Hypersensitivity.SEVERE,
            first,
            *self[3:],
        )

    def areas(self, area_list: str) -> list[str]:
        """An area list as the profile has it, for a finding's profile values."""
        return [a.value for a in areas_in(self.mask(area_list))]


@dataclass(frozen=True, slots=True)
class _TechniqueView:
    name: TechniqueName
    areas: int
    max_pressure: int
    reasons: tuple[str, ...]


class _Techniques:
    """A plan's techniques as masks: each one, and where each kind of work is listed."""

    __slots__ = (
        "above_gentle",
        "each",
        "firmest",
        "friction",
        "kneading",
        "listed",
        "not_gentle",
        "swedish",
        "trigger",
    )

    def __init__(self, techniques: tuple[Technique, ...]) -> None:
        self.each = tuple(
            _TechniqueView(t.name, area_mask(t.areas), t.max_pressure, t.reasons)
            for t in techniques
        )
        self.listed = self.not_gentle = self.above_gentle = 0
        self.trigger = self.friction = self.kneading = 0
        for t in self.each:
            self.listed |= t.areas
            if t.name in NOT_GENTLE:
                self.not_gentle |= t.areas
            if t.max_pressure > GENTLE_PRESSURE:
                self.above_gentle |= t.areas
            if t.name is TechniqueName.TRIGGER_POINT:
                self.trigger |= t.areas
            if t.name is TechniqueName.FRICTION:
                self.friction |= t.areas
            if t.name is TechniqueName.KNEADING:
                self.kneading |= t.areas
        self.swedish = any(t.name is TechniqueName.SWEDISH for t in self.each)
        self.firmest = max((t.max_pressure for t in self.each), default=0)


def _banned(restrictions: tuple[Restriction, ...]) -> dict[RestrictedTechnique, int]:
    """Where each technique (or every one, "all") is forbidden outright."""
    banned: dict[RestrictedTechnique, int] = {}
    for r in restrictions:
        if r.max_pressure is None:
            banned[r.technique] = banned.get(r.technique, 0) | area_mask(r.areas)
    return banned


def _by_code(advice: tuple[Advice, ...]) -> dict[AdviceCode, Advice]:
    found: dict[AdviceCode, Advice] = {}
    for a in advice:
        found.setdefault(a.code, a)
    return found


def _hold_codes(holds: tuple[Hold, ...]) -> frozenset[HoldCode]:
    return frozenset(h.code for h in holds)


def _question_codes(questions: tuple[Question, ...]) -> frozenset[QuestionCode]:
    return frozenset(q.code for q in questions)


def _step_codes(protocol: tuple[ProtocolStep, ...]) -> frozenset[ProtocolCode]:
    return frozenset(step.code for step in protocol)


_Made = TypeVar("_Made")
_SEEN = Memo(16384)
# Every memo here keeps plan parts alive, and parts are a rulebase's: they are
# emptied when a rulebase goes (``forget_parts``), so that a server reloading
# its rules holds the parts of the rulebases it still has, not of every one.
_PART_MEMOS: list[Memo] = [_SEEN]


def forget_parts() -> None:
    """Empty the memos of plan parts; they fill again as plans are checked."""
    for memo in _PART_MEMOS:
        memo.clear()


def _once(make: Callable[..., _Made], *parts: tuple[Any, ...]) -> _Made:
    """What ``make`` makes of a plan's parts, once per parts: plans share their
    parts' tuples, so most of a new plan's view was made for another plan.
    Kept with the parts themselves, so that no identity is reused while kept."""
    key = (make, *map(id, parts))
    found = _SEEN[key]
    if found is None:
        found = _SEEN.keep(key, (parts, make(*parts)))
    made: _Made = found[1]
    return made


def _per_part(make: Callable[[tuple[Any, ...]], _Made]) -> Callable[[tuple[Any, ...]], _Made]:
    """``make`` of one part, made once per part: :func:`_once` for one part,
    keyed by the part's identity alone (a view is made of several per plan)."""
    memo = Memo(4096)
    _PART_MEMOS.append(memo)

    def once(part: tuple[Any, ...]) -> _Made:
        found = memo[id(part)]
        if found is None:  # kept with the part: its identity is not reused while kept
            found = memo.keep(id(part), (part, make(part)))
        made: _Made = found[1]
        return made

    return once


class PlanView:
    """A plan as the invariants read it: its areas as masks, its advice by code,
    and what the checks of the plan alone (``plan_check``) found in it; and
    what they need of its rulebase: the rules that can fire at a first
    session (the engine decides it)."""

    __slots__ = (
        "advice",
        "banned",
        "first_session_rules",
        "holds",
        "plan",
        "plan_found",
        "questions",
        "steps",
        "techniques",
    )

    def __init__(self, plan: SessionPlan, first_session_rules: frozenset[str]) -> None:
        self.plan = plan
        self.first_session_rules = first_session_rules
        self.techniques: _Techniques = _techniques_of(plan.techniques)
        self.banned: dict[RestrictedTechnique, int] = _banned_of(plan.restrictions)
        self.advice: dict[AdviceCode, Advice] = _advice_of(plan.advice)
        self.holds: frozenset[HoldCode] = _holds_of(plan.holds)
        self.questions: frozenset[QuestionCode] = _questions_of(plan.questions)
        self.steps: frozenset[ProtocolCode] = _steps_of(plan.protocol)
        # By invariant key; most plans have none.
        self.plan_found: dict[str, tuple[Finding, ...]] = {}
        for invariant, plan_check in _PLAN_CHECKS:
            found = plan_check(self)
            if found:
                self.plan_found[invariant.key] = tuple(found)

    def banned_for(self, *techniques: RestrictedTechnique) -> int:
        """The areas where a restriction forbids one of ``techniques`` outright."""
        found = 0
        for technique in techniques:
            found |= self.banned.get(technique, 0)
        return found


_techniques_of = _per_part(_Techniques)
_banned_of = _per_part(_banned)
_advice_of = _per_part(_by_code)
_holds_of = _per_part(_hold_codes)
_questions_of = _per_part(_question_codes)
_steps_of = _per_part(_step_codes)


PlanCheck = Callable[[PlanView], list[Finding]]
CaseCheck = Callable[[Case, PlanView], list[Finding]]
CourseCheck = Callable[[Course, ClientProfile], list[Finding]]


@dataclass(frozen=True)
class Invariant:
    """One invariant: checked for a profile and its plan, on a plan alone, or on a
    projected course as a whole."""

    scope: Scope
    number: int
    title: str
    statement: str  # the contract's words, for the docs
    check: CaseCheck | None = field(default=None, repr=False)
    plan_check: PlanCheck | None = field(default=None, repr=False)
    course_check: CourseCheck | None = field(default=None, repr=False)
    # The profile fields ``check`` speaks of, when it speaks only of a client
    # with one of them set (a list not empty, a flag true): the sweep skips
    # it for the others. A test holds the sweep equal to checking everything.
    only_with: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.number}"

    @property
    def label(self) -> str:
        kind = "safety invariant" if self.scope == "safety" else "article guidance"
        return f"{kind} {self.number} ({self.title})"


def _rules(rule_ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule_ids))


def _names(mask: int) -> str:
    return ", ".join(words(a.value) for a in areas_in(mask))


def _at_risk_values(case: Case) -> dict[str, Any]:
    return {"swelling": case.areas("swelling"), "fragile_tissue": case.areas("fragile_tissue")}


def _at_risk(case: Case) -> int:
    masks = case.inputs.masks
    return masks[_SWELLING] | masks[_FRAGILE]


def _gentle_only(
    areas: int,
    view: PlanView,
    forbidden: frozenset[TechniqueName],
    where: str,
    values: Callable[[], dict[str, Any]],
) -> list[Finding]:
    """No technique of ``forbidden``, and none above level 2, on ``areas``."""
    found = []
    for technique in view.techniques.each:
        overlap = areas & technique.areas
        if not overlap:
            continue
        if technique.name in forbidden:
            problem = f"{words(technique.name.value)} is listed on {where}{_names(overlap)}"
        elif technique.max_pressure > GENTLE_PRESSURE:
            problem = (
                f"{words(technique.name.value)} up to level {technique.max_pressure} is listed "
                f"on {where}{_names(overlap)} (at most {GENTLE_PRESSURE} there)"
            )
        else:
            continue
        found.append(Finding(problem, values(), _rules(technique.reasons)))
    return found


# ------------------------------------------------------------------ safety


def _no_friction(case: Case, view: PlanView) -> list[Finding]:
    return _no_friction_on(_at_risk(case), view, lambda: _at_risk_values(case))


def _no_friction_on(
    areas: int, view: PlanView, values: Callable[[], dict[str, Any]]
) -> list[Finding]:
    """Each of ``areas`` covered by a restriction of friction, and no friction
    technique listing any of them."""
    if not areas:
        return []
    uncovered = areas & ~view.banned_for(TechniqueName.FRICTION, EVERY_TECHNIQUE)
    if not uncovered and not areas & view.techniques.friction:
        return []
    found = []
    if uncovered:
        found.append(Finding(f"no restriction of friction covers {_names(uncovered)}", values()))
    for technique in view.techniques.each:
        overlap = areas & technique.areas
        if technique.name is TechniqueName.FRICTION and overlap:
            found.append(
                Finding(
                    f"friction is listed on {_names(overlap)}", values(), _rules(technique.reasons)
                )
            )
    return found


def _only_gentle(case: Case, view: PlanView) -> list[Finding]:
    at_risk = _at_risk(case)
    if not at_risk & (view.techniques.not_gentle | view.techniques.above_gentle):
        return []
    return _gentle_only(at_risk, view, NOT_GENTLE, "", lambda: _at_risk_values(case))


def _visits_within_tolerance(case: Case, view: PlanView) -> list[Finding]:
    tolerated = case.inputs.minutes
    plan = view.plan
    found = [
        Finding(
            f"a visit of {visit.minutes} minutes is longer than the {tolerated} tolerated",
            {"tolerance.minutes": tolerated},
            _rules(visit.reasons),
        )
        for visit in plan.visits[:1]
        if visit.minutes > tolerated
    ]
    if not plan.visits and not plan.holds:
        found.append(
            Finding(
                "the plan has no hold and no visit (no schedule rule fired)",
                {"tolerance.minutes": tolerated},
            )
        )
    return found


def _gradual_pressure(case: Case, view: PlanView) -> list[Finding]:
    tolerated = case.inputs.pressure
    plan = view.plan
    # Area by area, tolerance decides away from the areas (invariant 25).
    marked = case.hypersensitivity in _MARKED and case.sessions_completed == 0 and not case.by_area
    too_high = (
        (tolerated is not None and plan.pressure > tolerated + 1)
        or (tolerated is None and plan.pressure > UNKNOWN_PRESSURE_CEILING)
        or (marked and plan.pressure != 1)
    )
    if not too_high and view.techniques.firmest <= plan.pressure:
        return []
    above = [t for t in view.techniques.each if t.max_pressure > plan.pressure]
    values: dict[str, Any] = {
        "tolerance.pressure": tolerated,
        "hypersensitivity": case.hypersensitivity.value,
        "sessions_completed": case.sessions_completed,
    }
    rules = _rules(plan.pressure_reasons)
    found = []
    if tolerated is not None and plan.pressure > tolerated + 1:
        found.append(
            Finding(
                f"pressure level {plan.pressure} is more than one level above the "
                f"tolerated {tolerated}",
                values,
                rules,
            )
        )
    if tolerated is None and plan.pressure > UNKNOWN_PRESSURE_CEILING:
        found.append(
            Finding(
                f"pressure level {plan.pressure} while the tolerated pressure is unknown "
                f"(at most {UNKNOWN_PRESSURE_CEILING})",
                values,
                rules,
            )
        )
    if marked and plan.pressure != 1:
        found.append(
            Finding(
                f"pressure level {plan.pressure} at a first session with "
                f"{case.hypersensitivity.value} hypersensitivity (must be 1)",
                values,
                rules,
            )
        )
    found += [
        Finding(
            f"{words(t.name.value)} allows level {t.max_pressure}, above the plan's "
            f"{plan.pressure}",
            values,
            _rules(t.reasons),
        )
        for t in above
    ]
    return found


def _doctor_first(case: Case, view: PlanView) -> list[Finding]:
    if case.physician_consulted:
        return []
    values = {
        "sessions_completed": case.sessions_completed,
        "physician_consulted": case.physician_consulted,
    }
    advice = view.advice.get(AdviceCode.CONSULT_PHYSICIAN)
    found = []
    if case.sessions_completed == 0:
        if HoldCode.CONSULT_PHYSICIAN not in view.holds:
            found.append(Finding("the consult_physician hold is missing", values))
        if advice is None:
            found.append(Finding("the consult_physician advice is missing", values))
        return found
    if advice is None:
        return [Finding("the consult_physician advice is missing", values)]
    # Worded for a client in a course: by rules that never speak to one who
    # has not started (the rule's conditions say so, whatever its words).
    early = [rule_id for rule_id in advice.reasons if rule_id in view.first_session_rules]
    if early:
        found.append(
            Finding(
                "the consult_physician advice, to a client already in a course, comes from "
                "rules that also fire at a first session",
                values,
                _rules(early),
            )
        )
    return found


def _cited_by(items: tuple[Any, ...]) -> tuple[frozenset[str], tuple[Finding, ...]]:
    """The rule ids a part's items cite, and a finding for each item citing none."""
    ids: set[str] = set()
    uncited = []
    for item in items:
        if not item.reasons:
            uncited.append(Finding(f"an item has no reason: {item!r}", {}))
        ids.update(item.reasons)
    return frozenset(ids), tuple(uncited)


def _listing(
    reasons: tuple[Reason, ...], sources: tuple[Source, ...]
) -> tuple[frozenset[str], tuple[Finding, ...]]:
    """The rule ids a plan lists reasons for, and what is wrong with its lists:
    an entry twice, a reason citing a source not listed, a source listed but
    not cited."""
    listed = [s.id for s in sources]
    keys = [r.rule_id for r in reasons]
    found = []
    if len(set(listed)) != len(listed):
        found.append(Finding("a source is listed more than once", {}))
    if len(set(keys)) != len(keys):
        found.append(Finding("a reason is listed more than once", {}))
    cited: set[str] = set()
    for reason in reasons:
        cited.update(reason.sources)
        missing = [s for s in reason.sources if s not in listed]
        if missing or not reason.sources:
            found.append(
                Finding(
                    f"reason of rule {reason.rule_id!r} cites {missing or 'nothing'}, "
                    "not among the plan's sources",
                    {},
                    (reason.rule_id,),
                )
            )
    if set(listed) - cited:
        found.append(Finding(f"sources listed but never cited: {sorted(set(listed) - cited)}", {}))
    return frozenset(keys), tuple(found)


_cited_by_part = _per_part(_cited_by)
_fired_of = _per_part(frozenset)


def _every_item_cited(view: PlanView) -> list[Finding]:
    """Every item cites reasons the plan lists, each listed once, from a fired
    rule, citing sources the plan lists once; nothing listed goes uncited."""
    plan = view.plan
    keys, problems = _once(_listing, plan.reasons, plan.sources)
    found = list(problems)
    if not keys <= _fired_of(plan.fired_rules):  # in the order the reasons are listed
        did_fire = _fired_of(plan.fired_rules)
        found += [
            Finding(f"reason of rule {r.rule_id!r}, which did not fire", {})
            for r in plan.reasons
            if r.rule_id not in did_fire
        ]
    used: set[str] = set(plan.pressure_reasons)
    for part in (
        plan.holds,
        plan.questions,
        plan.visits,
        plan.techniques,
        plan.restrictions,
        plan.advice,
        plan.protocol,
    ):
        ids, uncited = _cited_by_part(part)
        used |= ids
        found += uncited
    if used != keys:
        unresolved = used - keys
        if unresolved:
            found.append(Finding(f"reasons cited but not listed: {sorted(unresolved)}", {}))
        if keys - used:
            found.append(Finding(f"reasons listed but never cited: {sorted(keys - used)}", {}))
    return found


# ------------------------------------------------------- safety, with screening


def _untouched(case: Case, view: PlanView, area_list: str, what: str) -> list[Finding]:
    """No work of any kind on the areas of one profile list."""
    return _no_work_on(case.mask(area_list), view, what, lambda: {area_list: case.areas(area_list)})


def _no_work_on(
    areas: int, view: PlanView, what: str, values: Callable[[], dict[str, Any]]
) -> list[Finding]:
    """No work of any kind on ``areas`` (``what`` they are, in a finding)."""
    uncovered = areas & ~view.banned_for(EVERY_TECHNIQUE)
    if not uncovered and not areas & view.techniques.listed:
        return []
    found = []
    if uncovered:
        found.append(
            Finding(
                f"no restriction of all work covers {what} on {_names(uncovered)}",
                values(),
            )
        )
    for technique in view.techniques.each:
        overlap = areas & technique.areas
        if overlap:
            found.append(
                Finding(
                    f"{words(technique.name.value)} is listed on {what} on {_names(overlap)}",
                    values(),
                    _rules(technique.reasons),
                )
            )
    return found


def _no_work_on_wounds(case: Case, view: PlanView) -> list[Finding]:
    return _untouched(case, view, "wounds", "the wounds")


def _numb_areas(case: Case, view: PlanView) -> list[Finding]:
    numb = case.inputs.masks[_NUMB]
    if not numb & (view.techniques.trigger | view.techniques.above_gentle):
        return []
    trigger_point = frozenset({TechniqueName.TRIGGER_POINT})
    return _gentle_only(
        numb, view, trigger_point, "numb ", lambda: {"numb_areas": case.areas("numb_areas")}
    )


_NOT_ON_NUMB = frozenset({TechniqueName.KNEADING, TechniqueName.TRIGGER_POINT})


def _numb_areas_untouched_by_kneading_and_heat(case: Case, view: PlanView) -> list[Finding]:
    numb = case.inputs.masks[_NUMB]
    if not numb:
        return []
    techniques = view.techniques
    found = []
    if AdviceCode.NO_HEAT_OR_COLD not in view.advice:  # the profile's values only when needed
        values = {"numb_areas": case.areas("numb_areas")}
        found += _advice_missing(view, AdviceCode.NO_HEAT_OR_COLD, values)
    if numb & (techniques.kneading | techniques.trigger | techniques.above_gentle):
        values = {"numb_areas": case.areas("numb_areas")}
        found += _gentle_only(numb, view, _NOT_ON_NUMB, "numb ", lambda: values)
    return found


def _injection_sites(case: Case, view: PlanView) -> list[Finding]:
    if not case.inputs.masks[_INJECTIONS]:
        return []
    found = _untouched(case, view, "injection_sites", "the injection sites")
    if case.condition is not Condition.DIABETIC_NEUROPATHY:  # invariant 23: insulin is asked
        return found
    values = {"injection_sites": case.areas("injection_sites")}
    return found + _advice_missing(view, AdviceCode.WATCH_BLOOD_SUGAR, values)


def _clearance_after_a_clot(case: Case, view: PlanView) -> list[Finding]:
    if not case.clot_history or case.physician_consulted:
        return []
    if HoldCode.PHYSICIAN_CLEARANCE in view.holds:
        return []
    values = {"clot_history": True, "physician_consulted": False}
    return [Finding("the physician_clearance hold is missing", values)]


def _clot_risk(case: Case, view: PlanView) -> list[Finding]:
    if not (case.clot_history or case.on_anticoagulants):
        return []
    values = {"clot_history": case.clot_history, "on_anticoagulants": case.on_anticoagulants}
    found = []
    if HIPS_AND_LEGS & (view.techniques.not_gentle | view.techniques.above_gentle):
        found += _gentle_only(
            HIPS_AND_LEGS, view, NOT_GENTLE, "the hips and legs: ", lambda: values
        )
    found += _advice_missing(
        view, AdviceCode.CLOT_WARNING_SIGNS, values, Severity.CRITICAL, Audience.BOTH
    )
    return found


def _chemotherapy(case: Case, view: PlanView) -> list[Finding]:
    if not case.on_chemotherapy:
        return []
    values: dict[str, Any] = {
        "on_chemotherapy": True,
        "port_sites": case.areas("port_sites") if case.ports_known else None,
    }
    found = _pressure_over(view, GENTLE_PRESSURE, "in chemotherapy", values)
    if not case.ports_known:
        found += _question_missing(view, QuestionCode.PORT_SITES, values)
    else:
        found += _untouched(case, view, "port_sites", "the port sites")
    return found


def _wounds_referred(case: Case, view: PlanView) -> list[Finding]:
    if not case.inputs.masks[_WOUNDS]:
        return []
    values = {"wounds": case.areas("wounds")}
    return _advice_missing(view, AdviceCode.WOUND_REFERRAL, values)


def _restrictions_agree(view: PlanView) -> list[Finding]:
    """No restriction says less than another on the same area; and a plan with
    no technique left books nothing."""
    plan = view.plan
    found = list(_disagreements_of(plan.restrictions))
    if not plan.techniques and not plan.holds:
        found.append(Finding("no technique is left, and the plan has no hold", {}))
    return found


@_per_part
def _disagreements_of(restrictions: tuple[Restriction, ...]) -> tuple[Finding, ...]:
    """Each restriction that says less than another of the same area."""
    found = []
    banned = _banned(restrictions)
    every = banned.get(EVERY_TECHNIQUE, 0)
    for r in restrictions:
        areas = area_mask(r.areas)
        # "Nothing at all" beside anything else said of the same area, or "no X"
        # beside "X up to a level" on the same area.
        contradicted = 0 if r.technique == EVERY_TECHNIQUE else areas & every
        if r.max_pressure is not None:
            contradicted |= areas & banned.get(r.technique, 0)
        for area in areas_in(contradicted):
            what = words(str(getattr(r.technique, "value", r.technique)))
            found.append(
                Finding(
                    f"a restriction of {what} on {words(area.value)} says less than "
                    "another restriction of the same area",
                    {},
                    _rules(r.reasons),
                )
            )
    return tuple(found)


def _techniques_at_their_level(view: PlanView) -> list[Finding]:
    return list(_techniques_below_their_level(view.plan.techniques))


@_per_part
def _techniques_below_their_level(techniques: tuple[Technique, ...]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            f"{words(t.name.value)} up to level {t.max_pressure}, below the level "
            f"{LEAST_PRESSURE[t.name]} it needs",
            {},
            _rules(t.reasons),
        )
        for t in techniques
        if t.max_pressure < LEAST_PRESSURE.get(t.name, 1)
    )


def _holds_for_the_client(view: PlanView) -> list[Finding]:
    return list(_holds_not_for_the_client(view.plan.holds))


@_per_part
def _holds_not_for_the_client(holds: tuple[Hold, ...]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            f"the {hold.code.value} hold has no text written to the client",
            {},
            _rules(hold.reasons),
        )
        for hold in holds
        if not hold.client_text.strip()
        or any(w in hold.client_text.lower() for w in THIRD_PERSON_WORDS)
    )


def _course_steps(course: Course, start: ClientProfile) -> list[Finding]:
    found = []
    kinds = {s.id: s.kind for s in course.sources}
    reasons = {r.rule_id: r for r in course.reasons}  # the course lists each once
    previous: int | None = None
    for week in course.weeks:
        if not week.pressures:
            continue
        first, highest = week.pressures[0], max(week.pressures)
        if highest > first:
            found.append(Finding(f"pressure rises within week {week.week}", {}))
        if previous is not None and highest > previous + 1:
            found.append(
                Finding(
                    f"pressure rises from level {previous} to {highest} in week {week.week}", {}
                )
            )
        if previous is not None and highest > previous:
            cited = {kinds.get(s) for r in week.reasons for s in reasons[r].sources}
            if SourceKind.PROJECT_DEFAULT not in cited:
                found.append(
                    Finding(
                        f"week {week.week}'s step up in pressure cites no project-default source",
                        {},
                        tuple(week.reasons),
                    )
                )
        previous = highest
    return found


def _good_weeks(course: Course, start: ClientProfile) -> list[Finding]:
    """A projection of good weeks, said so, with the step back stated; the week's
    minutes grow by 15 at most; with severe hypersensitivity, a level every
    other week at most."""
    found = []
    if course.reaction_assumed is not Reaction.FINE:
        found.append(Finding("the course does not assume a fine reaction every week", {}))
    if not all(word in course.step_back for word in ("flare", "soreness")):
        found.append(Finding("the course does not state the step back after a bad week", {}))
    worked = [w for w in course.weeks if w.pressures]
    for before, week in itertools.pairwise(worked):
        if week.minutes > before.minutes + MAX_WEEKLY_GROWTH:
            found.append(
                Finding(
                    f"week {week.week} has {week.minutes} minutes, {before.minutes} the week "
                    f"before (at most {MAX_WEEKLY_GROWTH} more)",
                    {},
                    tuple(week.reasons),
                )
            )
    if start.hypersensitivity is Hypersensitivity.SEVERE:
        levels = [max(w.pressures) for w in worked]
        for index in range(2, len(levels)):
            if levels[index] > levels[index - 1] > levels[index - 2]:
                found.append(
                    Finding(
                        f"pressure rises two weeks running to week {worked[index].week}, with "
                        "severe hypersensitivity (every other week at most)",
                        {"hypersensitivity": start.hypersensitivity.value},
                        tuple(worked[index].reasons),
                    )
                )
    return found


def _short_splits(case: Case, view: PlanView) -> list[Finding]:
    visits = view.plan.visits
    if len(visits) > 1 and min(v.minutes for v in visits) < SHORTEST_SPLIT_VISIT:
        minutes = [v.minutes for v in visits]
        return [
            Finding(
                f"the week is split into visits of {minutes} minutes "
                f"(none under {SHORTEST_SPLIT_VISIT} when split)",
                {"tolerance.minutes": case.inputs.minutes},
                _rules(r for v in visits for r in v.reasons),
            )
        ]
    return []


def _first_session_gentle(case: Case, view: PlanView) -> list[Finding]:
    if case.sessions_completed != 0:
        return []
    plan, tolerated = view.plan, case.inputs.pressure
    values: dict[str, Any] = {"sessions_completed": 0, "tolerance.pressure": tolerated}
    found = []
    if tolerated is not None and plan.pressure > tolerated:
        found.append(
            Finding(
                f"pressure level {plan.pressure} at a first session, above the tolerated "
                f"{tolerated}",
                values,
                _rules(plan.pressure_reasons),
            )
        )
    if case.hypersensitivity is Hypersensitivity.SEVERE and len(plan.visits) > 1:
        found.append(
            Finding(
                f"{len(plan.visits)} visits in the first week with severe hypersensitivity "
                "(at most one)",
                {**values, "hypersensitivity": case.hypersensitivity.value},
                _rules(r for v in plan.visits for r in v.reasons),
            )
        )
    return found


def _advice_missing(
    view: PlanView,
    code: AdviceCode,
    values: Mapping[str, Any],
    severity: Severity | None = None,
    audience: Audience | None = None,
) -> list[Finding]:
    """The advice ``code`` is missing, or not of ``severity`` for ``audience``."""
    advice = view.advice.get(code)
    if advice is None:
        return [Finding(f"the {code.value} advice is missing", dict(values))]
    wrong = []
    if severity is not None and advice.severity is not severity:
        wrong.append(f"{advice.severity.value}, not {severity.value}")
    if audience is not None and advice.audience is not audience:
        wrong.append(f"for the {advice.audience.value}, not {audience.value}")
    if wrong:
        return [
            Finding(
                f"the {code.value} advice is {'; '.join(wrong)}",
                dict(values),
                _rules(advice.reasons),
            )
        ]
    return []


def _question_missing(
    view: PlanView, code: QuestionCode, values: Mapping[str, Any]
) -> list[Finding]:
    if code in view.questions:
        return []
    return [Finding(f"the {code.value} question is missing", dict(values))]


def _pressure_over(
    view: PlanView, level: int, when: str, values: Mapping[str, Any]
) -> list[Finding]:
    """The plan's pressure is above ``level``, which holds ``when`` ("in chemotherapy")."""
    plan = view.plan
    if plan.pressure <= level:
        return []
    return [
        Finding(
            f"pressure level {plan.pressure} {when} (at most {level})",
            dict(values),
            _rules(plan.pressure_reasons),
        )
    ]


def _unknown_is_not_none(case: Case, view: PlanView) -> list[Finding]:  # noqa: PLR0912 - one branch per field, as the contract lists them
    """Each screening field not asked that matters for this client: its
    question, and the plan for the cautious answer."""
    unasked = case.unanswered
    if not unasked:
        return []
    values = dict.fromkeys(sorted(unasked))
    found: list[Finding] = []
    techniques = view.techniques
    cipn = case.condition is Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY

    def ask(code: QuestionCode) -> None:
        found.extend(_question_missing(view, code, values))

    if "numb_areas" in unasked:  # the hands and feet, as if numb (invariants 8 and 20)
        ask(QuestionCode.NUMB_AREAS)
        if HANDS_AND_FEET & (techniques.kneading | techniques.trigger | techniques.above_gentle):
            where = "the hands and feet (numbness not asked): "
            found += _gentle_only(HANDS_AND_FEET, view, _NOT_ON_NUMB, where, lambda: values)
        found += _advice_missing(view, AdviceCode.NO_HEAT_OR_COLD, values)
    if "clot_history" in unasked:  # the hips and legs, as after a clot (invariant 11)
        ask(QuestionCode.CLOT_HISTORY)
        if HIPS_AND_LEGS & (techniques.not_gentle | techniques.above_gentle):
            where = "the hips and legs (a clot not asked about): "
            found += _gentle_only(HIPS_AND_LEGS, view, NOT_GENTLE, where, lambda: values)
        found += _advice_missing(
            view, AdviceCode.CLOT_WARNING_SIGNS, values, Severity.CRITICAL, Audience.BOTH
        )
    if "on_anticoagulants" in unasked and case.clot_history is not False:
        ask(QuestionCode.ON_ANTICOAGULANTS)  # as if on blood thinners
        found += _pressure_over(
            view, GENTLE_PRESSURE, "while blood thinners are not asked about", values
        )
    if "on_chemotherapy" in unasked and cipn:  # as if in chemotherapy (invariant 12)
        ask(QuestionCode.ON_CHEMOTHERAPY)
        found += _pressure_over(
            view, GENTLE_PRESSURE, "while chemotherapy is not asked about", values
        )
    if "port_sites" in unasked and case.on_chemotherapy is not False:
        ask(QuestionCode.PORT_SITES)
        what = "the chest and upper arms (ports not asked about)"
        found += _no_work_on(CHEST_AND_UPPER_ARMS, view, what, lambda: values)
    if "lymphedema_risk" in unasked and cipn:  # arms and legs, as if at risk
        ask(QuestionCode.LYMPHEDEMA_RISK)
        if ARMS_AND_LEGS & (techniques.not_gentle | techniques.above_gentle):
            where = "the arms and legs (lymphedema not asked about): "
            found += _gentle_only(ARMS_AND_LEGS, view, NOT_GENTLE, where, lambda: values)
    swollen = case.inputs.masks[_SWELLING]
    if "swelling_signs" in unasked and swollen:  # no work there until asked
        ask(QuestionCode.SWELLING_SIGNS)
        what = "the swollen areas (what the swelling is like not asked)"
        found += _no_work_on(swollen, view, what, lambda: values)
    if "wounds" in unasked:
        ask(QuestionCode.WOUNDS)
        found += _advice_missing(
            view, AdviceCode.CHECK_SKIN_FOR_WOUNDS, values, Severity.CRITICAL, Audience.THERAPIST
        )
    if "injection_sites" in unasked and case.condition is Condition.DIABETIC_NEUROPATHY:
        ask(QuestionCode.INJECTION_SITES)
        found += _advice_missing(view, AdviceCode.WATCH_BLOOD_SUGAR, values)
    return found


_SAME_DAY_SIGNS = frozenset(
    {SwellingSign.ONE_SIDED, SwellingSign.WARM_OR_RED, SwellingSign.PAINFUL}
)
_LOWER_LEGS_ANKLES_FEET = area_mask([BodyArea.LOWER_LEGS, BodyArea.ANKLES, BodyArea.FEET])
_LYMPHEDEMA = AREA_LIST_INDEX["lymphedema_risk"]


def _swelling_questioned(case: Case, view: PlanView) -> list[Finding]:
    """What the swelling is like decides: a same-day check, emergency services,
    the doctor first; and light work where lymphedema threatens."""
    masks = case.inputs.masks
    swollen, at_risk = masks[_SWELLING], masks[_LYMPHEDEMA]
    signs = case.swelling_signs
    if not (swollen or at_risk):
        return []

    def values() -> dict[str, Any]:
        return {
            "swelling": case.areas("swelling"),
            "swelling_signs": sorted(s.value for s in signs),
            "lymphedema_risk": case.areas("lymphedema_risk"),
        }

    found: list[Finding] = []
    if swollen and signs & _SAME_DAY_SIGNS and HoldCode.SAME_DAY_MEDICAL_CHECK not in view.holds:
        found.append(Finding("the same_day_medical_check hold is missing", values()))
    if swollen and SwellingSign.SHORT_OF_BREATH in signs:
        found += _advice_missing(
            view, AdviceCode.CALL_EMERGENCY_SERVICES, values(), Severity.CRITICAL
        )
    widespread = swollen & ~_LOWER_LEGS_ANKLES_FEET
    if (
        swollen
        and (SwellingSign.NEW in signs or widespread)
        and not case.physician_consulted
        and HoldCode.PHYSICIAN_CLEARANCE not in view.holds
    ):
        found.append(Finding("the physician_clearance hold is missing", values()))
    techniques = view.techniques
    if at_risk & (techniques.not_gentle | techniques.above_gentle):
        where = "areas at risk of lymphedema: "
        found += _gentle_only(at_risk, view, NOT_GENTLE, where, values)
    if swollen & at_risk:
        found += _advice_missing(view, AdviceCode.LYMPHEDEMA_THERAPIST, values())
    return found


def _bleeding_risk(case: Case, view: PlanView) -> list[Finding]:
    """Blood thinners, low platelets, low white cells, chemotherapy's clot signs."""
    found: list[Finding] = []
    if case.on_anticoagulants:
        found += _pressure_over(
            view, GENTLE_PRESSURE, "while on blood thinners", {"on_anticoagulants": True}
        )
    if case.low_platelets:
        values = {"low_platelets": True}
        found += _pressure_over(view, 1, "with low platelets", values)
        for technique in view.techniques.each:
            if technique.name is TechniqueName.KNEADING:
                found.append(
                    Finding(
                        "kneading is listed with low platelets", values, _rules(technique.reasons)
                    )
                )
    if case.low_white_cells:
        found += _advice_missing(
            view, AdviceCode.POSTPONE_ON_FEVER, {"low_white_cells": True}, Severity.CRITICAL
        )
    if case.on_chemotherapy:
        found += _advice_missing(view, AdviceCode.CLOT_WARNING_SIGNS, {"on_chemotherapy": True})
    return found


def _ports_and_injections(case: Case, view: PlanView) -> list[Finding]:
    """No work on a port, in chemotherapy or not; the blood-sugar advice only for
    a diabetic client, and anyone else with injection sites asked what is injected."""
    masks = case.inputs.masks
    ports = masks[_PORTS]  # none when not asked (invariant 18 covers that)
    found = _untouched(case, view, "port_sites", "the port sites") if ports else []
    if case.condition is Condition.DIABETIC_NEUROPATHY:
        return found
    if (
        AdviceCode.WATCH_BLOOD_SUGAR in view.advice
        and Medication.INSULIN_OR_SULFONYLUREA not in case.medications
    ):
        found.append(
            Finding(
                "the watch_blood_sugar advice goes to a client who is not diabetic and takes "
                "neither insulin nor a sulfonylurea",
                {"condition": case.condition.value, "medications": _medicines(case)},
                _rules(view.advice[AdviceCode.WATCH_BLOOD_SUGAR].reasons),
            )
        )
    if masks[_INJECTIONS]:
        values = {
            "condition": case.condition.value,
            "injection_sites": case.areas("injection_sites"),
        }
        found += _question_missing(view, QuestionCode.WHAT_IS_INJECTED, values)
    return found


_HYPERSENSITIVE = AREA_LIST_INDEX["hypersensitive_areas"]


def _where_touch_hurts(case: Case, view: PlanView) -> list[Finding]:
    """Gentle work only where touch hurts: no kneading, trigger point or
    friction, nothing above level 2 (above 1 at the first session)."""
    areas = case.inputs.masks[_HYPERSENSITIVE]
    if not areas:
        return []

    def values() -> dict[str, Any]:
        return {
            "hypersensitive_areas": case.areas("hypersensitive_areas"),
            "sessions_completed": case.sessions_completed,
        }

    techniques = view.techniques
    found: list[Finding] = []
    if areas & (techniques.not_gentle | techniques.above_gentle):
        found += _gentle_only(areas, view, NOT_GENTLE, "where touch hurts: ", values)
    if case.sessions_completed == 0:
        found += [
            Finding(
                f"{words(t.name.value)} up to level {t.max_pressure} is listed where touch "
                f"hurts ({_names(areas & t.areas)}) at the first session (at most 1 there)",
                values(),
                _rules(t.reasons),
            )
            for t in techniques.each
            if areas & t.areas and 1 < t.max_pressure <= GENTLE_PRESSURE
        ]
    return found


def _reaction_decides(case: Case, view: PlanView) -> list[Finding]:
    """After a flare: a level lighter, no longer, and the doctor if flares repeat;
    after soreness: no step up; after a fine session: at most one level up."""
    reaction, last = case.reaction, case.inputs.last
    if reaction is None or last is None:
        return []
    used, minutes = last
    values = {
        "last_session.pressure": used,
        "last_session.minutes": minutes,
        "last_session.reaction": reaction.value,
    }
    if reaction is Reaction.SORE:
        return _pressure_over(view, used, "after soreness: no step up", values)
    if reaction is Reaction.FINE:
        return _pressure_over(view, min(5, used + 1), "after a fine session", values)
    found = _pressure_over(view, max(1, used - 1), "after a flare: a level lighter", values)
    visits = view.plan.visits
    longer = [v.minutes for v in visits if v.minutes > minutes]
    if longer:
        found.append(
            Finding(
                f"visits of {longer} minutes after a flare (none longer than the last "
                f"session's {minutes})",
                values,
                _rules(r for v in visits for r in v.reasons),
            )
        )
    return found + _advice_missing(view, AdviceCode.REVIEW_REPEATED_FLARES, values)


_DULLING = frozenset({Medication.GABAPENTINOID, Medication.OPIOID})


def _medicines(case: Case) -> list[str] | None:
    """The medications as the profile has them (None: not asked)."""
    if "medications" in case.unanswered:
        return None
    return [m.value for m in Medication if m in case.medications]


def _medicines_considered(case: Case, view: PlanView) -> list[Finding]:
    """Medicines that dull feedback or bring dizziness, thin the skin, lower the
    blood sugar or make cold painful; and, while not asked, the question."""
    medicines = case.medications
    unasked = "medications" in case.unanswered
    if not medicines and not unasked:
        return []
    values = {"medications": _medicines(case), "tolerance.pressure": case.inputs.pressure}
    found: list[Finding] = []
    tolerated = case.inputs.pressure
    if (unasked or medicines & _DULLING) and tolerated is not None:
        why = (
            "while medicines are not asked about"
            if unasked
            else "with a medicine that dulls feedback"
        )
        found += _pressure_over(view, tolerated, f"{why}: no step up", values)
    if unasked:
        found += _question_missing(view, QuestionCode.MEDICATIONS, values)
    if medicines & _DULLING and view.plan.techniques:  # a session: its steps
        missing = {ProtocolCode.GET_UP_SLOWLY, ProtocolCode.FALL_RISK} - view.steps
        found += [
            Finding(f"the {step.value} step is missing", values)
            for step in sorted(missing, key=list(ProtocolCode).index)
        ]
    if Medication.STEROID in medicines:  # fragile skin everywhere, as invariants 1 and 2 say
        found += _no_friction_on(ALL_AREAS, view, lambda: values)
        if ALL_AREAS & (view.techniques.not_gentle | view.techniques.above_gentle):
            where = "anywhere (steroids thin the skin): "
            found += _gentle_only(ALL_AREAS, view, NOT_GENTLE, where, lambda: values)
    if Medication.INSULIN_OR_SULFONYLUREA in medicines:
        found += _advice_missing(view, AdviceCode.WATCH_BLOOD_SUGAR, values)
    if Medication.OXALIPLATIN in medicines:
        found += _advice_missing(view, AdviceCode.AVOID_COLD, values)
    return found


# ----------------------------------------------------------------- article


def _one_hour_a_week(case: Case, view: PlanView) -> list[Finding]:
    plan = view.plan
    minutes = [v.minutes for v in plan.visits]
    if case.inputs.minutes < WEEKLY_MINUTES or minutes == [WEEKLY_MINUTES]:
        return []
    if not plan.techniques:  # nothing to book: safety invariant 13 holds the booking
        return []
    last = case.inputs.last
    if case.reaction is Reaction.FLARE and last is not None and last[1] < WEEKLY_MINUTES:
        return []  # after a flare no visit is longer than the last (safety invariant 24)
    return [
        Finding(
            f"the week's visits are {minutes or 'none'} minutes, not one 60-minute visit",
            {"tolerance.minutes": case.inputs.minutes},
            _rules(r for v in plan.visits for r in v.reasons),
        )
    ]


def _shorter_visits(case: Case, view: PlanView) -> list[Finding]:
    tolerated = case.inputs.minutes
    plan = view.plan
    if tolerated >= WEEKLY_MINUTES:
        return []
    values = {"tolerance.minutes": tolerated}
    if not plan.techniques:  # nothing to book: safety invariant 13 holds the booking
        return []
    rules = _rules(r for v in plan.visits for r in v.reasons)
    minutes = [v.minutes for v in plan.visits]
    found = []
    if not minutes or max(minutes) > tolerated or sum(minutes) > WEEKLY_MINUTES:
        found.append(
            Finding(
                f"the week's visits are {minutes or 'none'} minutes: not shorter visits within "
                f"{tolerated} that add up to at most {WEEKLY_MINUTES}",
                values,
                rules,
            )
        )
    found += _advice_missing(view, AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS, values)
    return found


def _guidance_points(case: Case, view: PlanView) -> list[Finding]:
    wanted = [AdviceCode.CONTINUE_STANDARD_TREATMENT, AdviceCode.DISCLOSE_MEDICAL_HISTORY]
    if case.hypersensitivity is not Hypersensitivity.NONE:
        wanted.append(AdviceCode.EXPERIENCED_THERAPIST)
    values = {"hypersensitivity": case.hypersensitivity.value}
    found = [
        Finding(f"the {c.value} advice is missing", values) for c in wanted if c not in view.advice
    ]
    # Where every area is off limits (wounds, injection sites), safety wins.
    workable = ALL_AREAS & ~view.banned_for(EVERY_TECHNIQUE)
    if workable and not view.techniques.swedish:
        found.append(Finding("no gentle Swedish work is listed", {}))
    return found


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "safety",
        1,
        "no friction on swollen or fragile tissue",
        "Each swollen or fragile-tissue area is covered by a restriction of friction, "
        "and no friction technique lists it.",
        _no_friction,
        only_with=("swelling", "fragile_tissue"),
    ),
    Invariant(
        "safety",
        2,
        "only gentle work on swollen or fragile tissue",
        "No technique that lists a swollen or fragile-tissue area is trigger point, "
        "kneading or friction, or has a max_pressure above 2.",
        _only_gentle,
        only_with=("swelling", "fragile_tissue"),
    ),
    Invariant(
        "safety",
        3,
        "visits within tolerance",
        "No visit is longer than tolerance.minutes, and a plan without a hold has at "
        "least one visit.",
        _visits_within_tolerance,
    ),
    Invariant(
        "safety",
        4,
        "gradual pressure",
        "Pressure is at most one level above tolerance.pressure; at most 2 while that is "
        "unknown; exactly 1 for a first session with moderate or severe hypersensitivity "
        "(while hypersensitive_areas names no area; see 25). "
        "No technique's max_pressure exceeds the plan's pressure.",
        _gradual_pressure,
    ),
    Invariant(
        "safety",
        5,
        "doctor first",
        "With no sessions completed and no physician consulted, the plan has the "
        "consult_physician hold and advice; with sessions completed and no physician "
        "consulted, it has the advice, worded for a client already in a course: made only "
        "by rules that cannot fire at a first session.",
        _doctor_first,
    ),
    Invariant(
        "safety",
        6,
        "every item cited",
        "Every hold, question, visit, technique, restriction, advice item and session step "
        "has a reason from a fired rule, citing sources the plan lists once each.",
        plan_check=_every_item_cited,
    ),
    Invariant(
        "safety",
        7,
        "no work on wounds",
        "No work of any kind on a wounds area: a restriction of every technique covers it, "
        "and no technique lists it.",
        _no_work_on_wounds,
        only_with=("wounds",),
    ),
    Invariant(
        "safety",
        8,
        "light work on numb areas",
        "On a numb_areas area: no technique above pressure 2, and no trigger point.",
        _numb_areas,
        only_with=("numb_areas",),
    ),
    Invariant(
        "safety",
        9,
        "no work on injection sites",
        "No work of any kind on an injection_sites area, and for a diabetic client the "
        "watch_blood_sugar advice to watch for low blood sugar after massage.",
        _injection_sites,
        only_with=("injection_sites",),
    ),
    Invariant(
        "safety",
        10,
        "clearance after a clot",
        "With clot_history and no physician consulted, the physician_clearance hold.",
        _clearance_after_a_clot,
        only_with=("clot_history",),
    ),
    Invariant(
        "safety",
        11,
        "clot history or blood thinners limit the hips and legs",
        "With clot_history or on_anticoagulants, even after clearance: no kneading, trigger "
        "point or friction on the hips or legs, and no technique above pressure 2 there; "
        "and the clot_warning_signs advice, critical, for both audiences.",
        _clot_risk,
        only_with=("clot_history", "on_anticoagulants"),
    ),
    Invariant(
        "safety",
        12,
        "light work in chemotherapy, and none on a port",
        "On chemotherapy: pressure at most 2 everywhere; no work of any kind on a port_sites "
        "area; while the port sites are not asked, the port_sites question.",
        _chemotherapy,
        only_with=("on_chemotherapy",),
    ),
    Invariant(
        "safety",
        13,
        "wounds referred, restrictions that agree, no empty hour",
        "With wounds, the wound_referral advice. No restriction says less than another on the "
        "same area (a cap where the technique, or all work, is forbidden). A plan with no "
        "technique has a hold.",
        _wounds_referred,
        only_with=("wounds",),
        plan_check=_restrictions_agree,
    ),
    Invariant(
        "safety",
        14,
        "techniques at the level that performs them",
        "No technique below the level that can perform it: kneading needs level 2 or more, "
        "trigger point 3 or more, or it is left out.",
        plan_check=_techniques_at_their_level,
    ),
    Invariant(
        "safety",
        15,
        "every hold in the client's words",
        "Every hold has a text written to the client, which the client view shows.",
        plan_check=_holds_for_the_client,
    ),
    Invariant(
        "safety",
        16,
        "courses that rise a level a week at most",
        "Every week of a projected course obeys every invariant; pressure rises by at most one "
        "level a week and not within a week, and every step up cites a project-default source.",
        course_check=_course_steps,
    ),
    Invariant(
        "safety",
        17,
        "no split visit under 15 minutes",
        "No visit of a split week is shorter than 15 minutes; a client who tolerates less "
        "gets one visit a week.",
        _short_splits,
    ),
    Invariant(
        "safety",
        18,
        "unknown is not none",
        "A screening field not asked (null) that matters gets its question, and until it is "
        "answered the plan obeys the cautious answer: numb_areas, the hands and feet as "
        "numb (invariants 8 and 20); clot_history, the hips and legs as after a clot "
        "(invariant 11); on_anticoagulants with a clot history true or not asked, pressure "
        "at most 2; on_chemotherapy for chemotherapy-induced neuropathy, pressure at most 2; "
        "port_sites with chemotherapy true or not asked, no work on the chest or upper arms; "
        "lymphedema_risk for chemotherapy-induced neuropathy, the arms and legs as at risk "
        "(no friction, kneading or trigger point, pressure at most 2); wounds, the "
        "check_skin_for_wounds advice, critical, for the therapist; injection_sites for a "
        "diabetic client, the watch_blood_sugar advice.",
        _unknown_is_not_none,
    ),
    Invariant(
        "safety",
        19,
        "swelling is questioned",
        "Swelling that is one_sided, warm_or_red or painful gives the same_day_medical_check "
        "hold; short_of_breath, the call_emergency_services advice, critical. New swelling, "
        "or swelling beyond the feet, ankles and lower legs, gives the physician_clearance "
        "hold until physician_consulted. On a lymphedema_risk area: no friction, kneading or "
        "trigger point, and no technique above pressure 2; swelling with a lymphedema_risk "
        "area, the lymphedema_therapist advice.",
        _swelling_questioned,
        only_with=("swelling", "lymphedema_risk"),
    ),
    Invariant(
        "safety",
        20,
        "numb areas: no kneading, and no heat or cold",
        "On a numb_areas area: no kneading or trigger point, and no technique above "
        "pressure 2; and the no_heat_or_cold advice not to use heat or cold packs there.",
        _numb_areas_untouched_by_kneading_and_heat,
        only_with=("numb_areas",),
    ),
    Invariant(
        "safety",
        22,
        "a first session is gentle",
        "With no sessions completed, pressure is at most tolerance.pressure (no step up "
        "before the first reaction is known); with severe hypersensitivity, the first "
        "week is one visit.",
        _first_session_gentle,
    ),
    Invariant(
        "safety",
        21,
        "bleeding risk",
        "On anticoagulants: pressure at most 2 everywhere. With low_platelets: pressure at "
        "most 1 everywhere, and no kneading. With low_white_cells: the postpone_on_fever "
        "advice, critical. On chemotherapy: the clot_warning_signs advice.",
        _bleeding_risk,
        only_with=("on_anticoagulants", "low_platelets", "low_white_cells", "on_chemotherapy"),
    ),
    Invariant(
        "safety",
        23,
        "ports always, injections asked",
        "No work of any kind on a port_sites area, in chemotherapy or not. The "
        "watch_blood_sugar advice only for a diabetic client or one on insulin or a "
        "sulfonylurea; any other client with injection_sites gets the what_is_injected "
        "question.",
        _ports_and_injections,
    ),
    Invariant(
        "safety",
        24,
        "the reaction decides the step",
        "After a flare: pressure at most last_session.pressure - 1 (at least 1), no visit "
        "longer than last_session.minutes, and the review_repeated_flares advice (the doctor, "
        "if flares repeat). After sore: no step up from last_session.pressure. After fine: at "
        "most one level above it. With no last session known, invariant 4 alone decides.",
        _reaction_decides,
        only_with=("last_session",),
    ),
    Invariant(
        "safety",
        25,
        "hypersensitivity by area",
        "On a hypersensitive_areas area: no kneading, trigger point or friction, and pressure "
        "at most 2 (1 in the first session). Elsewhere, tolerance decides: the first "
        "session's level 1 of invariant 4 holds only while the list is null or empty, when the "
        "level applies everywhere, as before.",
        _where_touch_hurts,
        only_with=("hypersensitive_areas",),
    ),
    Invariant(
        "safety",
        26,
        "medicines",
        "gabapentinoid or opioid: no step up in pressure (they dull the client's feedback), "
        "and the get_up_slowly and fall_risk steps. steroid: the skin is treated as fragile "
        "everywhere (invariants 1 and 2 apply to all areas). insulin_or_sulfonylurea: the "
        "watch_blood_sugar advice. oxaliplatin: the avoid_cold advice (no cold packs or cold "
        "surfaces, and a warm room). Not asked: the medications question, and no step up.",
        _medicines_considered,
    ),
    Invariant(
        "safety",
        27,
        "courses are projections of good weeks",
        "A projected course assumes a fine reaction each week and says so; the weekly total "
        f"of minutes grows by at most {MAX_WEEKLY_GROWTH} a week; with severe hypersensitivity, "
        "pressure rises at most every other week; and the course states the step-back rule of "
        "invariant 24.",
        course_check=_good_weeks,
    ),
    Invariant(
        "article",
        1,
        "one 60-minute visit a week",
        "A client who tolerates 60 minutes or more gets one 60-minute visit a week (after a "
        "flare that followed a shorter session, none longer than it: safety invariant 24).",
        _one_hour_a_week,
    ),
    Invariant(
        "article",
        2,
        "shorter visits while an hour is too much",
        "A client who tolerates less gets shorter visits, each within tolerance, that add "
        "up to at most 60 minutes, and the slower_progress_with_shorter_sessions advice.",
        _shorter_visits,
    ),
    Invariant(
        "article",
        3,
        "the article's guidance points",
        "Gentle Swedish work wherever any area may be worked on, and the advice to continue "
        "the standard treatment and to disclose the medical history, in every plan; the "
        "advice to choose an experienced therapist with any hypersensitivity.",
        _guidance_points,
    ),
)
SAFETY_INVARIANTS = tuple(i for i in INVARIANTS if i.scope == "safety")
_PLAN_CHECKS = tuple((i, i.plan_check) for i in INVARIANTS if i.plan_check is not None)
ARTICLE_INVARIANTS = tuple(i for i in INVARIANTS if i.scope == "article")


@dataclass(frozen=True)
class Breach:
    """An invariant a plan breaks, and how."""

    invariant: Invariant
    finding: Finding

    def __str__(self) -> str:
        values = "; ".join(
            f"{name}: {_value_words(value)}" for name, value in self.finding.profile_values.items()
        )
        text = f"{self.invariant.label}: {self.finding.message}"
        if values:
            text += f" [profile {values}]"
        if self.finding.item_rules:
            text += f"; from rule(s) {', '.join(self.finding.item_rules)}"
        return text


def _value_words(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


Checks = tuple[tuple[Invariant, CaseCheck], ...]


def case_breaches(
    case: Case,
    view: PlanView,
    invariants: Iterable[Invariant] = SAFETY_INVARIANTS,
    checks: Checks | None = None,
) -> list[Breach]:
    """Every invariant of ``invariants`` that the plan ``view`` shows breaks for
    ``case``, in the table's order (an invariant's profile findings first).
    ``checks`` (from :func:`live_checks`) leaves out those with nothing to say."""
    invariants = tuple(invariants)
    found: list[Breach] = []
    for invariant, check in _checks(invariants) if checks is None else checks:
        findings = check(case, view)
        if findings:
            found += [Breach(invariant, f) for f in findings]
    plan_found = view.plan_found
    if plan_found:  # rare: a rulebase that makes unsafe plans; in the table's order
        for invariant in invariants:
            if invariant.key in plan_found:
                found += [Breach(invariant, f) for f in plan_found[invariant.key]]
        order = {invariant.key: n for n, invariant in enumerate(invariants)}
        found.sort(key=lambda b: order[b.invariant.key])  # stable: a profile's findings first
    return found


_CHECKS: dict[int, tuple[tuple[Invariant, ...], Checks]] = {}


def live_checks(invariants: tuple[Invariant, ...], set_fields: frozenset[str]) -> Checks:
    """The checks of ``invariants`` with something to say of a client whose set
    fields (lists not empty, flags true, among those ``only_with`` names) are
    ``set_fields``."""
    return tuple(
        (i, check)
        for i, check in _checks(invariants)
        if not i.only_with or set_fields.intersection(i.only_with)
    )


def _checks(invariants: tuple[Invariant, ...]) -> Checks:
    """The checks of a tuple of invariants (most calls pass the table's own
    tuples: found by identity, the tuple kept so that it is not reused)."""
    found = _CHECKS.get(id(invariants))
    if found is None or found[0] is not invariants:
        if len(_CHECKS) > 64:
            _CHECKS.clear()
        checks = tuple((i, i.check) for i in invariants if i.check is not None)
        found = _CHECKS[id(invariants)] = (invariants, checks)
    return found[1]


def breaches(
    profile: ClientProfile,
    plan: SessionPlan,
    first_session_rules: frozenset[str],
    invariants: Iterable[Invariant] = SAFETY_INVARIANTS,
) -> list[Breach]:
    """Every invariant of ``invariants`` that ``plan`` breaks for ``profile``
    (``first_session_rules``: its rulebase's that can fire at a first session)."""
    return case_breaches(Case.of(profile), PlanView(plan, first_session_rules), invariants)


def course_breaches(course: Course, start: ClientProfile) -> list[Breach]:
    """Every course-wide safety invariant that ``course``, projected for the
    client ``start``, breaks (each week's own plans are checked as any plan is,
    when they are made)."""
    return [
        Breach(invariant, finding)
        for invariant in SAFETY_INVARIANTS
        if invariant.course_check is not None
        for finding in invariant.course_check(course, start)
    ]


def markdown_table() -> str:
    """The invariants as the README lists them."""
    lines = []
    for scope, heading in (("safety", "Safety invariants"), ("article", "Article conformance")):
        lines += [f"{heading}:", ""]
        lines += [
            f"{i.number}. **{i.title.capitalize()}.** {i.statement}"
            for i in INVARIANTS
            if i.scope == scope
        ]
        lines.append("")
    return "\n".join(lines)
