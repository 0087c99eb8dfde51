"""A hand-written planner for the built-in rules, as a yardstick for recommend().

It decides which rules apply with plain ``if``s and builds the same plan
directly, reusing the rulebase's reasons, texts and sources (data, not
logic). The benchmark asserts that its plans equal recommend()'s, so the
comparison is of two ways to the identical plan.
"""

from __future__ import annotations

import math
from typing import Any

from massageplan import (
    Advice,
    ClientProfile,
    Hold,
    Reason,
    Restriction,
    Rulebase,
    SessionPlan,
    Technique,
    TechniqueName,
    Visit,
)
from massageplan.model.plan import SEVERITY_ORDER
from massageplan.model.profile import AREA_ORDER, BodyArea
from massageplan.plan.recommend import generated_by
from massageplan.rules.effects import AdviceEffect, HoldEffect

SPECIFIED = {BodyArea.FOREARMS, BodyArea.HANDS, BodyArea.LOWER_LEGS, BodyArea.FEET}
ALL = set(BodyArea)
MARKED = {"moderate", "severe"}


def _ordered(areas: set[BodyArea]) -> tuple[BodyArea, ...]:
    return tuple(sorted(areas, key=AREA_ORDER.__getitem__))


class HandPlanner:
    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.order = {rule.id: i for i, rule in enumerate(rulebase)}
        self.reason: dict[str, Reason] = {rule.id: rule.reason for rule in rulebase}
        self.text: dict[str, Any] = {}
        for rule in rulebase:
            for effect in rule.rule.then:
                if isinstance(effect, AdviceEffect | HoldEffect):
                    self.text[rule.id] = effect
        self.made_by = generated_by(rulebase)

    def plan(self, profile: ClientProfile) -> SessionPlan:  # noqa: PLR0912, PLR0915 - written out by hand on purpose
        r = self.reason
        hs = profile.hypersensitivity.value
        tolerated = profile.tolerance.pressure
        minutes = profile.tolerance.minutes
        first = profile.sessions_completed == 0
        swelling, fragile = set(profile.swelling), set(profile.fragile_tissue)
        at_risk = swelling | fragile

        # No profile without screening fields leaves every area off limits, so
        # the hold for that case never applies; its rule fires all the same.
        fired = {"technique-mix", "no-deep-pressure", "weekly-session"}
        fired.add("no-booking-without-an-area-to-work")
        fired |= {"continue-standard-treatment", "disclose-medical-history"}
        fired |= {"pain-relief-evidence", "expected-benefits"}
        if hs != "none":
            fired.add("experienced-therapist")
        fired.add("gradual-pressure" if tolerated is not None else "light-pressure-while-unknown")
        if hs in MARKED and first:
            fired.add("very-light-first-session")
        if minutes < 60:
            fired.add("split-sessions")
        if fragile:
            fired |= {"no-friction-on-fragile-tissue", "gentle-work-on-fragile-tissue"}
        if swelling:
            fired |= {"no-friction-on-swelling", "gentle-work-on-swelling"}
        if not profile.physician_consulted:
            fired.add(
                "consult-physician-before-first-session"
                if first
                else "consult-physician-during-course"
            )
        if profile.condition.value == "chemotherapy_induced_neuropathy":
            fired.add("cipn-case-report")
        ids = sorted(fired, key=self.order.__getitem__)

        caps: list[tuple[int, str]] = [(4, "no-deep-pressure")]
        if tolerated is not None:
            caps.append((min(5, tolerated + 1), "gradual-pressure"))
        else:
            caps.append((2, "light-pressure-while-unknown"))
        if "very-light-first-session" in fired:
            caps.append((1, "very-light-first-session"))
        pressure = min(level for level, _ in caps)
        pressure_reasons = tuple(
            rid for rid in ids for level, cap_id in caps if cap_id == rid and level == pressure
        )

        longest, per_week = 60, 1
        visit_reasons = ["weekly-session"]
        if minutes < 60:
            longest, per_week = minutes, 3
            visit_reasons.append("split-sessions")
        count = min(per_week, math.ceil(60 / longest))
        if longest < 15:  # no split visit under 15 minutes: one visit instead
            count = 1
        visit = Visit(minutes=min(longest, 60 // count), reasons=tuple(visit_reasons))

        mix = ("technique-mix",)
        techniques = []
        swedish = min(3, pressure)
        gentle = min(swedish, 2)
        groups = {swedish: ALL - at_risk, gentle: at_risk} if gentle < swedish else {swedish: ALL}
        techniques += [
            Technique(
                name=TechniqueName.SWEDISH, areas=_ordered(areas), max_pressure=cap, reasons=mix
            )
            for cap, areas in sorted(groups.items(), reverse=True)
            if areas
        ]
        specified = SPECIFIED - at_risk
        if specified and pressure >= 2:  # kneading needs light pressure to be kneading
            techniques.append(
                Technique(
                    name=TechniqueName.KNEADING,
                    areas=_ordered(specified),
                    max_pressure=min(3, pressure),
                    reasons=mix,
                )
            )
            if pressure >= 3:
                techniques.append(
                    Technique(
                        name=TechniqueName.TRIGGER_POINT,
                        areas=_ordered(specified),
                        max_pressure=pressure,
                        reasons=mix,
                    )
                )

        restrictions = []
        gentle_ids = [
            i for i in ids if i in ("gentle-work-on-fragile-tissue", "gentle-work-on-swelling")
        ]
        friction_ids = [
            i for i in ids if i in ("no-friction-on-fragile-tissue", "no-friction-on-swelling")
        ]
        if at_risk:
            gentle_reasons = tuple(gentle_ids)
            areas = _ordered(at_risk)
            restrictions = [
                Restriction(technique="all", areas=areas, max_pressure=2, reasons=gentle_reasons),
                Restriction(technique=TechniqueName.KNEADING, areas=areas, reasons=gentle_reasons),
                Restriction(
                    technique=TechniqueName.TRIGGER_POINT, areas=areas, reasons=gentle_reasons
                ),
                Restriction(
                    technique=TechniqueName.FRICTION,
                    areas=areas,
                    reasons=tuple(friction_ids),
                ),
            ]

        holds = []
        advice = []
        for rid in ids:
            effect = self.text.get(rid)
            if rid == "consult-physician-before-first-session":
                hold = self.rulebase[rid].rule.then[0]
                if not isinstance(hold, HoldEffect):
                    raise TypeError(f"{rid} no longer starts with its hold")
                holds.append(
                    Hold(
                        code=hold.hold,
                        text=hold.text,
                        client_text=hold.client_text,
                        reasons=(rid,),
                    )
                )
            if isinstance(effect, AdviceEffect):
                advice.append(
                    Advice(
                        code=effect.advise,
                        text=effect.text,
                        severity=r[rid].severity,
                        audience=effect.audience,
                        reasons=(rid,),
                    )
                )
        advice.sort(key=lambda a: -SEVERITY_ORDER[a.severity])

        used: dict[str, None] = {}
        for reasons in (
            *(h.reasons for h in holds),
            visit.reasons,
            pressure_reasons,
            *(t.reasons for t in techniques),
            *(x.reasons for x in restrictions),
            *(a.reasons for a in advice),
        ):
            used.update(dict.fromkeys(reasons))
        listed = tuple(r[rid] for rid in used)
        cited = dict.fromkeys(s for reason in listed for s in reason.sources)
        return SessionPlan(
            holds=tuple(holds),
            visits=(visit,) * count,
            pressure=pressure,
            pressure_reasons=pressure_reasons,
            techniques=tuple(techniques),
            restrictions=tuple(restrictions),
            advice=tuple(advice),
            reasons=listed,
            sources=tuple(self.rulebase.sources[s] for s in cited),
            fired_rules=tuple(ids),
            trace=(),
            generated_by=self.made_by,
        )
