"""CDS Hooks 2.0: the massage-plan service's description, and its cards for a plan."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..model.plan import Audience, HoldCode, SessionPlan, Severity, Source
from ..model.profile import ClientProfile
from ..render.text import render_markdown, visit_words, week_line
from .fhir import QUESTIONNAIRE_URL

SERVICE_ID = "massage-plan"
HOOK = "appointment-book"
SUMMARY_LIMIT = 140  # characters, as the specification says a card's summary has fewer
PREFETCH = {
    "intake": "QuestionnaireResponse?subject={{context.patientId}}"
    f"&questionnaire={QUESTIONNAIRE_URL}&_sort=-authored&_count=1",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
}


def service_description() -> dict[str, Any]:
    """The service as discovery lists it."""
    return {
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "Massage plan for peripheral neuropathy",
        "description": (
            "When a massage appointment is booked: whether it may be booked yet, "
            "and the client's session plan, every item cited."
        ),
        "prefetch": PREFETCH,
    }


# The reasons a clinician may give for not following a card, offered when it is
# dismissed (CDS Hooks "overrideReasons"); the feedback endpoint counts them.
OVERRIDE_SYSTEM = "urn:massageplan:CodeSystem:override-reason"
OVERRIDE_REASONS: dict[str, dict[str, str]] = {
    "hold": {
        "already-cleared": "The doctor has already cleared massage for this client",
        "intake-out-of-date": "The intake answers are out of date; they will be updated",
        "other-clinician-decides": "Another clinician is deciding this booking",
    },
    "questions": {
        "asked-at-the-session": "The therapist will ask these at the session",
        "intake-out-of-date": "The intake answers are out of date; they will be updated",
    },
    "plan": {
        "therapist-judgement": "The therapist will adapt the plan in the session",
        "intake-out-of-date": "The intake answers are out of date; they will be updated",
        "booking-kept": "The client asked to keep the booking as it is",
    },
}
# Whole sentences that fit, used where a rule's own wording is too long for a summary.
HOLD_SUMMARY = {
    HoldCode.CONSULT_PHYSICIAN: "Do not book yet: the client is to talk to their doctor first.",
    HoldCode.PHYSICIAN_CLEARANCE: "Do not book yet: the client's doctor is to clear massage first.",
    HoldCode.NO_WORKABLE_AREA: "Do not book yet: no area of the body can be worked on safely.",
    HoldCode.SAME_DAY_MEDICAL_CHECK: "No massage: the client needs a doctor's check today.",
}


def whole_summary(text: str, fallback: str) -> str:
    """``text`` if it reads whole under the specification's 140 characters,
    else its first sentence if that does, else ``fallback``: never a cut."""
    text = " ".join(text.split())
    if len(text) < SUMMARY_LIMIT:
        return text
    first = text.split(". ", 1)[0].rstrip(".") + "."
    if len(first) < SUMMARY_LIMIT:
        return first
    return fallback


def _source(plan: SessionPlan, reasons: tuple[str, ...]) -> dict[str, str]:
    by_id: dict[str, Source] = {s.id: s for s in plan.sources}
    first = by_id[plan.reason(reasons[0]).sources[0]]
    label = f"{first.publisher}: {first.title}"
    if len(label) >= SUMMARY_LIMIT:
        label = first.title if len(first.title) < SUMMARY_LIMIT else first.publisher
    return {"label": label, **({"url": first.url} if first.url else {})}


def _overrides(kind: str) -> list[dict[str, str]]:
    return [
        {"system": OVERRIDE_SYSTEM, "code": code, "display": display}
        for code, display in OVERRIDE_REASONS[kind].items()
    ]


@dataclass(frozen=True)
class Booking:
    """The appointment being booked, as the hook's context gives it: what a
    suggestion may change. ``minutes`` is None when it says no length."""

    appointment: Mapping[str, Any]
    minutes: int | None

    @property
    def reference(self) -> str:
        return f"Appointment/{self.appointment['id']}"

    def lasting(self, minutes: int) -> dict[str, Any]:
        """The appointment, whole, lasting ``minutes``."""
        changed = {**self.appointment, "minutesDuration": minutes}
        start = _instant(self.appointment.get("start"))
        if start is not None:
            changed["end"] = (start + timedelta(minutes=minutes)).isoformat()
        else:  # an end with no start to count from would contradict the new length
            changed.pop("end", None)
        return changed


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def booking_of(appointments: list[Mapping[str, Any]]) -> Booking | None:
    """The one appointment a suggestion can act on: the call's only
    appointment, proposed, with an id. With none, several, or one that is not
    proposed or has no id, the cards suggest nothing (never a guess)."""
    booked = [a for a in appointments if a.get("resourceType") == "Appointment"]
    if len(booked) != 1:
        return None
    (appointment,) = booked
    if not isinstance(appointment.get("id"), str) or appointment.get("status") != "proposed":
        return None
    minutes = appointment.get("minutesDuration")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
        start, end = _instant(appointment.get("start")), _instant(appointment.get("end"))
        minutes = int((end - start).total_seconds() // 60) if start and end else None
    return Booking(appointment, minutes if minutes and minutes > 0 else None)


Links = Callable[[str], "str | None"]  # "plan" or "letter" -> an absolute URL, or None


class _Cards:
    """Cards for one call, each with a uuid stable for its hook instance."""

    def __init__(self, plan: SessionPlan, hook_instance: str) -> None:
        self.plan, self.instance = plan, hook_instance

    def uuid(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.instance}/{key}"))

    def card(
        self, key: str, summary: str, indicator: str, detail: str, reasons: tuple[str, ...]
    ) -> dict[str, Any]:
        return {
            "uuid": self.uuid(key),
            "summary": summary,
            "indicator": indicator,
            "detail": detail,
            "source": _source(self.plan, reasons),
        }

    def suggest(
        self, card: dict[str, Any], choices: list[tuple[str, str, list[dict[str, Any]], bool]]
    ) -> None:
        """Add suggestions (label, key, actions, recommended): the user takes one or none."""
        if not choices:
            return
        card["selectionBehavior"] = "at-most-one"
        card["suggestions"] = [
            {
                "label": label,
                "uuid": self.uuid(f"{card['uuid']}/{key}"),
                **({"isRecommended": True} if recommended else {}),
                "actions": actions,
            }
            for label, key, actions, recommended in choices
        ]


def _hold_choices(booking: Booking) -> list[tuple[str, str, list[dict[str, Any]], bool]]:
    waitlisted = {**booking.appointment, "status": "waitlist"}
    return [
        (
            "Cancel this booking until the hold is cleared",
            "cancel",
            [
                {
                    "type": "delete",
                    "description": "Remove the proposed massage appointment",
                    "resourceId": booking.reference,
                }
            ],
            True,
        ),
        (
            "Keep it on the waitlist until the hold is cleared",
            "waitlist",
            [
                {
                    "type": "update",
                    "description": "Put the proposed massage appointment on the waitlist",
                    "resource": waitlisted,
                }
            ],
            False,
        ),
    ]


def _visit_choices(
    plan: SessionPlan, booking: Booking
) -> list[tuple[str, str, list[dict[str, Any]], bool]]:
    minutes = [v.minutes for v in plan.visits]
    if not minutes or (len(minutes) == 1 and booking.minutes == minutes[0]):
        return []  # booked as planned
    first = minutes[0]
    choices = []
    if booking.minutes != first:
        choices.append(
            (
                f"Make this appointment {first} minutes long",
                "length",
                [
                    {
                        "type": "update",
                        "description": f"Set the appointment to {first} minutes",
                        "resource": booking.lasting(first),
                    }
                ],
                len(minutes) == 1,
            )
        )
    if len(minutes) > 1:
        more = [
            {
                "type": "create",
                "description": f"Add visit {n} of {len(minutes)} this week ({m} minutes)",
                "resource": {
                    "resourceType": "Appointment",
                    "status": "proposed",
                    "minutesDuration": m,
                    "description": f"Massage, visit {n} of {len(minutes)} this week",
                    **{
                        k: booking.appointment[k]
                        for k in ("serviceType", "appointmentType", "participant")
                        if k in booking.appointment
                    },
                },
            }
            for n, m in enumerate(minutes[1:], 2)
        ]
        first_visit = {
            "type": "update",
            "description": f"Set this appointment to visit 1 of {len(minutes)} ({first} minutes)",
            "resource": booking.lasting(first),
        }
        choices.append(
            (
                f"Split it into this week's {visit_words(plan)}",
                "split",
                [first_visit, *more],
                True,
            )
        )
    return choices


def _plan_summary(plan: SessionPlan, urgent: int) -> str:
    said = week_line(plan)
    if urgent:
        said += f"; {urgent} critical point" + ("s" if urgent > 1 else "") + " inside"
    return said + "."


def cards(
    plan: SessionPlan,
    profile: ClientProfile,
    hook_instance: str,
    appointments: list[Mapping[str, Any]] | None = None,
    links: Links | None = None,
) -> list[dict[str, Any]]:
    """CDS Hooks cards for a plan, for the clinician booking: one card per
    hold (critical; the first offers to cancel the booking or put it on the
    waitlist), one card listing the questions to ask, and one card for the
    plan (its Markdown without what is written for the client, suggestions
    that book it as planned, the plan as JSON in the card's extension)."""
    made = _Cards(plan, hook_instance)
    booking = booking_of(appointments or [])
    link_list = [
        {"label": label, "url": url, "type": "absolute"}
        for kind, label in (("plan", "Printable plan"), ("letter", "Letter to the doctor"))
        if links is not None and (url := links(kind)) is not None
    ]
    out = []
    for n, hold in enumerate(plan.holds):
        card = made.card(
            f"hold/{hold.code.value}",
            whole_summary(hold.text, HOLD_SUMMARY[hold.code]),
            "critical",
            f"{hold.text}\n\n{_why(plan, hold.reasons)}",
            hold.reasons,
        )
        if n == 0 and booking is not None:
            made.suggest(card, _hold_choices(booking))
        card["overrideReasons"] = _overrides("hold")
        if link_list:
            card["links"] = link_list
        out.append(card)
    if plan.questions:  # one card listing them: the plan is cautious until they are answered
        asked = tuple(dict.fromkeys(reason for q in plan.questions for reason in q.reasons))
        count = len(plan.questions)
        card = made.card(
            "questions",
            f"Ask before the session ({count} question{'s' if count > 1 else ''}): "
            "the plan is cautious until they are answered.",
            "warning",
            "\n".join(f"- {q.text}" for q in plan.questions),
            asked,
        )
        card["overrideReasons"] = _overrides("questions")
        out.append(card)
    # What is written for the client is for the client's own copy, not the EHR.
    for_clinician = plan.model_copy(
        update={"advice": tuple(a for a in plan.advice if a.audience is not Audience.CLIENT)}
    )
    severities = {a.severity for a in for_clinician.advice}
    urgent = sum(a.severity is Severity.CRITICAL for a in for_clinician.advice)
    indicator = max(
        (s for s in severities if s is not Severity.INFO),
        key=list(Severity).index,
        default=Severity.INFO,
    )
    overview = made.card(
        "plan",
        _plan_summary(plan, urgent),
        indicator.value,
        render_markdown(for_clinician, profile),
        plan.visits[0].reasons if plan.visits else plan.holds[0].reasons,
    )
    if booking is not None and not plan.holds:
        made.suggest(overview, _visit_choices(plan, booking))
    overview["overrideReasons"] = _overrides("plan")
    if link_list:
        overview["links"] = link_list
    overview["extension"] = {"org.massageplan.plan": plan.model_dump(mode="json")}
    return [*out, overview]


def _why(plan: SessionPlan, reasons: tuple[str, ...]) -> str:
    return " ".join(r.text for r in plan.reasons_for(reasons))


def error_card(hook_instance: str, problem: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/error")),
        "summary": "No massage plan: the intake answers are incomplete or invalid.",
        "indicator": "critical",
        "detail": f"massageplan could not make a plan, so none is shown: {problem}.",
        "source": {"label": "massageplan"},
    }


def intake_needed_card(hook_instance: str) -> dict[str, Any]:
    """The card for a call whose prefetch has no usable intake: ask for it."""
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/intake-needed")),
        "summary": "Massage plan needs the intake questionnaire first.",
        "indicator": "warning",
        "detail": (
            "There is no massage intake for this patient, so no plan can be made yet: fill in "
            "the massageplan intake questionnaire with the patient, then book again."
        ),
        "source": {"label": "massageplan"},
    }


