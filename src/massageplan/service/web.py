"""A small web app for clinics without booking software: an intake form, the
plan page (for the therapist or, with ``?for=client``, the client) and the
course chart, server-rendered from the templates in ``templates/``.

The form is generated from the same profile model and intake Questionnaire
as the FHIR service, and the pages from the same layout as the text plan
(``render.text._layout``), so a field or a plan item is defined once. No
JavaScript: every page is a plain form post. A client's answers travel in
POST bodies only (never in a URL, where logs and history keep them), each
post carries a CSRF token that must match its cookie, and every response is
``no-store``. It is mounted only where the service runs without a trusted
issuer, that is on loopback (see ``service.trust.check_bind``).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .._version import __version__
from ..model.errors import MassagePlanError, PlanSafetyError
from ..model.letter import DoctorLetter
from ..model.limits import MAX_NUMBER_DIGITS
from ..model.plan import SessionPlan
from ..model.profile import FIELD, NULLABLE_GROUPS, ClientProfile, FieldKind, LastSession, Reaction
from ..model.visits import record_session
from ..model.wording import answer_words
from ..plan.course import MAX_WEEKS, project_course
from ..plan.recommend import recommend
from ..render.course import area_caps_words
from ..render.letter import NO_LETTER, REPLY, REPLY_TITLE, SIGN, TO_FILL, doctor_letter
from ..render.letter import TITLE as LETTER_TITLE
from ..render.text import (
    PROTOCOL_TITLE,
    SCALE,
    WHERE_FROM,
    Audience,
    _layout,
    after_heading,
    plain_header,
    where_from,
    your_header,
)
from ..rules.rulebase import Rulebase
from .fhir import NONE_CODING, intake_questionnaire
from .headers import PAGE_HEADERS

CSRF_COOKIE = "massageplan_csrf"
CSRF_FIELD = "csrf_token"
COURSE_WEEKS = 12
MAX_FORM = 64 * 1024  # bytes: an intake form is a few hundred


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, "templates"),
        autoescape=True,  # every value is text, never markup
        undefined=jinja2.StrictUndefined,  # a misspelt name fails a test, not a page
        trim_blocks=True,
        lstrip_blocks=True,
    )


# ------------------------------------------------------------------ the form


@dataclass
class Field:
    """One form control, made from one Questionnaire item."""

    name: str  # the item's linkId, which is the profile field's path
    label: str  # the item's question, in plain words
    kind: str  # "choice", "choices", "areas", "boolean", "integer" or "group"
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, words)
    low: int | None = None
    high: int | None = None
    # A screening question: no answer is "not asked yet" (null), which is not "none".
    unknown_allowed: bool = False
    # A list with a "None" tick: asked, and none. Where the list cannot be
    # unknown (swelling), it must be answered: areas, or None.
    says_none: bool = False
    column: str = ""  # a list of areas: its heading in the body table ("Numb")
    children: list[Field] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def shown_as(self) -> str:
        """Its name as the form shows it: a column's heading, or the question."""
        return self.column or self.label

    @property
    def must_answer(self) -> bool:
        registered = FIELD.get(self.name)
        return registered is not None and registered.must_answer


def _field(item: Mapping[str, Any]) -> Field:
    made = Field(item["linkId"], str(item["text"]), "group", bool(item.get("required")))
    kind = item.get("type")
    registered = FIELD.get(made.name)
    if kind == "group":
        made.children = [_field(child) for child in item["item"]]
    elif kind == "choice" and registered is not None:
        made.options = [
            (o["valueCoding"]["code"], o["valueCoding"]["display"])
            for o in item["answerOption"]
            if o["valueCoding"] != NONE_CODING  # the form says it with its own tick
        ]
        made.unknown_allowed = registered.screening
        if item.get("repeats"):
            made.kind = "areas" if registered.kind is FieldKind.AREAS else "choices"
            # "None" where null is "not asked" or not allowed; not where null has a
            # meaning of its own (touch hurts everywhere), said by no tick.
            made.says_none = registered.screening or registered.must_answer
            made.column = registered.at_risk.capitalize() if made.kind == "areas" else ""
        else:
            made.kind = "choice"
    elif kind == "boolean" and registered is not None:
        made.kind = "boolean"
        made.unknown_allowed = registered.screening
    elif kind == "integer" and registered is not None:
        made.kind = "integer"
        made.low, made.high = registered.minimum, registered.maximum
    else:  # the questionnaire refuses unknown kinds; so does the form
        raise TypeError(f"no form control for the item {made.name!r} of type {kind!r}")
    return made


