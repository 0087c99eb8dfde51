"""The HTTP service and CDS Hooks service, called over HTTP on a real loopback server."""

from __future__ import annotations

import http.client
import io
import json
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
from pathlib import Path
from typing import Any

import jsonschema
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from massageplan import MassagePlanError, recommend
from massageplan.cli import main
from massageplan.service.fhir import QUESTIONNAIRE_URL, condition_from_codes
from massageplan.service.http import create_app
from massageplan.service.trust import Trust, check_bind

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
        answers = [{"valueCoding": {"code": v}} for v in value]
    else:
        answers = [{"valueCoding": {"code": value}}]
    return {"linkId": link, "answer": answers}


def intake(profile: dict[str, Any]) -> dict[str, Any]:
    """The intake QuestionnaireResponse an EHR would send for ``profile``."""
    items = [_answer(k, v) for k, v in profile.items() if k != "tolerance" and v not in ([], None)]
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
    cards = body["cards"]
    # A new client who has not seen the doctor: the hold comes first, critical.
    assert cards[0]["indicator"] == "critical"
    assert cards[0]["summary"].startswith("Do not book yet")
    assert all(len(c["summary"]) < 140 for c in cards)
    assert cards[0]["source"]["url"].startswith("https://")
    plan = cards[-1]["extension"]["org.massageplan.plan"]
    assert plan == json.loads(recommend(PROFILE).model_dump_json())
    assert "# Massage plan for this week" in cards[-1]["detail"]
    order = {"critical": 0, "warning": 1, "info": 2}
    urgency = [order[c["indicator"]] for c in cards[:-1]]
    assert urgency == sorted(urgency)


def test_screening_cards_put_the_new_holds_and_critical_advice_first(server: Server) -> None:
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
    assert cards[0]["summary"].startswith(
        "Do not book yet: the client's doctor is to clear massage"
    )
    critical = [c["summary"] for c in cards if c["indicator"] == "critical"]
    assert len(critical) >= 4  # the hold, the doctor, the wound, the clot's signs
    assert [c["indicator"] for c in cards[: len(critical)]] == ["critical"] * len(critical)
    joined = " ".join(critical)
    assert "signs of a" in joined or "calf or thigh" in joined
    # Port sites not recorded: one card of questions, the port's among them.
    (questions,) = [c for c in cards if c["summary"].startswith("Ask before the session")]
    assert questions["indicator"] == "warning"
    assert "port or a central line" in questions["detail"]
    assert "foot-care specialist" in joined
    plan = cards[-1]["extension"]["org.massageplan.plan"]
    assert plan["pressure"] == 2


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
    assert card["summary"] == "Massage plan needs the intake questionnaire first"
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
