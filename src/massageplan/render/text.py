"""Plans as text a therapist can hand over, with numbered sources like the article's footnotes."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..model.plan import (
    EVERY_TECHNIQUE,
    QUESTION_TOPIC,
    QUESTION_UNKNOWN,
    TECHNIQUES,
    Advice,
    Reason,
    SessionPlan,
    Severity,
    Source,
    SourceKind,
)
from ..model.plan import Audience as AdviceAudience
from ..model.profile import (
    PRESSURE_WORDS,
    PROFILE_FIELDS,
    BodyArea,
    ClientProfile,
    FieldKind,
    Reaction,
)
from ..model.wording import pressure_words, technique_words, words


class _Footnotes:
    """Numbers each source once, in order of first citation in the rendering."""

    def __init__(self, plan: SessionPlan) -> None:
        self.by_id: dict[str, Source] = {s.id: s for s in plan.sources}
        self.reasons: dict[str, Reason] = {r.rule_id: r for r in plan.reasons}
        self.numbers: dict[str, int] = {}

    def cite(self, reasons: tuple[str, ...]) -> str:
        """The marks for the reasons with these rule ids, in ascending order
        ("[3][4]", never "[4][3]")."""
        numbers = {
            self.numbers.setdefault(source_id, len(self.numbers) + 1)
            for rule_id in reasons
            for source_id in self.reasons[rule_id].sources
        }
        return "".join(f"[{n}]" for n in sorted(numbers))

    def entries(self) -> list[str]:
        return [f"[{n}] {_entry(self.by_id[s])}" for s, n in self.numbers.items()]

    def numbered(self) -> list[tuple[int, Source]]:
        return [(n, self.by_id[s]) for s, n in self.numbers.items()]


def _entry(source: Source) -> str:
    year = f", {source.year}" if source.year else ""
    url = f" {source.url}" if source.url else ""
    kind = (
        ""
        if source.kind in (SourceKind.ARTICLE, SourceKind.REFERENCE)
        else (f" ({words(source.kind.value)})")
    )
    return f"{source.publisher}{year}: \u201c{source.title}\u201d{url}{kind}"


WEEK_TITLE = "This week"
HELD_WEEK_TITLE = "Once cleared:"
HOLD_PREFIX = "Do not book yet: "  # what the hold heading already says


@dataclass
class _Line:
    head: str  # what to do, short
    detail: str = ""  # why, or the full advice
    cite: str = ""
    # An avoid line's areas, by what they are, each with its own citations:
    # ("hands (swollen)", "[3]"). The head says them all, and the cite is
    # theirs where they share it, else empty.
    groups: tuple[tuple[str, str], ...] = ()

    def cited_head(self) -> str:
        """The head with each group's citations after it, where they differ."""
        if self.cite or not self.groups:
            return self.head
        return "; ".join(f"{label} {cite}" for label, cite in self.groups)


@dataclass
class _Document:
    """A plan laid out once, for every format."""

    holds: list[_Line] = field(default_factory=list)
    # The week's heading: under a hold, the week is what follows the clearance.
    week_title: str = WEEK_TITLE
    # The therapist's questions, one a line; the client's, one line naming them all.
    questions: list[_Line] = field(default_factory=list)
    week: list[_Line] = field(default_factory=list)
    techniques: list[_Line] = field(default_factory=list)
    avoid: list[_Line] = field(default_factory=list)
    # How the session is run, in order: every step for the therapist; the
    # client, the steps that concern them, in their words.
    protocol: list[_Line] = field(default_factory=list)
    # Why the avoid lines say what they say: each reason once, in one paragraph.
    why: str = ""
    advice: list[_Line] = field(default_factory=list)
    # In the therapist's plan: the advice written to the client, to pass on,
    # and the general notes, folded into one line.
    for_client: list[_Line] = field(default_factory=list)
    notes: list[_Line] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # The same footnotes as (number, source), for formats that link them.
    cited: list[tuple[int, Source]] = field(default_factory=list)


