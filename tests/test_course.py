"""Course projection: pressure one level a week, visits lengthening to an hour."""

from __future__ import annotations

import itertools

import pytest

from massageplan import ClientProfile, MassagePlanError, Reaction
from massageplan.plan.course import project_course
from massageplan.plan.invariants import course_breaches
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


def test_pressure_rises_every_other_week_with_severe_hypersensitivity() -> None:
    course = project_course(NEW_CLIENT, weeks=7)
    # One very light visit in the first week (severe hypersensitivity: its
    # reaction is known before the next), then a level every other week up to
    # firm, the built-in ceiling (invariant 27); never within a week.
    assert [w.pressures for w in course.weeks] == [
        (1,),
        (2,),
        (2, 2),
        (3, 3),
        (3,),
        (4,),
        (4,),
    ]
    held = [w.week for w in course.weeks if "course-every-other-week-when-severe" in w.reasons]
    assert held == [3, 5]
    pressures = [p for week in course.weeks for p in week.pressures]
    assert all(b - a <= 1 for a, b in itertools.pairwise(pressures))


def test_pressure_rises_a_level_a_week_without_severe_hypersensitivity() -> None:
    course = project_course({**NEW_CLIENT, "hypersensitivity": "moderate"}, weeks=5)
    assert [max(w.pressures) for w in course.weeks] == [1, 2, 3, 4, 4]


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


def test_visits_lengthen_by_15_minutes_a_week_at_most_until_one_hour() -> None:
    course = project_course(NEW_CLIENT, weeks=6)
    # One visit in the first week (severe hypersensitivity), then the plan's
    # split visits, the week's time growing by 15 minutes at most (invariant
    # 27): 20, 30 (a second visit of 5 would be too short), 45, 60.
    assert [w.visits for w in course.weeks] == [
        (20,),
        (30,),
        (30, 15),
        (30, 30),
        (60,),
        (60,),
    ]
    grown = [w.week for w in course.weeks if "course-minutes-growth" in w.reasons]
    assert grown == [2, 3]
    assert [w.tolerated_minutes for w in course.weeks] == [20, 30, 40, 50, 60, 70]
    assert all(w.minutes <= 60 for w in course.weeks)


def test_slower_growth_can_be_assumed() -> None:
    course = project_course(NEW_CLIENT, weeks=3, minutes_gain=0)
    # The plan's three visits of 20 would triple the week: 35, then 50 at most.
    assert [w.visits for w in course.weeks] == [(20,), (20, 15), (20, 20)]
    assert any("grows by 0 minutes" in a for a in course.assumptions)


def test_a_course_is_a_projection_of_good_weeks_and_says_how_to_step_back() -> None:
    course = project_course(NEW_CLIENT, weeks=4)
    assert course.reaction_assumed.value == "fine"
    assert any("fine after every session" in a for a in course.assumptions)
    assert course.step_back.startswith("When a week is not good: after a flare")
    table = course_table(course)
    assert "a good week every week" in table
    assert "after soreness, hold the pressure" in " ".join(table.split())


def test_the_course_shows_the_areas_held_lower() -> None:
    course = project_course({**NEW_CLIENT, "physician_consulted": True}, weeks=5)
    # The swollen feet: gentle work only, at most level 2, once the week's
    # pressure is above that (week 4 on).
    assert [[(c.level, [a.value for a in c.areas]) for c in w.area_caps] for w in course.weeks] == [
        [],
        [],
        [],
        [(2, ["feet"])],
        [(2, ["feet"])],
    ]
    table = course_table(course).splitlines()
    assert table[0].split()[-2:] == ["held", "lower"]
    assert table[4].endswith("feet at most 2")
    assert table[1].endswith("-")
    assert course_chart(course).splitlines()[4].endswith("held lower: feet at most 2")


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
        "-",
    ]
    assert "pressure rises at most a level a week" in table
    assert "| week | visits |" in course_table(course, markdown=True)
    chart = course_chart(course).splitlines()
    assert chart[1].split()[:2] == ["1", "####"]
    assert chart[1].split()[-1] == "*"  # level 1 all week, as the table says
    assert chart[2].split()[-1] == "**"
    assert chart[5].split()[:2] == ["5", "############"]
    assert chart[5].split()[6] == "***"  # week 5 holds week 4's level (severe)


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


def test_a_course_that_is_not_of_good_weeks_is_found() -> None:
    """Invariant 27's check finds each way a course can break it."""
    good = project_course({**NEW_CLIENT, "physician_consulted": True}, weeks=6)
    start = ClientProfile.model_validate({**NEW_CLIENT, "physician_consulted": True})
    assert course_breaches(good, start) == []
    weeks = list(good.weeks)
    broken = {
        "no step back": good.model_copy(update={"step_back": ""}),
        "other reaction": good.model_copy(update={"reaction_assumed": Reaction.SORE}),
        "time tripled": good.model_copy(
            update={"weeks": (weeks[0], weeks[1].model_copy(update={"visits": (20, 20, 20)}))}
        ),
        "two rises running": good.model_copy(
            update={
                "weeks": (
                    weeks[0],
                    weeks[1],
                    weeks[2].model_copy(update={"pressures": (3, 3)}),
                )
            }
        ),
    }
    said = {
        "no step back": "does not state the step back",
        "other reaction": "does not assume a fine reaction",
        "time tripled": "week 2 has 60 minutes, 20 the week before",
        "two rises running": "pressure rises two weeks running to week 3",
    }
    for name, course in broken.items():
        breaches = course_breaches(course, start)
        found = [str(b) for b in breaches]
        assert any(said[name] in f for f in found), (name, found)
        assert 27 in {b.invariant.number for b in breaches if said[name] in str(b)}
