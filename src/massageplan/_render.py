"""Plans as text a therapist can hand over, with numbered sources like the article's footnotes."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._plan import EVERY_TECHNIQUE, Reason, SessionPlan, Severity, Source, SourceKind
from ._words import pressure_words, words


class _Footnotes:
    """Numbers each source once, in order of first citation in the rendering."""

    def __init__(self, plan: SessionPlan) -> None:
        self.by_id: dict[str, Source] = {s.id: s for s in plan.sources}
        self.numbers: dict[str, int] = {}

    def cite(self, reasons: tuple[Reason, ...]) -> str:
        marks: list[str] = []
        for reason in reasons:
            for source_id in reason.sources:
                number = self.numbers.setdefault(source_id, len(self.numbers) + 1)
                if f"[{number}]" not in marks:
                    marks.append(f"[{number}]")
        return "".join(marks)

    def entries(self) -> list[str]:
        return [f"[{n}] {_entry(self.by_id[s])}" for s, n in self.numbers.items()]


def _entry(source: Source) -> str:
    year = f", {source.year}" if source.year else ""
    url = f" {source.url}" if source.url else ""
    kind = (
        ""
        if source.kind in (SourceKind.ARTICLE, SourceKind.REFERENCE)
        else (f" ({words(source.kind.value)})")
    )
    return f"{source.publisher}{year}: \u201c{source.title}\u201d{url}{kind}"


@dataclass
class _Line:
    head: str  # what to do, short
    detail: str = ""  # why, or the full advice
    cite: str = ""


@dataclass
class _Document:
    """A plan laid out once, for every format."""

    holds: list[_Line] = field(default_factory=list)
    week: list[_Line] = field(default_factory=list)
    techniques: list[_Line] = field(default_factory=list)
    avoid: list[_Line] = field(default_factory=list)
    advice: list[_Line] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _layout(plan: SessionPlan) -> _Document:
    notes = _Footnotes(plan)
    doc = _Document()
    for hold in plan.holds:
        doc.holds.append(_Line(hold.text, cite=notes.cite(hold.reasons)))
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
                f"{words(technique.name.value)}, up to {pressure_words(technique.max_pressure)}",
                ", ".join(words(a.value) for a in technique.areas),
                notes.cite(technique.reasons),
            )
        )
    for restriction in plan.restrictions:
        what = (
            "work of any kind"
            if restriction.technique == EVERY_TECHNIQUE
            else words(str(getattr(restriction.technique, "value", restriction.technique)))
        )
        above = (
            ""
            if restriction.max_pressure is None
            else (f" above {pressure_words(restriction.max_pressure)}")
        )
        doc.avoid.append(
            _Line(
                f"no {what}{above} on " + ", ".join(words(a.value) for a in restriction.areas),
                " ".join(r.text for r in restriction.reasons),
                notes.cite(restriction.reasons),
            )
        )
    for advice in plan.advice:
        mark = "" if advice.severity is Severity.INFO else f"{advice.severity.value.upper()}: "
        doc.advice.append(_Line(mark + advice.text, cite=notes.cite(advice.reasons)))
    doc.sources = notes.entries()
    return doc


def render_text(plan: SessionPlan) -> str:
    """A plain-text plan: visits, pressure, techniques, what to avoid, advice, sources."""
    doc = _layout(plan)

    def line(item: _Line, sep: str) -> str:
        body = f"{item.head}{sep}{item.detail}" if item.detail else item.head
        return f"{body} {item.cite}".rstrip()

    out = []
    if doc.holds:
        out += ["HOLD: DO NOT BOOK YET", *(f"  - {line(i, '')}" for i in doc.holds), ""]
    out += ["THIS WEEK", *(f"  {line(i, '')}" for i in doc.week), "", "TECHNIQUES"]
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
    if doc.holds:
        out += ["## Hold: do not book yet", ""]
        out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.holds]
        out.append("")
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