def _layout(
    plan: SessionPlan, audience: str = "therapist", profile: ClientProfile | None = None
) -> _Document:
    notes = _Footnotes(plan)
    doc = _Document()
    client = audience == "client"
    # Every hold, in its reader's words, and once: the heading says "do not book".
    for hold in plan.holds:
        text = hold.client_text if client else _after_heading(hold.text)
        doc.holds.append(_Line(text, cite=notes.cite(hold.reasons)))
    if plan.holds:
        doc.week_title = HELD_WEEK_TITLE
    if client and plan.questions:
        topics = [QUESTION_TOPIC[q.code] for q in plan.questions]
        doc.questions.append(_Line(f"Your therapist will ask you about {_and(topics)}."))
    else:
        doc.questions += [_Line(q.text, cite=notes.cite(q.reasons)) for q in plan.questions]
    minutes = [v.minutes for v in plan.visits]
    level = headline_pressure(plan)
    if minutes:
        count = f"{len(minutes)} visit" + ("s" if len(minutes) > 1 else "")
        each = f"{minutes[0]} minutes" if len(set(minutes)) == 1 else ", ".join(map(str, minutes))
        doc.week.append(_Line(f"{count} of {each}", cite=notes.cite(plan.visits[0].reasons)))
    else:  # only ever under a hold (invariant 3): no level to work at, no visit to book
        doc.week.append(_Line("no visits and no pressure level until the hold is cleared"))
    if level is not None:  # None exactly when there are no visits
        doc.week.append(
            _Line(
                f"pressure at most {pressure_words(level)}", cite=notes.cite(plan.pressure_reasons)
            )
        )
    # The client reads what to do and why, not the therapist's technique list.
    for technique in () if client else plan.techniques:
        doc.techniques.append(
            _Line(
                f"{_capital(technique_words(technique.name.value))}, up to "
                f"{pressure_words(technique.max_pressure)}",
                area_words(technique.areas),
                notes.cite(technique.reasons),
            )
        )
    if not client:
        doc.avoid, doc.why = _avoid_lines(plan, profile, notes)
    for step in plan.protocol:
        said = step.client_text if client else step.text
        if said:
            doc.protocol.append(_Line(said, cite=notes.cite(step.reasons)))
    _advise(plan, client, notes, doc)
    doc.sources = notes.entries()
    doc.cited = notes.numbered()
    return doc


def _after_heading(text: str) -> str:
    """A hold's text without the words its heading says: "Do not book yet" once."""
    return _capital(text.removeprefix(HOLD_PREFIX)) if text.startswith(HOLD_PREFIX) else text


def headline_pressure(plan: SessionPlan) -> int | None:
    """The pressure the plan's headline states: the firmest any listed technique
    may use (never above the plan's own cap); None with no visits, when there
    is nothing to work at."""
    if not plan.visits:
        return None
    used = [t.max_pressure for t in plan.techniques]
    return min(plan.pressure, max(used)) if used else plan.pressure


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _advise(plan: SessionPlan, client: bool, notes: _Footnotes, doc: _Document) -> None:
    """The advice lines: for the client, what is written to them; for the therapist,
    their own items, then what to pass on to the client, then the general notes
    folded into one line. Cited in that order, so footnotes number in order of use."""

    def line(advice: Advice) -> _Line:
        mark = "" if advice.severity is Severity.INFO else f"{advice.severity.value.upper()}: "
        return _Line(mark + advice.text, cite=notes.cite(advice.reasons))

    held = {h.code.value for h in plan.holds}  # said already, under the hold
    unsaid = [a for a in plan.advice if a.code.value not in held]
    if client:
        doc.advice += [line(a) for a in unsaid if a.audience is not AdviceAudience.THERAPIST]
        return
    folded = [a for a in unsaid if a.severity is Severity.INFO]  # evidence, general notes
    to_pass_on = [a for a in unsaid if a not in folded and a.audience is AdviceAudience.CLIENT]
    doc.advice += [line(a) for a in unsaid if a not in folded and a not in to_pass_on]
    doc.for_client += [line(a) for a in to_pass_on]
    if folded:
        names = ", ".join(words(a.code.value) for a in folded)
        cites = notes.cite(tuple(r for a in folded for r in a.reasons))
        doc.notes.append(_Line(f"Also in the plan, for reading: {names}", cite=cites))