@functools.cache
def form_fields() -> tuple[Field, ...]:
    """The intake form's controls, in the Questionnaire's order."""
    made = [_field(item) for item in intake_questionnaire()["item"]]
    for f in made:
        if f.name == "condition":  # the Questionnaire lets coded Conditions say it; a form cannot
            f.required = True
            f.label = FIELD["condition"].question
    return tuple(made)


@dataclass(frozen=True)
class FormLayout:
    """The form in three parts: the client and their sessions; one table of
    the body's areas, a column per list of areas; the screening questions."""

    about: tuple[Field, ...]
    areas: tuple[Field, ...]
    screening: tuple[Field, ...]
    body: tuple[tuple[str, str], ...]  # the table's rows: (code, words), head to feet


@functools.cache
def form_layout() -> FormLayout:
    fields = form_fields()
    # Columns that must be answered first, then the screening questions, then
    # the one a blank column answers (touch hurts everywhere): as asked.
    areas = tuple(
        sorted(
            (f for f in fields if f.kind == "areas"),
            key=lambda f: 0 if f.must_answer else 1 if f.unknown_allowed else 2,
        )
    )
    return FormLayout(
        about=tuple(f for f in fields if f.kind != "areas" and not f.unknown_allowed),
        areas=areas,
        screening=tuple(f for f in fields if f.kind != "areas" and f.unknown_allowed),
        body=tuple(areas[0].options),
    )


def _leaves(fields: tuple[Field, ...] | list[Field]) -> list[Field]:
    return [leaf for f in fields for leaf in (_leaves(f.children) if f.kind == "group" else [f])]


@functools.cache
def shown_names() -> dict[str, tuple[str, str]]:
    """Each form field's name, in the order the form shows them: the id of its
    control, and its name as the form shows it, for an error to link to and say."""
    layout = form_layout()
    shown = _leaves(layout.about) + list(layout.areas) + _leaves(layout.screening)
    return {f.name: (f.id, f.shown_as) for f in shown}


class FormContradictionError(ValueError):
    """Answers of a form that contradict each other, by the form field's name;
    ``partial``, the rest of the form's answers, to be checked as well."""

    def __init__(self, errors: dict[str, str], partial: dict[str, Any] | None = None) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors
        self.partial = partial or {}


_YES_NO = {"yes": True, "no": False}
NONE_TICK = ".none"  # the name of a list's "None" tick: "numb_areas.none"


@functools.cache
def _form_names() -> frozenset[str]:
    """Every name a posted form may carry: each control's, and each "None" tick."""
    leaves = _leaves(form_fields())
    names = {f.name for f in leaves} | {f.name + NONE_TICK for f in leaves if f.says_none}
    return frozenset(names | {CSRF_FIELD})


def _number(typed: str) -> int | str:
    """A typed number as a whole number, where it is one of a sane length;
    anything else ("²", thousands of digits, "ten") as text, for pydantic to
    name beside its field."""
    text = typed.strip()
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit() and len(digits) <= MAX_NUMBER_DIGITS:
        return int(text)
    return text


def _list_answer(f: Field, form: Mapping[str, list[str]], given: list[str]) -> list[str] | None:
    """A list's answer: the ticks, or none; None where it was not asked."""
    said_none = f.says_none and f.name + NONE_TICK in form
    what = "areas" if f.kind == "areas" else "answers"
    if said_none and given:
        raise FormContradictionError(
            {f.name: f"“None” is ticked, and so are {what}. Untick one or the other."}
        )
    if said_none or given:
        return given
    if f.must_answer:
        raise FormContradictionError({f.name: f"Tick the {what}, or “None” if there are none."})
    # Nothing ticked: not asked yet (null); or, without a "None" tick, the
    # meaning the profile gives no list (touch hurts everywhere).
    return None


