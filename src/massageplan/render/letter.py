"""The letter to the client's doctor (contract v4, part 2): one page, for any
plan with a hold or a question only the doctor can answer, or whose client
has not yet talked to their doctor.

Walton's decision steps end with a written exchange with the physician: the
proposed plan, the specific questions, and a reply. The letter is made from
the plan and the profile alone, laid out once (:func:`doctor_letter`) for
text, Markdown and the web page. Names and dates are lines to fill in by
hand: the library never needs or keeps them.
"""

from __future__ import annotations

import textwrap

from ..model.letter import DoctorLetter, DoctorQuestion, DoctorQuestionCode
from ..model.plan import HoldCode, ProtocolCode, SessionPlan
from ..model.profile import (
    FIELD,
    SCREENING_FIELDS,
    BodyArea,
    ClientProfile,
    FieldKind,
)
from ..model.wording import pressure_words, words
from .text import _capital, _entry, _layout, _md, area_words, plain_header

# The steps that say how the client lies: the position, in the doctor's terms.
_POSITION = (
    ProtocolCode.POSITION,
    ProtocolCode.NO_PRONE_OVER_PORT,
    ProtocolCode.SUPPORT_SWOLLEN_LIMBS,
)
_LOWER_LIMB = frozenset({BodyArea.LOWER_LEGS, BodyArea.ANKLES, BodyArea.FEET})

TITLE = "Massage therapy for your patient: a proposal and some questions"
NO_LETTER = (
    "No letter: the plan has no hold and no question for the doctor, who has been consulted."
)
REPLY_TITLE = "Your reply"
# The reply the doctor ticks and signs, in the order it is read.
REPLY = (
    "Massage as proposed above is suitable.",
    "Suitable with these changes:",
    "Not suitable at present, because:",
)
# The lines filled in by hand; the library never asks for what goes on them.
TO_FILL = (
    ("To", "Date"),
    ("From (massage therapist)", "Telephone"),
    ("Patient", "Date of birth"),
)
SIGN = ("Name", "Signature", "Date")


def _listed(areas: tuple[BodyArea, ...]) -> str:
    """Areas as people say them, the last joined by "and": "ankles and feet"."""
    *most, last = area_words(areas).split(", ")
    return f"{', '.join(most)} and {last}" if most else last


def _questions(plan: SessionPlan, profile: ClientProfile) -> list[DoctorQuestion]:
    """The questions only the doctor can answer, for this client, in order."""
    asked: list[DoctorQuestion] = []

    def ask(code: DoctorQuestionCode, text: str) -> None:
        asked.append(DoctorQuestion(code=code, text=text))

    if profile.clot_history:
        ask(
            DoctorQuestionCode.CLOT,
            "The client reports a deep vein thrombosis or another clot, past or suspected. Has "
            "it been treated and resolved, and may the hips and legs have light massage "
            "(level 2, no kneading or friction)?",
        )
    elif profile.clot_history is None:
        ask(
            DoctorQuestionCode.CLOT,
            "Has the client had a deep vein thrombosis or another clot, or is one suspected?",
        )
    if profile.on_anticoagulants:
        ask(
            DoctorQuestionCode.BLOOD_THINNERS,
            "The client takes a blood thinner. Is light pressure (level 2) suitable, and is "
            "there anything else I should avoid?",
        )
    if profile.on_chemotherapy or profile.low_platelets or profile.low_white_cells:
        ask(
            DoctorQuestionCode.BLOOD_COUNTS,
            "What were the client's latest platelet and white cell counts, and below what "
            "counts should massage wait?",
        )
    if profile.swelling:
        signs = ", ".join(words(s.value) for s in profile.swelling_signs or ())
        said = f" The client describes it as {signs}." if signs else ""
        beyond = (
            "" if set(profile.swelling) <= _LOWER_LIMB else " It is not only in the lower legs."
        )
        ask(
            DoctorQuestionCode.SWELLING_CAUSE,
            f"What is the cause of the swelling of the {_listed(profile.swelling)}?{said}{beyond} "
            "May the area have gentle massage (light pressure, no friction)?",
        )
    if profile.wounds:
        ask(
            DoctorQuestionCode.WOUNDS,
            f"The client has an open wound, ulcer or skin break on the {_listed(profile.wounds)}. "
            "Is it being treated, and when may that area be massaged?",
        )
    return asked


def _screening(profile: ClientProfile) -> str:
    """The screening answers in one line: what was said, and what is not yet asked."""
    said, none, unasked = [], [], []
    for name in SCREENING_FIELDS:
        field = FIELD[name]
        value = field.get(profile)
        if value is None:
            unasked.append(field.said)
        elif not value:
            none.append(field.said)
        elif field.kind is FieldKind.FLAG:
            said.append(field.said)
        elif field.kind is not FieldKind.AREAS:  # areas: said in the header's "At risk"
            said.append(f"{field.said}: {', '.join(words(v.value) for v in value)}")
    parts = [
        f"{title}: {'; '.join(fields)}."
        for title, fields in (
            ("Reported", said),
            ("Asked, and none", none),
            ("Not yet asked", unasked),
        )
        if fields
    ]
    return "Screening. " + " ".join(parts)


