"""The contract's safety properties, checked on a finished plan.

``recommend()`` refuses to return a plan that breaks one (it can only happen
with a rulebase missing a safety rule), and ``verify()`` uses the same
checks to search a rulebase for counterexamples.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._plan import AdviceCode, SessionPlan, TechniqueName
from ._profile import ClientProfile

WEEKLY_MINUTES = 60


@dataclass(frozen=True)
class Violation:
    property: int  # the number of the safety property in the contract
    kind: str  # a stable code for the way it is broken
    message: str

    def __str__(self) -> str:
        return self.message


class _Found(list[Violation]):
    def add(self, number: int, kind: str, message: str) -> None:
        self.append(Violation(number, kind, message))


def violations(profile: ClientProfile, plan: SessionPlan) -> list[Violation]:
    """Every safety property of the contract that ``plan`` breaks for ``profile``."""
    found = _Found()
    at_risk = set(profile.swelling) | set(profile.fragile_tissue)
    restricted = {
        area for r in plan.restrictions if r.technique is TechniqueName.FRICTION for area in r.areas
    }
    uncovered = at_risk - restricted
    if uncovered:
        names = ", ".join(sorted(a.value for a in uncovered))
        found.add(1, "uncovered_area", f"no friction restriction covers swollen or fragile {names}")
    for technique in plan.techniques:
        if technique.name is TechniqueName.FRICTION and at_risk & set(technique.areas):
            names = ", ".join(sorted(a.value for a in at_risk & set(technique.areas)))
            found.add(
                1, "friction_on_area", f"friction is prescribed on swollen or fragile {names}"
            )

    tolerated = profile.tolerance.minutes
    too_long = [v.minutes for v in plan.visits if v.minutes > tolerated]
    if too_long:
        found.add(
            2,
            "visit_too_long",
            f"a visit of {max(too_long)} minutes exceeds the tolerated {tolerated}",
        )
    total = sum(v.minutes for v in plan.visits)
    if total > WEEKLY_MINUTES:
        found.add(
            2,
            "week_too_long",
            f"the week's visits add up to {total} minutes, over {WEEKLY_MINUTES}",
        )
    if tolerated >= WEEKLY_MINUTES and [v.minutes for v in plan.visits] != [WEEKLY_MINUTES]:
        found.add(
            2,
            "not_one_hour_visit",
            "a client who tolerates 60 minutes gets one 60-minute visit a week",
        )

    if profile.hypersensitivity.value != "none":
        ceiling = (profile.tolerance.pressure or 0) + 1
        if plan.pressure > ceiling:
            found.add(
                3,
                "pressure_too_fast",
                f"pressure {plan.pressure} is more than one level above what was tolerated",
            )
        if (
            profile.hypersensitivity.value in ("moderate", "severe")
            and profile.sessions_completed == 0
            and plan.pressure != 1
        ):
            found.add(
                3,
                "first_session_not_light",
                "a first session with marked hypersensitivity must be at level 1",
            )

    for technique in plan.techniques:
        if technique.max_pressure > plan.pressure:
            found.add(
                4,
                "technique_above_plan",
                f"{technique.name.value} allows pressure {technique.max_pressure}, "
                f"above the plan's {plan.pressure}",
            )

    if (
        profile.sessions_completed == 0
        and not profile.physician_consulted
        and AdviceCode.CONSULT_PHYSICIAN not in {a.code for a in plan.advice}
    ):
        found.add(
            5,
            "no_consult_advice",
            "advice to consult a physician is missing before the first session",
        )
    return found
