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
from massageplan.model.plan import QUESTION_FIELD, ProtocolCode, QuestionCode
from massageplan.rules.effects import AdviceEffect, AskEffect, HoldEffect, StepEffect

AREAS = [a.value for a in BodyArea]
BIT = {name: 1 << i for i, name in enumerate(AREAS)}
ALL = (1 << len(AREAS)) - 1
SPECIFIED = BIT["forearms"] | BIT["hands"] | BIT["lower_legs"] | BIT["feet"]
LEGS = sum(BIT[a] for a in ("hips", "thighs", "knees", "lower_legs", "ankles", "feet"))
HANDS_FEET = BIT["hands"] | BIT["feet"]
CHEST_ARMS = BIT["chest"] | BIT["upper_arms"]
ARMS_LEGS = sum(BIT[a] for a in ("upper_arms", "forearms", "hands")) | (LEGS & ~BIT["hips"])
LOWER = BIT["lower_legs"] | BIT["ankles"] | BIT["feet"]
LIMBS = ARMS_LEGS  # the arms and legs, hips left out
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
        # Each rule's holds, advice and questions, as plain data.
        self.holds: dict[str, tuple[str, str, str, bool]] = {}
        self.advice: dict[str, tuple[str, str, str, str]] = {}
        self.asks: dict[str, tuple[str, str]] = {}
        self.steps: dict[str, tuple[str, str, str | None]] = {}
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
                    self.advice[rule.id] = (
                        effect.advise.value,
                        effect.text,
                        effect.audience.value,
                        (
                            effect.severity or rule.reason.severity
                        ).value,  # the effect's own, or the rule's
                    )
                elif isinstance(effect, AskEffect):
                    self.asks[rule.id] = (effect.ask.value, effect.text)
                elif isinstance(effect, StepEffect):
                    self.steps[rule.id] = (effect.step.value, effect.text, effect.client_text)

    def plan(self, p: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - written out by hand on purpose
        hs = p["hypersensitivity"]
        tolerance = p["tolerance"]
        minutes, tolerated = tolerance["minutes"], tolerance.get("pressure")
        first = p.get("sessions_completed", 0) == 0
        consulted = p.get("physician_consulted", False)
        condition = p["condition"]
        swelling, fragile = _mask(p.get("swelling")), _mask(p.get("fragile_tissue"))
        numb, wounds = _mask(p.get("numb_areas")), _mask(p.get("wounds"))
        injected = _mask(p.get("injection_sites"))
        ports = _mask(p.get("port_sites"))
        lymph = _mask(p.get("lymphedema_risk"))
        signs = set(p.get("swelling_signs") or ())
        clot, chemo = p.get("clot_history"), p.get("on_chemotherapy")
        thinners = p.get("on_anticoagulants")
        asked = {name: p.get(name) is not None for name in QUESTION_FIELD.values()}

        fired = ["technique-mix", "no-deep-pressure", "weekly-session"]
        fired += ["no-booking-without-an-area-to-work", "continue-standard-treatment"]
        fired += ["disclose-medical-history", "pain-relief-evidence", "expected-benefits"]
        if hs != "none":
            fired.append("experienced-therapist")
        known = tolerated is not None
        fired.append("gradual-pressure" if known else "light-pressure-while-unknown")
        hurts = _mask(p.get("hypersensitive_areas"))
        by_area = bool(hurts)
        if hs in ("moderate", "severe") and first and not by_area:
            fired.append("very-light-first-session")
        if hurts:
            fired.append("gentle-work-where-touch-hurts")
            if first:
                fired.append("very-light-where-touch-hurts-at-first")
        if known and first:
            fired.append("no-step-up-at-the-first-session")
        last = p.get("last_session")
        if last is not None:
            fired.append(_AFTER[last["reaction"]])
        if minutes < 60:
            short = minutes < 15  # no split visit is shorter: one visit of what is tolerated
            if hs != "severe":
                fired.append("one-short-visit-under-fifteen-minutes" if short else "split-sessions")
            elif first:
                fired.append("one-shorter-visit-in-a-severe-first-week")
            elif short:
                fired.append("one-short-visit-under-fifteen-minutes-after-a-severe-first-week")
            else:
                fired.append("split-sessions-after-a-severe-first-week")
        if fragile:
            fired += ["no-friction-on-fragile-tissue", "gentle-work-on-fragile-tissue"]
        if swelling:
            fired += ["no-friction-on-swelling", "gentle-work-on-swelling"]
        if not consulted:
            when = "before-first-session" if first else "during-course"
            fired.append(f"consult-physician-{when}")
        if condition == "chemotherapy_induced_neuropathy":
            fired.append("cipn-case-report")
        if wounds:
            fired.append("no-work-on-wounds")
            if condition == "diabetic_neuropathy" and wounds & (BIT["ankles"] | BIT["feet"]):
                fired.append("urgent-referral-for-a-diabetic-foot-wound")
        if numb:
            fired += ["gentle-and-watchful-on-numb-areas", "no-kneading-heat-or-cold-on-numb-areas"]
            if numb & BIT["feet"]:
                fired.append("fall-risk-with-numb-feet")
        if injected:
            fired.append("no-work-on-injection-sites")
            if condition == "diabetic_neuropathy":
                fired.append("watch-blood-sugar-near-insulin-sites")
            else:
                fired.append("ask-what-is-injected")
        if clot:
            fired.append("gentle-legs-after-a-clot")
            if not consulted:
                fired.append("physician-clearance-after-a-clot")
        if chemo:
            fired += ["chemotherapy-check-with-the-oncology-team", "light-pressure-in-chemotherapy"]
            fired.append("clot-warning-signs-in-chemotherapy")
            if not asked["port_sites"]:
                fired.append("ports-not-yet-asked-in-chemotherapy")
        if thinners:
            fired.append("gentle-work-on-anticoagulants")
        if ports:
            fired.append("no-work-on-port-sites")
        if lymph:
            fired.append("gentle-on-lymphedema-risk-areas")
            if swelling:
                fired.append("lymphedema-therapist-for-swelling-at-risk")
        if p.get("low_platelets"):
            fired.append("very-light-pressure-with-low-platelets")
        if p.get("low_white_cells"):
            fired.append("postpone-on-fever-with-low-white-cells")
        if swelling:
            if signs & {"one_sided", "warm_or_red", "painful"}:
                fired.append("same-day-check-for-one-sided-warm-or-painful-swelling")
            if "short_of_breath" in signs:
                fired.append("emergency-for-swelling-with-breathlessness")
            if "new" in signs and not consulted:
                fired.append("doctor-first-for-new-swelling")
            if swelling & ~LOWER and not consulted:
                fired.append("doctor-first-for-swelling-beyond-the-lower-legs")
            if not asked["swelling_signs"]:
                fired.append("swelling-signs-not-yet-asked")
        medicines = set(p.get("medications") or ())
        if medicines & {"gabapentinoid", "opioid"}:
            fired.append("no-step-up-on-pain-medicines")
        if "steroid" in medicines:
            fired.append("fragile-skin-on-steroids")
        if "insulin_or_sulfonylurea" in medicines:
            fired.append("watch-blood-sugar-on-insulin-or-sulfonylurea")
        if "oxaliplatin" in medicines:
            fired.append("keep-warm-on-oxaliplatin")
        cipn = condition == "chemotherapy_induced_neuropathy"
        for rule_id, applies in (
            ("numbness-not-yet-asked", not asked["numb_areas"]),
            ("clot-history-not-yet-asked", not asked["clot_history"]),
            ("blood-thinners-not-yet-asked", not asked["on_anticoagulants"]),
            ("chemotherapy-not-yet-asked", cipn and not asked["on_chemotherapy"]),
            (
                "ports-not-yet-asked-while-chemotherapy-is",
                not asked["on_chemotherapy"] and not asked["port_sites"],
            ),
            ("lymphedema-risk-not-yet-asked", cipn and not asked["lymphedema_risk"]),
            ("wounds-not-yet-asked", not asked["wounds"]),
            (
                "injection-sites-not-yet-asked",
                condition == "diabetic_neuropathy" and not asked["injection_sites"],
            ),
            ("medications-not-yet-asked", not asked["medications"]),
        ):
            if applies:
                fired.append(rule_id)
        fired += [
            "agree-the-pressure-scale",
            "agree-a-stop-word",
            "look-at-the-feet",
            "position-and-bolsters",
            "check-in-as-you-go",
            "get-up-slowly",
        ]
        if ports & BIT["chest"]:
            fired.append("no-face-down-over-a-chest-port")
        if not asked["port_sites"]:
            if chemo:
                fired.append("no-face-down-while-ports-are-not-asked-in-chemotherapy")
            if not asked["on_chemotherapy"]:
                fired.append("no-face-down-while-ports-and-chemotherapy-are-not-asked")
        if swelling & LIMBS:
            fired.append("support-swollen-limbs")
        if numb:
            fired.append("what-to-skip-on-numb-areas")
        if not asked["numb_areas"]:
            fired.append("what-to-skip-while-numbness-is-not-asked")
        fired.sort(key=self.rank.__getitem__)
        on = set(fired)

        # Pressure: the lowest cap, and the rules holding it there.
        caps = [("no-deep-pressure", 4)]
        if tolerated is not None:
            caps.append(("gradual-pressure", min(5, tolerated + 1)))
            if first:
                caps.append(("no-step-up-at-the-first-session", tolerated))
            for rule_id in ("no-step-up-on-pain-medicines", "medications-not-yet-asked"):
                if rule_id in on:
                    caps.append((rule_id, tolerated))
        else:
            caps.append(("light-pressure-while-unknown", 2))
        if last is not None:
            level = last["pressure"] + {"fine": 1, "sore": 0, "flare": -1}[last["reaction"]]
            caps.append((_AFTER[last["reaction"]], min(5, max(1, level))))
        for rule_id, level in (
            ("very-light-first-session", 1),
            ("gentle-work-on-anticoagulants", 2),
            ("light-pressure-in-chemotherapy", 2),
            ("very-light-pressure-with-low-platelets", 1),
            ("blood-thinners-not-yet-asked", 2),
            ("chemotherapy-not-yet-asked", 2),
        ):
            if rule_id in on:
                caps.append((rule_id, level))
        pressure = min(level for _, level in caps)
        pressure_reasons = sorted(
            dict.fromkeys(r for r, level in caps if level == pressure), key=self.rank.__getitem__
        )

        # Restrictions as the rules say them; each area under the strictest
        # only: nothing else where no work at all is allowed.
        outright: list[tuple[str, int]] = []
        gentle: list[tuple[str, int]] = []  # nothing above level 2
        no_kneading: list[tuple[str, int]] = []
        no_trigger: list[tuple[str, int]] = []
        no_friction: list[tuple[str, int]] = []

        def say(rule_id: str, areas: int, *lists: list[tuple[str, int]]) -> None:
            if rule_id in on and areas:
                for said in lists:
                    said.append((rule_id, areas))

        say("no-friction-on-fragile-tissue", fragile, no_friction)
        say("no-friction-on-swelling", swelling, no_friction)
        say("gentle-work-on-fragile-tissue", fragile, gentle, no_kneading, no_trigger)
        say("gentle-work-on-swelling", swelling, gentle, no_kneading, no_trigger)
        say("no-work-on-wounds", wounds, outright)
        say("gentle-and-watchful-on-numb-areas", numb, gentle, no_trigger)
        say("no-kneading-heat-or-cold-on-numb-areas", numb, no_kneading)
        say("no-work-on-injection-sites", injected, outright)
        for rule_id in ("gentle-legs-after-a-clot", "gentle-work-on-anticoagulants"):
            say(rule_id, LEGS, gentle, no_kneading, no_trigger, no_friction)
        say("no-work-on-port-sites", ports, outright)
        say("gentle-on-lymphedema-risk-areas", lymph, gentle, no_kneading, no_trigger, no_friction)
        say("very-light-pressure-with-low-platelets", ALL, no_kneading)
        say("numbness-not-yet-asked", HANDS_FEET, gentle, no_kneading, no_trigger)
        say("clot-history-not-yet-asked", LEGS, gentle, no_kneading, no_trigger, no_friction)
        say("ports-not-yet-asked-in-chemotherapy", CHEST_ARMS, outright)
        say("ports-not-yet-asked-while-chemotherapy-is", CHEST_ARMS, outright)
        lymph_guess = ARMS_LEGS
        say(
            "lymphedema-risk-not-yet-asked",
            lymph_guess,
            gentle,
            no_kneading,
            no_trigger,
            no_friction,
        )
        say("swelling-signs-not-yet-asked", swelling, outright)
        say("fragile-skin-on-steroids", ALL, gentle, no_kneading, no_trigger, no_friction)
        say("gentle-work-where-touch-hurts", hurts, gentle, no_kneading, no_trigger, no_friction)
        very_light: list[tuple[str, int]] = []  # nothing above level 1
        say("very-light-where-touch-hurts-at-first", hurts, very_light)
        nothing = 0
        for _, areas in outright:
            nothing |= areas

        def restriction(
            technique: str, cap: int | None, said: list[tuple[str, int]], stricter: int = 0
        ) -> None:
            off = nothing | stricter  # each area under its strictest cap only
            kept = [(r, areas & ~off) for r, areas in said if areas & ~off]
            if technique == "all" and cap is None:
                kept = said
            # One restriction per set of reasons: areas merge only where the
            # same rules restrict them, each group in the order of its first area.
            per_rule: dict[str, int] = {}
            for r, areas in kept:
                per_rule[r] = per_rule.get(r, 0) | areas
            in_order = sorted(per_rule, key=self.rank.__getitem__)
            grouped: dict[tuple[str, ...], int] = {}
            for bit in (1 << i for i in range(len(AREAS))):
                which = tuple(r for r in in_order if per_rule[r] & bit)
                if which:
                    grouped[which] = grouped.get(which, 0) | bit
            for which, mask in grouped.items():
                restrictions.append(
                    {
                        "technique": technique,
                        "areas": _names(mask),
                        "max_pressure": cap,
                        "reasons": list(which),
                    }
                )

        restrictions: list[dict[str, Any]] = []
        restriction("all", None, outright)
        at_one = 0
        for _, areas in very_light:
            at_one |= areas
        restriction("all", 1, very_light)
        restriction("all", 2, gentle, at_one)
        restriction("kneading", None, no_kneading)
        restriction("trigger_point", None, no_trigger)
        restriction("friction", None, no_friction)
        capped = kneading_off = trigger_off = 0
        for _, areas in gentle:
            capped |= areas
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
            groups: list[tuple[int, int]] = []  # (level, areas), first come first
            # Each area at the lowest of the technique's level and its caps.
            for level, where in (
                (base, areas & ~capped & ~at_one),
                (min(base, 2), areas & capped & ~at_one),
                (min(base, 1), areas & at_one),
            ):
                if where and level >= needs:
                    for i, (grouped, listed) in enumerate(groups):
                        if grouped == level:
                            groups[i] = (level, listed | where)
                            break
                    else:
                        groups.append((level, where))
            techniques += [
                {"name": name, "areas": _names(mask), "max_pressure": level, "reasons": mix}
                for level, mask in groups
            ]

        # Holds: each code once, citing every rule that holds it, in the
        # rulebase's order of the first.
        by_hold: dict[str, list[str]] = {}
        for rule_id in fired:
            held = self.holds.get(rule_id)
            if held is not None and not (techniques and held[3]):
                by_hold.setdefault(held[0], []).append(rule_id)
        holds = [
            {
                "code": code,
                "text": self.holds[rule_ids[0]][1],
                "client_text": self.holds[rule_ids[0]][2],
                "reasons": rule_ids,
            }
            for code, rule_ids in by_hold.items()
        ]

        # Questions, in the order of their codes.
        by_question: dict[str, list[str]] = {}
        for rule_id in fired:
            ask = self.asks.get(rule_id)
            if ask is not None:
                by_question.setdefault(ask[0], []).append(rule_id)
        questions = [
            {
                "code": code.value,
                "field": QUESTION_FIELD[code],
                "text": self.asks[by_question[code.value][0]][1],
                "reasons": by_question[code.value],
            }
            for code in QuestionCode
            if code.value in by_question
        ]

        # The week: one 60-minute visit, or shorter ones within tolerance.
        visits: list[dict[str, Any]] = []
        if techniques:
            longest, per_week, reasons = 60, 1, ["weekly-session"]
            if minutes < 60:
                split = [r for r in fired if r in _SPLITS]
                longest, reasons = minutes, ["weekly-session", *split]
                per_week = 1 if "one-shorter-visit-in-a-severe-first-week" in on else 3
            if last is not None and "step-back-after-a-flare" in on:  # none longer than the last
                longest = min(longest, last["minutes"])
                reasons = sorted(["step-back-after-a-flare", *reasons], key=self.rank.__getitem__)
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
            _, text, audience, _ = self.advice[rule_ids[0]]
            severity = max((self.advice[r][3] for r in rule_ids), key=SEVERITY.__getitem__)
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

        # The session's steps, in session order; none without a session.
        by_step: dict[str, list[str]] = {}
        for rule_id in fired if techniques else ():
            step = self.steps.get(rule_id)
            if step is not None:
                by_step.setdefault(step[0], []).append(rule_id)
        protocol = [
            {
                "code": code.value,
                "text": self.steps[by_step[code.value][0]][1],
                "client_text": self.steps[by_step[code.value][0]][2],
                "reasons": by_step[code.value],
            }
            for code in ProtocolCode
            if code.value in by_step
        ]

        used: dict[str, None] = {}
        item: dict[str, Any]
        for item in (*holds, *questions, *visits[:1]):
            used.update(dict.fromkeys(item["reasons"]))
        used.update(dict.fromkeys(pressure_reasons))
        for item in (*techniques, *restrictions, *advice, *protocol):
            used.update(dict.fromkeys(item["reasons"]))
        reasons_listed = [self.reason[r] for r in used]
        quoted: set[str] = set()
        for index, reason in enumerate(reasons_listed):  # the article's sentence once
            if reason["quote"] in quoted:
                reasons_listed[index] = {**reason, "quote": None}
            elif reason["quote"] is not None:
                quoted.add(reason["quote"])
        cited = dict.fromkeys(s for reason in reasons_listed for s in reason["sources"])
        return {
            "holds": holds,
            "questions": questions,
            "visits": visits,
            "pressure": pressure,
            "pressure_reasons": pressure_reasons,
            "techniques": techniques,
            "restrictions": restrictions,
            "advice": advice,
            "protocol": protocol,
            "reasons": reasons_listed,
            "sources": [self.source[s] for s in cited],
            "fired_rules": fired,
            "trace": [],
        }


# The rule that decides the step from the last session's reaction.
_AFTER = {
    "fine": "one-step-after-a-fine-session",
    "sore": "hold-after-soreness",
    "flare": "step-back-after-a-flare",
}
# The rules that split a short week, or keep it to one shorter visit.
_SPLITS = frozenset(
    {
        "split-sessions",
        "split-sessions-after-a-severe-first-week",
        "one-short-visit-under-fifteen-minutes",
        "one-short-visit-under-fifteen-minutes-after-a-severe-first-week",
        "one-shorter-visit-in-a-severe-first-week",
    }
)