# ------------------------------------------------------------------ feedback


class _Open(BaseModel):
    # The specification reserves 'extension' on every object, and clients add
    # their own fields: read what is defined, ignore the rest.
    model_config = ConfigDict(extra="ignore")


class _Coding(_Open):
    code: str
    system: str | None = None


class _OverrideReason(_Open):
    reason: _Coding | None = None
    userComment: str | None = None  # noqa: N815 - the specification's name


class _AcceptedSuggestion(_Open):
    id: str


class FeedbackEntry(_Open):
    """One card's outcome, as a CDS Client reports it."""

    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[_AcceptedSuggestion] | None = None  # noqa: N815 - as specified
    overrideReason: _OverrideReason | None = None  # noqa: N815 - as specified
    outcomeTimestamp: str  # noqa: N815 - as specified

    @model_validator(mode="after")
    def _accepted_names_its_suggestions(self) -> FeedbackEntry:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an 'accepted' outcome needs acceptedSuggestions")
        return self


class Feedback(_Open):
    """The body a CDS Client posts to the feedback endpoint."""

    feedback: Annotated[list[FeedbackEntry], Field(min_length=1, max_length=1000)]


class FeedbackTally:
    """How often cards were accepted or overridden, and for which of this
    service's override reasons: counts only. Card and suggestion ids, times
    and the clinician's comments are not kept, so nothing in it is personal
    or can be joined back to a patient."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.outcomes: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()

    def add(self, feedback: Feedback) -> None:
        known = {code for kind in OVERRIDE_REASONS.values() for code in kind}
        with self._lock:
            for entry in feedback.feedback:
                self.outcomes[entry.outcome] += 1
                reason = entry.overrideReason.reason if entry.overrideReason else None
                if reason is not None and reason.system == OVERRIDE_SYSTEM:
                    # Only this service's own codes: a client's codes could carry anything.
                    self.reasons[reason.code if reason.code in known else "other"] += 1

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {"outcomes": dict(self.outcomes), "overrideReasons": dict(self.reasons)}
