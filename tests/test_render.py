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
    (hold,) = [i for i, line in enumerate(lines) if line.startswith("DO NOT BOOK YET: ")]
    (asked,) = [i for i, line in enumerate(lines) if line.startswith("ASK BEFORE THE SESSION: ")]
    (week,) = [i for i, line in enumerate(lines) if line.startswith("ONCE CLEARED: ")]
    assert hold < asked < week
    # At a glance, what to ask about: numbness, wounds, injections, a clot,
    # blood thinners, ports, the swelling, medicines.
    assert " ".join(" ".join(lines[asked:week]).split()).split(" [")[0] == (
        "ASK BEFORE THE SESSION: numbness, wounds, injection sites, clots, blood thinners,"
        " ports, swelling signs, medicines"
    )
    # The Markdown asks each question in full.
    markdown = render_markdown(plan("new-diabetic-client"))
    section = markdown.split("## Ask before the session\n\n", 1)[1].split("\n\n", 1)[0]
    questions = section.splitlines()
    assert len(questions) == 8
    assert questions[0].startswith("- Is there any numbness")
    assert markdown.index("## Do not book yet") < markdown.index("## Ask before the session")
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


def test_what_a_reader_sees_first() -> None:
    name = "new-diabetic-client-answered"
    text = render_text(plan(name), profile(name))
    lines = text.splitlines()
    # "session 1" is never broken over two lines, and the header's short lines share one.
    assert lines[:3] == [
        "Client: diabetic neuropathy, severe touch hypersensitivity; session 1.",
        "Tolerates: 20 minutes; pressure not yet known. At risk: swollen ankles, feet.",
        "",
    ]
    assert (
        lines[3]
        == "DO NOT BOOK YET: the client is to talk to their doctor about massage first. [1]"
    )
    assert lines[4].startswith("ONCE CLEARED: 1 visit of 20 minutes, up to level 1 (very light) ")
    assert "  Swedish, up to level 1 (very light): whole body [3][4]" in lines
    # Talking to the doctor is said once, as the hold: not as advice, nor in the header.
    assert text.count("doctor") == 1
    # Nothing here harms or changes the session: no critical or warning
    # section; the client's own items and the notes are named in a line each.
    assert "CRITICAL" not in lines
    assert "WARNING" not in lines
    client = next(i for i, line in enumerate(lines) if line.startswith("IN THE CLIENT'S PLAN: "))
    assert " ".join(" ".join(lines[client : client + 2]).split()).startswith(
        "IN THE CLIENT'S PLAN: an experienced therapist, slower progress, their usual"
        " treatment, their history, benefits ["
    )
    assert lines[client + 2].startswith("NOTES: the evidence on pain [")
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
    section = text.split("AVOID\n", 1)[1].splitlines()
    # Areas treated alike share a line, each group labelled with its own
    # findings; they share their sources, so these are cited once, at the end.
    assert section[0] == (
        "  hands (swollen); both legs below the knee (fragile): up to level 2 (light);"
        " no friction, kneading or trigger-point therapy [3][5]"
    )
    assert not section[1].startswith("  ")  # one line says it all
    assert "feet (swollen)" not in text
    # The reasons go once each into the Markdown's "Why".
    why = render_markdown(plan, profile).split("_Why:_ ", 1)[1].split("\n", 1)[0]
    for reason in plan.reasons:
        if reason.rule_id.startswith(("no-friction", "gentle-work")):
            assert why.count(reason.text) == 1, reason.rule_id


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
    assert "\033[1;31mCRITICAL\033[0m" in coloured.splitlines()
    assert coloured.count("\033[1;31mDO NOT BOOK YET:\033[0m the client's doctor") == 1


@pytest.mark.parametrize(
    "render",
    [render_text, render_markdown],  # the client's plan has no footnotes (test_client_view)
)
def test_every_footnote_is_listed_once_and_used(render: Callable[[SessionPlan], str]) -> None:
    text = render(plan("new-diabetic-client-answered"))
    body, sources = re.split(r"SOURCES|## Sources", text)
    used = set()  # "[2]\u2013[4]" uses 2, 3 and 4
    for first, last in re.findall(r"\[(\d+)\](?:\u2013\[(\d+)\])?", body):
        used |= {str(n) for n in range(int(first), int(last or first) + 1)}
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
