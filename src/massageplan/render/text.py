"""Plans as text a therapist can hand over, with numbered sources like the article's footnotes."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..model.plan import (
    ADVICE_TOPIC,
    EVERY_TECHNIQUE,
    PROTOCOL_TOPIC,
    QUESTION_SUBJECT,
    QUESTION_TOPIC,
    TECHNIQUES,
    Advice,
    AdviceCode,
    HoldCode,
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
    # A shorter detail for the at-a-glance text plan, where one says the same.
    brief: str = ""

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
    # The headline pressure, None with no visits.
    level: int | None = None
    # The sources of the visits and the pressure together, for the week in one line.
    week_cited: str = ""
    # The therapist's questions, one a line; the client's, one line naming them all.
    questions: list[_Line] = field(default_factory=list)
    # What the questions ask about, in one line, for the at-a-glance text plan.
    asked: _Line | None = None
    week: list[_Line] = field(default_factory=list)
    techniques: list[_Line] = field(default_factory=list)
    avoid: list[_Line] = field(default_factory=list)
    # How the session is run, in order: every step for the therapist; the
    # client, the steps that concern them, in their words.
    protocol: list[_Line] = field(default_factory=list)
    # Why the avoid lines say what they say: each reason once, in one paragraph.
    why: str = ""
    # The advice by severity: (heading, severity, lines), most severe first.
    sections: list[tuple[str, Severity, list[_Line]]] = field(default_factory=list)
    # For the at-a-glance text plan: the topics of the advice written to the
    # client (theirs to read in full), and of the therapist's plain notes.
    for_client: _Line | None = None
    notes: _Line | None = None
    # The session's steps named in one line, for the at-a-glance text plan.
    session: _Line | None = None
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
        text = hold.client_text if client else after_heading(hold.text)
        doc.holds.append(_Line(text, cite=notes.cite(hold.reasons)))
    doc.week_title = _week_title(plan)
    if client and plan.questions:
        topics = [QUESTION_TOPIC[q.code] for q in plan.questions]
        doc.questions.append(_Line(f"Your therapist will ask you about {_and(topics)}."))
    else:
        doc.questions += [_Line(q.text, cite=notes.cite(q.reasons)) for q in plan.questions]
        if plan.questions:
            subjects = ", ".join(QUESTION_SUBJECT[q.code] for q in plan.questions)
            cited = tuple(r for q in plan.questions for r in q.reasons)
            doc.asked = _Line(subjects, cite=notes.cite(cited))
    _week(plan, client, notes, doc)
    # The client reads what to do and why, not the therapist's technique list.
    doc.techniques = [] if client else _technique_lines(plan, notes)
    if not client:
        doc.avoid, doc.why = _avoid_lines(plan, profile, notes)
    for step in plan.protocol:
        said = step.client_text if client else step.text
        if said:
            doc.protocol.append(_Line(said, cite=notes.cite(step.reasons)))
    if plan.protocol and not client:
        named = ", ".join(PROTOCOL_TOPIC[step.code] for step in plan.protocol)
        steps = tuple(r for step in plan.protocol for r in step.reasons)
        doc.session = _Line(named, cite=notes.cite(steps))
    _advise(plan, client, notes, doc, profile)
    doc.sources = notes.entries()
    doc.cited = notes.numbered()
    if client:  # the sources are listed at the end, not marked in the text
        for line in (
            *doc.holds,
            *doc.week,
            *doc.protocol,
            *(x for s in doc.sections for x in s[2]),
        ):
            line.cite = ""
    return doc


# The week of a plan with no visits, under its heading "Once cleared:": what
# happens then, for each reader.
NO_VISITS = {
    "therapist": "plan again; no visits and no pressure level until then",
    "client": "We will plan your sessions again. Until then, no massage.",
}


def _week(plan: SessionPlan, client: bool, notes: _Footnotes, doc: _Document) -> None:
    """The week's visits, and the pressure its headline states."""
    level = doc.level = headline_pressure(plan)
    if plan.visits:
        doc.week.append(_Line(visit_words(plan), cite=notes.cite(plan.visits[0].reasons)))
    else:  # only ever under a hold (invariant 3): no level to work at, no visit to book
        doc.week.append(_Line(NO_VISITS["client" if client else "therapist"]))
    if level is not None:  # None exactly when there are no visits
        said = (
            f"{PRESSURE_WORDS[level].capitalize()} pressure at most (level {level} of 5)"
            if client
            else f"pressure at most {pressure_words(level)}"
        )
        doc.week.append(_Line(said, cite=notes.cite(plan.pressure_reasons)))
    # The week said in one line, as the at-a-glance plan does: both lines' sources.
    visited = plan.visits[0].reasons if plan.visits else ()
    doc.week_cited = notes.cite((*visited, *plan.pressure_reasons))


