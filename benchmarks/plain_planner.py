"""A plain planner for the built-in rules, as a yardstick for recommend().

It makes the same decisions as the built-in rulebase with plain ``if``s and
builds the plan as plain dicts, exactly as ``plan.model_dump(mode="json")``
writes it (``generated_by`` aside), with no model and no validation: the
profile is taken as the valid mapping booking software sends. Texts, reasons
and sources are read from the rulebase once (data, not logic). The benchmark
checks that it gives recommend()'s plan for every profile it times, so the
comparison is of two ways to the identical plan.
"""

from __future__ import annotations

import math
from typing import Any

from massageplan import BodyArea, Rulebase
from massageplan.rules.effects import AdviceEffect, HoldEffect

AREAS = [a.value for a in BodyArea]
BIT = {name: 1 << i for i, name in enumerate(AREAS)}
ALL = (1 << len(AREAS)) - 1
SPECIFIED = BIT["forearms"] | BIT["hands"] | BIT["lower_legs"] | BIT["feet"]
LEGS = sum(BIT[a] for a in ("hips", "thighs", "knees", "lower_legs", "ankles", "feet"))
SEVERITY = {"info": 0, "warning": 1, "critical": 2}


def _mask(areas: Any) -> int:
    mask = 0
    for area in areas or ():
        mask |= BIT[area]
    return mask


_NAMES: dict[int, list[str]] = {}


def _names(mask: int) -> list[str]:
    found = _NAMES.get(mask)
    if found is None:
        found = _NAMES[mask] = [a for a in AREAS if mask & BIT[a]]
    return found


