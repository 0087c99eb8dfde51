"""Plans where clinics already look: an HTTP API and a CDS Hooks 2.0 service.

Needs the 'serve' extra (FastAPI, uvicorn, PyJWT); only ``massageplan serve``
and code that asks for the app import this module.

``create_app()`` builds a FastAPI application:

- ``POST /plans``: a ClientProfile in, a SessionPlan out (422 naming every field);
  ``POST /plans/batch``: a JSON list or JSON lines of profiles, a result each.
- ``GET /cds-services``: CDS Hooks discovery of the ``massage-plan`` service for
  the ``appointment-book`` hook; ``POST /cds-services/massage-plan``: cards
  from the profile that the request's prefetch gives (the intake
  QuestionnaireResponse and the client's Conditions).

Security follows the CDS Hooks specification: with a trusted issuer and its
keys (:class:`Trust`), every request must carry a JWT signed by one of those
keys, for this endpoint, unexpired and not seen before, or it gets 401.
Without that, :func:`check_bind` refuses any address but loopback. Bodies
larger than ``max_body`` bytes get 413 before they are read whole.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ._batch import BatchError, read_json_lines, recommend_many, validation_message
from ._errors import MassagePlanError, PlanSafetyError
from ._fhir import QUESTIONNAIRE_URL, FhirError, profile_from_fhir, resources
from ._plan import SessionPlan, Severity, Source
from ._profile import ClientProfile
from ._recommend import builtin_rulebase, recommend
from ._render import render_markdown
from ._rulebase import Rulebase

SERVICE_ID = "massage-plan"
HOOK = "appointment-book"
MAX_BODY = 1024 * 1024  # bytes: a batch of a few thousand profiles
MAX_BATCH = 10_000  # profiles in one batch request
SUMMARY_LIMIT = 140  # characters, as the specification says a card's summary has fewer
# Asymmetric signatures only: the specification forbids 'none' and shared-key (HMAC) ones.
ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
PREFETCH = {
    "intake": "QuestionnaireResponse?subject={{context.patientId}}"
    f"&questionnaire={QUESTIONNAIRE_URL}&_sort=-authored&_count=1",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
}
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


# ------------------------------------------------------------------ security


@dataclass
class Trust:
    """The CDS Client a service trusts: its issuer, its public keys (by ``kid``),
    and this service's own base URL, which every token's ``aud`` must name."""

    issuer: str
    keys: Mapping[str, tuple[jwt.PyJWK, str | None]]  # by kid: the key, the alg it declares
    base_url: str
    _seen: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_files(cls, issuer: str, jwks: str | Path, base_url: str) -> Trust:
        """Read the issuer's JWK Set once, at start: a bad one stops the server there."""
        try:
            document = json.loads(Path(jwks).read_text(encoding="utf-8"))
            keys = {
                str(entry["kid"]): (jwt.PyJWK(entry), entry.get("alg"))
                for entry in document["keys"]
                if "kid" in entry
            }
        except (OSError, ValueError, TypeError, KeyError, jwt.PyJWTError) as exc:
            raise MassagePlanError(f"{jwks}: not a usable JWK Set: {exc}") from None
        if not keys:
            raise MassagePlanError(f"{jwks}: no key with a 'kid', which tokens name theirs by")
        return cls(issuer=issuer, keys=keys, base_url=base_url.rstrip("/"))

    def check(self, authorization: str | None, path: str) -> str | None:
        """Why the request may not proceed (None: it may)."""
        if not authorization or not authorization.startswith("Bearer "):
            return "a bearer token (a JWT from the trusted issuer) is required"
        token = authorization.removeprefix("Bearer ").strip()
        try:
            found = self.keys.get(str(jwt.get_unverified_header(token).get("kid")))
            if found is None:
                return "the token's key (kid) is not among the trusted issuer's keys"
            key, declared = found
            # A key that declares its algorithm is good for that one only.
            allowed = [a for a in ALGORITHMS if declared in (None, a)]
            claims = jwt.decode(
                token,
                key.key,
                algorithms=allowed,
                audience=self.base_url + path,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as exc:
            return f"the token was refused: {exc}"
        return self._first_use(str(claims["jti"]), float(claims["exp"]))

    def _first_use(self, jti: str, expires: float) -> str | None:
        now = time.time()
        with self._lock:
            for old in [j for j, until in self._seen.items() if until < now]:
                del self._seen[old]  # expired tokens are refused anyway: forget them
            if jti in self._seen:
                return "the token was used before (jti seen): send a new one"
            self._seen[jti] = expires
        return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, trust: Trust | None) -> None:
    """Refuse to listen beyond this machine with nobody to check who calls."""
    if trust is None and not _loopback(host):
        raise MassagePlanError(
            f"refusing to listen on {host}: without a trusted issuer and its keys "
            "(--issuer, --jwks, --base-url) any caller could read plans; CDS Hooks "
            "services authenticate their clients by signed JWTs. Listen on 127.0.0.1, "
            "or configure the issuer"
        )


# ------------------------------------------------------------------ size limit