def _technique_lines(plan: SessionPlan, notes: _Footnotes) -> list[_Line]:
    """A line for each technique: where, and how firm; a technique on every
    area no restriction closes says so, in brief, for the text plan."""
    closed = {
        area
        for r in plan.restrictions
        if str(getattr(r.technique, "value", r.technique)) == EVERY_TECHNIQUE
        and r.max_pressure is None
        for area in r.areas
    }
    lines = []
    for technique in plan.techniques:
        everywhere_open = bool(closed) and set(technique.areas) == set(BodyArea) - closed
        lines.append(
            _Line(
                f"{_capital(technique_words(technique.name.value))}, up to "
                f"{pressure_words(technique.max_pressure)}",
                area_words(technique.areas),
                notes.cite(technique.reasons),
                brief="every area not closed below" if everywhere_open else "",
            )
        )
    return lines


def after_heading(text: str) -> str:
    """A hold's text without the words its heading says: "Do not book yet" once."""
    return _capital(text.removeprefix(HOLD_PREFIX)) if text.startswith(HOLD_PREFIX) else text


def visit_words(plan: SessionPlan) -> str:
    """The week's visits, as every rendering, card and CarePlan says them:
    "3 visits of 20 minutes", "2 visits of 30 and 20 minutes"."""
    minutes = [str(v.minutes) for v in plan.visits]
    if not minutes:
        return "no visits"
    count = f"{len(minutes)} visit" + ("s" if len(minutes) > 1 else "")
    each = minutes[0] if len(set(minutes)) == 1 else _and(minutes)
    return f"{count} of {each} minutes"


def week_line(plan: SessionPlan) -> str:
    """The week in one line, for the therapist, as the at-a-glance plan says it
    under its heading and the CDS card and the FHIR CarePlan say it whole:
    "Once cleared: 2 visits of 30 and 20 minutes, up to level 2 (light)"."""
    visits = visit_words(plan) if plan.visits else NO_VISITS["therapist"]
    return f"{_week_title(plan).rstrip(':')}: {_up_to(visits, headline_pressure(plan))}"


def _week_title(plan: SessionPlan) -> str:
    return HELD_WEEK_TITLE if plan.holds else WEEK_TITLE


def _up_to(visits: str, level: int | None) -> str:
    return visits if level is None else f"{visits}, up to {pressure_words(level)}"


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


