"""The plan as FHIR R4: a CarePlan, the booking's ServiceRequest and a Questionnaire
of the questions, validated by fhir.resources (its R4B models: CarePlan,
ServiceRequest and Questionnaire are R4's there), over the API, the CLI and
generated clients."""

from __future__ import annotations

import io
import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import given, settings

from massageplan import recommend
from massageplan.cli import main
from massageplan.service.careplan import care_plan_bundle
from tests.strategies import screened_dicts

HELD = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "swelling": ["feet"],
    "tolerance": {"minutes": 30, "pressure": 2},
    "sessions_completed": 0,
    "physician_consulted": False,
}
MODELS: dict[str, Any] = {
    "CarePlan": CarePlan,
    "ServiceRequest": ServiceRequest,
    "Questionnaire": Questionnaire,
}


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each resource of the Bundle by its type, each validated by fhir.resources."""
    Bundle.model_validate(bundle)
    found = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
        found[resource["resourceType"]] = resource
    return found


def test_a_held_plan_is_a_draft_whose_booking_waits() -> None:
    plan = recommend(HELD)
    found = resources(care_plan_bundle(plan, "Patient/p1"))
    care, booking = found["CarePlan"], found["ServiceRequest"]
    assert (care["status"], care["intent"]) == ("draft", "plan")
    assert booking["status"] == "on-hold"
    assert care["subject"] == booking["subject"] == {"reference": "Patient/p1"}
    assert [n["text"] for n in care["note"]] == [h.text for h in plan.holds]
    details = [a["detail"] for a in care["activity"] if "detail" in a]
    assert {d["status"] for d in details} == {"on-hold"}
    # The booking is the first activity, by reference to the ServiceRequest.
    (booking_url,) = [e["fullUrl"] for e in care_plan_bundle(plan)["entry"][1:2]]
    assert care["activity"][0] == {"reference": {"reference": booking_url}}
    # A visit each, a technique each, an avoidance each (doNotPerform).
    visits = [d for d in details if d["kind"] == "Appointment"]
    assert [v["description"] for v in visits] == [
        f"Visit {n} of {len(plan.visits)} this week: {v.minutes} minutes"
        for n, v in enumerate(plan.visits, 1)
    ]
    avoid = [d for d in details if d.get("doNotPerform")]
    assert len(avoid) == len(plan.restrictions)
    done = [d for d in details if d["kind"] == "ServiceRequest" and not d.get("doNotPerform")]
    assert [d["code"]["coding"][0]["code"] for d in done] == [t.name.value for t in plan.techniques]
    timing = booking["occurrenceTiming"]["repeat"]
    assert (timing["frequency"], timing["periodUnit"]) == (len(plan.visits), "wk")
    # The questions, as Questionnaire items whose linkIds are the intake's.
    questions = found["Questionnaire"]
    assert [i["linkId"] for i in questions["item"]] == [q.field for q in plan.questions]
    assert [i["text"] for i in questions["item"]] == [q.text for q in plan.questions]


def test_the_api_and_the_cli_give_the_same_bundle_and_the_questionnaire() -> None:
    plan = recommend(HELD)
    out = io.StringIO()
    profile = io.StringIO(json.dumps(HELD))
    code = main(["recommend", "-", "--format", "fhir"], stdin=profile, stdout=out)
    assert code == 0
    assert json.loads(out.getvalue()) == care_plan_bundle(plan)
    out = io.StringIO()
    assert main(["schema", "questionnaire"], stdout=out) == 0
    intake = json.loads(out.getvalue())
    Questionnaire.model_validate(intake)
    assert intake["url"] == "urn:massageplan:Questionnaire:intake"


@given(screened_dicts())
@settings(max_examples=60, deadline=None)
def test_every_plan_is_a_valid_bundle(data: dict[str, Any]) -> None:
    plan = recommend(data)
    bundle = care_plan_bundle(plan)
    found = resources(bundle)
    assert ("Questionnaire" in found) == bool(plan.questions)
    assert found["CarePlan"]["status"] == ("draft" if plan.holds else "active")
    assert care_plan_bundle(plan) == bundle  # the same plan, the same Bundle
