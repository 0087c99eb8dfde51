"""A projected course as text: a table, and bars a terminal can show."""

from __future__ import annotations

from ..model.course import Course
from ..model.wording import pressure_words


def course_table(course: Course, markdown: bool = False) -> str:
    """The course as a table: week, visits, minutes, pressure."""
    header = ["week", "visits", "minutes", "pressure"]
    rows = []
    for week in course.weeks:
        visits = " + ".join(str(m) for m in week.visits) or "none"
        low, high = min(week.pressures, default=0), max(week.pressures, default=0)
        pressure = pressure_words(low) if low == high else f"level {low} to {high}"
        rows.append([str(week.week), visits, str(week.minutes), pressure if low else "-"])
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
        lines.append(
            f"{week.week:>4}  {bar:<12} {longest:>3} min        {len(week.visits)} x     {pressure}"
        )
    return "\n".join(lines) + "\n"
