"""ClientProfile: exact fields, folded area lists, no silent coercion."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from massageplan import BodyArea, ClientProfile, recommend
from massageplan.engine.facts import profile_facts

VALID: dict[str, Any] = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "tolerance": {"minutes": 45},
}


def test_defaults() -> None:
    profile = ClientProfile.model_validate(VALID)
    assert profile.swelling == ()
    assert profile.tolerance.pressure is None
    assert profile.sessions_completed == 0
    assert profile.physician_consulted is False


def test_area_duplicates_fold_into_head_to_feet_order() -> None:
    profile = ClientProfile.model_validate({**VALID, "swelling": ["feet", "neck", "feet"]})
    assert profile.swelling == (BodyArea.NECK, BodyArea.FEET)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"condition": "sciatica"}, "condition"),
        ({"hypersensitivity": "extreme"}, "hypersensitivity"),
        ({"swelling": ["foot"]}, "swelling"),
        ({"swelling": "feet"}, "swelling"),
        ({"tolerance": {"minutes": 4}}, "tolerance.minutes"),
        ({"tolerance": {"minutes": 181}}, "tolerance.minutes"),
        ({"tolerance": {"minutes": "60"}}, "tolerance.minutes"),
        ({"tolerance": {"minutes": True}}, "tolerance.minutes"),
        ({"tolerance": {"minutes": 60, "pressure": 6}}, "tolerance.pressure"),
        ({"sessions_completed": -1}, "sessions_completed"),
        ({"physician_consulted": "yes"}, "physician_consulted"),
        ({"physician_consulted": 1}, "physician_consulted"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        recommend({**VALID, **change})
    locs = {".".join(str(p) for p in e["loc"]) for e in info.value.errors()}
    assert any(loc.startswith(field) for loc in locs), locs


def test_profiles_are_frozen() -> None:
    profile = ClientProfile.model_validate(VALID)
    with pytest.raises(pydantic.ValidationError):
        profile.hypersensitivity = "none"  # type: ignore[misc, assignment]  # the point: it is read-only


def test_facts_are_clean() -> None:
    profile = ClientProfile.model_validate(
        {**VALID, "sessions_completed": 10_000, "swelling": ["feet"]}
    )
    facts = profile_facts(profile)
    assert "tolerance.pressure" not in facts  # unknown is absent, never null
    assert facts["pressure_known"] is False
    assert facts["sessions_completed"] == 10_000
    assert facts["swelling"] == ["feet"]
    assert facts["swelling.count"] == 1
    assert facts["first_session"] is False


def test_a_session_count_past_a_lifetime_is_refused_by_name() -> None:
    with pytest.raises(pydantic.ValidationError, match="sessions_completed") as raised:
        ClientProfile.model_validate({**VALID, "sessions_completed": 10**12})
    assert "less than or equal to 10000" in str(raised.value)
