"""The HTTP service and CDS Hooks service, called over HTTP on a real loopback server."""

from __future__ import annotations

import html
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import jsonschema
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from massageplan import MassagePlanError, SessionPlan, load_rulebase, recommend
from massageplan._schema import questionnaire_text
from massageplan.cli import main
from massageplan.model.profile import ClientProfile
from massageplan.render.letter import TITLE as LETTER_TITLE
from massageplan.service.careplan import care_plan_bundle
from massageplan.service.cds_hooks import booking_of, cards
from massageplan.service.fhir import (
    QUESTIONNAIRE_URL,
    condition_from_codes,
    response_from_profile,
)
from massageplan.service.http import BATCH_NICENESS, _BatchWorker, create_app
from massageplan.service.links import LINK_HOURS, LinkError, LinkSealer
from massageplan.service.trust import Trust, check_bind
from tests.strategies import screened_dicts

CARD_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "cds-hooks-card.schema.json").read_text(encoding="utf-8")
)
ISSUER = "https://ehr.example.org/"
BASE = "https://cds.example.org"
PROFILE: dict[str, Any] = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "swelling": ["feet"],
    "tolerance": {"minutes": 30, "pressure": 2},
    "sessions_completed": 0,
    "physician_consulted": False,
}


class Server:
    """A uvicorn server in a thread, on a free loopback port."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", ws="none", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def call(
        self,
        method: str,
        path: str,
        body: bytes | Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
            self.url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server(create_app())
    yield running
    running.stop()


# ------------------------------------------------------------------ FHIR


def _answer(link: str, value: Any) -> dict[str, Any]:
    answers: list[dict[str, Any]]
    if isinstance(value, bool):
        answers = [{"valueBoolean": value}]
    elif isinstance(value, int):
        answers = [{"valueInteger": value}]
    elif isinstance(value, list):
        answers = [{"valueCoding": {"code": v}} for v in value or ["none"]]
    else:
        answers = [{"valueCoding": {"code": value}}]
    return {"linkId": link, "answer": answers}


def intake(profile: dict[str, Any]) -> dict[str, Any]:
    """The intake QuestionnaireResponse an EHR would send for ``profile``: a
    field left out or None is not answered, [] is answered "none". The lists
    every intake must answer are answered "none" where ``profile`` leaves them out."""
    profile = {"swelling": [], "fragile_tissue": [], **profile}
    items = [_answer(k, v) for k, v in profile.items() if k != "tolerance" and v is not None]
    tolerance = [_answer(f"tolerance.{k}", v) for k, v in profile["tolerance"].items()]
    items.append({"linkId": "tolerance", "item": tolerance})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "item": items,
    }


def conditions(*codes: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "clinicalStatus": {"coding": [{"code": status}]},
                    "code": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": c}]
                    },
                    "subject": {"reference": "Patient/p1"},
                }
            }
            for c in codes
        ],
    }


def hook_call(prefetch: dict[str, Any] | None) -> dict[str, Any]:
    call: dict[str, Any] = {
        "hook": "appointment-book",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "PractitionerRole/123",
            "patientId": "p1",
            "appointments": {"resourceType": "Bundle", "type": "collection", "entry": []},
        },
    }
    if prefetch is not None:
        call["prefetch"] = prefetch
    return call


# ------------------------------------------------------------------ tests


def test_discovery_names_the_service_its_hook_and_prefetch(server: Server) -> None:
    status, body = server.call("GET", "/cds-services")
    assert status == 200
    (service,) = body["services"]
    assert (service["hook"], service["id"]) == ("appointment-book", "massage-plan")
    assert set(service["prefetch"]) == {"intake", "conditions"}
    assert "{{context.patientId}}" in service["prefetch"]["intake"]
    assert service["description"]


def test_a_profile_in_a_plan_out(server: Server) -> None:
    status, body = server.call("POST", "/plans", PROFILE)
    assert status == 200
    assert body == json.loads(recommend(PROFILE).model_dump_json())


def test_a_bad_profile_gets_422_naming_every_field(server: Server) -> None:
    bad = {**PROFILE, "hypersensitivity": "extreme", "tolerance": {"minutes": 500}}
    status, body = server.call("POST", "/plans", bad)
    assert status == 422
    named = {tuple(e["loc"][1:]) for e in body["detail"]}
    assert named == {("hypersensitivity",), ("tolerance", "minutes")}


def test_a_batch_as_a_list_and_as_json_lines(server: Server) -> None:
    status, body = server.call("POST", "/plans/batch", [PROFILE, {"condition": "x"}])
    assert status == 200
    assert [("plan" in r, r["index"]) for r in body] == [(True, 0), (False, 1)]
    assert body[1]["error"]["kind"] == "invalid_profile"
    lines = (json.dumps(PROFILE) + "\n" + json.dumps(PROFILE) + "\n").encode()
    status, body = server.call(
        "POST", "/plans/batch", lines, {"content-type": "application/x-ndjson"}
    )
    assert status == 200
    assert [r["index"] for r in body] == [0, 1]
    assert body[0]["plan"] == json.loads(recommend(PROFILE).model_dump_json())


def client_texts(plan: SessionPlan) -> list[str]:
    """The advice a plan writes for the client: never in a card for the clinician."""
    return [a.text for a in plan.advice if a.audience.value == "client"]


def shown(cards: list[dict[str, Any]]) -> str:
    """What a card shows a clinician: all of it but the plan's JSON for software."""
    return json.dumps([{k: v for k, v in c.items() if k != "extension"} for c in cards])


