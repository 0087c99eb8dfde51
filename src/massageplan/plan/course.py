"""project_course(): the coming weeks under the rules, session by session.

A projection of good weeks (contract invariant 27). Assumptions, stated in
every projection and overridable:
- the client is fine after every session (each is recorded as ``fine``, as
  ``massageplan next`` would), so the next week may go one level higher (the
  rules decide how far); never within a week, since one level a week is this
  project's pace (contract invariant 16), and with severe hypersensitivity
  every other week at most;
- the session length the client tolerates grows by ``minutes_gain`` a week
  (10 by default), up to 180, and the week's massage time by 15 minutes a
  week at most;
- nothing else about the client changes.
The course states what to do when a week is not good: the step back of
invariant 24, and a new plan from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.course import AreaCap, Course, CourseWeek
from ..model.errors import MassagePlanError, PlanSafetyError
from ..model.plan import EVERY_TECHNIQUE, Reason, SessionPlan, Severity
from ..model.profile import (
    AREA_BIT,
    ClientProfile,
    Hypersensitivity,
    LastSession,
    Reaction,
    areas_in,
)
from ..model.visits import record_session
from ..rules.rulebase import Rulebase
from .invariants import MAX_WEEKLY_GROWTH, SHORTEST_SPLIT_VISIT, course_breaches
from .recommend import as_profile, builtin_rulebase, recommend

MAX_WEEKS = 104
MAX_GAIN = 60  # minutes a week: more than an hour's growth a week is no projection


# The course's own pace, beside the rules: the article asks for pressure raised
# gradually over several sessions and gives no step, so the step is ours.
WEEKLY_STEP = "course-one-level-a-week"
_WEEKLY_STEP_TEXT = (
    "Pressure goes up at most one level a week, and only after the client has tolerated "
    "the week's pressure: the article asks for pressure raised gradually over several "
    "sessions; one level a week is this project's choice."
)
_WEEKLY_STEP_SOURCES = ("ref2", "project-default")  # [6] is [2]; the pace is ours


# Slower with severe hypersensitivity: the article's reference [7] warns that
# progress can take months; a level every other week is this project's pace.
EVERY_OTHER_WEEK = "course-every-other-week-when-severe"
_EVERY_OTHER_WEEK_TEXT = (
    "With severe hypersensitivity, pressure goes up at most every other week: progress can "
    "take months (the article's reference [7], paraphrased); every other week is this "
    "project's choice."
)
# The week's massage time grows slowly, as the tolerance does.
MINUTES_GROWTH = "course-minutes-growth"
_MINUTES_GROWTH_TEXT = (
    f"The week's massage time grows by at most {MAX_WEEKLY_GROWTH} minutes a week: pressure "
    "and time rise only as the client tolerates them, and progress can take months (the "
    f"article's references [6] and [7], paraphrased); {MAX_WEEKLY_GROWTH} minutes is this "
    "project's choice."
)
_SLOW_SOURCES = ("ref2", "ref7", "project-default")  # [6] is [2]; the pace is ours

STEP_BACK = (
    "When a week is not good: after a flare (pain or symptoms worse), step back a level "
    "(never below level 1), keep each visit no longer than the last, and have the client "
    "see their doctor if flares repeat; after soreness, hold the pressure. Then plan again "
    "from that session (massageplan next), not from this projection."
)


def _reason(rulebase: Rulebase, rule_id: str, text: str, sources: tuple[str, ...]) -> Reason:
    cited = tuple(s for s in sources if s in rulebase.sources)
    return Reason(rule_id=rule_id, text=text, severity=Severity.CRITICAL, sources=cited)


def _weekly_step(rulebase: Rulebase) -> Reason:
    return _reason(rulebase, WEEKLY_STEP, _WEEKLY_STEP_TEXT, _WEEKLY_STEP_SOURCES)


def _paced(
    plan: SessionPlan, previous: int | None, step: Reason, slower: Reason | None
) -> tuple[int, list[Reason]]:
    """The week's pressure and its reasons: the plan's, held to one level above
    last week's (to last week's, with ``slower``: the week after a rise, with
    severe hypersensitivity)."""
    pressure = plan.pressure
    cited = list(plan.reasons_for(plan.pressure_reasons))
    if previous is None or pressure <= previous:
        return pressure, cited
    if slower is not None:
        return previous, [slower]
    if pressure > previous + 1:
        # The plan allows more than a step (a pressure tolerated before the
        # course): the course's pace holds it to one level a week.
        return previous + 1, [step]
    return pressure, [*cited, step]


def _within(visits: tuple[int, ...], most: int) -> tuple[int, ...]:
    """The week's visits, in order, cut to ``most`` minutes in all: a visit that
    does not fit is shortened to what is left, if a split visit may be that
    short (or it is the only one), else left out."""
    kept: list[int] = []
    for minutes in visits:
        room = most - sum(kept)
        if minutes <= room:
            kept.append(minutes)
            continue
        if room >= SHORTEST_SPLIT_VISIT or (not kept and room > 0):
            kept.append(room)
        break
    return tuple(kept)


def _area_caps(plan: SessionPlan, pressure: int) -> tuple[AreaCap, ...]:
    """The areas the week's plan holds below its pressure, by level, lowest first."""
    caps: dict[int, int] = {}  # area bit: level
    for restriction in plan.restrictions:
        if restriction.technique != EVERY_TECHNIQUE:
            continue
        level = restriction.max_pressure or 0
        if level >= pressure:
            continue
        for area in restriction.areas:
            bit = AREA_BIT[area]
            caps[bit] = min(caps.get(bit, level), level)
    by_level: dict[int, int] = {}
    for bit, level in caps.items():
        by_level[level] = by_level.get(level, 0) | bit
    return tuple(
        AreaCap(level=level, areas=areas_in(mask)) for level, mask in sorted(by_level.items())
    )