def _advise(
    plan: SessionPlan,
    client: bool,
    notes: _Footnotes,
    doc: _Document,
    profile: ClientProfile | None = None,
) -> None:
    """The advice by how much it matters, each section headed by it, so no item
    carries a label. The client reads what is written to them; the therapist
    reads their own, then what the client's plan tells the client, then the
    plain notes. Cited in that order, so footnotes number in order of use."""
    held = {h.code.value for h in plan.holds}  # said already, under the hold
    unsaid = [a for a in plan.advice if a.code.value not in held]
    if client:
        unsaid = [a for a in unsaid if a.audience is not AdviceAudience.THERAPIST]
        if profile is not None and profile.sessions_completed > 0:
            # Written to someone still choosing a therapist: not to a client in a course.
            unsaid = [a for a in unsaid if a.code is not AdviceCode.EXPERIENCED_THERAPIST]
    theirs = [] if client else [a for a in unsaid if a.audience is AdviceAudience.CLIENT]

    def lines(items: list[Advice]) -> list[_Line]:
        return [_Line(a.text, cite=notes.cite(a.reasons)) for a in items]

    for severity, title in ADVICE_TITLES[client]:
        said = [a for a in unsaid if a.severity is severity and a not in theirs]
        if severity is Severity.INFO and theirs:  # the client's, before the plain notes
            doc.sections.append((CLIENTS_PLAN_TITLE, Severity.INFO, lines(theirs)))
        if said:
            doc.sections.append((title, severity, lines(said)))
    if client:
        return
    # At a glance, the last two by topic (cited above, so numbered already).
    plain = [a for a in unsaid if a.severity is Severity.INFO and a not in theirs]
    for items, attribute in ((theirs, "for_client"), (plain, "notes")):
        if items:
            topics = ", ".join(ADVICE_TOPIC[a.code] for a in items)
            cited = notes.cite(tuple(r for a in items for r in a.reasons))
            setattr(doc, attribute, _Line(topics, cite=cited))


CLIENTS_PLAN_TITLE = "In the client's plan"
# The advice sections, by severity, as each reader's plan heads them.
ADVICE_TITLES: dict[bool, tuple[tuple[Severity, str], ...]] = {
    False: (
        (Severity.CRITICAL, "Critical"),
        (Severity.WARNING, "Warning"),
        (Severity.INFO, "Notes"),
    ),
    True: (
        (Severity.CRITICAL, "Important"),
        (Severity.WARNING, "For your sessions"),
        (Severity.INFO, "Good to know"),
    ),
}


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
    unknown = {
        r: f"{QUESTION_SUBJECT[q.code]} not yet asked" for q in plan.questions for r in q.reasons
    }
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
        said.append(f"up to {level}")
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
_COLOURS = {
    "CRITICAL": "\033[1;31m",
    "WARNING": "\033[33m",
    "HOLD": "\033[1;31m",
    "DO NOT BOOK YET": "\033[1;31m",
}
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


_MARKS = re.compile(r"(?:\[\d+\])+")


