"""Citations where they belong (issue 24, item 2): a restriction cites only
rules that restrict each of its areas, and an AVOID line's label states the
findings of exactly the areas it names.

The rules' own avoid effects are read from the rule files here, not from the
library's parsed form, so the check does not share the code it checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from massageplan import BodyArea, ClientProfile, SessionPlan, recommend
from massageplan.render.text import render_text
from tests.strategies import screened_dicts

RULES = Path(__file__).parent.parent / "rules"
EXAMPLES = Path(__file__).parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))


def _avoid_effects() -> dict[str, list[Any]]:
    """For each built-in rule, the area specs of its avoid effects."""
    found: dict[str, list[Any]] = {}
    for path in sorted(RULES.glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", []):
            found[rule["id"]] = [e["areas"] for e in rule.get("then", []) if "avoid" in e]
    return found


AVOIDS = _avoid_effects()


def areas_named(spec: Any, profile: ClientProfile) -> set[str]:
    if spec == "all":
        return {a.value for a in BodyArea}
    if isinstance(spec, str):  # a profile list, by its field name
        return {a.value for a in getattr(profile, spec) or ()}
    return set(spec)


def check_restrictions(plan: SessionPlan, profile: ClientProfile) -> None:
    for restriction in plan.restrictions:
        areas = {a.value for a in restriction.areas}
        for rule_id in restriction.reasons:
            covered = set().union(*(areas_named(s, profile) for s in AVOIDS[rule_id]))
            assert areas <= covered, (rule_id, sorted(areas - covered))


def load(name: str) -> ClientProfile:
    return ClientProfile.model_validate(yaml.safe_load((EXAMPLES / name).read_text()))


@pytest.mark.parametrize("name", NAMES)
def test_each_restriction_cites_only_what_restricts_its_areas(name: str) -> None:
    profile = load(name)
    check_restrictions(recommend(profile), profile)


@settings(max_examples=60, deadline=None)
@given(screened_dicts())
def test_each_restriction_cites_only_what_restricts_its_areas_generated(
    data: dict[str, Any],
) -> None:
    profile = ClientProfile.model_validate(data)
    check_restrictions(recommend(profile), profile)


def avoid_lines(profile: ClientProfile) -> list[str]:
    text = render_text(recommend(profile), profile, width=1000)
    after = text.split("\nAVOID\n", 1)[1].splitlines()
    return after[: next(i for i, x in enumerate(after) if x[:1] != " ")]


def test_the_review_case_labels_only_the_swollen_areas_swollen() -> None:
    # The review's case: only the lower legs and ankles are swollen, and a
    # clot has not been asked about, so the hips and legs are kept light too.
    profile = ClientProfile.model_validate(
        {
            "condition": "peripheral_neuropathy",
            "hypersensitivity": "mild",
            "swelling": ["lower_legs", "ankles"],
            "swelling_signs": [],
            "tolerance": {"minutes": 60, "pressure": 3},
            "sessions_completed": 3,
            "physician_consulted": True,
            "numb_areas": [],
            "wounds": [],
            "injection_sites": [],
            "on_chemotherapy": False,
            "port_sites": [],
            "lymphedema_risk": [],
            "medications": [],
        }
    )
    (line,) = avoid_lines(profile)
    # One way of working, two groups of areas, each cited for its own reasons:
    # the swollen ones also for the swelling rule's source.
    marks = r"((?:\[\d+\](?:\u2013\[\d+\])?)+)"  # "[1]\u2013[3][7]": 1 to 3, and 7
    found = re.fullmatch(
        rf"  hips, thighs, knees and feet \(clots not yet asked\) {marks}; "
        rf"lower legs and ankles \(swollen, clots not yet asked\) {marks}: "
        r"up to level 2 \(light\); no friction, kneading or "
        r"trigger-point therapy",
        line,
    )
    assert found, line
    legs, swollen = (numbers(g) for g in found.groups())
    assert legs < swollen


def numbers(marks: str) -> set[int]:
    """The footnote numbers of marks such as "[1]\u2013[3][7]"."""
    found: set[int] = set()
    for first, last in re.findall(r"\[(\d+)\](?:\u2013\[(\d+)\])?", marks):
        found.update(range(int(first), int(last or first) + 1))
    return found


def test_a_numb_hand_does_not_cite_the_clot_sources() -> None:
    # The first example: the hands are kept light for numbness, the legs for
    # a clot not yet asked about; the hands' line cites only the numbness rule.
    profile = load("new-diabetic-client.yaml")
    plan = recommend(profile)
    hands = [r for r in plan.restrictions if BodyArea.HANDS in r.areas]
    assert {rule for r in hands for rule in r.reasons} == {"numbness-not-yet-asked"}
    line = next(x for x in avoid_lines(profile) if x.startswith("  hands"))
    assert line.startswith("  hands (numbness not yet asked): ")
