"""What the contract v4 screening answers change once they are "yes"."""

from __future__ import annotations

from typing import Any

from massageplan import SessionPlan, recommend
from tests.strategies import ANSWERED_NONE

# In chemotherapy-induced neuropathy, treatment over, firm work tolerated.
CLIENT: dict[str, Any] = {
    **ANSWERED_NONE,
    "condition": "chemotherapy_induced_neuropathy",
    "hypersensitivity": "none",
    "tolerance": {"minutes": 60, "pressure": 4},
    "sessions_completed": 3,
    "physician_consulted": True,
}


def plan(**answers: Any) -> SessionPlan:
    return recommend({**CLIENT, **answers})


def restrictions(p: SessionPlan) -> set[tuple[str, int | None, tuple[str, ...]]]:
    return {
        (
            str(getattr(r.technique, "value", r.technique)),
            r.max_pressure,
            tuple(a.value for a in r.areas),
        )
        for r in p.restrictions
    }


def test_low_platelets_mean_very_light_pressure_and_no_kneading() -> None:
    assert plan().pressure == 4
    p = plan(low_platelets=True)
    assert p.pressure == 1
    assert all(t.name.value != "kneading" for t in p.techniques)
    assert "very-light-pressure-with-low-platelets" in p.pressure_reasons


def test_low_white_cells_mean_postponing_on_a_fever() -> None:
    assert "postpone_on_fever" not in {a.code.value for a in plan().advice}
    (advice,) = [
        a for a in plan(low_white_cells=True).advice if a.code.value == "postpone_on_fever"
    ]
    assert (advice.severity.value, advice.audience.value) == ("critical", "both")
    assert "fever" in advice.text


def test_an_arm_at_risk_of_lymphedema_gets_only_light_work() -> None:
    arm = ("upper_arms", "forearms", "hands")
    found = restrictions(plan(lymphedema_risk=list(arm)))
    assert {("all", 2, arm), ("friction", None, arm), ("kneading", None, arm)} <= found
    assert ("trigger_point", None, arm) in found
