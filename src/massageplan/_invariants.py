"""The contract's invariants, as one table.

Safety invariants hold for every rulebase: ``recommend()`` raises
``PlanSafetyError`` rather than return a plan that breaks one, and ``verify()``
searches for profiles that do. Article conformance is the article's guidance:
the built-in rulebase follows it, a clinic may deviate, and
``verify(article=True)`` reports deviations as findings. The README's list of
invariants is generated from this table (a test keeps it in step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ._plan import (
    EVERY_TECHNIQUE,
    AdviceCode,
    HoldCode,
    Reason,
    SessionPlan,
    TechniqueName,
)
from ._profile import BodyArea, ClientProfile, Hypersensitivity
from ._words import words

Scope = Literal["safety", "article"]
WEEKLY_MINUTES = 60
GENTLE_PRESSURE = 2
UNKNOWN_PRESSURE_CEILING = 2
# Techniques that are not gentle work, whatever their pressure.
NOT_GENTLE = frozenset(
    {TechniqueName.TRIGGER_POINT, TechniqueName.KNEADING, TechniqueName.FRICTION}
)
# Words that only fit a client who has not started yet.
FIRST_SESSION_WORDS = ("first session",)


@dataclass(frozen=True)
class Finding:
    """How one plan breaks one invariant."""

    message: str
    profile_values: dict[str, Any]  # the profile fields involved, as the profile has them
    item_rules: tuple[str, ...] = ()  # rules that produced the offending items


@dataclass(frozen=True)
class Invariant:
    scope: Scope
    number: int
    title: str
    statement: str  # the contract's words, for the docs
    check: Callable[[ClientProfile, SessionPlan], list[Finding]] = field(repr=False)

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.number}"

    @property
    def label(self) -> str:
        kind = "safety invariant" if self.scope == "safety" else "article guidance"
        return f"{kind} {self.number} ({self.title})"


def _rules(reasons: Iterable[Reason]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.rule_id for r in reasons))


def _names(areas: Iterable[BodyArea]) -> str:
    return ", ".join(words(a.value) for a in sorted(areas, key=list(BodyArea).index))


def _area_values(profile: ClientProfile) -> dict[str, Any]:
    return {
        "swelling": [a.value for a in profile.swelling],
        "fragile_tissue": [a.value for a in profile.fragile_tissue],
    }


def _at_risk(profile: ClientProfile) -> set[BodyArea]:
    return set(profile.swelling) | set(profile.fragile_tissue)


def _banned(plan: SessionPlan, *techniques: object) -> set[BodyArea]:
    """The areas where a restriction forbids one of ``techniques`` outright (no cap)."""
    return {
        area
        for r in plan.restrictions
        if r.technique in techniques and r.max_pressure is None
        for area in r.areas
    }


def _gentle_only(
    areas: set[BodyArea],
    plan: SessionPlan,
    forbidden: frozenset[TechniqueName],
    where: str,
    values: dict[str, Any],
) -> list[Finding]:
    """No technique of ``forbidden``, and none above level 2, on ``areas``."""
    found = []
    for technique in plan.techniques:
        overlap = areas & set(technique.areas)
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
        found.append(Finding(problem, values, _rules(technique.reasons)))
    return found


# ------------------------------------------------------------------ safety


def _no_friction(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    at_risk = _at_risk(profile)
    found = []
    covered = _banned(plan, TechniqueName.FRICTION, EVERY_TECHNIQUE)
    if at_risk - covered:
        found.append(
            Finding(
                f"no restriction of friction covers {_names(at_risk - covered)}",
                _area_values(profile),
            )
        )
    for technique in plan.techniques:
        overlap = at_risk & set(technique.areas)
        if technique.name is TechniqueName.FRICTION and overlap:
            found.append(
                Finding(
                    f"friction is listed on {_names(overlap)}",
                    _area_values(profile),
                    _rules(technique.reasons),
                )
            )
    return found


def _only_gentle(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    return _gentle_only(_at_risk(profile), plan, NOT_GENTLE, "", _area_values(profile))


def _visits_within_tolerance(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    tolerated = profile.tolerance.minutes
    values = {"tolerance.minutes": tolerated}
    found = [
        Finding(
            f"a visit of {visit.minutes} minutes is longer than the {tolerated} tolerated",
            values,
            _rules(visit.reasons),
        )
        for visit in plan.visits[:1]
        if visit.minutes > tolerated
    ]
    if not plan.visits and not plan.holds:
        found.append(Finding("the plan has no hold and no visit (no schedule rule fired)", values))
    return found


def _gradual_pressure(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    tolerated = profile.tolerance.pressure
    values: dict[str, Any] = {
        "tolerance.pressure": tolerated,
        "hypersensitivity": profile.hypersensitivity.value,
        "sessions_completed": profile.sessions_completed,
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
    marked = profile.hypersensitivity in (Hypersensitivity.MODERATE, Hypersensitivity.SEVERE)
    if marked and profile.sessions_completed == 0 and plan.pressure != 1:
        found.append(
            Finding(
                f"pressure level {plan.pressure} at a first session with "
                f"{profile.hypersensitivity.value} hypersensitivity (must be 1)",
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
        for t in plan.techniques
        if t.max_pressure > plan.pressure
    ]
    return found


def _doctor_first(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    if profile.physician_consulted:
        return []
    values = {
        "sessions_completed": profile.sessions_completed,
        "physician_consulted": profile.physician_consulted,
    }
    advice = [a for a in plan.advice if a.code is AdviceCode.CONSULT_PHYSICIAN]
    found = []
    if profile.sessions_completed == 0:
        if not any(h.code is HoldCode.CONSULT_PHYSICIAN for h in plan.holds):
            found.append(Finding("the consult_physician hold is missing", values))
        if not advice:
            found.append(Finding("the consult_physician advice is missing", values))
        return found
    if not advice:
        found.append(Finding("the consult_physician advice is missing", values))
    for item in advice:
        if any(w in item.text.lower() for w in FIRST_SESSION_WORDS):
            found.append(
                Finding(
                    "the consult_physician advice speaks of a first session to a client "
                    "already in a course",
                    values,
                    _rules(item.reasons),
                )
            )
    return found


def _every_item_cited(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    listed = [s.id for s in plan.sources]
    found = []
    if len(set(listed)) != len(listed):
        found.append(Finding("a source is listed more than once", {}))
    cited: set[str] = set()
    items: list[Any] = [
        *plan.holds,
        *plan.visits,
        *plan.techniques,
        *plan.restrictions,
        *plan.advice,
    ]
    for item in items:
        if not item.reasons:
            found.append(Finding(f"an item has no reason: {item!r}", {}))
        for reason in item.reasons:
            cited.update(reason.sources)
            if reason.rule_id not in plan.fired_rules:
                found.append(Finding(f"reason of rule {reason.rule_id!r}, which did not fire", {}))
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
    for reason in plan.pressure_reasons:
        cited.update(reason.sources)
    if set(listed) - cited:
        found.append(Finding(f"sources listed but never cited: {sorted(set(listed) - cited)}", {}))
    return found


# ------------------------------------------------------- safety, with screening


def _untouched(
    profile: ClientProfile, plan: SessionPlan, field_name: str, what: str
) -> list[Finding]:
    """No work of any kind on the areas of one profile list."""
    areas = set(getattr(profile, field_name))
    values = {field_name: [a.value for a in getattr(profile, field_name)]}
    covered = _banned(plan, EVERY_TECHNIQUE)
    found = []
    if areas - covered:
        uncovered = _names(areas - covered)
        found.append(Finding(f"no restriction of all work covers {what} on {uncovered}", values))
    for technique in plan.techniques:
        overlap = areas & set(technique.areas)
        if overlap:
            found.append(
                Finding(
                    f"{words(technique.name.value)} is listed on {what} on {_names(overlap)}",
                    values,
                    _rules(technique.reasons),
                )
            )
    return found


def _no_work_on_wounds(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    return _untouched(profile, plan, "wounds", "the wounds")


def _numb_areas(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    values = {"numb_areas": [a.value for a in profile.numb_areas]}
    trigger_point = frozenset({TechniqueName.TRIGGER_POINT})
    return _gentle_only(set(profile.numb_areas), plan, trigger_point, "numb ", values)


def _injection_sites(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    found = _untouched(profile, plan, "injection_sites", "the injection sites")
    codes = {a.code for a in plan.advice}
    if profile.injection_sites and AdviceCode.WATCH_BLOOD_SUGAR not in codes:
        found.append(
            Finding(
                "the watch_blood_sugar advice is missing",
                {"injection_sites": [a.value for a in profile.injection_sites]},
            )
        )
    return found


def _clearance_after_a_clot(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    if not profile.clot_history or profile.physician_consulted:
        return []
    if any(h.code is HoldCode.PHYSICIAN_CLEARANCE for h in plan.holds):
        return []
    values = {"clot_history": True, "physician_consulted": False}
    return [Finding("the physician_clearance hold is missing", values)]


# ----------------------------------------------------------------- article


def _one_hour_a_week(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    minutes = [v.minutes for v in plan.visits]
    if profile.tolerance.minutes < WEEKLY_MINUTES or minutes == [WEEKLY_MINUTES]:
        return []
    return [
        Finding(
            f"the week's visits are {minutes or 'none'} minutes, not one 60-minute visit",
            {"tolerance.minutes": profile.tolerance.minutes},
            _rules(r for v in plan.visits for r in v.reasons),
        )
    ]


def _shorter_visits(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    tolerated = profile.tolerance.minutes
    if tolerated >= WEEKLY_MINUTES:
        return []
    values = {"tolerance.minutes": tolerated}
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
    codes = {a.code for a in plan.advice}
    if AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS not in codes:
        found.append(Finding("the slower_progress_with_shorter_sessions advice is missing", values))
    return found


def _guidance_points(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    codes = {a.code for a in plan.advice}
    wanted = [AdviceCode.CONTINUE_STANDARD_TREATMENT, AdviceCode.DISCLOSE_MEDICAL_HISTORY]
    if profile.hypersensitivity is not Hypersensitivity.NONE:
        wanted.append(AdviceCode.EXPERIENCED_THERAPIST)
    values = {"hypersensitivity": profile.hypersensitivity.value}
    found = [Finding(f"the {c.value} advice is missing", values) for c in wanted if c not in codes]
    # Where every area is off limits (wounds, injection sites), safety wins.
    workable = set(BodyArea) - _banned(plan, EVERY_TECHNIQUE)
    if workable and TechniqueName.SWEDISH not in {t.name for t in plan.techniques}:
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
    ),
    Invariant(
        "safety",
        2,
        "only gentle work on swollen or fragile tissue",
        "No technique that lists a swollen or fragile-tissue area is trigger point, "
        "kneading or friction, or has a max_pressure above 2.",
        _only_gentle,
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
        "unknown; exactly 1 for a first session with moderate or severe hypersensitivity. "
        "No technique's max_pressure exceeds the plan's pressure.",
        _gradual_pressure,
    ),
    Invariant(
        "safety",
        5,
        "doctor first",
        "With no sessions completed and no physician consulted, the plan has the "
        "consult_physician hold and advice; with sessions completed and no physician "
        "consulted, it has the advice, worded for a client already in a course.",
        _doctor_first,
    ),
    Invariant(
        "safety",
        6,
        "every item cited",
        "Every hold, visit, technique, restriction and advice item has a reason from a "
        "fired rule, citing sources the plan lists once each.",
        _every_item_cited,
    ),
    Invariant(
        "safety",
        7,
        "no work on wounds",
        "No work of any kind on a wounds area: a restriction of every technique covers it, "
        "and no technique lists it.",
        _no_work_on_wounds,
    ),
    Invariant(
        "safety",
        8,
        "light work on numb areas",
        "On a numb_areas area: no technique above pressure 2, and no trigger point.",
        _numb_areas,
    ),
    Invariant(
        "safety",
        9,
        "no work on injection sites",
        "No work of any kind on an injection_sites area, and the watch_blood_sugar advice "
        "to watch for low blood sugar after massage.",
        _injection_sites,
    ),
    Invariant(
        "safety",
        10,
        "clearance after a clot",
        "With clot_history and no physician consulted, the physician_clearance hold.",
        _clearance_after_a_clot,
    ),
    Invariant(
        "article",
        1,
        "one 60-minute visit a week",
        "A client who tolerates 60 minutes or more gets one 60-minute visit a week.",
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


def breaches(
    profile: ClientProfile, plan: SessionPlan, invariants: Iterable[Invariant] = SAFETY_INVARIANTS
) -> list[Breach]:
    """Every invariant of ``invariants`` that ``plan`` breaks for ``profile``."""
    return [
        Breach(invariant, finding)
        for invariant in invariants
        for finding in invariant.check(profile, plan)
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
