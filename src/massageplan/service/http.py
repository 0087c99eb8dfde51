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
  ``POST .../feedback``: what clinicians did with the cards, counted;
  ``GET .../view/{plan|letter}/{sealed}``: the page a card's link opens
  (``service.links``).

Security follows the CDS Hooks specification (``service.trust``): a request without
a good token from the trusted issuer gets 401, and without an issuer the
service listens on loopback only. Bodies larger than ``max_body`` bytes get
413 before they are read whole. Cards are ``service.cds_hooks``'s.
"""

from __future__ import annotations

import json
import os
import uuid
import weakref
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from .._memo import Memo
from ..model.errors import PlanSafetyError, validation_message
from ..model.plan import SessionPlan
from ..model.profile import ClientProfile
from ..plan.batch import BatchError, recommend_many, worker_context
from ..plan.recommend import builtin_rulebase, recommend
from ..render.letter import doctor_letter
from ..rules.rulebase import Rulebase
from .booking import load_json, read_json_lines
from .careplan import care_plan_bundle
from .cds_hooks import (
    HOOK,
    SERVICE_ID,
    Feedback,
    FeedbackTally,
    Links,
    cards,
    error_card,
    intake_needed_card,
    service_description,
)
from .fhir import (
    FhirError,
    intake_questionnaire,
    outcome_message,
    profile_from_fhir,
    resources,
    subject_is,
    usable,
)
from .headers import SECURITY_HEADERS, UNGUARDED_PATHS
from .links import KINDS, LinkError, LinkSealer
from .snomed import SnomedCodes
from .trust import Trust, check_bind, check_origin

MAX_BODY = 1024 * 1024  # bytes: a batch of a few thousand profiles
MAX_BATCH = 10_000  # profiles in one batch request
_SECURITY = [
    (k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
]  # as ASGI sends them
VIEW_PATH = f"/cds-services/{SERVICE_ID}/view/"  # then a page's kind and its sealed token
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


# ------------------------------------------------------------------ size limit


class _SizeLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes read, before it is read whole."""

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
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, self.limit)  # refused before a byte is read
            return
        # Read it here, counting the bytes read, not those announced (a small
        # Content-Length beside a chunked body announces nothing true), never
        # more than the limit, and hand it on whole.
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
    await _answer_error(send, 413, f"the request body is over {limit} bytes")


async def _answer_error(
    send: Callable[[Any], Awaitable[None]],
    status: int,
    detail: str,
    *more_headers: tuple[bytes, bytes],
) -> None:
    """A JSON ``{"detail": ...}`` answer sent from middleware, before the app
    runs, with the security headers every response carries."""
    headers = [(b"content-type", b"application/json"), *more_headers, *_SECURITY]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps({"detail": detail}).encode()})


# ------------------------------------------------------------------ the app


_COMPACT: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


def _batch_response(raw: bytes, ndjson: bool, rules: Rulebase) -> tuple[int, bytes]:
    """A batch request's status and JSON body, all of it made here, in the
    batch worker's process: reading the items, planning them, writing the answer."""
    text = raw.decode("utf-8", errors="replace")
    if ndjson:
        items: list[Any] = read_json_lines(text)
    else:
        try:
            parsed: Any = load_json(text)
        except ValueError as exc:
            return 400, _detail(f"not JSON: {exc}")
        if not isinstance(parsed, list):
            return 400, _detail("expected a JSON list of profiles")
        items = parsed
    if len(items) > MAX_BATCH:
        return 413, _detail(f"over {MAX_BATCH} profiles in one batch")
    written = [
        json.dumps(
            {
                "index": i,
                "error" if isinstance(r, BatchError) else "plan": r.model_dump(mode="json"),
            },
            **_COMPACT,
        )
        for i, r in enumerate(recommend_many(items, rulebase=rules))
    ]
    return 200, ("[" + ",".join(written) + "]").encode()


def _detail(message: str) -> bytes:
    return json.dumps({"detail": message}).encode()


BATCH_NICENESS = 10  # the batch worker's scheduling priority, below the server's
_WORKER_RULES: list[Rulebase] = []  # in the batch worker's process: the rulebase it plans with


def _start_batch_worker(rules: Rulebase) -> None:
    _WORKER_RULES.append(rules)
    if hasattr(os, "nice"):
        # Batches are background work: where cores are short, the server's
        # own requests, a clinician waiting on one plan, go first.
        os.nice(BATCH_NICENESS)