def test_appointment_book_gives_cards_from_fhir_resources(server: Server) -> None:
    # The questionnaire says "peripheral"; the coded Condition (E11.42, type 2
    # diabetes with diabetic polyneuropathy) decides.
    answers = intake({**PROFILE, "condition": "peripheral_neuropathy"})
    status, body = server.call(
        "POST",
        "/cds-services/massage-plan",
        hook_call({"intake": answers, "conditions": conditions("E11.42")}),
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    # A card for the hold, one for the questions, one for the plan: nothing else.
    hold, questions, overview = body["cards"]
    assert questions["summary"].startswith("Ask before the session (8 questions)")
    # A new client who has not seen the doctor: the hold comes first, critical.
    assert hold["indicator"] == "critical"
    assert hold["summary"].startswith("Do not book yet")
    assert hold["source"]["url"].startswith("https://")
    assert overview["summary"].startswith("Once cleared: ")
    plan = overview["extension"]["org.massageplan.plan"]
    assert plan == json.loads(recommend(PROFILE).model_dump_json())
    assert "# Massage plan for this week" in overview["detail"]
    said = shown(body["cards"])
    texts = client_texts(recommend(PROFILE))
    assert texts, "the plan has advice for the client, to be kept out of the cards"
    assert not [t for t in texts if json.dumps(t)[1:-1] in said]


def test_screening_cards_one_per_hold_then_the_questions_then_the_plan(server: Server) -> None:
    screened = {
        **PROFILE,
        "sessions_completed": 3,
        "clot_history": True,
        "on_chemotherapy": True,  # port sites not recorded: ask, never guess
        "wounds": ["feet"],
    }
    status, body = server.call(
        "POST", "/cds-services/massage-plan", hook_call({"intake": intake(screened)})
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    cards = body["cards"]
    keys = [c["uuid"] for c in cards]
    assert len(set(keys)) == len(keys)
    made = recommend(screened)
    assert len(made.holds) == 1
    hold, questions, overview = cards
    assert hold["summary"] == "Do not book yet: the client's doctor is to clear massage first."
    assert (hold["indicator"], questions["indicator"]) == ("critical", "warning")
    assert questions["summary"].startswith("Ask before the session (")
    assert "port or a central line" in questions["detail"]
    # The wound, the clot's signs and the doctor: critical points of the plan,
    # in its card, which is as urgent as the most urgent of them.
    assert overview["indicator"] == "critical"
    assert overview["summary"].endswith("critical points inside.")
    assert "calf or thigh" in overview["detail"] or "signs of a" in overview["detail"]
    assert "foot-care specialist" in overview["detail"]
    assert overview["extension"]["org.massageplan.plan"]["pressure"] == 2
    said = shown(cards)
    assert not [t for t in client_texts(recommend(screened)) if json.dumps(t)[1:-1] in said]


def appointment(minutes: int | None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": "apt1",
        "status": "proposed",
        "start": "2026-12-07T09:00:00+01:00",
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "tentative"}],
        **more,
    }
    if minutes is not None:
        found["minutesDuration"] = minutes
    return found


def booking_call(profile: dict[str, Any], *booked: dict[str, Any]) -> dict[str, Any]:
    call = hook_call({"intake": intake(profile)})
    call["context"]["appointments"]["entry"] = [{"resource": a} for a in booked]
    return call


CLEARED = {
    **PROFILE,
    "physician_consulted": True,
    "sessions_completed": 2,
    "tolerance": {"minutes": 60, "pressure": 2},
}