def _ranged(text: str) -> str:
    """Runs of three or more footnote marks said as a range, with an en dash:
    "[2][3][4][7]" as "[2]\u2013[4][7]", so a line of sources takes less room."""

    def ranged(found: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", found.group())]
        runs: list[list[int]] = []
        for n in numbers:
            if runs and n == runs[-1][-1] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        return "".join(
            f"[{run[0]}]\u2013[{run[-1]}]" if len(run) >= 3 else "".join(f"[{n}]" for n in run)
            for run in runs
        )

    return _MARKS.sub(ranged, text)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Joins words that must not be wrapped apart ("session 1"); a space once wrapped.
_KEEP = "\u00a0"


_AFTER_LAST = {
    Reaction.FINE: "fine after it",
    Reaction.SORE: "sore after it, then settled",
    Reaction.FLARE: "a flare of symptoms after it",
}


def client_header(
    profile: ClientProfile, *, notes: bool = True, doctor_said: bool = False
) -> list[str]:
    """Who the plan is for, in a few lines (``notes``: with the flags that are
    set, and what is not yet known; ``doctor_said``: a hold already says the
    doctor is not yet consulted)."""
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
    flags = _flags(profile)
    flags += [
        text
        for flag, text in (
            (profile.on_chemotherapy and profile.port_sites is None, "port sites not known"),
            (not profile.physician_consulted and not doctor_said, "doctor not yet consulted"),
        )
        if flag
    ]
    if flags and notes:
        lines.append("Note: " + "; ".join(flags) + ".")
    return lines


# The client's neuropathy, and how sensitive touch is, as the client's plan says them.
_YOUR_CONDITION = {
    "diabetic_neuropathy": "your neuropathy from diabetes",
    "chemotherapy_induced_neuropathy": "your neuropathy from chemotherapy",
    "peripheral_neuropathy": "your neuropathy",
}
_YOUR_TOUCH = {
    "mild": "Your skin is a little sensitive to touch.",
    "moderate": "Your skin is quite sensitive to touch.",
    "severe": "Your skin is very sensitive to touch.",
}
WHERE_FROM = "Where this comes from"


def where_from(doc: _Document) -> str:
    """Who the client's plan rests on, in a sentence: the titles are in the
    therapist's plan. This project's own choices are named last."""
    sources = [source for _, source in doc.cited]
    who = dict.fromkeys(s.publisher for s in sources if s.kind is not SourceKind.PROJECT_DEFAULT)
    said = "; ".join(who)
    if any(s.kind is SourceKind.PROJECT_DEFAULT for s in sources):
        said += "; and this plan's own choices, where those sources give no number"
    return said + "."


def your_header(profile: ClientProfile) -> list[str]:
    """Who the plan is for, written to the client: no clinical labels."""
    session = profile.sessions_completed + 1
    lines = [
        f"Your massage plan, for {_YOUR_CONDITION[profile.condition.value]}.",
        ("This is your first session." if session == 1 else f"This is session {session}.")
        + f" You can have up to {profile.tolerance.minutes} minutes at a time.",
    ]
    touch = _YOUR_TOUCH.get(profile.hypersensitivity.value)
    if touch:
        lines.append(touch)
    return lines


def plain_header(profile: ClientProfile, *, notes: bool = True) -> list[str]:
    """The header's lines as they are read, for formats that do not wrap them."""
    return [line.replace(_KEEP, " ") for line in client_header(profile, notes=notes)]


_DOCTOR_HOLDS = frozenset({HoldCode.CONSULT_PHYSICIAN, HoldCode.PHYSICIAN_CLEARANCE})


def _packed(lines: list[str], width: int) -> list[str]:
    """The header's lines after the first, joined while they fit on one line."""
    packed = lines[:2]
    for text in lines[2:]:
        if len(packed[-1]) + 1 + len(text) <= width and len(packed) > 1:
            packed[-1] += " " + text
        else:
            packed.append(text)
    return packed


_Wrap = Callable[[str, str, str], list[str]]
_Item = Callable[..., list[str]]


def _at_a_glance(
    doc: _Document,
    line: Callable[..., list[str]],
    item: _Item,
    paint: Callable[[str], str],
) -> list[str]:
    """The therapist's plan, to read in thirty seconds: the hold, what to ask,
    the week, where and how to work, the session's steps by name, and every
    critical and warning item in full. The Markdown and web plans say each
    question, step and note in full, with the reasons."""
    out: list[str] = []
    if len(doc.holds) == 1:
        (hold,) = doc.holds
        out += line("DO NOT BOOK YET", hold, hold.head[:1].lower() + hold.head[1:])
    elif doc.holds:
        out += [paint("DO NOT BOOK YET"), *(x for i in doc.holds for x in item(i, "", "- "))]
    if doc.asked is not None:
        out += line("ASK BEFORE THE SESSION", doc.asked)
    visits = _up_to(doc.week[0].head, doc.level)
    out += line(doc.week_title.upper().rstrip(":"), _Line(visits, cite=doc.week_cited))
    techniques = (_Line(i.head, i.brief or i.detail, i.cite) for i in doc.techniques)
    out += [x for i in techniques for x in item(i, ": ")]
    if doc.avoid:
        avoid = (_Line(i.cited_head(), i.detail, i.cite) for i in doc.avoid)
        out += ["AVOID", *(x for i in avoid for x in item(i, ": "))]
    if doc.session is not None:
        out += line("THE SESSION", doc.session)
    blank = [""]  # one blank line before the advice, however it starts
    for title, severity, lines in doc.sections:
        if severity is not Severity.INFO:
            out += [*blank, paint(title.upper()), *(x for i in lines for x in item(i, "", "- "))]
        else:  # named in one line each: the client's plan and the Markdown say them in full
            said = doc.for_client if title == CLIENTS_PLAN_TITLE else doc.notes
            out += [*blank, *line(title.upper(), said)]
        blank = []
    return out


def _for_the_client(
    doc: _Document, wrap: _Wrap, item: _Item, paint: Callable[[str], str]
) -> list[str]:
    """The client's plan: what to do, in their words."""
    out: list[str] = []
    if doc.holds:
        out += [paint("BEFORE YOU BOOK"), *(x for i in doc.holds for x in item(i, "", "- "))]
        out.append("")
    if doc.questions:
        out += [*(x for i in doc.questions for x in wrap(i.head, "", "")), ""]
    out += [doc.week_title.upper(), *(x for i in doc.week for x in item(i, ""))]
    if doc.protocol:
        out += ["", PROTOCOL_TITLE["client"].upper()]
        for number, step in enumerate(doc.protocol, 1):
            mark = f"{number}. "  # the text hangs under the text, not the number
            out += wrap(f"{mark}{step.head} {step.cite}".rstrip(), "  ", "  " + " " * len(mark))
    for title, _, lines in doc.sections:
        out += ["", title.upper(), *(x for i in lines for x in item(i, "", "- "))]
    return out


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
        if text in _COLOURS:  # a section's heading
            return f"{_COLOURS[text]}{text}{_RESET}"
        for word, code in _COLOURS.items():
            text = text.replace(f"{word}:", f"{code}{word}:{_RESET}", 1)
        return text

    def wrap(text: str, indent: str, hang: str) -> list[str]:
        return [
            paint(line).replace(_KEEP, " ")
            for line in textwrap.wrap(
                _ranged(text),
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
        # A bullet's text hangs under its text; a line without one, indented.
        return wrap(text, "  ", "    " if not bullet else "  " + " " * len(bullet))

    def line(label: str, said: _Line | None, text: str = "") -> list[str]:
        """A section said in one paragraph: 'LABEL: text [1][2]'."""
        body = text or (said.head if said else "")
        cite = said.cite if said else ""
        return wrap(f"{label}: {body} {cite}".rstrip(), "", "  ")

    out: list[str] = []
    therapist = audience == "therapist"
    if profile is not None:
        doctor_said = any(h.code in _DOCTOR_HOLDS for h in plan.holds)
        header = (
            client_header(profile, doctor_said=doctor_said) if therapist else your_header(profile)
        )
        out += [x for text in _packed(header, max(width, 40)) for x in wrap(text, "", "  ")]
        out.append("")
    if therapist:
        out += _at_a_glance(doc, line, item, paint)
        out += ["", "SOURCES", *(x for s in doc.sources for x in wrap(s, "  ", "      "))]
    else:
        out += _for_the_client(doc, wrap, item, paint)
        out += ["", WHERE_FROM.upper(), *wrap(where_from(doc), "  ", "  ")]
    return "\n".join(out) + "\n"


# The session's steps, as each reader's heading names them.
PROTOCOL_TITLE: dict[Audience, str] = {
    "therapist": "The session",
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
        out += ["## Do not book yet", ""]
        out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.holds]
        out.append("")
    if doc.questions:
        out += ["## Ask before the session", ""]
        out += [f"- {_md(i.head)} {i.cite}".rstrip() for i in doc.questions]
        out.append("")
    out += [f"## {doc.week_title}", ""]
    out += [f"- **{_md(i.head)}** {i.cite}".rstrip() for i in doc.week]
    out += ["", f"_{SCALE}_"]
    # The techniques belong to the week, as in the text plan.
    out += ["", "| Technique | Areas | Sources |", "| --- | --- | --- |"]
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
    for title, _, lines in doc.sections:
        out += ["", f"## {title}", ""]
        out += [f"- {_md(i.head)} {i.cite}".rstrip() for i in lines]
    out += ["", "## Sources", ""]
    out += [f"{_md(s)}  " for s in doc.sources]
    return "\n".join(out).rstrip() + "\n"