def _batch_in_worker(raw: bytes, ndjson: bool) -> tuple[int, bytes]:
    return _batch_response(raw, ndjson, _WORKER_RULES[0])


class _BatchWorker:
    """Batches are planned in a process of their own, started with the first
    batch and kept: a batch holds its interpreter for as long as it plans, and
    in another process it holds none of the server's, so single plans are
    answered as fast as without it (a thread, even one handing the
    interpreter over between slices, made them five times slower). The caller
    allows one batch at a time."""

    def __init__(self, rules: Rulebase) -> None:
        self._rules = rules
        self._pool: ProcessPoolExecutor | None = None

    def run(self, raw: bytes, ndjson: bool) -> tuple[int, bytes]:
        for _ in range(2):  # a worker that died (killed, out of memory) is replaced once
            if self._pool is None:
                # Never a fork: the server has threads (see worker_context).
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=worker_context(),
                    initializer=_start_batch_worker,
                    initargs=(self._rules,),
                )
            try:
                return self._pool.submit(_batch_in_worker, raw, ndjson).result()
            except BrokenProcessPool:
                self._pool = None
        return 503, _detail("the batch worker stopped twice: try again later")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


_PLAN_JSON = Memo(1024)  # at most 2,048 plans of a few KB each


def plan_json(plan: SessionPlan) -> bytes:
    """A plan's JSON, written once per plan: plans are memoised, so booking
    software asking again for a client gets the same plan, and its bytes.
    (FastAPI would validate the plan against its model again, then write it.)"""
    found = _PLAN_JSON[id(plan)]
    if found is None:  # kept with the plan: its identity is not reused while kept
        found = _PLAN_JSON.keep(id(plan), (plan, plan.model_dump_json().encode()))
    written: bytes = found[1]
    return written


class _CallRefusedError(Exception):
    """A CDS Hooks call the service will not answer with cards (400, and why)."""


LinksFor = Callable[[ClientProfile, SessionPlan], Links]


def _cards_for(
    call: Mapping[str, Any],
    rules: Rulebase,
    links_for: LinksFor | None = None,
    snomed: SnomedCodes | None = None,
) -> list[dict[str, Any]]:
    """The cards for a CDS Hooks call, or :class:`_CallRefusedError`."""
    if call.get("hook") != HOOK or not _is_uuid(call.get("hookInstance")):
        raise _CallRefusedError(
            f"expected a CDS Hooks '{HOOK}' call with a hookInstance that is a UUID"
        )
    instance = call["hookInstance"]
    context = call.get("context")
    if not isinstance(context, Mapping):
        raise _CallRefusedError("expected the call's context, with the patientId it is for")
    patient = context.get("patientId")
    if not isinstance(patient, str) or not patient:
        raise _CallRefusedError("expected the call's context, with the patientId it is for")
    prefetch = call.get("prefetch") or {}
    if not isinstance(prefetch, Mapping):
        raise _CallRefusedError("expected the prefetch as an object")
    # The EHR saying it could not fetch what the service asked for: say so, not guess.
    failed = [
        outcome_message(r)
        for key in ("intake", "conditions")
        for r in resources(prefetch.get(key))
        if r.get("resourceType") == "OperationOutcome"
    ]
    if failed:
        return [error_card(instance, "the EHR could not fetch the prefetch: " + "; ".join(failed))]
    # The intake: the resource, or a searchset of them; one marked
    # entered-in-error is no intake at all.
    responses = usable(resources(prefetch["intake"])) if prefetch.get("intake") else []
    if not responses:
        return [intake_needed_card(instance)]
    conditions = [r for r in resources(prefetch.get("conditions")) if subject_is(r, patient)]
    try:
        profile = ClientProfile.model_validate(profile_from_fhir(responses[0], conditions, snomed))
    except FhirError as exc:
        return [error_card(instance, str(exc))]
    except ValidationError as exc:  # every field, named
        return [error_card(instance, validation_message(exc))]
    if not subject_is(responses[0], patient):  # a plan for another patient: never
        raise _CallRefusedError("the intake's subject is not context.patientId: refused")
    try:
        made = recommend(profile, rules)
    except PlanSafetyError as exc:
        return [error_card(instance, "; ".join(exc.violations))]
    links = links_for(profile, made) if links_for is not None else None
    return cards(made, profile, instance, resources(context.get("appointments")), links)


