"""The plan as FHIR R4: a CarePlan, the ServiceRequest for the booking, and a
Questionnaire of the plan's questions, together in one Bundle.

The CarePlan's activities are the plan's items: the booking (a reference to
the ServiceRequest), each visit, each technique with its areas and firmest
pressure, and each avoidance (``doNotPerform``). A plan under a hold is a
``draft`` CarePlan whose booking is ``on-hold``, with the holds as notes: an
EHR must not schedule it. Every activity's coding is massageplan's own
(``urn:massageplan:CodeSystem:...``), as the intake's answers are, and the
reasons and sources stay in the plan's JSON: this is a view of the plan for
an EHR, not a second plan.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ..model.plan import Restriction, SessionPlan, Technique
from ..model.profile import FIELD
from ..model.wording import pressure_words, technique_words, words
from ..render.text import week_line
from .fhir import _CODES, _item

SERVICE_TEXT = "Massage therapy for peripheral neuropathy"


def _technique_code(code: str) -> dict[str, Any]:
    said = "any technique" if code == "all" else technique_words(code)
    return {
        "coding": [{"system": _CODES + "Technique", "code": code, "display": said}],
        "text": said,
    }


def _areas(areas: tuple[Any, ...]) -> str:
    return ", ".join(words(a.value) for a in areas)


def _technique(item: Technique, status: str) -> dict[str, Any]:
    return {
        "detail": {
            "kind": "ServiceRequest",
            "code": _technique_code(item.name.value),
            "status": status,
            "description": (
                f"{technique_words(item.name.value).capitalize()} on {_areas(item.areas)}, "
                f"pressure at most {pressure_words(item.max_pressure)}"
            ),
        }
    }


def _avoid(item: Restriction, status: str) -> dict[str, Any]:
    code = str(getattr(item.technique, "value", item.technique))  # a name, or "all"
    what = "massage" if code == "all" else technique_words(code)
    if item.max_pressure is not None:
        said = f"Nothing firmer than {pressure_words(item.max_pressure)}"
        said += "" if code == "all" else f" for {what}"
    else:
        said = f"No {what}"
    return {
        "detail": {
            "kind": "ServiceRequest",
            "code": _technique_code(code),
            "status": status,
            "doNotPerform": True,
            "description": f"{said} on {_areas(item.areas)}",
        }
    }


def _questionnaire(plan: SessionPlan, url: str) -> dict[str, Any]:
    items = []
    for question in plan.questions:
        field = FIELD.get(question.field)
        item = _item(field) if field is not None else {"linkId": question.field, "type": "string"}
        items.append({**item, "text": question.text, "required": False})
    return {
        "resourceType": "Questionnaire",
        "url": url,
        "name": "MassagePlanQuestions",
        "title": "Ask before the session",
        "status": "active",
        "subjectType": ["Patient"],
        "description": "The plan is cautious until these are answered and the plan made again.",
        "item": items,
    }


def care_plan_bundle(plan: SessionPlan, subject: str = "Patient/unknown") -> dict[str, Any]:
    """The plan as a FHIR R4 Bundle (type ``collection``): CarePlan, ServiceRequest
    and, when the plan has questions, a Questionnaire. The same plan gives the
    same Bundle, byte for byte: ids are derived from the plan."""
    digest = hashlib.sha256(plan.model_dump_json(exclude={"generated_by"}).encode()).hexdigest()

    def urn(kind: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'massageplan:{digest}:{kind}')}"

    held = bool(plan.holds)
    status = "on-hold" if held else "not-started"
    minutes = [v.minutes for v in plan.visits]
    booking: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "on-hold" if held else "active",
        "intent": "plan",
        "code": {"text": SERVICE_TEXT},
        "subject": {"reference": subject},
    }
    if minutes:
        booking["occurrenceTiming"] = {
            "repeat": {
                "frequency": len(minutes),
                "period": 1,
                "periodUnit": "wk",
                "duration": max(minutes),
                "durationUnit": "min",
            }
        }
        booking["note"] = [{"text": week_line(plan)}]
    activities: list[dict[str, Any]] = [{"reference": {"reference": urn("booking")}}]
    activities += [
        {
            "detail": {
                "kind": "Appointment",
                "status": status,
                "description": f"Visit {n} of {len(minutes)} this week: {m} minutes",
            }
        }
        for n, m in enumerate(minutes, 1)
    ]
    activities += [_technique(t, status) for t in plan.techniques]
    activities += [_avoid(r, status) for r in plan.restrictions]
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "draft" if held else "active",
        "intent": "plan",
        "title": "Massage plan for this week",
        "description": week_line(plan),
        "subject": {"reference": subject},
        "activity": activities,
    }
    if held:
        care_plan["note"] = [{"text": hold.text} for hold in plan.holds]
    entries = [(urn("careplan"), care_plan), (urn("booking"), booking)]
    if plan.questions:
        entries.append((urn("questions"), _questionnaire(plan, urn("questions"))))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
