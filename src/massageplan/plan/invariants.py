"""The contract's invariants, as one table.

Safety invariants hold for every rulebase: ``recommend()`` raises
``PlanSafetyError`` rather than return a plan that breaks one, and ``verify()``
searches for profiles that do. Article conformance is the article's guidance:
the built-in rulebase follows it, a clinic may deviate, and
``verify(article=True)`` reports deviations as findings. The README's list of
invariants is generated from this table (a test keeps it in step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model.course import Course
from ..model.plan import (
    EVERY_TECHNIQUE,
    LEAST_PRESSURE,
    AdviceCode,
    Audience,
    HoldCode,
    SessionPlan,
    Severity,
    SourceKind,
    TechniqueName,
)
from ..model.profile import BodyArea, ClientProfile, Hypersensitivity
from ..model.wording import words

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
# The hips and legs, where a clot forms and where vigorous massage was followed by one.
HIPS_AND_LEGS = frozenset(
    {
        BodyArea.HIPS,
        BodyArea.THIGHS,
        BodyArea.KNEES,
        BodyArea.LOWER_LEGS,
        BodyArea.ANKLES,
        BodyArea.FEET,
    }
)
SHORTEST_SPLIT_VISIT = 15  # minutes
# Words of a text written about the client to someone else, not to the client.
THIRD_PERSON_WORDS = ("the client",)


@dataclass(frozen=True)
class Finding:
    """How one plan breaks one invariant."""

    message: str
    profile_values: dict[str, Any]  # the profile fields involved, as the profile has them
    item_rules: tuple[str, ...] = ()  # rules that produced the offending items


PlanCheck = Callable[[ClientProfile, SessionPlan], list[Finding]]
CourseCheck = Callable[[Course], list[Finding]]


@dataclass(frozen=True)
class Invariant:
    """One invariant: checked on each plan, or on a projected course as a whole."""

    scope: Scope
    number: int
    title: str
    statement: str  # the contract's words, for the docs
    check: PlanCheck | None = field(default=None, repr=False)
    course_check: CourseCheck | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.number}"

    @property
    def label(self) -> str:
        kind = "safety invariant" if self.scope == "safety" else "article guidance"
        return f"{kind} {self.number} ({self.title})"


def _rules(rule_ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule_ids))


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
    """Every item cites reasons the plan lists, each listed once, from a fired
    rule, citing sources the plan lists once; nothing listed goes uncited."""
    listed = [s.id for s in plan.sources]
    keys = [r.rule_id for r in plan.reasons]
    found = []
    if len(set(listed)) != len(listed):
        found.append(Finding("a source is listed more than once", {}))
    if len(set(keys)) != len(keys):
        found.append(Finding("a reason is listed more than once", {}))
    items: list[Any] = [
        *plan.holds,
        *plan.visits,
        *plan.techniques,
        *plan.restrictions,
        *plan.advice,
    ]
    used: set[str] = set(plan.pressure_reasons)
    for item in items:
        if not item.reasons:
            found.append(Finding(f"an item has no reason: {item!r}", {}))
        used.update(item.reasons)
    unresolved = used - set(keys)
    if unresolved:
        found.append(Finding(f"reasons cited but not listed: {sorted(unresolved)}", {}))
    if set(keys) - used:
        found.append(Finding(f"reasons listed but never cited: {sorted(set(keys) - used)}", {}))
    cited: set[str] = set()
    for reason in plan.reasons:
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
    if profile.injection_sites:
        values = {"injection_sites": [a.value for a in profile.injection_sites]}
        found += _advice_missing(plan, AdviceCode.WATCH_BLOOD_SUGAR, values)
    return found


def _clearance_after_a_clot(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    if not profile.clot_history or profile.physician_consulted:
        return []
    if any(h.code is HoldCode.PHYSICIAN_CLEARANCE for h in plan.holds):
        return []
    values = {"clot_history": True, "physician_consulted": False}
    return [Finding("the physician_clearance hold is missing", values)]


def _clot_risk(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    if not (profile.clot_history or profile.on_anticoagulants):
        return []
    values = {
        "clot_history": profile.clot_history,
        "on_anticoagulants": profile.on_anticoagulants,
    }
    found = _gentle_only(set(HIPS_AND_LEGS), plan, NOT_GENTLE, "the hips and legs: ", values)
    found += _advice_missing(
        plan, AdviceCode.CLOT_WARNING_SIGNS, values, Severity.CRITICAL, Audience.BOTH
    )
    return found


def _chemotherapy(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    if not profile.on_chemotherapy:
        return []
    ports = profile.port_sites
    values: dict[str, Any] = {
        "on_chemotherapy": True,
        "port_sites": None if ports is None else [a.value for a in ports],
    }
    found = []
    if plan.pressure > GENTLE_PRESSURE:
        found.append(
            Finding(
                f"pressure level {plan.pressure} in chemotherapy (at most {GENTLE_PRESSURE})",
                values,
                _rules(plan.pressure_reasons),
            )
        )
    if ports is None:
        found += _advice_missing(plan, AdviceCode.ASK_ABOUT_PORTS, values)
    else:
        found += _untouched(profile, plan, "port_sites", "the port sites")
    return found


def _restrictions_agree(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    """Wounds are referred; no restriction says less than another on the same
    area; and a plan with no technique left books nothing."""
    found = []
    if profile.wounds:
        values = {"wounds": [a.value for a in profile.wounds]}
        found += _advice_missing(plan, AdviceCode.WOUND_REFERRAL, values)
    outright: dict[BodyArea, set[object]] = {}
    for r in plan.restrictions:
        if r.max_pressure is None:
            for area in r.areas:
                outright.setdefault(area, set()).add(r.technique)
    for r in plan.restrictions:
        for area in r.areas:
            banned = outright.get(area, set())
            every = EVERY_TECHNIQUE in banned and r.technique != EVERY_TECHNIQUE
            capped = r.max_pressure is not None and r.technique in banned
            if every or capped:
                what = words(str(getattr(r.technique, "value", r.technique)))
                found.append(
                    Finding(
                        f"a restriction of {what} on {_names([area])} says less than "
                        "another restriction of the same area",
                        {},
                        _rules(r.reasons),
                    )
                )
    if not plan.techniques and not plan.holds:
        found.append(Finding("no technique is left, and the plan has no hold", {}))
    return found


def _techniques_at_their_level(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    return [
        Finding(
            f"{words(t.name.value)} up to level {t.max_pressure}, below the level "
            f"{LEAST_PRESSURE[t.name]} it needs",
            {},
            _rules(t.reasons),
        )
        for t in plan.techniques
        if t.max_pressure < LEAST_PRESSURE.get(t.name, 1)
    ]


def _holds_for_the_client(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    return [
        Finding(
            f"the {hold.code.value} hold has no text written to the client",
            {},
            _rules(hold.reasons),
        )
        for hold in plan.holds
        if not hold.client_text.strip()
        or any(w in hold.client_text.lower() for w in THIRD_PERSON_WORDS)
    ]


def _course_steps(course: Course) -> list[Finding]:
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


def _short_splits(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    minutes = [v.minutes for v in plan.visits]
    if len(minutes) > 1 and min(minutes) < SHORTEST_SPLIT_VISIT:
        return [
            Finding(
                f"the week is split into visits of {minutes} minutes "
                f"(none under {SHORTEST_SPLIT_VISIT} when split)",
                {"tolerance.minutes": profile.tolerance.minutes},
                _rules(r for v in plan.visits for r in v.reasons),
            )
        ]
    return []


def _advice_missing(
    plan: SessionPlan,
    code: AdviceCode,
    values: Mapping[str, Any],
    severity: Severity | None = None,
    audience: Audience | None = None,
) -> list[Finding]:
    """The advice ``code`` is missing, or not of ``severity`` for ``audience``."""
    given = [a for a in plan.advice if a.code is code]
    if not given:
        return [Finding(f"the {code.value} advice is missing", dict(values))]
    advice = given[0]
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


# ----------------------------------------------------------------- article


def _one_hour_a_week(profile: ClientProfile, plan: SessionPlan) -> list[Finding]:
    minutes = [v.minutes for v in plan.visits]
    if profile.tolerance.minutes < WEEKLY_MINUTES or minutes == [WEEKLY_MINUTES]:
        return []
    if not plan.techniques:  # nothing to book: safety invariant 13 holds the booking
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
    found += _advice_missing(plan, AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS, values)
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
        "safety",
        11,
        "clot history or blood thinners limit the hips and legs",
        "With clot_history or on_anticoagulants, even after clearance: no kneading, trigger "
        "point or friction on the hips or legs, and no technique above pressure 2 there; "
        "and the clot_warning_signs advice, critical, for both audiences.",
        _clot_risk,
    ),
    Invariant(
        "safety",
        12,
        "light work in chemotherapy, and none on a port",
        "On chemotherapy: pressure at most 2 everywhere; no work of any kind on a port_sites "
        "area; while the port sites are unknown, the ask_about_ports advice.",
        _chemotherapy,
    ),
    Invariant(
        "safety",
        13,
        "wounds referred, restrictions that agree, no empty hour",
        "With wounds, the wound_referral advice. No restriction says less than another on the "
        "same area (a cap where the technique, or all work, is forbidden). A plan with no "
        "technique has a hold.",
        _restrictions_agree,
    ),
    Invariant(
        "safety",
        14,
        "techniques at the level that performs them",
        "No technique below the level that can perform it: kneading needs level 2 or more, "
        "trigger point 3 or more, or it is left out.",
        _techniques_at_their_level,
    ),
    Invariant(
        "safety",
        15,
        "every hold in the client's words",
        "Every hold has a text written to the client, which the client view shows.",
        _holds_for_the_client,
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
        if invariant.check is not None
        for finding in invariant.check(profile, plan)
    ]


def course_breaches(course: Course) -> list[Breach]:
    """Every course-wide safety invariant that ``course`` breaks (each week's own
    plans are checked as any plan is, when they are made)."""
    return [
        Breach(invariant, finding)
        for invariant in SAFETY_INVARIANTS
        if invariant.course_check is not None
        for finding in invariant.course_check(course)
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
