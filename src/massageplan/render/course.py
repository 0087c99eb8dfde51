"""A projected course as text: a table, and bars a terminal can show."""

from __future__ import annotations

from ..model.course import AreaCap, Course, CourseWeek
from ..model.wording import pressure_words, words


def area_caps_words(caps: tuple[AreaCap, ...]) -> str:
    """A week's areas held below its pressure: "ankles, feet at most 2; hands none"."""
    return "; ".join(
        ", ".join(words(a.value) for a in cap.areas)
        + (f" at most {cap.level}" if cap.level else " none")
        for cap in caps
    )


def _lower(week: CourseWeek) -> str:
    return area_caps_words(week.area_caps) if week.pressures else ""


def course_table(course: Course, markdown: bool = False) -> str:
    """The course as a table: week, visits, minutes, pressure, and the areas
    held below that pressure."""
    header = ["week", "visits", "minutes", "pressure"]
    held_lower = any(_lower(w) for w in course.weeks)
    if held_lower:
        header.append("held lower")
    rows = []
    for week in course.weeks:
        visits = " + ".join(str(m) for m in week.visits) or "none"
        low, high = min(week.pressures, default=0), max(week.pressures, default=0)
        pressure = pressure_words(low) if low == high else f"level {low} to {high}"
        row = [str(week.week), visits, str(week.minutes), pressure if low else "-"]
        rows.append([*row, _lower(week) or "-"] if held_lower else row)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]
        ]
    notes = ["", "Assumes " + "; ".join(course.assumptions) + "."]
    if course.step_back:
        notes += ["", course.step_back]
    held = [f"HOLD: {h.text}" for h in course.holds]
    if held:
        held = [f"**{line}**" for line in held] if markdown else held
        held.append("")
    return "\n".join(held + lines + notes) + "\n"


def course_chart(course: Course) -> str:
    """Visit length and pressure per week as bars a terminal can show.

    Pressure shows the week's range as the table does: ``*`` up to the first
    visit's level, ``+`` for each level it rises to by the week's last visit.
    """
    lines = ["week  visit length (# = 5 minutes)   visits   pressure (* first visit, + rises to)"]
    for week in course.weeks:
        longest = max(week.visits, default=0)
        bar = "#" * (longest // 5)
        low, high = min(week.pressures, default=0), max(week.pressures, default=0)
        pressure = "*" * low + "+" * (high - low)
        lower = _lower(week)
        lines.append(
            f"{week.week:>4}  {bar:<12} {longest:>3} min        {len(week.visits)} x     "
            f"{pressure:<5}{'  held lower: ' + lower if lower else ''}".rstrip()
        )
    return "\n".join(lines) + "\n"