# What is never done where, said in this order (the article names friction first).
_AVOID_ORDER = tuple(
    name.value for name, _ in sorted(TECHNIQUES.items(), key=lambda pair: pair[1].avoid_order)
)


@dataclass(frozen=True)
class _AreaRule:
    """All that the restrictions say of one area."""

    nothing: bool  # no work of any kind
    cap: int | None  # nothing above this level
    banned: tuple[str, ...]  # techniques not at all, in _AVOID_ORDER
    capped: tuple[tuple[str, int], ...]  # a technique above a level of its own


def _avoid_lines(
    plan: SessionPlan, profile: ClientProfile | None, notes: _Footnotes
) -> tuple[list[_Line], str]:
    """What not to do where: one line for each group of areas the restrictions
    treat alike ("ankles and feet (swollen): gentle work only, at most level 2;
    no friction, kneading or trigger-point therapy"), and the reasons behind
    them, each once, for a "Why" paragraph."""
    nothing: set[BodyArea] = set()
    caps: dict[BodyArea, int] = {}
    banned: dict[BodyArea, set[str]] = {}
    capped: dict[BodyArea, dict[str, int]] = {}
    cited: dict[BodyArea, dict[str, None]] = {}
    for restriction in plan.restrictions:
        technique = str(getattr(restriction.technique, "value", restriction.technique))
        for area in restriction.areas:
            cited.setdefault(area, {}).update(dict.fromkeys(restriction.reasons))
            if technique == EVERY_TECHNIQUE and restriction.max_pressure is None:
                nothing.add(area)
            elif technique == EVERY_TECHNIQUE:
                caps[area] = min(caps.get(area, 5), restriction.max_pressure or 5)
            elif restriction.max_pressure is None:
                banned.setdefault(area, set()).add(technique)
            else:
                own = capped.setdefault(area, {})
                own[technique] = min(own.get(technique, 5), restriction.max_pressure)
    # One line for each way areas are treated; within it, areas with the same
    # reasons and findings share a label, so each label says exactly what its
    # areas are and cites only what restricts them.
    unknown = {r: QUESTION_UNKNOWN[q.code] for q in plan.questions for r in q.reasons}
    found = {
        area: _findings(area, profile) + [unknown[r] for r in reasons if r in unknown]
        for area, reasons in cited.items()
    }
    # Reasons that restrict an area the profile says nothing of come from what
    # holds of the whole client ("on blood thinners"): where they restrict an
    # area, its label says so too.
    whole_client = {r for area, reasons in cited.items() if not found[area] for r in reasons}
    groups: dict[_AreaRule, dict[tuple[tuple[str, ...], str], list[BodyArea]]] = {}
    for area in (a for a in BodyArea if a in cited):
        rule = _AreaRule(
            area in nothing,
            caps.get(area),
            tuple(t for t in _AVOID_ORDER if t in banned.get(area, ())),
            tuple(sorted(capped.get(area, {}).items())),
        )
        reasons = tuple(cited[area])
        flags = _flags(profile) if whole_client.intersection(reasons) else []
        findings = ", ".join(dict.fromkeys(found[area] + flags))
        groups.setdefault(rule, {}).setdefault((reasons, findings), []).append(area)
    lines = []
    why: dict[str, None] = {}
    for rule, labelled in groups.items():
        parts = []
        for (reasons, findings), areas in labelled.items():
            why.update(dict.fromkeys(reasons))
            label = _listed(areas) + (f" ({findings})" if findings else "")
            parts.append((label, notes.cite(reasons)))
        shared = parts[0][1] if len({cite for _, cite in parts}) == 1 else ""
        head = "; ".join(label for label, _ in parts)
        lines.append(_Line(head, _what(rule), shared, tuple(parts)))
    text = " ".join(notes.reasons[r].text.rstrip() for r in why)
    return lines, text