def test_a_booking_longer_than_tolerated_gets_suggestions_to_book_the_plan(
    server: Server,
) -> None:
    plan = recommend(CLEARED)
    minutes = [v.minutes for v in plan.visits]
    assert not plan.holds
    assert len(minutes) == 1, "this client gets one visit a week"
    status, body = server.call(
        "POST", "/cds-services/massage-plan", booking_call(CLEARED, appointment(90))
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (overview,) = [c for c in body["cards"] if "extension" in c]
    assert overview["selectionBehavior"] == "at-most-one"
    (length,) = overview["suggestions"]
    assert length["label"] == f"Make this appointment {minutes[0]} minutes long"
    assert length["isRecommended"] is True
    (action,) = length["actions"]
    assert action["type"] == "update"
    assert action["resource"]["id"] == "apt1"
    assert action["resource"]["minutesDuration"] == minutes[0]
    start = datetime.fromisoformat(appointment(0)["start"])
    assert datetime.fromisoformat(action["resource"]["end"]) - start == timedelta(
        minutes=minutes[0]
    )
    assert {**action["resource"], "minutesDuration": 90} == {**appointment(90), "end": ANY}
    # Booked as planned already: nothing to suggest.
    status, body = server.call(
        "POST", "/cds-services/massage-plan", booking_call(CLEARED, appointment(minutes[0]))
    )
    (overview,) = [c for c in body["cards"] if "extension" in c]
    assert "suggestions" not in overview
    assert "selectionBehavior" not in overview


def test_a_week_of_several_visits_is_offered_as_a_split(server: Server) -> None:
    sensitive = {**CLEARED, "hypersensitivity": "severe", "tolerance": {"minutes": 20}}
    minutes = [v.minutes for v in recommend(sensitive).visits]
    assert len(minutes) > 1, "a severe client gets shorter split sessions"
    status, body = server.call(
        "POST",
        "/cds-services/massage-plan",
        booking_call(sensitive, appointment(None, end="2026-12-07T10:00:00+01:00")),
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (overview,) = [c for c in body["cards"] if "extension" in c]
    labels = [s["label"] for s in overview["suggestions"]]
    assert labels[0] == f"Make this appointment {minutes[0]} minutes long"
    split = overview["suggestions"][1]
    each = minutes[0] if len(set(minutes)) == 1 else None
    assert each is not None, minutes  # the split's visits are equal: said once
    assert split["label"] == f"Split it into this week's {len(minutes)} visits of {each} minutes"
    assert [s.get("isRecommended", False) for s in overview["suggestions"]] == [False, True]
    update, *created = split["actions"]
    assert (update["type"], update["resource"]["minutesDuration"]) == ("update", minutes[0])
    assert [c["resource"]["minutesDuration"] for c in created] == minutes[1:]
    assert {c["type"] for c in created} == {"create"}
    assert all(c["resource"]["status"] == "proposed" for c in created)
    assert all(c["resource"]["participant"] == appointment(0)["participant"] for c in created)


def test_a_hold_offers_to_cancel_or_waitlist_the_booking(server: Server) -> None:
    status, body = server.call(
        "POST", "/cds-services/massage-plan", booking_call(PROFILE, appointment(60))
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    hold, _, overview = body["cards"]
    assert hold["selectionBehavior"] == "at-most-one"
    cancel, waitlist = hold["suggestions"]
    assert cancel["isRecommended"] is True
    assert cancel["actions"] == [
        {
            "type": "delete",
            "description": "Remove the proposed massage appointment",
            "resourceId": "Appointment/apt1",
        }
    ]
    assert waitlist["actions"][0]["resource"] == {**appointment(60), "status": "waitlist"}
    # Nothing on the plan's card books it while the hold stands.
    assert "suggestions" not in overview
    for card in body["cards"]:
        assert {r["display"] for r in card["overrideReasons"]}, "reasons to give when dismissed"


@pytest.mark.parametrize(
    "booked",
    [
        (),
        (appointment(60), {**appointment(30), "id": "apt2"}),
        ({**appointment(60), "id": 7},),
        (appointment(60), {k: v for k, v in appointment(30).items() if k != "id"}),
        ({**appointment(60), "status": "booked"},),
    ],
)
def test_no_single_proposed_appointment_means_no_suggestion(
    server: Server, booked: tuple[dict[str, Any], ...]
) -> None:
    status, body = server.call("POST", "/cds-services/massage-plan", booking_call(PROFILE, *booked))
    assert status == 200
    assert not [c for c in body["cards"] if "suggestions" in c]


@pytest.mark.parametrize(
    "prefetch",
    [None, {"intake": None}, {"intake": {**intake(PROFILE), "status": "entered-in-error"}}],
)
def test_without_a_usable_intake_a_card_asks_for_it(server: Server, prefetch: Any) -> None:
    """No intake, a null one, or one marked entered-in-error: a card asking for
    the intake (not a 412 the EHR shows as a failure)."""
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call(prefetch))
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (card,) = body["cards"]
    assert card["summary"] == "Massage plan needs the intake questionnaire first."
    assert card["indicator"] == "warning"


def test_an_intake_of_another_patient_is_refused(server: Server) -> None:
    other = {**intake(PROFILE), "subject": {"reference": "Patient/p2"}}
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call({"intake": other}))
    assert status == 400
    assert body["detail"] == "the intake's subject is not context.patientId: refused"
    absolute = {**intake(PROFILE), "subject": {"reference": "https://ehr.example/fhir/Patient/p1"}}
    status, _ = server.call("POST", "/cds-services/massage-plan", hook_call({"intake": absolute}))
    assert status == 200


@pytest.mark.parametrize("where", ["intake", "conditions"])
def test_an_operation_outcome_in_the_prefetch_becomes_an_error_card(
    server: Server, where: str
) -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "Search\ntimed out"}],
    }
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": outcome}]}
    prefetch: dict[str, Any] = {"intake": intake(PROFILE), where: bundle}
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call(prefetch))
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (card,) = body["cards"]
    assert card["indicator"] == "critical"
    assert card["detail"].endswith("the EHR could not fetch the prefetch: Search timed out.")


