"""Plans as text a therapist can read, with numbered sources like the article's footnotes."""

from __future__ import annotations

from ._plan import Reason, SessionPlan, Source
from ._profile import PRESSURE_WORDS


def _words(name: str) -> str:
    return name.replace("_", " ")


class _Footnotes:
    """Numbers each distinct source once, in order of first citation."""

    def __init__(self) -> None:
        # Keyed by what a reader sees: the article cites one work as [2], [3] and [6].
        self.numbers: dict[tuple[str, str, str], int] = {}
        self.sources: dict[int, Source] = {}

    def cite(self, reasons: tuple[Reason, ...]) -> str:
        marks = []
        for reason in reasons:
            for source in reason.sources:
                key = (source.publisher, source.title, source.url)
                number = self.numbers.setdefault(key, len(self.numbers) + 1)
                self.sources.setdefault(number, source)
                if f"[{number}]" not in marks:
                    marks.append(f"[{number}]")
        return "".join(marks)


def render_text(plan: SessionPlan) -> str:
    """A plain-text plan: visits, pressure, techniques, what to avoid, advice, sources."""
    notes = _Footnotes()
    lines: list[str] = []
    minutes = [v.minutes for v in plan.visits]
    lines.append("THIS WEEK")
    if minutes:
        visits = f"{len(minutes)} visit" + ("s" if len(minutes) > 1 else "")
        each = f"{minutes[0]} minutes" if len(set(minutes)) == 1 else ", ".join(map(str, minutes))
        lines.append(f"  {visits} of {each} {notes.cite(plan.visits[0].reasons)}")
    else:
        lines.append("  no visits")
    pressure = f"level {plan.pressure} ({PRESSURE_WORDS[plan.pressure]})"
    lines.append(f"  pressure at most {pressure} {notes.cite(plan.pressure_reasons)}".rstrip())
    lines.append("")
    lines.append("TECHNIQUES")
    for technique in plan.techniques:
        areas = ", ".join(_words(a.value) for a in technique.areas)
        lines.append(
            f"  {_words(technique.name.value)}, up to level {technique.max_pressure}: {areas} "
            f"{notes.cite(technique.reasons)}"
        )
    if plan.restrictions:
        lines.append("")
        lines.append("AVOID")
        for restriction in plan.restrictions:
            areas = ", ".join(_words(a.value) for a in restriction.areas)
            why = " ".join(r.text for r in restriction.reasons)
            lines.append(
                f"  no {_words(restriction.technique.value)} on {areas}: {why} "
                f"{notes.cite(restriction.reasons)}"
            )
    lines.append("")
    lines.append("ADVICE")
    for advice in plan.advice:
        lines.append(f"  - {advice.text} {notes.cite(advice.reasons)}")
    lines.append("")
    lines.append("SOURCES")
    for number, source in notes.sources.items():
        lines.append(f"  [{number}] {source.publisher}: \u201c{source.title}\u201d {source.url}")
    return "\n".join(lines) + "\n"