def _proposed(plan: SessionPlan, profile: ClientProfile) -> list[str]:
    doc = _layout(plan, "therapist", profile)
    held = " once you agree" if plan.holds else ""
    minutes = [v.minutes for v in plan.visits]
    if minutes:
        count = f"{len(minutes)} visit" + ("s" if len(minutes) > 1 else "")
        visits = f"Visits{held}: {count} of {minutes[0]} minutes a week."
    else:
        visits = "Visits: none until the questions below are answered."
    lines = [
        visits,
        f"Pressure: at most {pressure_words(plan.pressure)}, on a scale of 0 (a still hold) "
        "to 5 (deep).",
    ]
    lines += [f"{line.head}: {line.detail}." for line in doc.techniques]
    lines += [f"{_capital(line.head)}: {line.detail}." for line in doc.avoid]
    lines += [s.text for s in plan.protocol if s.code in _POSITION]
    return lines


def doctor_letter(plan: SessionPlan, profile: ClientProfile) -> DoctorLetter | None:
    """The letter to the doctor for this plan, or None when it has no hold, no
    question only the doctor can answer, and the doctor has been consulted."""
    specific = _questions(plan, profile)
    if not plan.holds and not specific and profile.physician_consulted:
        return None
    first = "the first session" if profile.sessions_completed == 0 else "the next session"
    condition = words(profile.condition.value).replace(
        "chemotherapy induced", "chemotherapy-induced"
    )
    why = (
        f"Your patient would like massage therapy for their {condition}. Before I book "
        f"{first}, I would be grateful for your view of the session I propose, and your "
        "answers to the questions below."
    )
    if any(h.code is HoldCode.SAME_DAY_MEDICAL_CHECK for h in plan.holds):
        why += (
            " The swelling has signs that call for a doctor's assessment today, so I have "
            "asked your patient to see you before any massage."
        )
    suitable = DoctorQuestion(
        code=DoctorQuestionCode.SUITABLE,
        text="Is the session proposed above suitable for your patient at present?",
    )
    cited = [*(r for h in plan.holds for r in h.reasons), *plan.pressure_reasons]
    cited += [r for item in plan.restrictions for r in item.reasons]
    reasons = {r.rule_id: r for r in plan.reasons}
    ids = dict.fromkeys(s for rule_id in cited for s in reasons[rule_id].sources)
    by_id = {s.id: s for s in plan.sources}
    return DoctorLetter(
        why=why,
        # The header's "Note" says the flags the screening line says again.
        client=(
            *(h for h in plain_header(profile) if not h.startswith("Note:")),
            _screening(profile),
        ),
        proposed=tuple(_proposed(plan, profile)),
        questions=(suitable, *specific),
        sources=tuple(by_id[s] for s in ids),
    )


def _blank(label: str, width: int) -> str:
    return f"{label}: " + "_" * max(8, width - len(label) - 2)


def render_letter(letter: DoctorLetter, *, markdown: bool = False, width: int = 80) -> str:
    """The letter as text (``width`` columns) or Markdown."""
    if markdown:
        return _markdown(letter)
    half = (width - 4) // 2

    def wrap(text: str, first: str, rest: str) -> list[str]:
        # Addresses and long words stay whole, to be read and typed as they are.
        return textwrap.wrap(
            text,
            width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )

    def para(text: str, indent: str = "") -> list[str]:
        return wrap(text, indent, indent)

    def bullet(text: str) -> list[str]:
        return wrap(text, "  - ", "    ")

    out = [TITLE.upper(), ""]
    out += [f"{_blank(a, half)}    {_blank(b, half)}" for a, b in TO_FILL]
    out += ["", *para(letter.why), "", "ABOUT YOUR PATIENT"]
    for line in letter.client:
        out += bullet(line)
    out += ["", "THE SESSION I PROPOSE"]
    for line in letter.proposed:
        out += bullet(line)
    out += ["", "MY QUESTIONS"]
    for n, question in enumerate(letter.questions, 1):
        out += textwrap.wrap(
            question.text, width, initial_indent=f"  {n}. ", subsequent_indent="     "
        )
        out.append("     " + _blank("Answer", width - 5))
    out += ["", f"{REPLY_TITLE.upper()} (please tick, sign and return)"]
    out += [
        f"  [ ] {choice}" + (" " + "_" * (width - 8 - len(choice)) if i else "")
        for i, choice in enumerate(REPLY)
    ]
    third = (width - 2) // 3
    out.append("  " + "  ".join(_blank(label, third - 2) for label in SIGN))
    out += ["", "SOURCES"]
    for n, source in enumerate(letter.sources, 1):
        out += textwrap.wrap(
            _entry(source), width, initial_indent=f"  [{n}] ", subsequent_indent="      "
        )
    return "\n".join(out) + "\n"


def _markdown(letter: DoctorLetter) -> str:
    blank = "\\_" * 16  # a line to write on, not emphasis
    out = [f"# {TITLE}", ""]
    out += [f"{a}: {blank} {b}: {blank}  " for a, b in TO_FILL]
    out += ["", _md(letter.why), "", "## About your patient", ""]
    out += [f"- {_md(line)}" for line in letter.client]
    out += ["", "## The session I propose", ""]
    out += [f"- {_md(line)}" for line in letter.proposed]
    out += ["", "## My questions", ""]
    for n, question in enumerate(letter.questions, 1):
        out += [f"{n}. {_md(question.text)}", "", f"   Answer: {blank * 3}", ""]
    out += [f"## {REPLY_TITLE} (please tick, sign and return)", ""]
    out += [f"- [ ] {choice}" + (f" {blank * 2}" if i else "") for i, choice in enumerate(REPLY)]
    out += ["", " ".join(f"{label}: {blank}" for label in SIGN), ""]
    out += ["## Sources", ""]
    out += [f"{n}. {_md(_entry(source))}" for n, source in enumerate(letter.sources, 1)]
    return "\n".join(out) + "\n"
