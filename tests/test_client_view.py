"""A client view written for the client (issue 24, item 6): second person and
plain words, no clinical header, no severity labels, no footnote numbers, no
internal names, a short "Where this comes from" list at the end, nothing
addressed to someone still choosing a therapist once a course has begun, and
a reading level of grade 8 or below.

The reading level is the Flesch-Kincaid grade, computed here from its
published formula; syllables are counted by vowel groups, the usual rule of
thumb, checked below against words counted by hand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from massageplan import AdviceCode, ClientProfile, recommend
from massageplan.model.plan import ADVICE_TOPIC, PROTOCOL_TOPIC, QUESTION_SUBJECT
from massageplan.render.text import render_text
from tests.strategies import screened_dicts

EXAMPLES = Path(__file__).parent.parent / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e ("stroke"), at least one."""
    word = word.lower()
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words per sentence, plus 11.8
    syllables per word, less 15.59."""
    sentences = [s for s in re.split(r"(?<=[.!?:])\s+", text) if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)
    count = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * count / len(words) - 15.59


@pytest.mark.parametrize(
    ("word", "counted"),
    [
        ("massage", 2),
        ("therapist", 3),
        ("pressure", 2),
        ("stroke", 1),
        ("session", 2),
        ("doctor", 2),
        ("neuropathy", 4),
        ("numbness", 2),
        ("gentle", 2),
        ("free", 1),
        ("sensitive", 3),
    ],
)
def test_syllables_as_counted_by_hand(word: str, counted: int) -> None:
    assert syllables(word) == counted


def test_the_grade_of_known_texts() -> None:
    # A primer sentence reads below grade 2; a clinical one, far above 8.
    assert grade("The cat sat on the mat. We ran to the big red bus.") < 2
    assert (
        grade(
            "Chemotherapy-induced peripheral neuropathy necessitates individualized "
            "therapeutic modifications, particularly regarding anticoagulation."
        )
        > 12
    )


def load(name: str) -> ClientProfile:
    return ClientProfile.model_validate(yaml.safe_load((EXAMPLES / name).read_text()))


def client_text(profile: ClientProfile) -> str:
    return render_text(recommend(profile), profile, width=1000, audience="client")


def body(text: str) -> str:
    """What the client reads, before the list of where it comes from."""
    return text.split("\nWHERE THIS COMES FROM\n", 1)[0]


# Names only the software uses: codes, and the abbreviation of the condition.
INTERNAL = {*(code.value for code in AdviceCode), "cipn"}


def check(profile: ClientProfile) -> None:
    text = client_text(profile)
    read = body(text)
    assert not re.search(r"\[\d+\]", read), "footnote numbers"
    for label in ("CRITICAL", "WARNING", "At risk:", "Note:", "Client:", "Tolerates:"):
        assert label not in read, label
    lowered = read.lower()
    for name in INTERNAL:
        assert name.lower() not in lowered, name
    # The therapist's at-a-glance names are the therapist's, not the client's.
    for topic in (*ADVICE_TOPIC.values(), *PROTOCOL_TOPIC.values(), *QUESTION_SUBJECT.values()):
        if " " in topic:  # a single word ("falls") may be plain English anywhere
            assert f": {topic}," not in read
    assert "the client" not in lowered  # written to them, not about them
    assert "\nWHERE THIS COMES FROM\n" in text
    # Short: who says it, in a sentence or two, with no numbers.
    listed = " ".join(text.split("\nWHERE THIS COMES FROM\n", 1)[1].split())
    assert "Soothe" in listed  # the article's publisher
    assert len(listed) < 1000
    assert not re.search(r"\[\d+\]|https?://", listed)
    if profile.sessions_completed > 0:
        assert "choose a massage therapist" not in lowered
    assert grade(read) <= 8, (grade(read), read)


@pytest.mark.parametrize("name", NAMES)
def test_every_example_reads_as_written_for_the_client(name: str) -> None:
    check(load(name))


@settings(max_examples=40, deadline=None)
@given(screened_dicts())
def test_generated_clients_read_as_written_for_them(data: dict[str, Any]) -> None:
    check(ClientProfile.model_validate(data))


def test_a_new_client_is_told_to_choose_an_experienced_therapist() -> None:
    text = client_text(load("new-diabetic-client.yaml"))
    assert "Choose a massage therapist who has experience" in text
