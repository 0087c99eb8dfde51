"""Plans as text a therapist can hand over, with numbered sources like the article's footnotes."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._plan import Reason, SessionPlan, Source
from ._profile import PRESSURE_WORDS


def words(name: str) -> str:
    return name.replace("_", " ")


class _Footnotes:
    """Numbers each distinct source once, in order of first citation."""

    def __init__(self) -> None:
        # Keyed by what a reader sees: the article cites one work as [2], [3] and [6].
        self.numbers: dict[tuple[str, str, str], int] = {}
        self.sources: dict[int, Source] = {}

    def cite(self, reasons: tuple[Reason, ...]) -> str:
        marks: list[str] = []
        for reason in reasons:
            for source in reason.sources:
                key = (source.publisher, source.title, source.url)
                number = self.numbers.setdefault(key, len(self.numbers) + 1)
                self.sources.setdefault(number, source)
                if f"[{number}]" not in marks:
                    marks.append(f"[{number}]")
        return "".join(marks)


@dataclass
class _Line:
    head: str  # what to do, short
    detail: str = ""  # why, or the full advice
    cite: str = ""


@dataclass
class _Document:
    """A plan laid out once, for every format."""

    week: list[_Line] = field(default_factory=list)
    techniques: list[_Line] = field(default_factory=list)
    avoid: list[_Line] = field(default_factory=list)
    advice: list[_Line] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def pressure_words(level: int) -> str:
    return f"level {level} ({PRESSURE_WORDS[level]})"


def _layout(plan: SessionPlan) -> _Document:
    notes = _Footnotes()
    doc = _Document()
    minutes = [v.minutes for v in plan.visits]
    if minutes:
        count = f"{len(minutes)} visit" + ("s" if len(minutes) > 1 else "")
        each = f"{minutes[0]} minutes" if len(set(minutes)) == 1 else ", ".join(map(str, minutes))
        doc.week.append(_Line(f"{count} of {each}", cite=notes.cite(plan.visits[0].reasons)))
    else:
        doc.week.append(_Line("no visits"))
    doc.week.append(
        _Line(
            f"pressure at most {pressure_words(plan.pressure)}",
            cite=notes.cite(plan.pressure_reasons),
        )
    )
    for technique in plan.techniques:
        doc.techniques.append(
            _Line(
                f"{words(technique.name.value)}, up to level {technique.max_pressure}",
                ", ".join(words(a.value) for a in technique.areas),
                notes.cite(technique.reasons),
            )
        )
    for restriction in plan.restrictions:
        doc.avoid.append(
            _Line(
                f"no {words(restriction.technique.value)} on "
                + ", ".join(words(a.value) for a in restriction.areas),
                " ".join(r.text for r in restriction.reasons),
                notes.cite(restriction.reasons),
            )
        )
    for advice in plan.advice:
        doc.advice.append(_Line(advice.text, cite=notes.cite(advice.reasons)))
    doc.sources = [
        f"[{number}] {source.publisher}: \u201c{source.title}\u201d {source.url}"
        for number, source in notes.sources.items()
    ]
    return doc


def render_text(plan: SessionPlan) -> str:
    """A plain-text plan: visits, pressure, techniques, what to avoid, advice, sources."""
    doc = _layout(plan)

    def line(item: _Line, sep: str) -> str:
        body = f"{item.head}{sep}{item.detail}" if item.detail else item.head
        return f"{body} {item.cite}".rstrip()

    out = ["THIS WEEK", *(f"  {line(i, '')}" for i in doc.week), "", "TECHNIQUES"]
    out += [f"  {line(i, ': ')}" for i in doc.techniques]
    if doc.avoid:
        out += ["", "AVOID", *(f"  {line(i, ': ')}" for i in doc.avoid)]
    out += ["", "ADVICE", *(f"  - {line(i, '')}" for i in doc.advice)]
    out += ["", "SOURCES", *(f"  {s}" for s in doc.sources)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    # Table cells and list items: keep a stray pipe or asterisk from reshaping the page.
    return text.replace("|", "\\|").replace("*", "\\*")


def render_markdown(plan: SessionPlan) -> str:
    """The plan as Markdown, with a techniques table and numbered sources."""
    doc = _layout(plan)
    out = ["# Massage plan for this week", ""]
    out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.week]
    out += ["", "## Techniques", "", "| Technique | Areas | Sources |", "| --- | --- | --- |"]
    out += [f"| {_md(i.head)} | {_md(i.detail)} | {i.cite} |" for i in doc.techniques]
    if doc.avoid:
        out += ["", "## Avoid", ""]
        out += [f"- **{_md(i.head)}**: {_md(i.detail)} {i.cite}".rstrip() for i in doc.avoid]
    out += ["", "## Advice", ""]
    out += [f"- {_md(i.head)} {i.cite}".rstrip() for i in doc.advice]
    out += ["", "## Sources", ""]
    out += [f"{_md(s)}  " for s in doc.sources]
    return "\n".join(out).rstrip() + "\n"
