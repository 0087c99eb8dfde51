"""Course projection: pressure one level a week, visits lengthening to an hour."""

from __future__ import annotations

import itertools

import pytest

from massageplan import MassagePlanError
from massageplan.plan.course import project_course
from massageplan.render.course import course_chart, course_table
from tests.strategies import ANSWERED_NONE

# Every screening question answered "none": the article's ramp, untouched by
# the cautious limits of a question not yet asked.
NEW_CLIENT = {
    **ANSWERED_NONE,
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "severe",
    "swelling": ["feet"],
    "tolerance": {"minutes": 20},
}


def test_pressure_rises_one_level_a_week_to_the_target() -> None:
    course = project_course(NEW_CLIENT, weeks=5)
    # One very light visit in the first week (severe hypersensitivity: its
    # reaction is known before the next), then a level a week up to firm, the
    # built-in ceiling; never within a week.
    assert [w.pressures for w in course.weeks] == [(1,), (2, 2), (3, 3), (4, 4), (4,)]
    pressures = [p for week in course.weeks for p in week.pressures]
    assert all(b - a <= 1 for a, b in itertools.pairwise(pressures))


def test_every_step_up_cites_the_project_default() -> None:
    course = project_course(NEW_CLIENT, weeks=5)
    reasons = {r.rule_id: r for r in course.reasons}
    kinds = {s.id: s.kind.value for s in course.sources}
    for before, week in itertools.pairwise(course.weeks):
        stepped = max(week.pressures) > max(before.pressures)
        assert ("course-one-level-a-week" in week.reasons) == stepped
        assert week.reasons, f"week {week.week}'s pressure cites nothing"
    step = reasons["course-one-level-a-week"]
    assert "one level a week is this project's choice" in step.text
    assert "project_default" in {kinds[s] for s in step.sources}
    assert [r.rule_id for r in course.reasons].count("course-one-level-a-week") == 1


def test_screening_limits_hold_in_every_week() -> None:
    on_chemotherapy = {
        **NEW_CLIENT,
        "hypersensitivity": "none",
        "physician_consulted": True,
        "on_chemotherapy": True,
        "port_sites": ["chest"],
        "tolerance": {"minutes": 60, "pressure": 2},
    }
    course = project_course(on_chemotherapy, weeks=6)
    assert all(w.pressures == (2,) for w in course.weeks)
    assert all("course-one-level-a-week" not in w.reasons for w in course.weeks)


def test_visits_lengthen_until_one_hour_a_week() -> None:
    course = project_course(NEW_CLIENT, weeks=6)
    # One visit in the first week (severe hypersensitivity), then split.
    assert [w.visits for w in course.weeks] == [
        (20,),
        (30, 30),
        (30, 30),
        (30, 30),
        (60,),
        (60,),
    ]
    assert [w.tolerated_minutes for w in course.weeks] == [20, 30, 40, 50, 60, 70]
    assert all(w.minutes <= 60 for w in course.weeks)


def test_slower_growth_can_be_assumed() -> None:
    course = project_course(NEW_CLIENT, weeks=3, minutes_gain=0)
    assert [w.visits for w in course.weeks] == [(20,), (20, 20, 20), (20, 20, 20)]
    assert any("grows by 0 minutes" in a for a in course.assumptions)


@pytest.mark.parametrize(("weeks", "gain"), [(0, 10), (105, 10), (4, -1), (4, 61)])
def test_bad_arguments(weeks: int, gain: int) -> None:
    with pytest.raises(MassagePlanError):
        project_course(NEW_CLIENT, weeks=weeks, minutes_gain=gain)


def test_table_and_text_chart() -> None:
    course = project_course(NEW_CLIENT, weeks=5)
    table = course_table(course)
    # The client has not seen the doctor: the hold comes first, then the weeks.
    lines = table.splitlines()
    assert lines[0].startswith("HOLD:")
    header = lines.index(next(line for line in lines if line.startswith("week")))
    assert lines[header + 1].split() == [
        "1",
        "20",
        "20",
        "level",
        "1",
        "(very",
        "light)",
    ]
    assert "pressure rises at most a level a week" in table
    assert "| week | visits |" in course_table(course, markdown=True)
    chart = course_chart(course).splitlines()
    assert chart[1].split()[:2] == ["1", "####"]
    assert chart[1].split()[-1] == "*"  # level 1 all week, as the table says
    assert chart[2].split()[-1] == "**"
    assert chart[5].split()[:2] == ["5", "############"]


def test_a_held_course_says_so_first() -> None:
    new_client = {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "mild",
        "tolerance": {"minutes": 60},
    }
    course = project_course(new_client, 2)
    assert [h.code.value for h in course.holds] == ["consult_physician"]
    table = course_table(course)
    assert table.startswith("HOLD: Do not book yet")
    assert "the weeks start once the holds above are resolved" in table
    assert course_table(course, markdown=True).startswith("**HOLD: Do not book yet")
    consulted = project_course({**new_client, "physician_consulted": True}, 2)
    assert consulted.holds == ()
    assert course_table(consulted).startswith("week")