def profile_from_form(form: Mapping[str, list[str]]) -> dict[str, Any]:
    """The profile a posted form says, as the plain dict pydantic then validates.

    An empty number is "not known" (left out, or null where the field allows
    it); a number that is not one is passed on as text, for pydantic to name.
    A list with nothing ticked is "not asked yet" (null), never "none", which
    is its "None" tick; "None" with areas ticked as well, or a list that must
    be answered left empty, raises :class:`FormContradictionError`.
    """
    contradictions: dict[str, str] = {}

    def read(fields: tuple[Field, ...] | list[Field]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields:
            key = f.name.rsplit(".", 1)[-1]  # a group's fields are named "group.field"
            given = [v for v in form.get(f.name, []) if v != ""]
            if f.kind == "group":
                # A part the profile may leave null (the last session) is null
                # when none of it is filled in; a part it must have is named by
                # the profile's validation.
                part = read(f.children)
                data[key] = None if not part and key in NULLABLE_GROUPS else part
            elif f.kind in ("areas", "choices"):
                try:
                    data[key] = _list_answer(f, form, given)
                except FormContradictionError as exc:
                    contradictions.update(exc.errors)
            elif f.kind == "boolean":
                # No or yes; left empty, not asked yet (null) where that is allowed,
                # else no (a checkbox left unticked). Anything else is pydantic's to name.
                unsaid = None if f.unknown_allowed else False
                data[key] = _YES_NO.get(given[0], given[0]) if given else unsaid
            elif given:
                data[key] = _number(given[0])
        return data

    made = read(form_fields())
    unknown = sorted(set(form) - _form_names())
    if unknown:  # a field the form never had: never dropped without a word
        contradictions["form"] = f"unknown field(s) {', '.join(repr(n[:40]) for n in unknown[:5])}"
    if contradictions:
        raise FormContradictionError(contradictions, made)
    return made


def form_from_profile(profile: ClientProfile) -> dict[str, list[str]]:
    """The form's answers that say ``profile``, as a browser would post them:
    :func:`profile_from_form` reads them back to the same profile (the plan
    page carries them, so that a question can be answered and planned again)."""
    form: dict[str, list[str]] = {}
    for f in _leaves(form_fields()):
        value = FIELD[f.name].get(profile)
        if f.kind in ("areas", "choices"):
            if value:
                form[f.name] = [v.value for v in value]
            elif value is not None and f.says_none:
                form[f.name + NONE_TICK] = ["yes"]
        elif f.kind == "boolean" and f.unknown_allowed:
            form[f.name] = [] if value is None else ["yes" if value else "no"]
        elif f.kind == "boolean":
            if value:
                form[f.name] = ["yes"]
        elif f.kind == "choice":
            form[f.name] = [] if value is None else [value.value]
        else:
            form[f.name] = [] if value is None else [str(value)]
    return {name: values for name, values in form.items() if values}


# The "record this session" form on the plan page: what the session used, and
# the client's reaction, each a field of LastSession.
RECORD_NAMES = tuple(f"session.{name}" for name in LastSession.model_fields)
# Their bounds are the profile's own (the field registry).
RECORD_LEVEL = FIELD["last_session.pressure"]
RECORD_LENGTH = FIELD["last_session.minutes"]
RECORD_FIELDS = {
    "session.pressure": (
        f"Firmest pressure used (level {RECORD_LEVEL.minimum} to {RECORD_LEVEL.maximum})"
    ),
    "session.minutes": "Length of the session (minutes)",
    "session.reaction": "How the client was 24 to 48 hours later",
}
REACTION_WORDS = {r.value: answer_words("Reaction", r.value).capitalize() for r in Reaction}


def _record_values(recorded: Mapping[str, str]) -> dict[str, Any]:
    """The session's answers as LastSession's fields (numbers as numbers, when
    they are; anything else is pydantic's to name)."""
    values: dict[str, Any] = {}
    for name, typed in recorded.items():
        if typed.strip():
            values[name.split(".", 1)[1]] = _number(typed)
    return values


def _record_errors(recorded: Mapping[str, str]) -> dict[str, str]:
    try:
        LastSession.model_validate(_record_values(recorded))
    except ValidationError as exc:
        return {f"session.{name}": text for name, text in field_errors(exc).items()}
    return {}


# Validation errors in the words a front desk would use, by pydantic's type.
_PLAIN_ERRORS = {
    "missing": "Please answer this.",
    "int_type": "Please type a whole number, such as 20.",
    "int_parsing": "Please type a whole number, such as 20.",
    "int_from_float": "Please type a whole number, such as 20.",
    "less_than_equal": "Please type {le} or less.",
    "greater_than_equal": "Please type {ge} or more.",
    "enum": "Please choose one of the answers offered.",
    "literal_error": "Please choose one of the answers offered.",
    "bool_type": "Please choose yes or no.",
    "bool_parsing": "Please choose yes or no.",
    "input_limit": "{message}",  # the library's own bound on sizes, already in plain words
}


def plain_error(error: ErrorDetails) -> str:
    """A validation error in plain words: pydantic's own, where there are none."""
    said = _PLAIN_ERRORS.get(error["type"])
    if said is None:
        return f"Please check this answer ({error['msg']})."
    return said.format(message=error["msg"], **(error.get("ctx") or {}))


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Each message, in plain words, under the name of the form field it is
    about, in the form's order (the model's differs)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        path = []
        for part in error["loc"]:
            if not isinstance(part, str):
                break
            path.append(part)
        name = ".".join(path) or "form"
        found.setdefault(name, plain_error(error))
    return _in_form_order(found)