def project_course(
    profile: ClientProfile | Mapping[str, Any],
    weeks: int,
    *,
    minutes_gain: int = 10,
    rulebase: Rulebase | None = None,
) -> Course:
    """Simulate ``weeks`` weeks of sessions under the rules, one plan per session."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise MassagePlanError(f"weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
    if not 0 <= minutes_gain <= MAX_GAIN:
        raise MassagePlanError(f"minutes_gain must be between 0 and {MAX_GAIN}, not {minutes_gain}")
    client = as_profile(profile)
    start = client
    rules = builtin_rulebase() if rulebase is None else rulebase
    holds = recommend(client, rules).holds
    step = _weekly_step(rules)
    slower = _reason(rules, EVERY_OTHER_WEEK, _EVERY_OTHER_WEEK_TEXT, _SLOW_SOURCES)
    growth = _reason(rules, MINUTES_GROWTH, _MINUTES_GROWTH_TEXT, _SLOW_SOURCES)
    severe = client.hypersensitivity is Hypersensitivity.SEVERE
    reasons: dict[str, Reason] = {}
    projected = []
    previous: int | None = None
    previous_minutes: int | None = None
    rose = False  # whether the last week with visits rose a level
    for week in range(1, weeks + 1):
        # The week's first session fixes its visits and its pressure; each
        # later visit has its own plan, and keeps to the week's pressure.
        tolerated = client.tolerance.minutes  # at the start of the week
        first = session = recommend(client, rules)
        visits = tuple(v.minutes for v in session.visits)
        pressure, cited = _paced(session, previous, step, slower if severe and rose else None)
        if previous_minutes is not None and sum(visits) > previous_minutes + MAX_WEEKLY_GROWTH:
            visits = _within(visits, previous_minutes + MAX_WEEKLY_GROWTH)
            cited.append(growth)
        pressures: list[int] = []
        for index, minutes in enumerate(visits):
            if index:
                session = recommend(client, rules)
            pressures.append(min(session.pressure, pressure))
            # A good session, recorded as the client's next plan will read it.
            done = LastSession(pressure=pressures[-1], minutes=minutes, reaction=Reaction.FINE)
            client = record_session(client, done)
        for reason in cited:
            reasons.setdefault(reason.rule_id, reason)
        projected.append(
            CourseWeek(
                week=week,
                tolerated_minutes=tolerated,
                visits=visits,
                pressures=tuple(pressures),
                reasons=tuple(dict.fromkeys(r.rule_id for r in cited)),
                area_caps=_area_caps(first, pressure),
            )
        )
        if pressures:
            rose = previous is not None and pressure > previous
            previous, previous_minutes = pressure, sum(visits)
        tolerance = client.tolerance.model_copy(
            update={"minutes": min(180, client.tolerance.minutes + minutes_gain)}
        )
        client = client.model_copy(update={"tolerance": tolerance})
    assumptions = (
        *(["the weeks start once the holds above are resolved"] if holds else []),
        "a good week every week: the client is fine after every session, and pressure rises "
        "at most a level a week"
        + (" (every other week, with severe hypersensitivity)" if severe else ""),
        f"the tolerated session length grows by {minutes_gain} minutes a week, and the week's "
        f"massage time by {MAX_WEEKLY_GROWTH} at most",
        "nothing else about the client changes",
    )
    listed = tuple(reasons.values())
    sources = dict.fromkeys(s for r in listed for s in r.sources)
    course = Course(
        holds=holds,
        weeks=tuple(projected),
        assumptions=assumptions,
        reaction_assumed=Reaction.FINE,
        step_back=STEP_BACK,
        reasons=listed,
        sources=tuple(rules.sources[s] for s in sources),
    )
    found = course_breaches(course, start)
    if found:
        raise PlanSafetyError(
            [str(b) for b in found],
            invariants=sorted({b.invariant.number for b in found}),
            rule_ids=[],
            profile_values={},
            responsible=[],
        )
    return course
