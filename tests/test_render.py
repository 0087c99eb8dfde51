"""Plans as text and Markdown, checked against golden files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from massageplan import BodyArea, ClientProfile, SessionPlan, recommend
from massageplan._render import area_words, render_markdown, render_text
from tests.golden import check_golden

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


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("name", [*NAMES, "screened-client"])
def test_text_fits_the_width(name: str, width: int) -> None:
    text = render_text(plan(name), profile(name), width=width)
    for line in text.splitlines():
        # Only an address, which cannot be broken, may run past the edge.
        assert len(line) <= width or line.split()[-1].startswith("http"), line


def test_what_a_reader_sees_first() -> None:
    text = render_text(plan("new-diabetic-client"), profile("new-diabetic-client"))
    lines = text.splitlines()
    assert lines[0] == (
        "For: a client with diabetic neuropathy, severe touch hypersensitivity; session"
    )
    assert "At risk: swollen ankles, feet." in lines
    assert lines.index("HOLD: DO NOT BOOK YET") < lines.index("THIS WEEK")
    assert "  swedish, up to level 1 (very light): whole body [3][4]" in lines
    assert "  Pressure levels: 1 very light, 2 light, 3 moderate, 4 firm, 5 deep." in lines
    # Advice written to the client is the therapist's to pass on, critical first.
    passed_on = lines[lines.index("TO PASS ON TO THE CLIENT") + 1 :]
    assert passed_on[0].startswith("  - CRITICAL: Talk to your regular doctor")
    assert "ADVICE" not in lines  # nothing here is written to the therapist alone
    # The general notes are one short line for the therapist, last.
    notes = lines[lines.index("NOTES") + 1 :]
    assert notes[0].startswith("  - Also in the plan, for reading:")
    assert lines.index("NOTES") > lines.index("TO PASS ON TO THE CLIENT")
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
        }
    )
    text = render_text(recommend(profile), profile, width=200)
    section = text.split("AVOID\n", 1)[1].split("\n\n", 1)[0].splitlines()
    avoid = [line for line in section if line.startswith("  no ")]  # each item's first line
    assert [line.split(":")[0] for line in avoid] == [
        "  no work of any kind above level 2 (light) on hands (swollen); both legs below the"
        " knee (fragile tissue)",
        "  no kneading or trigger point on hands (swollen); both legs below the knee (fragile"
        " tissue)",
        "  no friction on hands (swollen); both legs below the knee (fragile tissue)",
    ]
    assert avoid[1].endswith(": as above. [3][5]")  # the same reasons, not written twice
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
    name = "new-diabetic-client"
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
    text = render(plan("new-diabetic-client"))
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
