"""Severity means something (issue 24, item 5): critical for what could harm,
warning for what changes the session, and plain (info) for the rest.

The review of every piece of advice is written out here by hand, with its
reason, and the rule files must record the same: each ``advise`` effect of the
built-in rules states its severity."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from massageplan import AdviceCode, ClientProfile, Severity, recommend
from massageplan.render.text import render_text

RULES = Path(__file__).parent.parent / "rules"
EXAMPLES = Path(__file__).parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))

CRITICAL, WARNING, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO
REVIEW: dict[AdviceCode, Severity] = {
    # Could harm if not heeded.
    AdviceCode.CONSULT_PHYSICIAN: CRITICAL,  # an unknown contraindication goes unchecked
    AdviceCode.WOUND_REFERRAL: CRITICAL,  # a wound worsens unseen
    AdviceCode.DIABETIC_FOOT_REFERRAL: CRITICAL,  # a diabetic foot can be lost
    AdviceCode.INSPECT_SKIN: CRITICAL,  # a numb area is injured unfelt
    AdviceCode.CHECK_SKIN_FOR_WOUNDS: CRITICAL,  # as above, while wounds are not asked
    AdviceCode.NO_HEAT_OR_COLD: CRITICAL,  # a burn or cold injury goes unfelt
    AdviceCode.WATCH_BLOOD_SUGAR: CRITICAL,  # a low blood sugar
    AdviceCode.CLOT_WARNING_SIGNS: CRITICAL,  # a clot missed
    AdviceCode.CALL_EMERGENCY_SERVICES: CRITICAL,  # a clot in the lungs, or the heart
    AdviceCode.POSTPONE_ON_FEVER: CRITICAL,  # an infection with low white cells
    AdviceCode.FALL_RISK: CRITICAL,  # a fall from the table on numb, oiled feet
    # Changes the session.
    AdviceCode.REVIEW_REPEATED_FLARES: WARNING,  # a lighter session, and the doctor if again
    AdviceCode.CHECK_WITH_ONCOLOGY_TEAM: WARNING,  # counts and cycle asked before each session
    AdviceCode.LYMPHEDEMA_THERAPIST: WARNING,  # light work there meanwhile
    AdviceCode.AVOID_COLD: WARNING,  # a warm room, warm hands and oil
    # Everything else: plain.
    AdviceCode.CONTINUE_STANDARD_TREATMENT: INFO,
    AdviceCode.DISCLOSE_MEDICAL_HISTORY: INFO,
    AdviceCode.EXPERIENCED_THERAPIST: INFO,
    AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS: INFO,  # the visits already say it
    AdviceCode.PAIN_RELIEF_EVIDENCE: INFO,
    AdviceCode.CIPN_EVIDENCE: INFO,
    AdviceCode.EXPECTED_BENEFITS: INFO,
}


def advise_effects() -> list[tuple[str, dict[str, str]]]:
    found = []
    for path in sorted(RULES.glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            found += [(rule["id"], e) for e in rule.get("then", []) if "advise" in e]
    return found


def test_the_review_covers_every_advice_code() -> None:
    assert set(REVIEW) == set(AdviceCode)


@pytest.mark.parametrize(("rule_id", "effect"), advise_effects(), ids=lambda x: str(x)[:40])
def test_each_rule_file_records_the_reviewed_severity(rule_id: str, effect: dict[str, str]) -> None:
    assert "severity" in effect, f"{rule_id}: advice {effect['advise']} states no severity"
    assert effect["severity"] == REVIEW[AdviceCode(effect["advise"])].value, rule_id


@pytest.mark.parametrize("name", NAMES)
def test_plans_carry_the_reviewed_severity(name: str) -> None:
    profile = ClientProfile.model_validate(yaml.safe_load((EXAMPLES / name).read_text()))
    plan = recommend(profile)
    for advice in plan.advice:
        assert advice.severity is REVIEW[advice.code], advice.code
    # A plain item carries no label: only what harms or changes the session does.
    text = render_text(plan, profile, width=1000)
    for advice in plan.advice:
        if advice.severity is INFO:
            assert f"WARNING: {advice.text}" not in text
            assert f"CRITICAL: {advice.text}" not in text