def test_an_intake_that_does_not_answer_swelling_gets_no_plan(server: Server) -> None:
    answers = intake(PROFILE)
    answers["item"] = [i for i in answers["item"] if i["linkId"] != "swelling"]
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call({"intake": answers}))
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (card,) = body["cards"]  # no plan that takes unasked swelling for none
    assert card["indicator"] == "critical"
    assert "swelling not answered" in card["detail"]


def test_a_call_without_its_context_is_refused(server: Server) -> None:
    call = hook_call({"intake": intake(PROFILE)})
    del call["context"]
    status, body = server.call("POST", "/cds-services/massage-plan", call)
    assert status == 400
    assert "context" in body["detail"]


def test_invalid_intake_answers_get_a_critical_card_naming_the_field(server: Server) -> None:
    answers = intake({**PROFILE, "tolerance": {"minutes": 500}})
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call({"intake": answers}))
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    (card,) = body["cards"]
    assert card["indicator"] == "critical"
    assert "tolerance.minutes" in card["detail"]
    status, body = server.call(
        "POST",
        "/cds-services/massage-plan",
        hook_call({"intake": {"resourceType": "Patient"}}),
    )
    assert status == 200
    assert "expected a QuestionnaireResponse" in body["cards"][0]["detail"]


@pytest.mark.parametrize(
    "prefetch",
    [
        {"intake": [1, "x"]},
        {"intake": "text"},
        {"intake": {"resourceType": "Bundle", "entry": [1, {"resource": 2}]}},
        {"intake": {"resourceType": "QuestionnaireResponse", "item": "x"}},
        {"intake": intake(PROFILE), "conditions": [{"resourceType": "Condition", "code": "E11"}]},
        {"intake": intake(PROFILE), "conditions": "E11.42"},
        ["not", "an", "object"],
    ],
)
def test_odd_prefetch_data_gets_a_card_or_a_4xx_never_a_500(server: Server, prefetch: Any) -> None:
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call(prefetch))
    assert status in (200, 400), body
    if status == 200:
        jsonschema.validate(body, CARD_SCHEMA)


@pytest.mark.parametrize("path", ["/plans", "/plans/batch", "/cds-services/massage-plan"])
def test_a_malformed_body_is_a_4xx_never_a_500(server: Server, path: str) -> None:
    for body in (b"{not json", b"[1, 2", b"\xff\xfe", b""):
        status, _ = server.call("POST", path, body)
        assert 400 <= status < 500, (path, body, status)


def test_an_oversized_body_is_413() -> None:
    small = Server(create_app(max_body=1000))
    try:
        status, body = small.call("POST", "/plans", b"[" + b" " * 5000 + b"]")
        assert status == 413
        assert "over 1000 bytes" in body["detail"]
        status, _ = small.call("POST", "/plans", PROFILE)
        assert status == 200
        # Without a declared length (chunked), the body is counted as it comes.
        assert chunked(small, [b" " * 400] * 5) == 413
        assert chunked(small, [json.dumps(PROFILE).encode()]) == 200
    finally:
        small.stop()


