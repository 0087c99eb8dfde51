"""The course chart, drawn with matplotlib, read as a person reads it: labels, legend, values."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from massageplan import MassagePlanError, project_course
from massageplan.cli import main
from massageplan.render.chart import course_figure, course_svg

EXAMPLES = Path(__file__).parents[1] / "examples"
NEW_CLIENT: dict[str, Any] = yaml.safe_load(
    (EXAMPLES / "new-diabetic-client-answered.yaml").read_text(encoding="utf-8")
)
# The same client with moderate hypersensitivity, whose first week is split in three
# (with severe hypersensitivity it is one visit).
SPLIT_CLIENT = {**NEW_CLIENT, "hypersensitivity": "moderate"}


def _texts(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted
    return " ".join(" ".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_the_chart_says_what_it_shows() -> None:
    course = project_course(SPLIT_CLIENT, 6)
    text = _texts(course_svg(course))
    for label in (
        "Projected course over 6 weeks",
        "HOLD: do not book until resolved: consult physician",
        "week of the course",
        "minutes of massage in the week",
        "pressure level",
        "visit 1 (minutes)",
        "visit 3 (minutes)",
        "pressure allowed at each visit (level)",
        "1 very light",
        "4 firm",
        "5 deep",
        "60 min",
        "Assumes the weeks start once the holds above are resolved",
    ):
        assert label in text, label


def test_minutes_stack_by_visit_and_pressure_is_drawn_per_visit() -> None:
    # Imported here: numpy's BLAS starts threads, and a process with threads
    # (rightly) never forks the batch workers that tests/test_batch.py checks.
    import numpy  # noqa: PLC0415 - see above

    course = project_course(SPLIT_CLIENT, 3)  # 20 + 20 + 20, then 30 + 30 twice
    minutes, pressure = course_figure(course).axes
    by_visit = [[bar.get_height() for bar in bars] for bars in minutes.containers]
    assert by_visit == [[20, 30, 30], [20, 30, 30], [20, 0, 0]]
    line, held = pressure.get_lines()
    # Level 1 all of week 1, then a level a week: never a rise within a week.
    assert numpy.asarray(line.get_ydata(), dtype=float).tolist() == [1, 1, 1, 2, 2, 3, 3]
    # The swollen ankles and feet held at level 2 once the week's pressure is above it.
    assert held.get_label() == "ankles, feet: at most (level; 0: no work)"
    assert numpy.asarray(held.get_xdata(), dtype=float).tolist() == [3]
    assert numpy.asarray(held.get_ydata(), dtype=float).tolist() == [2]
    xs = numpy.asarray(line.get_xdata(), dtype=float).tolist()
    assert xs == sorted(xs)
    assert all(0.7 <= x <= 1.3 for x in xs[:3])


def test_the_same_course_gives_the_same_file() -> None:
    course = project_course(NEW_CLIENT, 4)
    assert course_svg(course) == course_svg(course)


def test_without_matplotlib_the_chart_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MassagePlanError, match=r"pip install 'massageplan\[chart\]'"):
        course_svg(project_course(NEW_CLIENT, 2))
    profile = str(EXAMPLES / "new-diabetic-client.yaml")
    assert main(["course", profile, "--weeks", "2", "--svg", "-"]) == 2
    err = capsys.readouterr().err
    assert err == "massageplan: course charts need matplotlib: pip install 'massageplan[chart]'\n"