def _in_form_order(errors: Mapping[str, str]) -> dict[str, str]:
    """``errors`` as the form shows its fields, top to bottom; the rest after."""
    order = {name: n for n, name in enumerate(shown_names())}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


# ------------------------------------------------------------------ the app


def _page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    values = {"printable": False, **values}  # only a card's link opens a page to print
    html = _templates().get_template(template).render(version=__version__, **values)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _token(request: Request) -> str:
    """The visitor's CSRF token: the one in their cookie, or a new one."""
    known = request.cookies.get(CSRF_COOKIE, "")
    return known if len(known) == 43 else secrets.token_urlsafe(32)


def _with_cookie(response: Response, token: str) -> Response:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


class _FormRefusedError(MassagePlanError):
    """A post without a valid CSRF token, or not a form at all."""


async def _posted(request: Request) -> dict[str, list[str]]:
    """The posted form, once its CSRF token matches the cookie's."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise _FormRefusedError("expected a form post")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        # A browser says where a post comes from: only this site's own pages post here.
        raise _FormRefusedError("the form was posted from another site")
    body = await request.body()
    if len(body) > MAX_FORM:
        raise _FormRefusedError("the form is larger than an intake form can be")
    form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    sent = form.pop(CSRF_FIELD, [""])[0]
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise _FormRefusedError(
            "the form's security token is missing or out of date: reload the form"
        )
    return form


Make = Callable[[dict[str, list[str]], ClientProfile, str], HTMLResponse]


def _plan_of(
    rulebase: Rulebase,
    profile: ClientProfile,
    audience: Audience,
    *,
    form: Mapping[str, list[str]],
    token: str,
    recorded: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The plan page for ``profile``: for the therapist, with "record this session"
    (``recorded``: what was posted there, when it was wrong)."""
    plan = recommend(profile, rulebase)
    return _page(
        "plan.html",
        status,
        letter=audience == "therapist" and doctor_letter(plan, profile) is not None,
        **_plan_values(plan, audience, profile),
        form=form,
        record=RECORD_FIELDS,
        levels=range(RECORD_LEVEL.minimum or 1, (RECORD_LEVEL.maximum or 5) + 1),
        length=RECORD_LENGTH,
        reactions=REACTION_WORDS,
        recorded=recorded or {},
        record_errors=_record_errors(recorded) if recorded else {},
        csrf=token,
        csrf_field=CSRF_FIELD,
    )