def _what(rule: _AreaRule) -> str:
    if rule.nothing:
        return "no work of any kind"
    said = []
    if rule.cap is not None:
        level = pressure_words(rule.cap)
        said.append(f"gentle work only, at most {level}" if rule.cap <= 2 else f"at most {level}")
    said += [f"{technique_words(t)} at most {pressure_words(c)}" for t, c in rule.capped]
    if rule.banned:
        said.append("no " + _either([technique_words(t) for t in rule.banned]))
    return "; ".join(said)


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


# What puts an area at risk, as a plan's avoid lines say it, by area list.
_RISKS = tuple((f.name, f.at_risk) for f in PROFILE_FIELDS if f.at_risk)


def _flags(profile: ClientProfile | None) -> list[str]:
    """The screening answers that are yes, as the header says them."""
    if profile is None:
        return []
    return [
        f.header
        for f in PROFILE_FIELDS
        if f.kind is FieldKind.FLAG and f.screening and f.get(profile) is True
    ]


def _findings(area: BodyArea, profile: ClientProfile | None) -> list[str]:
    """What the profile says the area is: ['swollen', 'wound']."""
    if profile is None:
        return []
    return [label for name, label in _RISKS if area in (getattr(profile, name) or ())]


def _listed(areas: Sequence[BodyArea]) -> str:
    """'whole body', or the areas as people say them: 'both hands and feet'."""
    return "whole body" if set(areas) == set(BodyArea) else _and(_said(set(areas)))


Audience = Literal["therapist", "client"]
SCALE = "Pressure levels: " + ", ".join(f"{n} {w}" for n, w in PRESSURE_WORDS.items()) + "."
_COLOURS = {"CRITICAL": "\033[1;31m", "WARNING": "\033[33m", "HOLD": "\033[1;31m"}
_RESET = "\033[0m"


# Areas that people name together, largest first. A profile has no sides,
# so an area is on both sides of the body.
_REGIONS: tuple[tuple[frozenset[BodyArea], str], ...] = tuple(
    (frozenset(BodyArea(a) for a in names.split()), phrase)
    for names, phrase in (
        ("thighs knees lower_legs ankles feet", "both legs"),
        ("upper_arms forearms hands", "both arms"),
        ("lower_legs ankles feet", "both legs below the knee"),
        ("forearms hands", "both forearms and hands"),
        ("upper_back lower_back", "the whole back"),
    )
)


_BODY_ORDER = list(BodyArea)


def area_words(areas: Sequence[BodyArea]) -> str:
    """Areas as people say them: 'whole body', 'whole body except both legs
    below the knee', 'both forearms and hands, feet', in the body's order."""
    named = set(areas)
    if named == set(BodyArea):
        return "whole body"
    missing = _said(set(BodyArea) - named)
    if len(missing) <= 3:
        return "whole body except " + _and(missing)
    return ", ".join(_said(named))


def _said(areas: set[BodyArea]) -> list[str]:
    """Each region whole where it can be, else each area, in the body's order."""
    at: dict[BodyArea, str] = {}  # a region is said at its first area
    left = set(areas)
    for region, phrase in _REGIONS:
        if region <= left:
            at[min(region, key=_BODY_ORDER.index)] = phrase
            left -= region
    return [at.get(a) or words(a.value) for a in _BODY_ORDER if a in at or a in left]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Joins words that must not be wrapped apart ("session 1"); a space once wrapped.