def chunked(server: Server, parts: list[bytes]) -> int:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(
            "POST",
            "/plans",
            body=iter(parts),
            headers={"content-type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# ------------------------------------------------------------------ security


@pytest.fixture(scope="module")
def keys() -> tuple[Any, dict[str, Any]]:
    private = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    return private, {"keys": [{**public, "kid": "ehr-key", "alg": "ES384", "use": "sig"}]}


def token(private: Any, path: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": BASE + path,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        **changes,
    }
    return jwt.encode(claims, private, algorithm="ES384", headers={"kid": "ehr-key"})


def test_with_a_trusted_issuer_every_request_needs_a_valid_token(
    keys: tuple[Any, dict[str, Any]], tmp_path: Path
) -> None:
    private, jwks = keys
    (tmp_path / "jwks.json").write_text(json.dumps(jwks), encoding="utf-8")
    trust = Trust.from_files(ISSUER, tmp_path / "jwks.json", BASE)
    secured = Server(create_app(trust=trust))
    try:
        path = "/cds-services"

        def status(auth: str | None) -> int:
            headers = {"authorization": auth} if auth is not None else {}
            return secured.call("GET", path, headers=headers)[0]

        good = token(private, path)
        assert status(f"Bearer {good}") == 200
        assert status(f"Bearer {good}") == 401  # a token is used once (jti)
        assert status(None) == 401
        expired = token(private, path, exp=int(time.time()) - 10)
        assert status(f"Bearer {expired}") == 401
        elsewhere = token(private, "/cds-services/another-service")
        assert status(f"Bearer {elsewhere}") == 401  # aud names another endpoint
        stranger = token(private, path, iss="https://other.example.org/")
        assert status(f"Bearer {stranger}") == 401
        forged = token(ec.generate_private_key(ec.SECP384R1()), path)  # same kid, other key
        assert status(f"Bearer {forged}") == 401
        shared = jwt.encode(
            {"iss": ISSUER, "aud": BASE + path, "exp": 9999999999, "iat": 1, "jti": "x"},
            "a shared secret of enough length for HS256",
            algorithm="HS256",
            headers={"kid": "ehr-key"},
        )
        assert status(f"Bearer {shared}") == 401  # no shared-key algorithms
        plan_path = "/plans"
        code, body = secured.call(
            "POST",
            plan_path,
            PROFILE,
            {"authorization": f"Bearer {token(private, plan_path)}"},
        )
        assert code == 200
        assert body["fired_rules"]
    finally:
        secured.stop()


def test_without_a_trusted_issuer_only_loopback(
    keys: tuple[Any, dict[str, Any]], tmp_path: Path
) -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        check_bind(host, None)
    for host in ("0.0.0.0", "192.0.2.10", "example.org"):  # noqa: S104 - the refusal is the test
        with pytest.raises(MassagePlanError, match="refusing to listen on"):
            check_bind(host, None)
    (tmp_path / "jwks.json").write_text(json.dumps(keys[1]), encoding="utf-8")
    trusted = Trust.from_files(ISSUER, tmp_path / "jwks.json", BASE)
    check_bind("0.0.0.0", trusted)  # noqa: S104 - an open address is allowed with an issuer


def test_the_openapi_document_has_the_profile_and_plan_models(server: Server) -> None:
    status, body = server.call("GET", "/openapi.json")
    assert status == 200
    assert {"ClientProfile", "SessionPlan"} <= set(body["components"]["schemas"])


@pytest.mark.parametrize(
    ("codes", "status", "condition"),
    [
        (["E11.42"], "active", "diabetic_neuropathy"),
        (["E10.40"], "active", "diabetic_neuropathy"),
        (["G62.0", "T45.1X5A"], "active", "chemotherapy_induced_neuropathy"),
        (["G62.0"], "active", "peripheral_neuropathy"),  # drug-induced, not said chemotherapy
        (["G62.9"], "active", "peripheral_neuropathy"),
        (["E11.42", "G62.0", "T45.1X5A"], "active", "diabetic_neuropathy"),
        (["E11.9"], "active", None),  # diabetes without neuropathy
        (["E11.42"], "resolved", None),
    ],
)
def test_conditions_map_to_the_profile_condition_by_their_codes(
    codes: list[str], status: str, condition: str | None
) -> None:
    found = condition_from_codes(conditions(*codes, status=status))
    assert (found.value if found else None) == condition


def test_the_serve_command_refuses_an_open_address_without_an_issuer() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["serve", "--host", "0.0.0.0"], stdout=out, stderr=err)  # noqa: S104 - refused
    assert code == 2
    assert err.getvalue().startswith("massageplan: refusing to listen on 0.0.0.0:")
    assert err.getvalue().count("\n") == 1
    code = main(["serve", "--issuer", ISSUER], stdout=out, stderr=err)
    assert code == 2
    assert "--issuer, --jwks and --base-url go together" in err.getvalue()


def test_the_serve_command_serves_until_interrupted() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "massageplan", "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/cds-services"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert json.loads(response.read())["services"][0]["id"] == "massage-plan"
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"serving on http://127.0.0.1:{port} (loopback only, no tokens)" in err


def test_an_rsa_key_without_a_declared_algorithm_takes_rs384(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415 - this test's own

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    (tmp_path / "jwks.json").write_text(
        json.dumps({"keys": [{**public, "kid": "rsa-key"}]}), encoding="utf-8"
    )
    trust = Trust.from_files(ISSUER, tmp_path / "jwks.json", BASE)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE + "/plans", "iat": now, "exp": now + 60, "jti": "a"}
    signed = jwt.encode(claims, private, algorithm="RS384", headers={"kid": "rsa-key"})
    assert trust.check(f"Bearer {signed}", "/plans") is None


@pytest.mark.parametrize(
    "document",
    ["not json", json.dumps({"keys": "x"}), json.dumps({"keys": [{"kty": "EC"}]}), "{}"],
)
def test_a_bad_jwk_set_stops_the_server_at_start(tmp_path: Path, document: str) -> None:
    (tmp_path / "jwks.json").write_text(document, encoding="utf-8")
    with pytest.raises(MassagePlanError, match=r"jwks\.json: "):
        Trust.from_files(ISSUER, tmp_path / "jwks.json", BASE)


# ------------------------------------------------------------------ feedback and CORS


def feedback_entry(**changes: Any) -> dict[str, Any]:
    return {
        "card": str(uuid.uuid4()),
        "outcome": "overridden",
        "outcomeTimestamp": "2026-12-05T10:05:31Z",
        **changes,
    }


def test_feedback_is_counted_and_nothing_personal_is_kept() -> None:
    running = Server(create_app())  # its own tally
    try:
        secret = "Mrs Example in room 4 refused"  # noqa: S105 - a comment, not a password
        card = str(uuid.uuid4())
        body = {
            "feedback": [
                feedback_entry(
                    card=card,
                    overrideReason={
                        "reason": {
                            "system": "urn:massageplan:CodeSystem:override-reason",
                            "code": "already-cleared",
                        },
                        "userComment": secret,
                    },
                ),
                feedback_entry(outcome="accepted", acceptedSuggestions=[{"id": "s1"}]),
                feedback_entry(overrideReason={"reason": {"system": "urn:other", "code": secret}}),
            ]
        }
        status, answer = running.call("POST", "/cds-services/massage-plan/feedback", body)
        assert (status, answer) == (200, {})
        status, counts = running.call("GET", "/cds-services/massage-plan/feedback")
        assert status == 200
        assert counts == {
            "outcomes": {"overridden": 2, "accepted": 1},
            "overrideReasons": {"already-cleared": 1},
        }
        assert secret not in json.dumps(counts)
        assert card not in json.dumps(counts)
    finally:
        running.stop()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"feedback": []},
        {"feedback": [feedback_entry(outcome="ignored")]},
        {"feedback": [feedback_entry(outcome="accepted")]},  # names no suggestion
        {"feedback": [{"card": "x", "outcome": "overridden"}]},  # no timestamp
    ],
)
def test_malformed_feedback_gets_422(server: Server, body: dict[str, Any]) -> None:
    status, answer = server.call("POST", "/cds-services/massage-plan/feedback", body)
    assert status == 422
    assert answer["detail"]


