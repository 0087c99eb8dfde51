"""Plans as text and Markdown, checked against golden files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from massageplan import SessionPlan, recommend
from massageplan._render import render_markdown, render_text
from tests.golden import check_golden

EXAMPLES = Path(__file__).parent.parent / "examples"
GOLDEN = Path(__file__).parent / "golden"
NAMES = ["new-diabetic-client", "fragile-lower-legs", "cipn-mid-course"]


def plan(name: str) -> SessionPlan:
    return recommend(yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", NAMES)
def test_text_rendering(name: str) -> None:
    check_golden(GOLDEN / f"{name}.txt", render_text(plan(name)))


@pytest.mark.parametrize("name", NAMES)
def test_markdown_rendering(name: str) -> None:
    check_golden(GOLDEN / f"{name}.md", render_markdown(plan(name)))


@pytest.mark.parametrize("render", [render_text, render_markdown])
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