class PlainPlanner:
    def __init__(self, rulebase: Rulebase) -> None:
        self.rank = {rule.id: i for i, rule in enumerate(rulebase)}
        self.reason = {rule.id: rule.reason.model_dump(mode="json") for rule in rulebase}
        self.severity = {rule.id: rule.reason.severity.value for rule in rulebase}
        self.source = {s.id: s.model_dump(mode="json") for s in rulebase.sources.values()}
        # Each rule's hold and advice, as plain data: (code, texts, audience).
        self.holds: dict[str, tuple[str, str, str, bool]] = {}
        self.advice: dict[str, tuple[str, str, str]] = {}
        for rule in rulebase:
            for effect in rule.rule.then:
                if isinstance(effect, HoldEffect):
                    self.holds[rule.id] = (
                        effect.hold.value,
                        effect.text,
                        effect.client_text,
                        effect.if_no_technique,
                    )
                elif isinstance(effect, AdviceEffect):
                    self.advice[rule.id] = (effect.advise.value, effect.text, effect.audience.value)

    def plan(self, p: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - written out by hand on purpose
        hs = p["hypersensitivity"]
        tolerance = p["tolerance"]
        minutes, tolerated = tolerance["minutes"], tolerance.get("pressure")
        first = p.get("sessions_completed", 0) == 0
        consulted = p.get("physician_consulted", False)
        swelling, fragile = _mask(p.get("swelling")), _mask(p.get("fragile_tissue"))
        numb, wounds = _mask(p.get("numb_areas")), _mask(p.get("wounds"))
        injected = _mask(p.get("injection_sites"))
        ports_known = p.get("port_sites") is not None
        ports = _mask(p.get("port_sites"))
        clot, chemo = p.get("clot_history", False), p.get("on_chemotherapy", False)
        thinners = p.get("on_anticoagulants", False)

        fired = ["technique-mix", "no-deep-pressure", "weekly-session"]
        fired += ["no-booking-without-an-area-to-work", "continue-standard-treatment"]
        fired += ["disclose-medical-history", "pain-relief-evidence", "expected-benefits"]
        if hs != "none":
            fired.append("experienced-therapist")
        known = tolerated is not None
        fired.append("gradual-pressure" if known else "light-pressure-while-unknown")
        if hs in ("moderate", "severe") and first:
            fired.append("very-light-first-session")
        if minutes < 60:
            fired.append("split-sessions")
        if fragile:
            fired += ["no-friction-on-fragile-tissue", "gentle-work-on-fragile-tissue"]
        if swelling:
            fired += ["no-friction-on-swelling", "gentle-work-on-swelling"]
        if not consulted:
            when = "before-first-session" if first else "during-course"
            fired.append(f"consult-physician-{when}")
        if p["condition"] == "chemotherapy_induced_neuropathy":
            fired.append("cipn-case-report")
        if wounds:
            fired.append("no-work-on-wounds")
        if numb:
            fired.append("gentle-and-watchful-on-numb-areas")
            if numb & BIT["feet"]:
                fired.append("fall-risk-with-numb-feet")
        if injected:
            fired.append("no-work-on-injection-sites")
        if clot:
            fired.append("gentle-legs-after-a-clot")
            if not consulted:
                fired.append("physician-clearance-after-a-clot")
        if chemo:
            fired += ["chemotherapy-check-with-the-oncology-team", "light-pressure-in-chemotherapy"]
            if not ports_known:
                fired.append("ask-where-ports-are")
        if thinners:
            fired.append("gentle-work-on-anticoagulants")
        if ports:
            fired.append("no-work-on-port-sites")
        fired.sort(key=self.rank.__getitem__)
        on = set(fired)

        # Pressure: the lowest cap, and the rules holding it there.
        caps = [("no-deep-pressure", 4)]
        if tolerated is not None:
            caps.append(("gradual-pressure", min(5, tolerated + 1)))
        else:
            caps.append(("light-pressure-while-unknown", 2))
        for rule_id in ("very-light-first-session",):
            if rule_id in on:
                caps.append((rule_id, 1))
        for rule_id in ("gentle-work-on-anticoagulants", "light-pressure-in-chemotherapy"):
            if rule_id in on:
                caps.append((rule_id, 2))
        pressure = min(level for _, level in caps)
        pressure_reasons = sorted(
            (r for r, level in caps if level == pressure), key=self.rank.__getitem__
        )

        # Restrictions, each area under the strictest only: no work at all
        # where there are wounds, injection sites or ports.
        nothing = wounds | injected | ports
        gentle: list[tuple[str, int]] = []  # (rule, areas) with nothing above level 2
        no_kneading: list[tuple[str, int]] = []
        no_trigger: list[tuple[str, int]] = []
        no_friction: list[tuple[str, int]] = []
        if fragile:
            no_friction.append(("no-friction-on-fragile-tissue", fragile))
        if swelling:
            no_friction.append(("no-friction-on-swelling", swelling))
        if fragile:
            gentle.append(("gentle-work-on-fragile-tissue", fragile))
            no_kneading.append(("gentle-work-on-fragile-tissue", fragile))
            no_trigger.append(("gentle-work-on-fragile-tissue", fragile))
        if swelling:
            gentle.append(("gentle-work-on-swelling", swelling))
            no_kneading.append(("gentle-work-on-swelling", swelling))
            no_trigger.append(("gentle-work-on-swelling", swelling))
        if numb:
            gentle.append(("gentle-and-watchful-on-numb-areas", numb))
            no_trigger.append(("gentle-and-watchful-on-numb-areas", numb))
        for rule_id in ("gentle-legs-after-a-clot", "gentle-work-on-anticoagulants"):
            if rule_id in on:
                gentle.append((rule_id, LEGS))
                no_kneading.append((rule_id, LEGS))
                no_trigger.append((rule_id, LEGS))
                no_friction.append((rule_id, LEGS))
        outright = []
        for rule_id, areas in (
            ("no-work-on-wounds", wounds),
            ("no-work-on-injection-sites", injected),
            ("no-work-on-port-sites", ports),
        ):
            if areas:
                outright.append((rule_id, areas))

        def restriction(technique: str, cap: int | None, said: list[tuple[str, int]]) -> None:
            kept = [(r, areas & ~nothing) for r, areas in said if areas & ~nothing]
            if technique == "all" and cap is None:
                kept = said
            if kept:
                mask = 0
                for _, areas in kept:
                    mask |= areas
                reasons = sorted(dict.fromkeys(r for r, _ in kept), key=self.rank.__getitem__)
                restrictions.append(
                    {
                        "technique": technique,
                        "areas": _names(mask),
                        "max_pressure": cap,
                        "reasons": reasons,
                    }
                )

        restrictions: list[dict[str, Any]] = []
        restriction("all", None, outright)
        restriction("all", 2, gentle)
        restriction("kneading", None, no_kneading)
        restriction("trigger_point", None, no_trigger)
        restriction("friction", None, no_friction)
        capped = 0
        for _, areas in gentle:
            capped |= areas
        kneading_off = trigger_off = 0
        for _, areas in no_kneading:
            kneading_off |= areas
        for _, areas in no_trigger:
            trigger_off |= areas

        # Techniques: Swedish everywhere up to 3, kneading (needs 2) and trigger
        # points (need 3) on the specified areas; capped areas at 2 at most.
        mix = ["technique-mix"]
        techniques: list[dict[str, Any]] = []
        for name, areas, cap, needs in (
            ("swedish", ALL & ~nothing, 3, 1),
            ("kneading", SPECIFIED & ~nothing & ~kneading_off, 3, 2),
            ("trigger_point", SPECIFIED & ~nothing & ~trigger_off, 5, 3),
        ):
            base = min(cap, pressure)
            groups = []
            if base > 2:
                if areas & ~capped:
                    groups.append((base, areas & ~capped))
                if areas & capped and needs <= 2:
                    groups.append((2, areas & capped))
            elif areas and base >= needs:
                groups.append((base, areas))
            techniques += [
                {"name": name, "areas": _names(mask), "max_pressure": level, "reasons": mix}
                for level, mask in groups
            ]

        # Holds, in the rulebase's order.
        holds: list[dict[str, Any]] = []
        for rule_id in (
            "no-booking-without-an-area-to-work",
            "consult-physician-before-first-session",
            "physician-clearance-after-a-clot",
        ):
            if rule_id in on:
                code, text, client_text, if_no_technique = self.holds[rule_id]
                if not (techniques and if_no_technique):
                    holds.append(
                        {
                            "code": code,
                            "text": text,
                            "client_text": client_text,
                            "reasons": [rule_id],
                        }
                    )

        # The week: one 60-minute visit, or shorter ones within tolerance.
        visits: list[dict[str, Any]] = []
        if techniques:
            longest, per_week, reasons = 60, 1, ["weekly-session"]
            if minutes < 60:
                longest, per_week, reasons = minutes, 3, ["weekly-session", "split-sessions"]
            count = min(per_week, math.ceil(60 / longest))
            each = min(longest, 60 // count)
            while count > 1 and each < 15 and minutes < 60:
                count -= 1
                each = min(longest, 60 // count)
            visits = [{"minutes": each, "reasons": reasons}] * count

        # Advice, critical first, else in the rulebase's order.
        by_code: dict[str, list[str]] = {}
        for rule_id in fired:
            said = self.advice.get(rule_id)
            if said is not None:
                by_code.setdefault(said[0], []).append(rule_id)
        advice: list[dict[str, Any]] = []
        for code, rule_ids in by_code.items():
            _, text, audience = self.advice[rule_ids[0]]
            severity = max((self.severity[r] for r in rule_ids), key=SEVERITY.__getitem__)
            advice.append(
                {
                    "code": code,
                    "text": text,
                    "severity": severity,
                    "audience": audience,
                    "reasons": rule_ids,
                }
            )
        advice.sort(key=lambda a: -SEVERITY[a["severity"]])

        used: dict[str, None] = {}
        item: dict[str, Any]
        for item in (*holds, *visits[:1]):
            used.update(dict.fromkeys(item["reasons"]))
        used.update(dict.fromkeys(pressure_reasons))
        for item in (*techniques, *restrictions, *advice):
            used.update(dict.fromkeys(item["reasons"]))
        reasons_listed = [self.reason[r] for r in used]
        cited = dict.fromkeys(s for reason in reasons_listed for s in reason["sources"])
        return {
            "holds": holds,
            "visits": visits,
            "pressure": pressure,
            "pressure_reasons": pressure_reasons,
            "techniques": techniques,
            "restrictions": restrictions,
            "advice": advice,
            "reasons": reasons_listed,
            "sources": [self.source[s] for s in cited],
            "fired_rules": fired,
            "trace": [],
        }