_NO_TOKEN_PATHS = frozenset({"/docs", "/openapi.json", "/plan.css"})  # the stylesheet is nobody's


class _Guard:
    """ASGI middleware that every request passes: the token check (401 when a
    trusted issuer is set and the token is not good), then the security
    headers on every response it lets through, errors and JSON included.
    Plain ASGI: Starlette's BaseHTTPMiddleware, twice, cost a third of a plan's
    request in tasks and streams."""

    def __init__(self, app: ASGIApp, trust: Trust | None) -> None:
        self.app, self.trust = app, trust

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        # A card's link opens in a browser, with no token: its sealed part is
        # its own authority (``service.links``).
        needs_token = path not in _NO_TOKEN_PATHS and not path.startswith(VIEW_PATH)
        if self.trust is not None and needs_token:
            given = dict(scope.get("headers") or []).get(b"authorization")
            refused = self.trust.check(given.decode("latin-1") if given else None, path)
            if refused is not None:
                await _answer_error(send, 401, refused, (b"www-authenticate", b"Bearer"))
                return
        if path in UNGUARDED_PATHS:
            await self.app(scope, receive, send)
            return

        async def secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _SECURITY if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, secured)


def _guard(app: FastAPI, trust: Trust | None) -> None:
    """What every request passes (``_Guard``), and field errors that never echo
    the input back."""
    app.add_middleware(_Guard, trust=trust)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        # Every field named, as FastAPI would, but without echoing the input: a
        # NaN or a huge number sent back would not even serialise (and a
        # client's answers need not travel twice).
        detail = [
            {
                "type": str(e.get("type")),
                "loc": list(e.get("loc", ())),
                "msg": str(e.get("msg")),
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)


def _add_cds_hooks(
    app: FastAPI,
    rules: Rulebase,
    trust: Trust | None,
    sealer: LinkSealer,
    snomed: SnomedCodes | None,
) -> None:
    """The CDS Hooks service: discovery, cards, the pages their links open, feedback."""

    @app.get("/cds-services", tags=["cds-hooks"])
    def discovery() -> dict[str, Any]:
        """CDS Hooks discovery."""
        return {"services": [service_description()]}

    @app.post(f"/cds-services/{SERVICE_ID}", tags=["cds-hooks"])
    def service(call: dict[str, Any], request: Request) -> Any:
        """Cards for an appointment-book call for context.patientId: a card asking for
        the intake when the prefetch has none; 400 for an intake of another patient."""
        base = (trust.base_url if trust is not None else str(request.base_url)).rstrip("/")

        def links_for(profile: ClientProfile, plan: SessionPlan) -> Links:
            has_letter = doctor_letter(plan, profile) is not None

            def link(kind: str) -> str | None:
                if kind == "letter" and not has_letter:
                    return None
                return f"{base}{VIEW_PATH}{kind}/{sealer.seal(kind, profile)}"

            return link

        try:
            return {"cards": _cards_for(call, rules, links_for, snomed)}
        except _CallRefusedError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get(VIEW_PATH + "{kind}/{token}", include_in_schema=False)
    def view(kind: str, token: str) -> Any:
        """The page a card's link opens: the printable plan, or the letter."""
        from .web import printable_page, refused_page  # noqa: PLC0415 - templates when served

        try:
            if kind not in KINDS:
                raise LinkError("this link is not one of this service's")
            profile = sealer.open(kind, token)
        except LinkError as exc:
            return refused_page(str(exc), 404)
        return printable_page(rules, profile, kind)

    tally = FeedbackTally()

    @app.post(f"/cds-services/{SERVICE_ID}/feedback", tags=["cds-hooks"])
    def feedback(body: Feedback) -> dict[str, Any]:
        """What a clinician did with the cards: counted, nothing kept that is personal."""
        tally.add(body)
        return {}

    @app.get(f"/cds-services/{SERVICE_ID}/feedback", tags=["cds-hooks"])
    def feedback_counts() -> dict[str, dict[str, int]]:
        """How often cards were accepted or overridden, and why: counts only."""
        return tally.counts()


def create_app(
    rulebase: Rulebase | None = None,
    *,
    trust: Trust | None = None,
    max_body: int = MAX_BODY,
    cors_origins: Sequence[str] = (),
    link_key: bytes | None = None,
    snomed: SnomedCodes | None = None,
) -> Any:
    """The FastAPI application.

    ``snomed``: the site's SNOMED CT codes for the three neuropathies, by which
    the CDS service also reads a client's Conditions (ICD-10-CM always); by
    default the library's table (:meth:`SnomedCodes.builtin`).

    ``link_key``: the 32-byte key that seals the cards' links (made at start
    when not given: links then end with the process; servers sharing a load
    balancer share a key). ``cors_origins``: the web origins (such as
    ``https://ehr.example.org``) whose pages may call it from a browser; none
    by default. Each must be a scheme and host, with no path and no wildcard."""
    for origin in cors_origins:
        check_origin(origin)
    rules = builtin_rulebase() if rulebase is None else rulebase
    snomed = SnomedCodes.builtin() if snomed is None else snomed  # read now, not mid-request
    app = FastAPI(
        title="massageplan",
        summary="Massage-therapy session plans for peripheral neuropathy, every item cited.",
        version=rules.digest,
    )

    _guard(app, trust)

    def unsafe(exc: PlanSafetyError) -> Any:
        detail = [{"type": "unsafe_plan", "msg": v} for v in exc.violations]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.post("/plans", response_model=SessionPlan, tags=["plans"])
    async def plan(profile: ClientProfile) -> Any:
        """The session plan for a client profile (422 naming every field that is wrong)."""
        # On the event loop: a plan is a memo hit or a few milliseconds, less
        # than a worker thread's hand-over costs.
        try:
            made = recommend(profile, rules)
        except PlanSafetyError as exc:
            return unsafe(exc)
        return Response(plan_json(made), media_type="application/json")

    @app.post("/plans/fhir", tags=["plans"])
    def plan_as_fhir(profile: ClientProfile) -> Any:
        """The plan as a FHIR R4 Bundle: a CarePlan, the ServiceRequest for the
        booking, and a Questionnaire of the plan's questions."""
        try:
            return care_plan_bundle(recommend(profile, rules))
        except PlanSafetyError as exc:
            return unsafe(exc)

    @app.get("/fhir/Questionnaire/intake", tags=["fhir"])
    def questionnaire() -> dict[str, Any]:
        """The FHIR R4 intake Questionnaire the CDS service's prefetch answers."""
        return intake_questionnaire()

    one_batch = anyio.CapacityLimiter(1)
    batches = _BatchWorker(rules)
    weakref.finalize(app, batches.close)  # the worker goes with the app

    @app.post("/plans/batch", tags=["plans"])
    async def batch(request: Request) -> Any:
        """Plans for a JSON list of profiles, or JSON lines (application/x-ndjson):
        each item's plan or error, in order."""
        raw = await request.body()
        ndjson = "ndjson" in request.headers.get("content-type", "")
        # One batch at a time, waited for in a thread, planned in the worker's
        # process: a batch never holds a single plan up.
        status, body = await anyio.to_thread.run_sync(batches.run, raw, ndjson, limiter=one_batch)
        return Response(body, status_code=status, media_type="application/json")

    _add_cds_hooks(app, rules, trust, LinkSealer(link_key), snomed)

    if cors_origins:
        # An EHR's page calling from the browser (CDS Hooks, "Cross-Origin
        # Resource Sharing"): only the origins configured, never any origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    from .web import add_pages, add_stylesheet  # noqa: PLC0415 - templates when served

    add_stylesheet(app)
    if trust is None:  # on loopback only: the pages a front desk uses (no tokens in a browser)
        add_pages(app, rules)
    app.add_middleware(_SizeLimit, limit=max_body)  # outermost: before anything reads the body
    return app


def serve(
    host: str,
    port: int,
    *,
    rulebase: Rulebase | None = None,
    trust: Trust | None = None,
    cors_origins: Sequence[str] = (),
    snomed: SnomedCodes | None = None,
) -> None:
    """Run the service until interrupted (refuses a non-loopback host without ``trust``)."""
    check_bind(host, trust)
    app = create_app(rulebase, trust=trust, cors_origins=cors_origins, snomed=snomed)
    import uvicorn  # noqa: PLC0415 - only a running server needs it

    uvicorn.run(app, host=host, port=port, ws="none", lifespan="off", log_level="info")