def preflight(url: str, origin: str) -> dict[str, str]:
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        url + "/cds-services/massage-plan",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return {k.lower(): v for k, v in error.headers.items()}


def test_cors_is_off_unless_an_origin_is_configured(server: Server) -> None:
    assert "access-control-allow-origin" not in preflight(server.url, "https://ehr.example.org")
    configured = Server(create_app(cors_origins=["https://ehr.example.org"]))
    try:
        allowed = preflight(configured.url, "https://ehr.example.org")
        assert allowed["access-control-allow-origin"] == "https://ehr.example.org"
        assert "POST" in allowed["access-control-allow-methods"]
        assert "access-control-allow-origin" not in preflight(
            configured.url, "https://attacker.example"
        )
    finally:
        configured.stop()


@pytest.mark.parametrize(
    "origin",
    ["*", "https://ehr.example.org/", "https://*.example.org", "http://ehr.example.org", "ehr"],
)
def test_a_cors_origin_that_is_not_one_exact_origin_is_refused(origin: str) -> None:
    with pytest.raises(MassagePlanError, match="origin"):
        create_app(cors_origins=[origin])
    err = io.StringIO()
    code = main(["serve", "--cors-origin", origin], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert origin in err.getvalue()
    assert len(err.getvalue().splitlines()) == 1


@pytest.mark.parametrize("instance", ["", "call-1", 5, None, "d1577c69-dfbe-44ad-ba6d"])
def test_a_hook_instance_that_is_not_a_uuid_gets_400(server: Server, instance: Any) -> None:
    call = hook_call({"intake": intake(PROFILE)})
    call["hookInstance"] = instance
    status, body = server.call("POST", "/cds-services/massage-plan", call)
    assert status == 400
    assert "hookInstance that is a UUID" in body["detail"]


# ------------------------------------------------------------------ links


def get_page(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, html.unescape(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, html.unescape(error.read().decode())


def test_the_cards_link_to_the_printable_plan_and_the_letter(server: Server) -> None:
    status, body = server.call(
        "POST", "/cds-services/massage-plan", hook_call({"intake": intake(PROFILE)})
    )
    assert status == 200
    jsonschema.validate(body, CARD_SCHEMA)
    hold, _, overview = body["cards"]
    assert hold["links"] == overview["links"]
    plan_link, letter_link = overview["links"]
    assert (plan_link["label"], letter_link["label"]) == ("Printable plan", "Letter to the doctor")
    assert {plan_link["type"], letter_link["type"]} == {"absolute"}
    prefix = server.url + "/cds-services/massage-plan/view/"
    assert plan_link["url"].startswith(prefix + "plan/")
    # The link carries the answers sealed: nothing of them is readable in it.
    assert "diabetic" not in plan_link["url"]
    assert "tolerance" not in plan_link["url"]
    status, page = get_page(plan_link["url"])
    assert status == 200
    assert "<h1" in page
    assert "Do not book yet" in page
    assert "<form" not in page  # a page to read and print: nothing to post
    status, page = get_page(letter_link["url"])
    assert status == 200
    assert "<form" not in page
    assert LETTER_TITLE in page
    # One page's link does not open the other, and a changed link opens nothing.
    token = plan_link["url"].rsplit("/", 1)[1]
    for bad in (prefix + "letter/" + token, prefix + "plan/" + token[:-4] + "AAAA"):
        status, page = get_page(bad)
        assert status == 404
        assert "not one of this service's" in page


ANSWERED = {
    **CLEARED,
    "hypersensitivity": "none",
    "swelling": [],
    "numb_areas": [],
    "wounds": [],
    "injection_sites": [],
    "clot_history": False,
    "on_anticoagulants": False,
    "on_chemotherapy": False,
    "port_sites": [],
    "lymphedema_risk": [],
    "low_platelets": False,
    "low_white_cells": False,
    "medications": [],
}


def test_a_plan_without_a_letter_links_only_the_plan(server: Server) -> None:
    plan = recommend(ANSWERED)
    assert not plan.holds
    assert not plan.questions, "nothing to ask the doctor: no letter"
    answers = response_from_profile(ClientProfile.model_validate(ANSWERED), "Patient/p1")
    status, body = server.call("POST", "/cds-services/massage-plan", hook_call({"intake": answers}))
    assert status == 200
    (overview,) = body["cards"]
    assert [link["label"] for link in overview["links"]] == ["Printable plan"]


def test_a_link_expires_and_another_servers_link_does_not_open() -> None:
    profile = ClientProfile.model_validate(PROFILE)
    sealer = LinkSealer()
    token = sealer.seal("plan", profile, now=1_000_000)
    assert sealer.open("plan", token, now=1_000_000 + 3600) == profile
    with pytest.raises(LinkError, match="expired"):
        sealer.open("plan", token, now=1_000_000 + LINK_HOURS * 3600 + 1)
    with pytest.raises(LinkError, match="not one of this service's"):
        LinkSealer().open("plan", token, now=1_000_000)
    with pytest.raises(MassagePlanError, match="32 bytes"):
        LinkSealer(b"short")


def test_under_a_trusted_issuer_a_link_opens_without_a_token(
    keys: tuple[Any, dict[str, Any]], tmp_path: Path
) -> None:
    private, jwks = keys
    (tmp_path / "jwks.json").write_text(json.dumps(jwks), encoding="utf-8")
    secured = Server(create_app(trust=Trust.from_files(ISSUER, tmp_path / "jwks.json", BASE)))
    try:
        path = "/cds-services/massage-plan"
        call = hook_call({"intake": intake(PROFILE)})
        auth = {"authorization": f"Bearer {token(private, path)}"}
        status, body = secured.call("POST", path, call, auth)
        assert status == 200
        link = body["cards"][-1]["links"][0]["url"]
        assert link.startswith(BASE + "/cds-services/massage-plan/view/plan/")  # the public URL
        status, page = get_page(secured.url + link.removeprefix(BASE))
        assert status == 200
        assert "<form" not in page
        assert get_page(secured.url + "/plan.css")[0] == 200
        # Every other page still needs its token.
        assert secured.call("GET", "/cds-services")[0] == 401
    finally:
        secured.stop()


@given(screened_dicts(), st.booleans())
@settings(max_examples=150, deadline=None)
def test_cards_are_one_per_hold_then_questions_then_the_plan_each_summary_whole(
    data: dict[str, Any], booked: bool
) -> None:
    """Over generated clients: the cards are the holds, the questions (if any)
    and the plan, in that order; every summary is one whole sentence under 140
    characters; nothing written for the client is shown; suggestions come
    with their selection behaviour and never book a held client."""
    profile = ClientProfile.model_validate(data)
    plan = recommend(profile)
    made = cards(plan, profile, str(uuid.uuid4()), [appointment(90)] if booked else [])
    jsonschema.validate({"cards": made}, CARD_SCHEMA)
    expected = [f"hold/{h.code.value}" for h in plan.holds]
    expected += ["questions"] * bool(plan.questions) + ["plan"]
    assert len(made) == len(expected)
    assert [c["indicator"] for c in made[: len(plan.holds)]] == ["critical"] * len(plan.holds)
    assert "extension" in made[-1]
    for card in made:
        summary = card["summary"]
        assert len(summary) < 140
        assert summary.endswith("."), summary  # whole, never cut with an ellipsis
        assert "\u2026" not in summary
    said = shown(made)
    assert not [t for t in client_texts(plan) if json.dumps(t)[1:-1] in said]
    suggesting = [c for c in made if "suggestions" in c]
    if plan.holds:
        assert [c["uuid"] for c in suggesting] == ([made[0]["uuid"]] if booked else [])
        assert not any(
            a["type"] == "create"
            for c in suggesting
            for s in c["suggestions"]
            for a in s["actions"]
        )
    recommended = [s for c in suggesting for s in c["suggestions"] if s.get("isRecommended")]
    assert len(recommended) == len(suggesting)  # one recommended choice a card


def test_the_plan_as_fhir_and_the_intake_questionnaire_over_http(server: Server) -> None:
    status, body = server.call("POST", "/plans/fhir", PROFILE)
    assert status == 200
    assert body == care_plan_bundle(recommend(PROFILE))
    status, body = server.call("POST", "/plans/fhir", {**PROFILE, "tolerance": {"minutes": 0}})
    assert status == 422
    status, body = server.call("GET", "/fhir/Questionnaire/intake")
    assert status == 200
    assert body == json.loads(questionnaire_text())


def test_a_new_length_without_a_start_drops_the_end_it_would_contradict() -> None:
    booked = {**appointment(60, end="2026-12-07T10:00:00+01:00")}
    del booked["start"]
    booking = booking_of([booked])
    assert booking is not None
    assert booking.lasting(20) == {
        k: v for k, v in {**booked, "minutesDuration": 20}.items() if k != "end"
    }
    with_start = booking_of([appointment(60)])
    assert with_start is not None
    assert with_start.lasting(20)["end"] == "2026-12-07T09:20:00+01:00"


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this platform")
def test_the_batch_worker_runs_below_the_servers_priority() -> None:
    """Batches are background work: where cores are short, a clinician's single
    plan goes first. The worker's niceness is the server's plus BATCH_NICENESS."""
    worker = _BatchWorker(load_rulebase())
    try:
        status, _ = worker.run(b"[]", ndjson=False)  # starts the worker
        assert status == 200
        assert worker._pool is not None
        theirs = worker._pool.submit(os.nice, 0).result()
    finally:
        worker.close()
    assert theirs == min(os.nice(0) + BATCH_NICENESS, 19)