_KEEP = "\u00a0"


_AFTER_LAST = {
    Reaction.FINE: "fine after it",
    Reaction.SORE: "sore after it, then settled",
    Reaction.FLARE: "a flare of symptoms after it",
}


def client_header(profile: ClientProfile, *, notes: bool = True) -> list[str]:
    """Who the plan is for, in a few lines (``notes``: with the flags that are
    set, and what is not yet known)."""
    risk = [
        f"{field.header} {', '.join(words(a.value) for a in field.get(profile))}"
        for field in PROFILE_FIELDS
        if field.kind is FieldKind.AREAS and field.get(profile)
    ]
    pressure = profile.tolerance.pressure
    tolerated = pressure_words(pressure) if pressure else "pressure not yet known"
    condition = words(profile.condition.value).replace(
        "chemotherapy induced", "chemotherapy-induced"
    )
    touch = profile.hypersensitivity.value.replace("none", "no")
    lines = [
        f"Client: {condition}, {touch} touch hypersensitivity; "
        f"session{_KEEP}{profile.sessions_completed + 1}.",
        f"Tolerates: {profile.tolerance.minutes} minutes; {tolerated}.",
    ]
    last = profile.last_session
    if last is not None:
        lines.append(
            f"Last session: {last.minutes} minutes, {pressure_words(last.pressure)}; "
            f"{_AFTER_LAST[last.reaction]}."
        )
    if risk:
        lines.append("At risk: " + "; ".join(risk) + ".")
    flags = [
        field.header
        for field in PROFILE_FIELDS
        if field.kind is FieldKind.FLAG and field.screening and field.get(profile)
    ]
    flags += [
        text
        for flag, text in (
            (profile.on_chemotherapy and profile.port_sites is None, "port sites not known"),
            (not profile.physician_consulted, "doctor not yet consulted"),
        )
        if flag
    ]
    if flags and notes:
        lines.append("Note: " + "; ".join(flags) + ".")
    return lines


def plain_header(profile: ClientProfile, *, notes: bool = True) -> list[str]:
    """The header's lines as they are read, for formats that do not wrap them."""
    return [line.replace(_KEEP, " ") for line in client_header(profile, notes=notes)]


def _advice_sections(doc: _Document) -> list[tuple[str, list[_Line]]]:
    """The advice sections that have lines, in the order a reader meets them."""
    sections = [
        ("Advice", doc.advice),
        ("To pass on to the client", doc.for_client),
        ("Notes", doc.notes),
    ]
    return [(title, lines) for title, lines in sections if lines]