def printable_page(rulebase: Rulebase, profile: ClientProfile, kind: str) -> HTMLResponse:
    """The therapist's plan (``kind`` "plan") or the letter to the doctor
    ("letter") for ``profile``, to read and print: no forms, nothing to post.
    The page a CDS card's link opens."""
    plan = recommend(profile, rulebase)
    if kind == "letter":
        letter = doctor_letter(plan, profile)
        if letter is None:
            return refused_page(NO_LETTER, 404)
        return _page("letter.html", printable=True, form={}, **_letter_values(letter))
    values = _plan_values(plan, "therapist", profile)
    return _page("plan.html", printable=True, letter=False, form={}, **values)


def _plan_values(plan: SessionPlan, audience: Audience, profile: ClientProfile) -> dict[str, Any]:
    """What the plan page shows of a plan, for either reader: the same layout
    as the text plan's."""
    doc = _layout(plan, audience, profile)
    return {
        "doc": doc,
        "header": plain_header(profile) if audience == "therapist" else your_header(profile),
        # The client's plan says whom it rests on; the therapist's lists the sources.
        "where_from": (WHERE_FROM, where_from(doc)) if audience == "client" else None,
        "audience": audience,
        "scale": SCALE,
        "protocol_title": PROTOCOL_TITLE[audience],
    }


def refused_page(problem: str, status: int) -> HTMLResponse:
    """A page saying why nothing is shown."""
    return _page("refused.html", status, problem=problem)


def _letter_values(letter: DoctorLetter) -> dict[str, Any]:
    return {
        "letter": letter,
        "title": LETTER_TITLE,
        "to_fill": TO_FILL,
        "reply_title": REPLY_TITLE,
        "reply": REPLY,
        "sign": SIGN,
    }


def add_stylesheet(app: FastAPI) -> None:
    """The pages' stylesheet: nothing personal, so served wherever a page may be."""

    @app.get("/plan.css", include_in_schema=False)
    def stylesheet() -> Response:
        css = (
            resources.files("massageplan.service").joinpath("templates/plan.css").read_text("utf-8")
        )
        # The stylesheet may be cached, if checked each time; nothing else of the page may.
        headers = {**PAGE_HEADERS, "Cache-Control": "no-cache"}
        return Response(css, media_type="text/css", headers=headers)


def _all_errors(exc: FormContradictionError) -> dict[str, str]:
    """The contradictions, and what else is wrong in the form, in the form's order."""
    errors = dict(exc.errors)
    try:
        ClientProfile.model_validate(exc.partial)
    except ValidationError as more:
        errors = {**field_errors(more), **errors}
    return _in_form_order(errors)


