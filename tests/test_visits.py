"""From one visit to the next (contract v4, invariant 24): a session is recorded
in the profile, and the next plan steps from the client's reaction to it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from massageplan import ClientProfile, recommend
from massageplan.cli import main
from massageplan.model.profile import LastSession, Reaction
from massageplan.model.visits import record_session
from tests.strategies import ANSWERED_NONE

EXAMPLES = Path(__file__).parent.parent / "examples"

CLIENT: dict[str, Any] = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "tolerance": {"minutes": 40, "pressure": 2},
    "sessions_completed": 3,
    "physician_consulted": True,
    **ANSWERED_NONE,
}


def after(reaction: str, used: int = 2, minutes: int = 30) -> ClientProfile:
    session = LastSession(pressure=used, minutes=minutes, reaction=Reaction(reaction))
    return record_session(ClientProfile.model_validate(CLIENT), session)


@pytest.mark.parametrize(
    ("reaction", "used", "minutes", "tolerated"),
    [
        # fine: what the session used counts as tolerated, where it was more
        ("fine", 3, 50, (50, 3)),
        ("fine", 1, 20, (40, 2)),
        # sore: the tolerance stays
        ("sore", 3, 50, (40, 2)),
        # flare: below the pressure used, and no longer than the session
        ("flare", 2, 30, (30, 1)),
        ("flare", 3, 50, (40, 2)),  # a pressure never tolerated: the tolerance stands
        ("flare", 1, 30, (30, None)),  # even level 1 was too much: not known
    ],
)
def test_a_recorded_session_moves_the_tolerance_as_the_reaction_says(
    reaction: str, used: int, minutes: int, tolerated: tuple[int, int | None]
) -> None:
    profile = after(reaction, used, minutes)
    assert profile.sessions_completed == 4
    assert profile.last_session == LastSession(
        pressure=used, minutes=minutes, reaction=Reaction(reaction)
    )
    assert (profile.tolerance.minutes, profile.tolerance.pressure) == tolerated


def test_the_next_plan_steps_back_holds_or_steps_up() -> None:
    # Tolerated light (2); the last session was at 2 for 30 minutes.
    flare, sore, fine = (recommend(after(r)) for r in ("flare", "sore", "fine"))
    assert flare.pressure == 1
    assert max(v.minutes for v in flare.visits) <= 30
    assert "review_repeated_flares" in {a.code.value for a in flare.advice}
    assert sore.pressure == 2
    assert fine.pressure == 3
    for plan in (sore, fine):
        assert "review_repeated_flares" not in {a.code.value for a in plan.advice}
    # The plan says which, and why: the pressure's reasons are the reaction's rule.
    assert "step-back-after-a-flare" in flare.pressure_reasons
    assert "hold-after-soreness" in sore.pressure_reasons
    assert "one-step-after-a-fine-session" in fine.pressure_reasons


def test_a_flare_is_said_in_the_therapists_and_the_clients_plan() -> None:
    from massageplan import render_text  # noqa: PLC0415 - one test's import

    profile = after("flare")
    plan = recommend(profile)
    therapist = render_text(plan, profile)
    assert "Last session: 30 minutes, level 2 (light); a flare of symptoms after it." in therapist
    client = " ".join(render_text(plan, profile, audience="client").split())
    assert "If they flare again after massage, talk to your doctor" in client


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_next_writes_the_updated_profile_and_prints_the_next_plan(tmp_path: Path) -> None:
    client = tmp_path / "client.yaml"
    client.write_text((EXAMPLES / "after-soreness.yaml").read_text("utf-8"), encoding="utf-8")
    code, out, err = run(
        "next", str(client), "--used", "3", "--minutes", "60", "--reaction", "fine"
    )
    assert code == 0, err
    assert (
        err == f"{client}: session 7 recorded (level 3, 60 minutes, fine); the next plan follows\n"
    )
    saved = yaml.safe_load(client.read_text("utf-8"))
    assert saved["sessions_completed"] == 7
    assert saved["last_session"] == {"pressure": 3, "minutes": 60, "reaction": "fine"}
    assert saved["tolerance"] == {"minutes": 60, "pressure": 3}
    assert saved["numb_areas"] == []  # asked and none stays asked and none
    assert "session 8." in out  # the plan is the next session's
    assert ", up to level 4 (firm)" in out  # a fine session: a level up
    # And again: the loop goes on from the file it wrote.
    code, out, _ = run(
        "next", str(client), "--used", "4", "--minutes", "60", "--reaction", "flare",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    plan = json.loads(out)
    assert plan["pressure"] == 3
    assert plan["advice"][0]["code"] == "review_repeated_flares"
    assert yaml.safe_load(client.read_text("utf-8"))["sessions_completed"] == 8


def test_next_can_write_elsewhere_as_json(tmp_path: Path) -> None:
    out_file = tmp_path / "next.json"
    code, _, err = run(
        "next", str(EXAMPLES / "after-a-flare.yaml"), "--used", "2", "--minutes", "30",
        "--reaction", "fine", "--out", str(out_file), "--for", "client",
    )  # fmt: skip
    assert code == 0, err
    saved = json.loads(out_file.read_text("utf-8"))
    assert saved["last_session"]["reaction"] == "fine"
    assert saved["sessions_completed"] == 5


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--used", "6", "--minutes", "30", "--reaction", "fine"], "6 is above 5"),
        (["--used", "2", "--minutes", "3", "--reaction", "fine"], "3 is below 5"),
        (["--used", "2", "--minutes", "30", "--reaction", "awful"], "invalid choice: 'awful'"),
        (["--minutes", "30", "--reaction", "fine"], "--used"),
    ],
)
def test_next_names_a_wrong_option_and_writes_nothing(
    tmp_path: Path, argv: list[str], says: str
) -> None:
    client = tmp_path / "client.yaml"
    before = (EXAMPLES / "after-soreness.yaml").read_text("utf-8")
    client.write_text(before, encoding="utf-8")
    code, _, err = run("next", str(client), *argv)
    assert code == 2
    assert says in err
    assert client.read_text("utf-8") == before


def test_next_from_standard_input_needs_somewhere_to_write() -> None:
    code, _, err = run("next", "-", "--used", "2", "--minutes", "30", "--reaction", "fine")
    assert code == 2
    assert "give --out FILE" in err


def test_a_last_session_given_in_part_is_named() -> None:
    with pytest.raises(ValueError, match=r"last_session\.reaction"):
        ClientProfile.model_validate({**CLIENT, "last_session": {"pressure": 2, "minutes": 30}})
