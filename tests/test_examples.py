"""The example profiles give the plans a therapist would expect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from massageplan import SessionPlan, recommend
from tests.golden import check_golden

EXAMPLES = Path(__file__).parent.parent / "examples"

# What a therapist reading the article expects of each example.
EXPECTED: dict[str, dict[str, Any]] = {
    "new-diabetic-client.yaml": {
        "visits": [20, 20, 20],
        "pressure": 1,
        "no_friction": ["ankles", "feet"],
        "advice": {
            "consult_physician",
            "experienced_therapist",
            "slower_progress_with_shorter_sessions",
        },
    },
    "cipn-mid-course.yaml": {
        "visits": [60],
        "pressure": 3,
        "no_friction": [],
        "advice": {"cipn_evidence", "experienced_therapist"},
    },
    "fragile-lower-legs.yaml": {
        "visits": [60],
        "pressure": 4,
        "no_friction": ["lower_legs", "ankles"],
        "advice": {"disclose_medical_history"},
    },
    "twenty-minutes-only.yaml": {
        "visits": [20, 20, 20],
        "pressure": 3,
        "no_friction": [],
        "advice": {"slower_progress_with_shorter_sessions"},
    },
    "swollen-hands-first-visit.yaml": {
        "visits": [30, 30],
        "pressure": 1,
        "no_friction": ["forearms", "hands"],
        "advice": {"experienced_therapist"},
    },
    "long-sessions-no-hypersensitivity.json": {
        "visits": [60],
        "pressure": 4,
        "no_friction": ["lower_legs", "feet"],
        "advice": {"expected_benefits"},
    },
}


def load(name: str) -> Any:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def test_every_example_has_expectations() -> None:
    names = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_plan(name: str) -> None:
    expected = EXPECTED[name]
    data = load(name)
    plan = recommend(data)
    assert [v.minutes for v in plan.visits] == expected["visits"]
    assert plan.pressure == expected["pressure"]
    friction = [r for r in plan.restrictions if r.technique.value == "friction"]
    assert [a.value for r in friction for a in r.areas] == expected["no_friction"]
    assert expected["advice"] <= {a.code.value for a in plan.advice}
    consulted = data.get("physician_consulted", False)
    first = data.get("sessions_completed", 0) == 0
    assert ("consult_physician" in {a.code.value for a in plan.advice}) == (not consulted)
    assert first or name != "new-diabetic-client.yaml"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_plan_matches_its_expected_file(name: str) -> None:
    plan = recommend(load(name))
    text = json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    expected_file = EXAMPLES / "expected" / (Path(name).stem + ".json")
    check_golden(expected_file, text)
    assert SessionPlan.model_validate_json(expected_file.read_text(encoding="utf-8")) == plan
