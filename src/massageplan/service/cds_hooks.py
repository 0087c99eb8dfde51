"""CDS Hooks 2.0: the massage-plan service's description, and its cards for a plan."""

from __future__ import annotations

import uuid
from typing import Any

from ..model.plan import SessionPlan, Severity, Source
from ..model.profile import ClientProfile
from ..render.text import render_markdown
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


def _summary(text: str) -> str:
    """One sentence, under the specification's 140 characters."""
    if len(text) < SUMMARY_LIMIT:
        return text
    cut = text[: SUMMARY_LIMIT - 2].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _source(plan: SessionPlan, reasons: tuple[str, ...]) -> dict[str, str]:
    by_id: dict[str, Source] = {s.id: s for s in plan.sources}
    first = by_id[plan.reason(reasons[0]).sources[0]]
    label = f"{first.publisher}: {first.title}"
    return {"label": _summary(label), **({"url": first.url} if first.url else {})}


def cards(plan: SessionPlan, profile: ClientProfile, hook_instance: str) -> list[dict[str, Any]]:
    """CDS Hooks cards for a plan: each hold and each critical or warning advice
    item, most urgent first, then the plan itself (its Markdown as the detail,
    the plan as JSON in the card's extension)."""

    def card(
        key: str, summary: str, indicator: str, detail: str, src: dict[str, str]
    ) -> dict[str, Any]:
        return {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/{key}")),
            "summary": _summary(summary),
            "indicator": indicator,
            "detail": detail,
            "source": src,
        }

    out = [
        card(
            f"hold/{hold.code.value}",
            hold.text,
            "critical",
            _why(plan, hold.reasons),
            _source(plan, hold.reasons),
        )
        for hold in plan.holds
    ]
    urgent = [a for a in plan.advice if a.severity is not Severity.INFO]
    urgent.sort(key=lambda a: a.severity is not Severity.CRITICAL)  # stable: critical first
    advice_cards = [
        card(
            f"advice/{a.code.value}",
            a.text,
            a.severity.value,
            _why(plan, a.reasons),
            _source(plan, a.reasons),
        )
        for a in urgent
    ]
    critical = sum(a.severity is Severity.CRITICAL for a in urgent)
    out += advice_cards[:critical]
    if plan.questions:  # one card listing them: the plan is cautious until they are answered
        asked = [reason for q in plan.questions for reason in q.reasons]
        out.append(
            card(
                "questions",
                f"Ask before the session ({len(plan.questions)} question"
                + ("s" if len(plan.questions) > 1 else "")
                + "): the plan is cautious until they are answered",
                "warning",
                "\n".join(f"- {q.text}" for q in plan.questions),
                _source(plan, tuple(dict.fromkeys(asked))),
            )
        )
    out += advice_cards[critical:]
    minutes = " + ".join(str(v.minutes) for v in plan.visits) or "no"
    overview = card(
        "plan",
        f"Massage plan: {minutes} minutes this week, pressure at most level {plan.pressure}",
        "info",  # what is urgent in it has a card of its own, above
        render_markdown(plan, profile),
        _source(plan, plan.visits[0].reasons if plan.visits else plan.holds[0].reasons),
    )
    overview["extension"] = {"org.massageplan.plan": plan.model_dump(mode="json")}
    return [*out, overview]


def _why(plan: SessionPlan, reasons: tuple[str, ...]) -> str:
    return " ".join(r.text for r in plan.reasons_for(reasons))


def error_card(hook_instance: str, problem: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/error")),
        "summary": _summary("No massage plan: the intake answers are incomplete or invalid"),
        "indicator": "critical",
        "detail": f"massageplan could not make a plan, so none is shown: {problem}.",
        "source": {"label": "massageplan"},
    }


def intake_needed_card(hook_instance: str) -> dict[str, Any]:
    """The card for a call whose prefetch has no usable intake: ask for it."""
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/intake-needed")),
        "summary": _summary("Massage plan needs the intake questionnaire first"),
        "indicator": "warning",
        "detail": (
            "There is no massage intake for this patient, so no plan can be made yet: fill in "
            "the massageplan intake questionnaire with the patient, then book again."
        ),
        "source": {"label": "massageplan"},
    }
