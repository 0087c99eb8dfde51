"""The course projection as a chart a clinic can print, drawn with matplotlib (the 'chart' extra).

Minutes per week are bars stacked by visit, on the left axis; the pressure
allowed at each visit is a line of points on its own axis, on the right, so
that a split week shows as the same hour in more pieces, and a week whose
pressure rises from 1 to 3 shows every step. Drawn with matplotlib's object
interface (no pyplot, no global figure, no window), so it is safe in a server.
"""

from __future__ import annotations

import io
import textwrap
import threading
from typing import TYPE_CHECKING, Any

from ..model.course import Course
from ..model.errors import MassagePlanError
from ..model.profile import PRESSURE_WORDS
from ..model.wording import words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Visits in blues that print apart in grey too; pressure in a red that reads as a warning.
_VISITS = ("#1f4e79", "#4f81bd", "#9dc3e6", "#c9dcef")
_PRESSURE = "#b03a2e"
# Per-area caps in dark greys and browns, dashed, apart from the pressure line.
_HELD = ("#5d4037", "#616161", "#8d6e63")
# Text stays text (searchable, selectable, readable by a screen reader), and ids
# and metadata are fixed, so the same course always gives the same file.
_SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "massageplan"}
# matplotlib's settings are process-wide: one chart is written at a time.
_settings_lock = threading.Lock()


def _matplotlib() -> Any:
    try:
        import matplotlib  # noqa: PLC0415 - an optional extra, loaded only to draw
    except ImportError:
        raise MassagePlanError(
            "course charts need matplotlib: pip install 'massageplan[chart]'"
        ) from None
    return matplotlib


def course_figure(course: Course) -> Figure:
    """The course as a matplotlib figure: stacked minutes, pressure per visit, legend, notes."""
    _matplotlib()
    from matplotlib.figure import Figure  # noqa: PLC0415 - only once matplotlib is known to be there

    figure = Figure(figsize=(8.5, 5.5), layout="constrained")
    minutes = figure.add_subplot()
    weeks = [w.week for w in course.weeks]
    stacked = [0] * len(weeks)
    for visit in range(max((len(w.visits) for w in course.weeks), default=0)):
        lengths = [w.visits[visit] if visit < len(w.visits) else 0 for w in course.weeks]
        minutes.bar(
            weeks,
            lengths,
            bottom=stacked,
            width=0.7,
            color=_VISITS[visit % len(_VISITS)],
            edgecolor="white",
            label=f"visit {visit + 1} (minutes)",
        )
        stacked = [s + n for s, n in zip(stacked, lengths, strict=True)]
    for x, total in zip(weeks, stacked, strict=True):
        minutes.annotate(f"{total} min", (x, total), ha="center", va="bottom", fontsize=8)
    minutes.set_xlabel("week of the course")
    minutes.set_ylabel("minutes of massage in the week")
    minutes.set_xticks(weeks)
    # Head room above the bars and the pressure line, where the legend goes.
    minutes.set_ylim(0, max([60, *stacked]) * 1.6)

    pressure = minutes.twinx()
    xs: list[float] = []
    levels: list[int] = []
    for week in course.weeks:
        count = len(week.pressures)
        for n, level in enumerate(week.pressures):
            # The week's visits side by side within its bar, in order.
            xs.append(week.week + (0.0 if count == 1 else -0.25 + 0.5 * n / (count - 1)))
            levels.append(level)
    pressure.plot(
        xs,
        levels,
        color=_PRESSURE,
        marker="o",
        linewidth=1.5,
        label="pressure allowed at each visit (level)",
    )
    # Areas the plans hold below the week's pressure, each group as its own
    # dashed line: the per-area caps a therapist must not miss in a course.
    held: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for week in course.weeks:
        for cap in week.area_caps if week.pressures else ():
            held.setdefault(tuple(a.value for a in cap.areas), []).append((week.week, cap.level))
    for n, (areas, points) in enumerate(held.items()):
        pressure.plot(
            [x for x, _ in points],
            [y for _, y in points],
            color=_HELD[n % len(_HELD)],
            linestyle="--",
            marker="s",
            linewidth=1,
            label=f"{', '.join(words(a) for a in areas)}: at most (level; 0: no work)",
        )
    pressure.set_ylim(-0.5, 7.5)
    levels_said = {0: "no work", **PRESSURE_WORDS}
    pressure.set_yticks(list(levels_said), [f"{n} {w}" for n, w in levels_said.items()])
    pressure.set_ylabel("pressure level", color=_PRESSURE)

    bars, bar_labels = minutes.get_legend_handles_labels()
    line, line_labels = pressure.get_legend_handles_labels()
    minutes.legend(bars + line, bar_labels + line_labels, loc="upper center", ncols=2, fontsize=8)
    title = f"Projected course over {len(course.weeks)} weeks"
    if course.holds:
        title += "\nHOLD: do not book until resolved: " + "; ".join(
            words(h.code.value) for h in course.holds
        )
    minutes.set_title(title, fontsize=11, color=_PRESSURE if course.holds else "black")
    notes = "Assumes " + "; ".join(course.assumptions) + ". " + course.step_back
    figure.supxlabel("\n".join(textwrap.wrap(notes, 120)), fontsize=7)
    return figure


def course_svg(course: Course) -> str:
    """The course chart as a standalone SVG document, the same for the same course."""
    matplotlib = _matplotlib()
    figure = course_figure(course)
    out = io.StringIO()
    with _settings_lock, matplotlib.rc_context(_SVG_SETTINGS):
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "massageplan"})
    return out.getvalue()
