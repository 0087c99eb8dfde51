"""The plan's headline and holds, as each rendering says them (issue 24, items
3 and 4): the hold said once, the week under a hold headed "Once cleared:",
and a pressure headline no firmer than any listed technique may go; a held
plan with no visits says so, with no level. Over every example and a
generated sample, in text (both readers), Markdown, the CDS plan card and
the FHIR CarePlan's description."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import yaml
from hypothesis import given, settings

from massageplan import ClientProfile, recommend
from massageplan.model.plan import SessionPlan
from massageplan.render.text import render_markdown, render_text, visit_words
from massageplan.service.careplan import care_plan_bundle
from massageplan.service.cds_hooks import cards
from tests.strategies import screened_dicts

EXAMPLES = Path(__file__).parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))


def renderings(profile: ClientProfile) -> dict[str, str]:
    plan = recommend(profile)
    (overview,) = [c for c in cards(plan, profile, str(uuid.uuid4())) if "extension" in c]
    return {
        "text": render_text(plan, profile),
        "client text": render_text(plan, profile, audience="client"),
        "markdown": render_markdown(plan, profile),
        "card summary": overview["summary"],
        "care plan": care_plan_bundle(plan)["entry"][0]["resource"]["description"],
    }


def check(profile: ClientProfile) -> None:
    plan = recommend(profile)
    said = renderings(profile)
    for name, text in said.items():
        # The hold heading says "do not book yet"; no line under it says it again.
        assert len(re.findall("do not book yet", text, re.IGNORECASE)) <= 1, name
        assert ("once cleared" in text.lower()) == bool(plan.holds), name
        if not plan.visits:  # nothing to do once cleared, yet: no visits, no level
            assert "pressure at most" not in text, name
    # The text plan says the week in one line: "ONCE CLEARED: 1 visit of 20
    # minutes, up to level 1 (very light)"; so do the card and the CarePlan,
    # whole and in the same words; the Markdown says "pressure at most".
    week = r"^(?:ONCE CLEARED|THIS WEEK): [^\n]*?, up to level (\d)"
    levels = {int(n) for n in re.findall(week, said["text"], re.MULTILINE)}
    stated = {int(n) for n in re.findall(r"pressure at most level (\d)", said["markdown"])}
    assert levels == stated, "markdown"
    lead = "Once cleared: " if plan.holds else "This week: "
    for name in ("card summary", "care plan"):
        assert said[name].startswith(lead + (visit_words(plan) if plan.visits else "plan again"))
        assert {int(n) for n in re.findall(r", up to level (\d)", said[name])} == levels, name
    if not plan.visits:
        assert levels == set()
        assert (
            "ONCE CLEARED: plan again; no visits and no pressure level until then" in said["text"]
        )
        return
    firmest = max((t.max_pressure for t in plan.techniques), default=plan.pressure)
    assert levels == {min(firmest, plan.pressure)}
    assert f", up to level {min(firmest, plan.pressure)} (" in said["card summary"]
    for technique in plan.techniques:  # no technique is listed firmer than the headline
        assert technique.max_pressure <= max(levels)


def load(name: str) -> Any:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_every_example_says_its_hold_once_and_its_pressure_truly(name: str) -> None:
    check(ClientProfile.model_validate(load(name)))


@given(screened_dicts())
@settings(max_examples=60, deadline=None)
def test_generated_clients_say_their_hold_once_and_their_pressure_truly(
    data: dict[str, Any],
) -> None:
    check(ClientProfile.model_validate(data))


def test_the_first_example_by_hand() -> None:
    """The README's first example, as a therapist reads it (written by hand)."""
    text = render_text(
        recommend(load("new-diabetic-client.yaml")),
        ClientProfile.model_validate(load("new-diabetic-client.yaml")),
    )
    lines = text.splitlines()
    assert (
        "DO NOT BOOK YET: the client is to talk to their doctor about massage first. [1]" in lines
    )
    assert "ONCE CLEARED: 1 visit of 20 minutes, up to level 1 (very light) [1][4][12]" in lines
    assert "THIS WEEK" not in text


def test_a_plan_with_nothing_to_work_on_has_no_level() -> None:
    profile = ClientProfile.model_validate(load("nothing-can-be-worked.yaml"))
    plan = recommend(profile)
    assert plan.holds
    assert not plan.visits
    text = render_text(plan, profile)
    assert "pressure at most" not in text
    assert "ONCE CLEARED: plan again; no visits and no pressure level until then" in text
    client = render_text(plan, profile, audience="client")
    assert "We will plan your sessions again. Until then, no massage." in client
    assert "hold" not in client.lower()  # a word of the therapist's


def test_the_no_area_hold_names_no_finding_the_client_lacks() -> None:
    """Every area closed by swelling whose signs are not yet asked: the hold
    once said "the client's wounds, injection sites or port sites"."""
    every = [
        "head", "neck", "shoulders", "upper_back", "lower_back", "chest", "abdomen",
        "upper_arms", "forearms", "hands", "hips", "thighs", "knees", "lower_legs",
        "ankles", "feet",
    ]  # fmt: skip
    profile = ClientProfile.model_validate(
        {
            "condition": "diabetic_neuropathy",
            "hypersensitivity": "none",
            "swelling": every,
            "tolerance": {"minutes": 60},
            "physician_consulted": True,
        }
    )
    plan = recommend(profile)
    assert [h.code.value for h in plan.holds] == ["no_workable_area"]
    for said in (plan.holds[0].text, plan.holds[0].client_text):
        assert not re.search("wound|injection|port", said), said


def test_the_visits_are_said_alike_whatever_their_lengths() -> None:
    def said(*minutes: int) -> str:
        plan = SimpleNamespace(visits=[SimpleNamespace(minutes=m) for m in minutes])
        return visit_words(cast("SessionPlan", plan))

    assert said(20) == "1 visit of 20 minutes"
    assert said(20, 20, 20) == "3 visits of 20 minutes"
    assert said(30, 20) == "2 visits of 30 and 20 minutes"
    assert said(30, 20, 10) == "3 visits of 30, 20 and 10 minutes"