class _SizeLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes, before it is read whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            # The server holds the body to its declared length; only that needs checking.
            if not declared.isdigit() or int(declared) > self.limit:
                await _too_large(send, self.limit)
                return
            await self.app(scope, receive, send)
            return
        # Chunked: read it here, never more than the limit, and hand it on whole.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)
        handed = False

        async def replay() -> Any:
            nonlocal handed
            if handed:
                return await receive()
            handed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(send: Callable[[Any], Awaitable[None]], limit: int) -> None:
    body = json.dumps({"detail": f"the request body is over {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ------------------------------------------------------------------ cards


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
    out += [
        card(
            f"advice/{a.code.value}",
            a.text,
            a.severity.value,
            _why(plan, a.reasons),
            _source(plan, a.reasons),
        )
        for a in urgent
    ]
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


def _error_card(hook_instance: str, problem: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hook_instance}/error")),
        "summary": _summary("No massage plan: the intake answers are incomplete or invalid"),
        "indicator": "critical",
        "detail": f"massageplan could not make a plan, so none is shown: {problem}.",
        "source": {"label": "massageplan"},
    }


# ------------------------------------------------------------------ the app


def create_app(
    rulebase: Rulebase | None = None,
    *,
    trust: Trust | None = None,
    max_body: int = MAX_BODY,
) -> Any:
    """The FastAPI application."""
    rules = builtin_rulebase() if rulebase is None else rulebase
    app = FastAPI(
        title="massageplan",
        summary="Massage-therapy session plans for peripheral neuropathy, every item cited.",
        version=rules.digest,
    )

    @app.middleware("http")
    async def authenticate(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        if trust is not None and request.url.path not in ("/docs", "/openapi.json"):
            refused = trust.check(request.headers.get("authorization"), request.url.path)
            if refused is not None:
                return JSONResponse(
                    {"detail": refused}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
                )
        return await call_next(request)

    def unsafe(exc: PlanSafetyError) -> Any:
        detail = [{"type": "unsafe_plan", "msg": v} for v in exc.violations]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.post("/plans", response_model=SessionPlan, tags=["plans"])
    def plan(profile: ClientProfile) -> Any:
        """The session plan for a client profile (422 naming every field that is wrong)."""
        try:
            return recommend(profile, rules)
        except PlanSafetyError as exc:
            return unsafe(exc)

    @app.post("/plans/batch", tags=["plans"])
    async def batch(request: Request) -> Any:
        """Plans for a JSON list of profiles, or JSON lines (application/x-ndjson):
        each item's plan or error, in order."""
        raw = (await request.body()).decode("utf-8", errors="replace")
        if "ndjson" in request.headers.get("content-type", ""):
            items: list[Any] = read_json_lines(raw)
        else:
            try:
                parsed: Any = json.loads(raw)
            except ValueError as exc:
                return JSONResponse({"detail": f"not JSON: {exc}"}, status_code=400)
            if not isinstance(parsed, list):
                return JSONResponse({"detail": "expected a JSON list of profiles"}, 400)
            items = parsed
        if len(items) > MAX_BATCH:
            return JSONResponse({"detail": f"over {MAX_BATCH} profiles in one batch"}, 413)
        results = recommend_many(items, rulebase=rules)
        return [
            {"index": i, "error": r.model_dump(mode="json")}
            if isinstance(r, BatchError)
            else {"index": i, "plan": r.model_dump(mode="json")}
            for i, r in enumerate(results)
        ]

    @app.get("/cds-services", tags=["cds-hooks"])
    def discovery() -> dict[str, Any]:
        """CDS Hooks discovery."""
        return {
            "services": [
                {
                    "hook": HOOK,
                    "id": SERVICE_ID,
                    "title": "Massage plan for peripheral neuropathy",
                    "description": (
                        "When a massage appointment is booked: whether it may be booked yet, "
                        "and the client's session plan, every item cited."
                    ),
                    "prefetch": PREFETCH,
                }
            ]
        }

    @app.post(f"/cds-services/{SERVICE_ID}", tags=["cds-hooks"])
    def service(call: dict[str, Any]) -> Any:
        """Cards for an appointment-book call: 412 without the intake prefetch."""
        if call.get("hook") != HOOK or not isinstance(call.get("hookInstance"), str):
            return JSONResponse(
                {"detail": f"expected a CDS Hooks '{HOOK}' call with a hookInstance"}, 400
            )
        instance = call["hookInstance"]
        prefetch = call.get("prefetch") or {}
        if not isinstance(prefetch, Mapping) or not prefetch.get("intake"):
            return JSONResponse(
                {
                    "detail": "prefetch 'intake' (the client's intake QuestionnaireResponse) is "
                    "missing: the service cannot plan without it"
                },
                status_code=412,
            )
        responses = resources(prefetch["intake"])  # the resource, or a searchset of them
        try:
            data = profile_from_fhir(
                responses[0] if responses else None, prefetch.get("conditions")
            )
            profile = ClientProfile.model_validate(data)
        except FhirError as exc:
            return {"cards": [_error_card(instance, str(exc))]}
        except ValidationError as exc:  # every field, named
            return {"cards": [_error_card(instance, validation_message(exc))]}
        try:
            made = recommend(profile, rules)
        except PlanSafetyError as exc:
            return {"cards": [_error_card(instance, "; ".join(exc.violations))]}
        return {"cards": cards(made, profile, instance)}

    if trust is None:  # on loopback only: the pages a front desk uses (no tokens in a browser)
        from ._web import add_pages  # noqa: PLC0415 - templates are loaded only when served

        add_pages(app, rules)
    app.add_middleware(_SizeLimit, limit=max_body)  # outermost: before anything reads the body
    return app


def serve(
    host: str,
    port: int,
    *,
    rulebase: Rulebase | None = None,
    trust: Trust | None = None,
) -> None:
    """Run the service until interrupted (refuses a non-loopback host without ``trust``)."""
    check_bind(host, trust)
    app = create_app(rulebase, trust=trust)
    import uvicorn  # noqa: PLC0415 - only a running server needs it

    uvicorn.run(app, host=host, port=port, ws="none", lifespan="off", log_level="info")
