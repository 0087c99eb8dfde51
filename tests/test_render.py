"""Plans as text and Markdown, checked against golden files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from massageplan import BodyArea, ClientProfile, SessionPlan, recommend
from massageplan.render.text import Audience, area_words, render_markdown, render_text
from tests.golden import check_golden
from tests.strategies import ANSWERED_NONE

EXAMPLES = Path(__file__).parent.parent / "examples"
GOLDEN = Path(__file__).parent / "golden"
NAMES = ["new-diabetic-client", "fragile-lower-legs", "cipn-mid-course"]


def profile(name: str) -> ClientProfile:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return ClientProfile.model_validate(data)


def plan(name: str) -> SessionPlan:
    return recommend(profile(name))


@pytest.mark.parametrize("name", NAMES)
def test_text_rendering(name: str) -> None:
    check_golden(GOLDEN / f"{name}.txt", render_text(plan(name), profile(name)))


@pytest.mark.parametrize("name", NAMES)
def test_markdown_rendering(name: str) -> None:
    check_golden(GOLDEN / f"{name}.md", render_markdown(plan(name), profile(name)))


def test_client_rendering() -> None:
    name = "new-diabetic-client"
    check_golden(
        GOLDEN / f"{name}.client.txt", render_text(plan(name), profile(name), audience="client")
    )


EVERY_EXAMPLE = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("name", EVERY_EXAMPLE)
@pytest.mark.parametrize("audience", ["therapist", "client"])
def test_text_fits_the_width(name: str, width: int, audience: Audience) -> None:
    text = render_text(plan(name), profile(name), width=width, audience=audience)
    for line in text.splitlines():
        # Only an address, which is never broken, may run past the edge, on a
        # line of its own.
        assert len(line) <= width or re.fullmatch(r" *https?://\S+", line), line
    for source in plan(name).sources:
        if source.url and audience == "therapist" and source.id != "project-default":
            assert source.url in text.split(), source.url


def test_questions_come_after_the_hold_and_before_the_week() -> None:
    text = render_text(plan("new-diabetic-client"), profile("new-diabetic-client"))
    lines = text.splitlines()
    asked = lines.index("ASK BEFORE THE SESSION")
    assert lines.index("HOLD: DO NOT BOOK YET") < asked < lines.index("ONCE CLEARED:")
    questions = [line for line in lines[asked + 1 : lines.index("ONCE CLEARED:")] if "- " in line]
    # Numbness, wounds, injections, a clot, blood thinners, ports, the
    # swelling, medicines.
    assert len(questions) == 8
    assert questions[0].startswith("  - Is there any numbness")
    client = render_text(
        plan("new-diabetic-client"), profile("new-diabetic-client"), audience="client"
    )
    folded = " ".join(client.split())
    assert "Your therapist will ask you about any numbness or reduced feeling," in folded
    assert "any port or central line you have, what your swelling is like and the medicines" in (
        folded
    )
    assert "ASK BEFORE THE SESSION" not in client
    answered = render_text(plan("new-diabetic-client-answered"))
    assert "ASK BEFORE" not in answered
    assert "will ask you" not in render_text(
        plan("new-diabetic-client-answered"), audience="client"
    )
    markdown = render_markdown(plan("new-diabetic-client"))
    assert markdown.index("## Hold") < markdown.index("## Ask before the session")


def test_what_a_reader_sees_first() -> None:
    name = "new-diabetic-client-answered"
    text = render_text(plan(name), profile(name))
    lines = text.splitlines()
    # "session 1" is never broken over two lines.
    assert lines[0] == "Client: diabetic neuropathy, severe touch hypersensitivity; session 1."
    assert "At risk: swollen ankles, feet." in lines
    assert lines.index("HOLD: DO NOT BOOK YET") < lines.index("ONCE CLEARED:")
    assert "  Swedish, up to level 1 (very light): whole body [3][4]" in lines
    assert "  Pressure levels: 1 very light, 2 light, 3 moderate, 4 firm, 5 deep." in lines
    # Talking to the doctor is said once, as the hold, not again as advice.
    assert text.count("regular doctor") == 1
    # Nothing here harms or changes the session: no advice section, and the
    # plain items are one short line for the therapist, last.
    assert "TO PASS ON TO THE CLIENT" not in lines
    assert "ADVICE" not in lines
    notes = lines[lines.index("NOTES") + 1 :]
    assert notes[0].startswith("  - Also in the plan, for reading: experienced therapist")
    assert "Evidence note" not in text


def test_each_avoided_area_says_why_it_is_at_risk() -> None:
    profile = ClientProfile.model_validate(
        {
            "condition": "diabetic_neuropathy",
            "hypersensitivity": "mild",
            "swelling": ["hands"],
            "fragile_tissue": ["lower_legs", "ankles", "feet"],
            "tolerance": {"minutes": 60, "pressure": 3},
            "sessions_completed": 2,
            "physician_consulted": True,
            **ANSWERED_NONE,
        }
    )
    plan = recommend(profile)
    text = render_text(plan, profile, width=200)
    section = text.split("AVOID\n", 1)[1].split("\n\n", 1)[0].splitlines()
    # Areas treated alike share a line, each group labelled with its own
    # findings; they share their sources, so these are cited once, at the end.
    # The reasons go once into the "Why" line.
    assert section[0] == (
        "  hands (swollen); both legs below the knee (fragile): gentle work only, at most"
        " level 2 (light); no friction, kneading or trigger-point therapy [3][5]"
    )
    assert section[1].startswith("  Why: ")
    why = " ".join(line.strip() for line in section[1:])
    for reason in plan.reasons:
        if reason.rule_id.startswith(("no-friction", "gentle-work")):
            assert why.count(reason.text) == 1, reason.rule_id
    assert "feet (swollen)" not in text


@pytest.mark.parametrize(
    ("areas", "said"),
    [
        (list(BodyArea), "whole body"),
        ([a for a in BodyArea if a is not BodyArea.FEET], "whole body except feet"),
        (
            [a for a in BodyArea if a.value not in ("hands", "lower_legs", "ankles", "feet")],
            "whole body except hands and both legs below the knee",
        ),
        ([BodyArea.LOWER_LEGS, BodyArea.ANKLES, BodyArea.FEET], "both legs below the knee"),
        (
            [BodyArea.FOREARMS, BodyArea.HANDS, BodyArea.LOWER_LEGS, BodyArea.FEET],
            "both forearms and hands, lower legs, feet",
        ),
        ([BodyArea.ANKLES, BodyArea.FEET], "ankles, feet"),
        ([BodyArea.NECK, BodyArea.UPPER_BACK, BodyArea.LOWER_BACK], "neck, the whole back"),
    ],
)
def test_areas_as_people_say_them(areas: list[BodyArea], said: str) -> None:
    assert area_words(areas) == said


def test_the_client_reads_what_to_do_in_plain_words() -> None:
    text = render_text(
        plan("new-diabetic-client"), profile("new-diabetic-client"), audience="client"
    )
    assert "BEFORE YOU BOOK" in text
    assert "Do not book yet" not in text  # the booking staff's words
    assert "TECHNIQUES" not in text
    assert "AVOID" not in text
    assert "Massage Today" not in text  # a source only the techniques cite


def test_colour_only_when_asked() -> None:
    name = "screened-client"  # a hold, and critical advice beside it
    plain = render_text(plan(name), profile(name))
    coloured = render_text(plan(name), profile(name), colour=True)
    assert "\033[" not in plain
    assert "\033[1;31mCRITICAL:\033[0m" in coloured
    assert "\033[1;31mHOLD:\033[0m DO NOT BOOK YET" in coloured


@pytest.mark.parametrize(
    "render",
    [render_text, render_markdown, lambda p: render_text(p, audience="client")],
)
def test_every_footnote_is_listed_once_and_used(render: Callable[[SessionPlan], str]) -> None:
    text = render(plan("new-diabetic-client-answered"))
    body, sources = re.split(r"SOURCES|## Sources", text)
    used = set(re.findall(r"\[(\d+)\]", body))
    listed = re.findall(r"^\s*\[(\d+)\]", sources, flags=re.MULTILINE)
    assert sorted(listed, key=int) == listed
    assert set(listed) == used
    assert len(listed) == len(set(listed))
    # The article cites one work as [2], [3] and [6]: it is listed once.
    assert sources.count("Associated Bodywork") == 1


@pytest.mark.parametrize("name", [*NAMES, "screened-client"])
def test_the_marks_on_each_line_ascend(name: str) -> None:
    for render in (render_text, render_markdown):
        for line in render(plan(name), profile(name)).splitlines():
            # The marks close a line; a "[8]" inside a sentence is the article's own.
            run = re.search(r"((?:\[\d+\])+)\s*\|?\s*$", line)
            marks = [int(n) for n in re.findall(r"\d+", run.group(1))] if run else []
            assert marks == sorted(marks), line
