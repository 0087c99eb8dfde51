"""project_course(): the coming weeks under the rules, session by session.

Assumptions, stated in every projection and overridable:
- the client tolerates each week's pressure, so the next week may go one
  level higher (the rules decide how far); never within a week, since one
  level a week is this project's pace (contract invariant 16);
- the session length the client tolerates grows by ``minutes_gain`` a week
  (10 by default), up to 180;
- nothing else about the client changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.course import Course, CourseWeek
from ..model.errors import MassagePlanError, PlanSafetyError
from ..model.plan import Reason, Severity
from ..model.profile import ClientProfile
from ..rules.rulebase import Rulebase
from .invariants import course_breaches
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


def _weekly_step(rulebase: Rulebase) -> Reason:
    cited = tuple(s for s in _WEEKLY_STEP_SOURCES if s in rulebase.sources)
    return Reason(
        rule_id=WEEKLY_STEP, text=_WEEKLY_STEP_TEXT, severity=Severity.CRITICAL, sources=cited
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
    rules = builtin_rulebase() if rulebase is None else rulebase
    holds = recommend(client, rules).holds
    step = _weekly_step(rules)
    reasons: dict[str, Reason] = {}
    projected = []
    previous: int | None = None
    for week in range(1, weeks + 1):
        # The week's first session fixes its visits and its pressure; each
        # later visit has its own plan, and keeps to the week's pressure.
        session = recommend(client, rules)
        visits = tuple(v.minutes for v in session.visits)
        pressure = session.pressure
        cited = list(session.reasons_for(session.pressure_reasons))
        if previous is not None and pressure > previous + 1:
            # The plan allows more than a step (a pressure tolerated before the
            # course): the course's pace holds it to one level a week.
            pressure, cited = previous + 1, [step]
        elif previous is not None and pressure > previous:
            cited.append(step)
        pressures = []
        for index in range(len(visits)):
            if index:
                session = recommend(client, rules)
            pressures.append(min(session.pressure, pressure))
            client = client.model_copy(update={"sessions_completed": client.sessions_completed + 1})
        for reason in cited:
            reasons.setdefault(reason.rule_id, reason)
        projected.append(
            CourseWeek(
                week=week,
                tolerated_minutes=client.tolerance.minutes,
                visits=visits,
                pressures=tuple(pressures),
                reasons=tuple(dict.fromkeys(r.rule_id for r in cited)),
            )
        )
        tolerance = client.tolerance.model_copy(
            update={"minutes": min(180, client.tolerance.minutes + minutes_gain)}
        )
        if pressures:  # tolerated this week, so next week may go a level higher
            previous = pressure
            tolerated = max(tolerance.pressure or 0, pressure)
            tolerance = tolerance.model_copy(update={"pressure": tolerated})
        client = client.model_copy(update={"tolerance": tolerance})
    assumptions = (
        *(["the weeks start once the holds above are resolved"] if holds else []),
        "the client tolerates each week's pressure, and pressure rises at most a level a week",
        f"the tolerated session length grows by {minutes_gain} minutes a week",
        "nothing else about the client changes",
    )
    listed = tuple(reasons.values())
    sources = dict.fromkeys(s for r in listed for s in r.sources)
    course = Course(
        holds=holds,
        weeks=tuple(projected),
        assumptions=assumptions,
        reasons=listed,
        sources=tuple(rules.sources[s] for s in sources),
    )
    found = course_breaches(course)
    if found:
        raise PlanSafetyError(
            [str(b) for b in found],
            invariants=sorted({b.invariant.number for b in found}),
            rule_ids=[],
            profile_values={},
            responsible=[],
        )
    return course