def add_pages(app: FastAPI, rulebase: Rulebase) -> None:
    """Mount the web pages on ``app`` (the service's, served on loopback)."""

    def intake(
        token: str, form: Mapping[str, list[str]], errors: Mapping[str, str], status: int = 200
    ) -> Response:
        page = _page(
            "intake.html",
            status,
            layout=form_layout(),
            shown=shown_names(),
            none_tick=NONE_TICK,
            form=form,
            errors=errors,
            csrf=token,
            csrf_field=CSRF_FIELD,
        )
        return _with_cookie(page, token)

    async def answered(request: Request, make: Make) -> Response:
        """The page ``make`` makes of a posted form: or the form again, each
        wrong answer beside its field; or why no plan can be shown."""
        token = _token(request)
        try:
            form = await _posted(request)
        except _FormRefusedError as exc:
            return _with_cookie(_page("refused.html", 403, problem=str(exc)), token)
        try:
            page = make(form, ClientProfile.model_validate(profile_from_form(form)), token)
        except ValidationError as exc:  # every wrong field, next to the field
            return intake(token, form, field_errors(exc), 422)
        except FormContradictionError as exc:  # and every other wrong answer with them
            return intake(token, form, _all_errors(exc), 422)
        except PlanSafetyError as exc:
            page = _page("refused.html", 422, problem="; ".join(exc.violations))
        return _with_cookie(page, token)

    @app.get("/", include_in_schema=False)
    def form_page(request: Request) -> Response:
        return intake(_token(request), {}, {})

    @app.post("/answer", include_in_schema=False)
    async def answer_page(request: Request) -> Response:
        """The form again, filled in as posted: the plan's questions are answered
        there, and 'Make the plan' plans again."""
        token = _token(request)
        try:
            form = await _posted(request)
        except _FormRefusedError as exc:
            return _with_cookie(_page("refused.html", 403, problem=str(exc)), token)
        return intake(token, form, {})

    @app.post("/plan", include_in_schema=False)
    async def plan_page(request: Request) -> Response:
        audience: Audience = (
            "client" if request.query_params.get("for") == "client" else "therapist"
        )

        def make(form: dict[str, list[str]], profile: ClientProfile, token: str) -> HTMLResponse:
            return _plan_of(rulebase, profile, audience, form=form, token=token)

        return await answered(request, make)

    @app.post("/course", include_in_schema=False)
    async def course_page(request: Request) -> Response:
        def make(form: dict[str, list[str]], profile: ClientProfile, token: str) -> HTMLResponse:
            course = project_course(profile, min(COURSE_WEEKS, MAX_WEEKS), rulebase=rulebase)
            longest = max((max(w.visits, default=0) for w in course.weeks), default=0)
            lower = [area_caps_words(w.area_caps) if w.pressures else "" for w in course.weeks]
            return _page(
                "course.html",
                course=course,
                held_lower=lower if any(lower) else [],
                # Under the heading "Do not book yet", each hold without those words again.
                holds=[after_heading(h.text) for h in course.holds],
                longest=longest or 1,
                header=plain_header(profile),
                form=form,
                csrf=token,
                csrf_field=CSRF_FIELD,
            )

        return await answered(request, make)

    _add_next_page(app, rulebase)

    @app.post("/letter", include_in_schema=False)
    async def letter_page(request: Request) -> Response:
        """The letter to the doctor, to print: one A4 or Letter page."""

        def make(form: dict[str, list[str]], profile: ClientProfile, token: str) -> HTMLResponse:
            letter = doctor_letter(recommend(profile, rulebase), profile)
            if letter is None:
                return _page("refused.html", 404, problem=NO_LETTER)
            return _page(
                "letter.html",
                form=form,
                csrf=token,
                csrf_field=CSRF_FIELD,
                **_letter_values(letter),
            )

        return await answered(request, make)


def _add_next_page(app: FastAPI, rulebase: Rulebase) -> None:
    """Mount "record this session": the plan page's form that plans the next one."""

    @app.post("/next", include_in_schema=False)
    async def next_page(request: Request) -> Response:
        """Record the session just done, and plan the next one from it: the page
        carries the updated profile, so the loop goes on visit after visit."""
        token = _token(request)
        try:
            form = await _posted(request)
        except _FormRefusedError as exc:
            return _with_cookie(_page("refused.html", 403, problem=str(exc)), token)
        recorded = {name: (form.pop(name, [""]) or [""])[0] for name in RECORD_NAMES}

        def make(form: dict[str, list[str]], profile: ClientProfile, token: str) -> HTMLResponse:
            try:
                session = LastSession.model_validate(_record_values(recorded))
            except ValidationError:  # the session's answers, beside the record form
                return _plan_of(
                    rulebase,
                    profile,
                    "therapist",
                    form=form,
                    token=token,
                    recorded=recorded,
                    status=422,
                )
            after = record_session(profile, session)
            return _plan_of(
                rulebase, after, "therapist", form=form_from_profile(after), token=token
            )

        try:
            page = make(form, ClientProfile.model_validate(profile_from_form(form)), token)
        except (ValidationError, FormContradictionError):
            page = _page("refused.html", 422, problem="the client's answers did not come with it")
        except PlanSafetyError as exc:
            page = _page("refused.html", 422, problem="; ".join(exc.violations))
        return _with_cookie(page, token)
