"""The letter to the doctor (contract v4, part 2): for a plan with a hold, a
question only the doctor can answer, or a doctor not yet consulted; one page,
in text, Markdown and on the web."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from massageplan import ClientProfile, doctor_letter, recommend, render_letter
from massageplan.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"

# What each example's letter asks the doctor, by hand: always whether the
# session is suitable, then the clot (reported, or not yet asked), blood
# thinners taken, blood counts in chemotherapy, the cause of any swelling,
# and any wound. None: no letter (no hold, no such question, doctor consulted).
ASKED: dict[str, list[str] | None] = {
    "after-soreness.yaml": None,
    "cipn-mid-course.yaml": None,
    "new-diabetic-client.yaml": ["suitable", "clot", "swelling_cause"],
    "new-diabetic-client-answered.yaml": ["suitable", "swelling_cause"],
    "clot-history-cleared.yaml": ["suitable", "clot"],
    "on-blood-thinners.yaml": ["suitable", "blood_thinners"],
    "low-counts-in-chemotherapy.yaml": ["suitable", "blood_counts"],
    "wound-on-swollen-feet.yaml": ["suitable", "swelling_cause", "wounds"],
    "nothing-can-be-worked.yaml": ["suitable", "wounds"],
    "swelling-one-sided.yaml": ["suitable", "swelling_cause"],
    # In a course, the doctor not yet consulted: a letter with no more to ask.
    "review-in-course-no-doctor.yaml": ["suitable"],
}


def load(name: str) -> ClientProfile:
    return ClientProfile.model_validate(
        yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("name", sorted(ASKED))
def test_each_letter_asks_what_only_the_doctor_can_answer(name: str) -> None:
    profile = load(name)
    letter = doctor_letter(recommend(profile), profile)
    asked = None if letter is None else [q.code.value for q in letter.questions]
    assert asked == ASKED[name]


def test_the_letter_says_the_client_the_session_and_the_questions() -> None:
    profile = load("new-diabetic-client.yaml")
    plan = recommend(profile)
    letter = doctor_letter(plan, profile)
    assert letter is not None
    assert letter.why.startswith(
        "Your patient would like massage therapy for their diabetic neuropathy. "
        "Before I book the first session"
    )
    assert "Client: diabetic neuropathy, severe touch hypersensitivity; session 1." in letter.client
    assert letter.client[-1].startswith("Screening. Not yet asked: what the swelling is like;")
    # The session in pressure, site and position terms.
    assert "Visits once you agree: 1 visit of 20 minutes a week." in letter.proposed
    assert (
        "Pressure: at most level 1 (very light), on a scale of 0 (a still hold) to 5 (deep)."
        in letter.proposed
    )
    # Each group of areas labelled with its own findings: the swollen feet
    # are not said to be port sites.
    assert (
        "Chest and upper arms (ports not yet asked); ankles and feet (swollen, swelling signs"
        " not yet asked): no work of any kind." in letter.proposed
    )
    assert any(line.startswith("Raise and support the swollen") for line in letter.proposed)
    assert any("no lying face down" in line for line in letter.proposed)
    swelling = letter.questions[-1].text
    assert swelling.startswith("What is the cause of the swelling of the ankles and feet?")
    # Every source the hold, the pressure and the restrictions rest on, once.
    wanted = [*(r for h in plan.holds for r in h.reasons), *plan.pressure_reasons]
    wanted += [r for item in plan.restrictions for r in item.reasons]
    by_rule = {r.rule_id: r for r in plan.reasons}
    ids = list(dict.fromkeys(s for rule in wanted for s in by_rule[rule].sources))
    assert [s.id for s in letter.sources] == ids
    assert "ihtc-dvt" in ids  # the clot's signs, behind the legs' limits


def test_text_and_markdown_leave_names_and_dates_to_the_pen() -> None:
    profile = load("clot-history-cleared.yaml")
    letter = doctor_letter(recommend(profile), profile)
    assert letter is not None
    text = render_letter(letter)
    lines = text.splitlines()
    assert lines[0] == "MASSAGE THERAPY FOR YOUR PATIENT: A PROPOSAL AND SOME QUESTIONS"
    assert re.fullmatch(r"To: _+ {4}Date: _+", lines[2])
    assert re.fullmatch(r"Patient: _+ {4}Date of birth: _+", lines[4])
    assert max(len(line) for line in lines) <= 80
    for heading in ("ABOUT YOUR PATIENT", "THE SESSION I PROPOSE", "MY QUESTIONS", "SOURCES"):
        assert heading in lines
    assert "  [ ] Massage as proposed above is suitable." in lines
    assert re.search(r"^  Name: _+  Signature: _+  Date: _+$", text, flags=re.MULTILINE)
    assert text.count("Answer: ") == len(letter.questions)
    markdown = render_letter(letter, markdown=True)
    assert markdown.startswith("# Massage therapy for your patient: a proposal and some questions")
    assert "## Your reply (please tick, sign and return)" in markdown
    assert "- [ ] Suitable with these changes: \\_" in markdown
    assert markdown.count("Answer: \\_") == len(letter.questions)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_letter_from_the_command_line() -> None:
    wound = str(EXAMPLES / "wound-on-swollen-feet.yaml")
    code, out, _ = run("letter", wound)
    assert code == 0
    assert "3. The client has an open wound, ulcer or skin break on the feet." in out
    code, out, _ = run("letter", wound, "--format", "markdown")
    assert out.startswith("# Massage therapy for your patient")
    code, out, _ = run("letter", wound, "--format", "json")
    data: dict[str, Any] = json.loads(out)
    assert [q["code"] for q in data["questions"]] == ASKED["wound-on-swollen-feet.yaml"]
    code, out, _ = run("letter", str(EXAMPLES / "after-soreness.yaml"))
    assert code == 0
    assert out.startswith("No letter: the plan has no hold and no question for the doctor")
