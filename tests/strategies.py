"""Hypothesis strategies for profiles and for arbitrary JSON-like input."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from massageplan import BodyArea, ClientProfile, Condition, Hypersensitivity

areas = st.lists(st.sampled_from(list(BodyArea)), max_size=6)

# Boundaries the rules test (60 minutes, first session) get extra weight.
minutes = st.one_of(st.sampled_from([5, 20, 59, 60, 61, 180]), st.integers(5, 180))
sessions = st.one_of(st.sampled_from([0, 0, 1, 2]), st.integers(0, 10**9))


@st.composite
def profile_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Valid profiles as the plain dicts booking software sends."""
    return {
        "condition": draw(st.sampled_from([c.value for c in Condition])),
        "hypersensitivity": draw(st.sampled_from([h.value for h in Hypersensitivity])),
        "swelling": [a.value for a in draw(areas)],
        "fragile_tissue": [a.value for a in draw(areas)],
        "tolerance": {
            "minutes": draw(minutes),
            "pressure": draw(st.one_of(st.none(), st.integers(1, 5))),
        },
        "sessions_completed": draw(sessions),
        "physician_consulted": draw(st.booleans()),
    }


profiles = profile_dicts().map(ClientProfile.model_validate)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["feet", "severe", "diabetic_neuropathy", "60", "true", ""]),
)
json_like = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)


@st.composite
def near_profiles(draw: st.DrawFn) -> Any:
    """Valid profiles with one part replaced by arbitrary JSON-like data."""
    data: dict[str, Any] = draw(profile_dicts())
    key = draw(st.sampled_from([*data, "tolerance.minutes", "tolerance.pressure", "extra"]))
    value = draw(json_like)
    if key.startswith("tolerance."):
        data["tolerance"] = {**data["tolerance"], key.split(".")[1]: value}
    else:
        data[key] = value
    return data