def render_text(
    plan: SessionPlan,
    profile: ClientProfile | None = None,
    *,
    width: int = 80,
    audience: Audience = "therapist",
    colour: bool = False,
) -> str:
    """The plan as plain text, wrapped to ``width``, for the therapist (every
    item, evidence notes in one line) or for the client (what to do, in plain
    words); holds and critical items first. ``colour`` marks critical and
    warning items for a terminal."""
    doc = _layout(plan, audience, profile)

    def paint(text: str) -> str:
        if not colour:
            return text
        for word, code in _COLOURS.items():
            text = text.replace(f"{word}:", f"{code}{word}:{_RESET}", 1)
        return text

    def wrap(text: str, indent: str, hang: str) -> list[str]:
        return [
            paint(line).replace(_KEEP, " ")
            for line in textwrap.wrap(
                text,
                width=max(width, 40),
                initial_indent=indent,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        ]

    def item(line: _Line, sep: str, bullet: str = "") -> list[str]:
        body = f"{line.head}{sep}{line.detail}" if line.detail else line.head
        text = f"{bullet}{body} {line.cite}".rstrip()
        return wrap(text, "  ", "  " + " " * len(bullet) + "  ")

    out: list[str] = []
    if profile is not None:
        for line in client_header(profile):
            out += wrap(line, "", "  ")
        out.append("")
    if doc.holds:
        title = "HOLD: DO NOT BOOK YET" if audience == "therapist" else "BEFORE YOU BOOK"
        out += [paint(title), *(x for i in doc.holds for x in item(i, "", "- ")), ""]
    if doc.questions:
        if audience == "therapist":
            asked = (x for i in doc.questions for x in item(i, "", "- "))
            out += ["ASK BEFORE THE SESSION", *asked]
        else:
            out += [x for i in doc.questions for x in wrap(i.head, "", "")]
        out.append("")
    out += [doc.week_title.upper(), *(x for i in doc.week for x in item(i, ""))]
    out += wrap(SCALE, "  ", "    ")
    if audience == "therapist":
        out += ["", "TECHNIQUES", *(x for i in doc.techniques for x in item(i, ": "))]
        if doc.avoid:
            avoid = (_Line(i.cited_head(), i.detail, i.cite) for i in doc.avoid)
            out += ["", "AVOID", *(x for i in avoid for x in item(i, ": "))]
            out += wrap(f"Why: {doc.why}", "  ", "    ")
    if doc.protocol:
        out += ["", PROTOCOL_TITLE[audience].upper()]
        for number, step in enumerate(doc.protocol, 1):
            mark = f"{number}. "  # the text hangs under the text, not the number
            out += wrap(f"{mark}{step.head} {step.cite}".rstrip(), "  ", "  " + " " * len(mark))
    for title, lines in _advice_sections(doc):
        out += ["", title.upper(), *(x for i in lines for x in item(i, "", "- "))]
    out += ["", "SOURCES", *(x for s in doc.sources for x in wrap(s, "  ", "      "))]
    return "\n".join(out) + "\n"


# The session's steps, as each reader's heading names them.
PROTOCOL_TITLE: dict[Audience, str] = {
    "therapist": "The session, step by step",
    "client": "During your session",
}


def _md(text: str) -> str:
    # Table cells and list items: keep a stray pipe or asterisk from reshaping the page.
    return text.replace("|", "\\|").replace("*", "\\*")


def render_markdown(plan: SessionPlan, profile: ClientProfile | None = None) -> str:
    """The plan as Markdown, for the therapist, with a techniques table and numbered sources."""
    doc = _layout(plan, profile=profile)
    out = ["# Massage plan for this week", ""]
    if profile is not None:
        out += [f"{_md(line)}  " for line in plain_header(profile)]
        out.append("")
    if doc.holds:
        out += ["## Hold: do not book yet", ""]
        out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.holds]
        out.append("")
    if doc.questions:
        out += ["## Ask before the session", ""]
        out += [f"- {_md(i.head)} {i.cite}".rstrip() for i in doc.questions]
        out.append("")
    out += [f"## {doc.week_title}", ""]
    out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.week]
    out += ["", f"_{SCALE}_"]
    out += ["", "## Techniques", "", "| Technique | Areas | Sources |", "| --- | --- | --- |"]
    out += [f"| {_md(i.head)} | {_md(i.detail)} | {i.cite} |" for i in doc.techniques]
    if doc.avoid:
        out += ["", "## Avoid", ""]
        out += [
            f"- **{_md(i.cited_head())}**: {_md(i.detail)} {i.cite}".rstrip() for i in doc.avoid
        ]
        out += ["", f"_Why:_ {_md(doc.why)}"]
    if doc.protocol:
        out += ["", f"## {PROTOCOL_TITLE['therapist']}", ""]
        out += [f"{n}. {_md(i.head)} {i.cite}".rstrip() for n, i in enumerate(doc.protocol, 1)]
    for title, lines in _advice_sections(doc):
        out += ["", f"## {title}", ""]
        out += [f"- {_md(i.head)} {i.cite}".rstrip() for i in lines]
    out += ["", "## Sources", ""]
    out += [f"{_md(s)}  " for s in doc.sources]
    return "\n".join(out).rstrip() + "\n"
