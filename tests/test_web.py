"""The web pages: the form made from the profile model, CSRF, and a real
headless Chromium filling the form and reading the plan, as a front desk would."""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from massageplan import ClientProfile, load_rulebase
from massageplan.model.profile import FIELD, PROFILE_FIELDS, FieldKind
from massageplan.service.http import create_app
from massageplan.service.trust import Trust
from massageplan.service.web import (
    CSRF_FIELD,
    FormContradictionError,
    field_errors,
    form_fields,
    form_from_profile,
    form_layout,
    profile_from_form,
)
from tests.test_service import Server

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server(create_app())
    yield running
    running.stop()


class Visitor:
    """A browser without a browser: cookies kept, forms posted."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - loopback

    def post(self, path: str, form: list[tuple[str, str]]) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
            self.base + path,
            data=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status, headers, response.read().decode()
        except urllib.error.HTTPError as error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            return error.code, headers, error.read().decode()


def token(page: str) -> str:
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


NEW_CLIENT = [
    ("condition", "diabetic_neuropathy"),
    ("hypersensitivity", "severe"),
    ("swelling", "ankles"),
    ("swelling", "feet"),
    ("fragile_tissue.none", "yes"),
    ("tolerance.minutes", "20"),
    ("tolerance.pressure", ""),
    # Asked, and none; the ports not asked yet (nothing ticked).
    ("numb_areas.none", "yes"),
    ("wounds.none", "yes"),
    ("injection_sites.none", "yes"),
    ("lymphedema_risk.none", "yes"),
]


def test_the_form_asks_for_every_profile_field() -> None:
    def names(fields: Any) -> set[str]:
        return {n for f in fields for n in ([f.name] if f.kind != "group" else names(f.children))}

    wanted = {n for n in ClientProfile.model_fields if n not in ("tolerance", "last_session")}
    wanted |= {"tolerance.minutes", "tolerance.pressure"}
    wanted |= {"last_session.pressure", "last_session.minutes", "last_session.reaction"}
    assert names(form_fields()) == wanted


def test_each_question_offers_every_value_of_its_field() -> None:
    """The Questionnaire's "none" answer is FHIR's way to say asked-and-none;
    the form says it with its own "None" tick, so no list offers it as a value.
    A choice whose value is "none" (no hypersensitivity) still offers it."""
    choices = [f for f in form_fields() if f.kind in ("choice", "choices", "areas")]
    assert len(choices) == sum(1 for f in FIELD.values() if f.choices and "." not in f.name)
    for f in choices:
        assert [code for code, _ in f.options] == list(FIELD[f.name].choices), f.name
    hypersensitivity = next(f for f in form_fields() if f.name == "hypersensitivity")
    assert ("none", "no") in hypersensitivity.options


def test_the_body_table_has_an_area_per_row_and_a_finding_per_column() -> None:
    layout = form_layout()
    assert [f.column for f in layout.areas] == [
        "Swollen",
        "Fragile",
        "Numb",
        "Wound",
        "Injection site",
        "Port",
        "Lymphedema risk",
        "Hypersensitive",
    ]
    assert [words for _, words in layout.body][:3] == ["head", "neck", "shoulders"]
    # Only the lists of areas are in it, and nothing else is asked twice.
    assert {f.name for f in layout.areas} == {
        f.name for f in PROFILE_FIELDS if f.kind is FieldKind.AREAS
    }
    asked = [f.name for part in (layout.about, layout.areas, layout.screening) for f in part]
    assert sorted(asked) == sorted(f.name for f in form_fields())


def test_a_form_reads_back_as_the_profile_it_says() -> None:
    form: dict[str, list[str]] = {}
    for name, value in [*NEW_CLIENT, ("clot_history", "yes")]:
        form.setdefault(name, []).append(value)
    assert ClientProfile.model_validate(profile_from_form(form)) == ClientProfile.model_validate(
        {
            "condition": "diabetic_neuropathy",
            "hypersensitivity": "severe",
            "swelling": ["ankles", "feet"],
            "tolerance": {"minutes": 20, "pressure": None},
            "clot_history": True,
            "fragile_tissue": [],
            # Lists with "None" ticked: asked, none.
            "numb_areas": [],
            "wounds": [],
            "injection_sites": [],
            "lymphedema_risk": [],
            "hypersensitive_areas": None,  # no area ticked: the level applies everywhere
            # Lists with nothing ticked, and questions left at "not asked yet": null.
            "port_sites": None,
            "swelling_signs": None,
            "medications": None,
            "on_chemotherapy": None,
            "on_anticoagulants": None,
            "low_platelets": None,
            "low_white_cells": None,
        }
    )
    form["port_sites.none"] = ["yes"]
    assert profile_from_form(form)["port_sites"] == []  # asked: none
    form["on_anticoagulants"] = ["no"]
    assert profile_from_form(form)["on_anticoagulants"] is False  # asked: no
    form["medications"] = ["opioid"]
    assert profile_from_form(form)["medications"] == ["opioid"]


def test_none_with_ticked_sites_is_refused_next_to_the_field() -> None:
    form = {name: [value] for name, value in NEW_CLIENT}
    form["wounds"] = ["feet"]
    with pytest.raises(FormContradictionError) as refused:
        profile_from_form(form)
    assert refused.value.errors == {
        "wounds": "“None” is ticked, and so are areas. Untick one or the other."
    }


def test_swelling_and_fragile_tissue_must_be_answered() -> None:
    """They cannot be "not asked" (the article asks them at every intake, and
    a profile has no null for them): nothing ticked is not taken for none."""
    form = {name: [value] for name, value in NEW_CLIENT if not name.startswith("fragile")}
    with pytest.raises(FormContradictionError) as refused:
        profile_from_form(form)
    assert refused.value.errors == {
        "fragile_tissue": "Tick the areas, or “None” if there are none."
    }


def test_a_post_without_its_csrf_token_is_refused(server: Server) -> None:
    visitor = Visitor(server.url)
    status, _, page = visitor.post("/plan", NEW_CLIENT)  # no cookie, no token
    assert status == 403
    assert "security token" in page
    _, _, form = visitor.get("/")
    status, _, _ = visitor.post("/plan", [*NEW_CLIENT, (CSRF_FIELD, "not-" + token(form))])
    assert status == 403
    status, headers, page = visitor.post("/plan", [*NEW_CLIENT, (CSRF_FIELD, token(form))])
    assert status == 200
    assert "Do not book yet" in page
    assert headers["cache-control"] == "no-store"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "style=" not in page  # the policy allows no inline style


def test_a_wrong_answer_is_named_next_to_its_field(server: Server) -> None:
    visitor = Visitor(server.url)
    _, _, form = visitor.get("/")
    answers = [(n, "500" if n == "tolerance.minutes" else v) for n, v in NEW_CLIENT]
    status, _, page = visitor.post("/plan", [*answers, (CSRF_FIELD, token(form))])
    assert status == 422
    field = re.search(r'<input type="number"[^>]*id="f-tolerance-minutes"[^>]*>', page)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="f-tolerance-minutes-error"' in field.group(0)
    assert 'id="f-tolerance-minutes-error">Please type 180 or less.<' in page
    # The summary names the field as the form shows it, not by its id.
    assert (
        '<a href="#f-tolerance-minutes">Longest session the client can manage now, in minutes'
        " (5 to 180)</a>: Please type 180 or less." in page
    )
    assert 'value="500"' in field.group(0)  # what was typed stays, to be corrected
    assert 'value="feet" aria-label="Swollen: feet" checked' in page


def test_with_a_trusted_issuer_there_are_no_pages() -> None:
    app = create_app(trust=Trust("https://ehr.example.org/", {}, "https://cds.example.org"))
    paths = {getattr(route, "path", "") for route in app.routes}
    assert "/" not in paths
    assert "/plan" not in paths


# ------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's 'chromium' package): not run here")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only for these tests
    except ImportError:
        pytest.skip("playwright is not installed (pip install '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",  # root in CI
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",  # the machine has no network to talk to
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def snap(page: Any, name: str) -> None:
    """Keep a screenshot to look at, where MASSAGEPLAN_SCREENSHOTS names a folder."""
    folder = os.environ.get("MASSAGEPLAN_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


MINUTES = "Longest session the client can manage now, in minutes"


def fill_new_client(page: Any) -> None:
    """The article's questions, as a front desk reads them on the form."""
    page.get_by_label("Which neuropathy does the client have?").select_option("diabetic_neuropathy")
    page.get_by_label("Does light touch hurt, and how much?").select_option("severe")
    page.get_by_label("Swollen: ankles").check()
    page.get_by_label("Swollen: feet").check()
    page.get_by_label("Fragile: none").check()
    page.get_by_label(MINUTES).fill("20")


def answer_screening_none(page: Any) -> None:
    """Answer every screening question "none", as the field registry lists them."""
    for f in PROFILE_FIELDS:
        if not f.screening:
            continue
        if f.kind is FieldKind.AREAS:  # a column of the body table
            page.get_by_label(f"{f.at_risk.capitalize()}: none").check()
        elif f.kind is FieldKind.CHOICES:
            page.get_by_role("group", name=f.question).get_by_label("None").check()
        else:
            page.get_by_label(f.question).select_option("no")


def test_the_plans_questions_are_answered_on_the_form_and_planned_again(
    server: Server, browser: Any
) -> None:
    page = browser.new_page()
    page.goto(server.url + "/")
    fill_new_client(page)  # the article's fields alone: nothing screened yet
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    asked = page.locator("section.questions")
    assert asked.locator("h2").inner_text() == "Ask before the session"
    assert "numbness" in asked.inner_text()
    asked.get_by_role("button", name="Answer these questions and plan again").click()
    page.wait_for_load_state()
    # The form again, as it was filled in; the questions answered, planned again.
    assert page.get_by_label("Does light touch hurt, and how much?").input_value() == "severe"
    assert page.get_by_label("Swollen: feet").is_checked()
    answer_screening_none(page)
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    assert page.locator("section.questions").count() == 0
    assert (
        "ankles and feet (swollen): up to level 2 (light)"
        in page.locator("section.avoid").inner_text()
    )
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_therapist_fills_the_form_and_reads_the_plan(
    server: Server, browser: Any, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server.url + "/")
    fill_new_client(page)
    answer_screening_none(page)
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    headings = page.locator("main h2").all_inner_texts()
    # Holds first and unmistakable, then the week, techniques, avoid, advice, sources.
    assert headings[0] == "Do not book yet"
    order = ["Once cleared:", "Techniques", "Avoid", "The session"]
    order += ["In the client's plan", "Notes", "Sources"]
    assert [h for h in headings if h in order] == order
    assert "Where this comes from" not in headings  # the client's; the therapist has Sources
    steps = page.locator("section.protocol ol > li").all_inner_texts()
    assert steps[0].startswith("Before you start, agree the pressure scale")
    assert steps[-1].startswith("At the end, have the client sit up slowly")
    hold = page.get_by_role("alert")
    assert "talk to their doctor about massage first" in hold.inner_text()
    assert page.get_by_role("rowheader", name="Swedish, up to level 1 (very light)").is_visible()
    avoid = page.locator("section.avoid").inner_text()
    assert "ankles and feet (swollen): up to level 2 (light)" in avoid
    # Nothing runs off the side of a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    snap(page, f"plan-{width}")

    page.get_by_role("button", name="The client's version").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your massage plan"
    assert page.locator("main h2").first.inner_text() == "Before you book"
    text = page.locator("main").inner_text()
    assert "Before we book your first session, talk to your regular doctor" in text
    assert "Techniques" not in text
    assert page.locator("main h2").last.inner_text() == "Where this comes from"
    steps = page.locator("section.protocol ol > li").all_inner_texts()
    assert [step.split(":")[0].split(",")[0] for step in steps] == [
        "Your therapist will talk about pressure with you on a scale from 0 to 5",
        'Say "stop" at any moment',
        "At the end",
    ]
    snap(page, f"client-{width}")

    page.get_by_role("button", name="The course chart").click()
    page.wait_for_load_state()
    rows = page.locator("table.course tbody tr")
    assert rows.count() == 12
    assert rows.first.inner_text().split()[:2] == ["1", "20"]
    snap(page, f"course-{width}")
    page.close()


# Words the browser drew over more than one line (a break at a hyphen or a
# slash is a break between words).
BROKEN_WORDS = """sel => {
  const broken = [];
  for (const el of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest("a")) continue;  // an address may break anywhere
      for (const m of n.data.matchAll(/[^\\s\\-\\/]+/g)) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => r.top));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def test_a_phone_and_a_printout_read_whole(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server.url + "/")
    fill_new_client(page)
    answer_screening_none(page)
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    # At phone width no word in a table or list is cut in two ("Sourc/es").
    assert page.evaluate(BROKEN_WORDS, "th, td, li") == []
    fill = page.locator(".fill-by-hand")
    assert not fill.is_visible()  # on screen, nothing to fill
    page.emulate_media(media="print")
    assert fill.is_visible()  # on paper, a line for the name and one for the date
    assert fill.inner_text().split() == ["Client:", "Date:"]
    assert fill.locator("input").count() == 0  # filled by hand, never sent
    snap(page, "plan-print")
    page.emulate_media(media="screen")
    page.get_by_role("button", name="The course chart").click()
    page.wait_for_load_state()
    assert page.evaluate(BROKEN_WORDS, "th, td, li") == []
    assert page.locator("main").inner_text().lower().count("do not book yet") == 1
    page.emulate_media(media="print")
    # The bars are borders, which print; a background would be left off the page.
    drawn = page.eval_on_selector_all(
        ".bar.minutes:not([data-share='0'])",
        "bars => bars.map(b => [getComputedStyle(b).borderTopStyle,"
        " parseFloat(getComputedStyle(b).borderTopWidth), b.getBoundingClientRect().width])",
    )
    assert drawn
    assert all(style == "solid" and high > 0 and wide > 0 for style, high, wide in drawn)
    assert page.locator(".fill-by-hand").is_visible()
    snap(page, "course-print")
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_body_table_reads_whole_and_names_its_errors(
    server: Server, browser: Any, width: int
) -> None:
    """One table, an area per row and a finding per column: whole on a desk and
    on a phone, and each wrong column named as the form shows it."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server.url + "/")
    fill_new_client(page)
    table = page.locator("table.areas")
    assert table.locator("thead th").all_inner_texts()[1:3] == ["Swollen", "Fragile"]
    # Every column on the screen at once, and no heading cut in two.
    assert page.evaluate("document.querySelector('.body-table').scrollWidth") <= page.evaluate(
        "document.querySelector('.body-table').clientWidth"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(BROKEN_WORDS, "table.areas th, .key dt") == []
    snap(page, f"form-{width}")
    if width == 390:
        page.emulate_media(media="print")
        snap(page, "form-print")
        page.emulate_media(media="screen")

    page.get_by_label("Fragile: none").uncheck()  # swelling and fragile tissue must be answered
    page.get_by_label("Wound: none").check()
    page.get_by_label("Wound: feet").check()  # "None" and an area: a contradiction
    page.get_by_label(MINUTES).fill("4")
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    # Every wrong answer at once, in the form's order, by the name the form shows.
    assert summary.locator("li").all_inner_texts() == [
        f"{MINUTES} (5 to 180): Please type 5 or more.",
        "Fragile: Tick the areas, or “None” if there are none.",
        "Wound: “None” is ticked, and so are areas. Untick one or the other.",
    ]
    summary.get_by_role("link", name="Wound").click()
    assert page.evaluate("document.activeElement.textContent") == "Wound"
    none = page.get_by_label("Wound: none")
    assert none.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + str(none.get_attribute("aria-describedby")))
    assert error.inner_text().startswith("Wound: “None” is ticked")
    assert page.get_by_label("Wound: feet").is_checked()  # as it was ticked, to correct
    snap(page, f"form-error-{width}")
    page.close()


def test_the_form_works_from_the_keyboard_and_names_errors(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    fill_new_client(page)
    page.get_by_label(MINUTES).fill("500")
    page.get_by_role("button", name="Make the plan").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "Please check 1 answer" in summary.inner_text()
    field = page.get_by_label(MINUTES)
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + str(field.get_attribute("aria-describedby")))
    assert error.inner_text() == "Please type 180 or less."
    page.close()


# A client in a course, cleared by their doctor, every screening answer none.
IN_COURSE = [
    ("condition", "diabetic_neuropathy"),
    ("hypersensitivity", "mild"),
    ("tolerance.minutes", "60"),
    ("tolerance.pressure", "2"),
    ("sessions_completed", "3"),
    ("physician_consulted", "yes"),
    # Every screening question answered: no, or "None" ticked.
    *((f.name, "no") for f in PROFILE_FIELDS if f.screening and f.kind is FieldKind.FLAG),
    *(
        (f.name + ".none", "yes")
        for f in PROFILE_FIELDS
        if f.kind is not FieldKind.FLAG and f.screening
    ),
    ("swelling.none", "yes"),
    ("fragile_tissue.none", "yes"),
]


def test_a_session_is_recorded_on_the_plan_page_and_the_next_planned(server: Server) -> None:
    visitor = Visitor(server.url)
    _, _, form = visitor.get("/")
    csrf = (CSRF_FIELD, token(form))
    status, _, page = visitor.post("/plan", [*IN_COURSE, csrf])
    assert status == 200
    assert "Record this session" in page
    assert "pressure at most level 3 (moderate)" in page
    session = [("session.pressure", "3"), ("session.minutes", "45"), ("session.reaction", "flare")]
    status, _, page = visitor.post("/next", [*IN_COURSE, *session, csrf])
    assert status == 200, page
    assert "session 5." in page  # the fourth recorded: the plan is for the fifth
    assert "Last session: 45 minutes, level 3 (moderate); a flare of symptoms after it." in page
    assert "pressure at most level 2 (light)" in page
    # No visit longer than the flare's 45 minutes, now the most tolerated: two of 30.
    assert "2 visits of 30 minutes" in page
    assert 'name="tolerance.minutes" value="45"' in page
    # The page carries the updated profile: the loop goes on from it.
    assert 'name="last_session.reaction" value="flare"' in page
    assert 'name="sessions_completed" value="4"' in page


def test_a_wrong_session_answer_is_named_beside_the_record_form(server: Server) -> None:
    visitor = Visitor(server.url)
    _, _, form = visitor.get("/")
    session = [("session.pressure", "3"), ("session.minutes", "500"), ("session.reaction", "")]
    status, _, page = visitor.post("/next", [*IN_COURSE, *session, (CSRF_FIELD, token(form))])
    assert status == 422
    assert "Length of the session (minutes)</a>: Please type 180 or less." in page
    assert "How the client was 24 to 48 hours later</a>: Please answer this." in page
    assert 'value="500"' in page  # what was typed stays, to be corrected
    assert "Last session:" not in page  # nothing recorded


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_printout_fits_on_two_pages(server: Server, browser: Any, paper: str) -> None:
    page = browser.new_page()
    page.goto(server.url + "/")
    fill_new_client(page)
    answer_screening_none(page)  # a plan with open questions is longer (see issue 24)
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    assert "Ask before the session" not in page.content()
    pdf = page.pdf(format=paper, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2, f"{pages} {paper} pages"
    page.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_letter_to_the_doctor_prints_on_one_page(
    server: Server, browser: Any, paper: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/")
    fill_new_client(page)  # nothing screened yet: the longest letter, every question open
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Letter to the doctor").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == (
        "Massage therapy for your patient: a proposal and some questions"
    )
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:3] == ["About your patient", "The session I propose", "My questions"]
    assert headings[3].startswith("Your reply")
    asked = page.locator("ol.asked > li").all_inner_texts()
    assert asked[0].startswith("Is the session proposed above suitable")
    assert any(
        q.startswith("What is the cause of the swelling of the ankles and feet") for q in asked
    )
    # Names and dates are lines to fill in by hand: nothing the form sent.
    assert page.locator("dl.fill dd").all_inner_texts() == [""] * 9
    pdf = page.pdf(format=paper, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"{pages} {paper} pages"
    snap(page, f"letter-{paper}")
    page.close()


# Everything a letter can say at once: every question, the most restrictions
# and sources; it still prints on one page.
LONGEST_LETTER = ClientProfile.model_validate(
    {
        "condition": "chemotherapy_induced_neuropathy",
        "hypersensitivity": "severe",
        "hypersensitive_areas": ["hands", "feet"],
        "swelling": ["hands", "lower_legs", "ankles", "feet"],
        "swelling_signs": ["new", "painful"],
        "fragile_tissue": ["forearms", "lower_legs"],
        "tolerance": {"minutes": 20},
        "numb_areas": ["hands", "feet"],
        "wounds": ["feet", "lower_legs"],
        "injection_sites": ["abdomen"],
        "clot_history": True,
        "on_chemotherapy": True,
        "on_anticoagulants": True,
        "port_sites": ["chest"],
        "lymphedema_risk": ["upper_arms"],
        "low_platelets": True,
        "low_white_cells": True,
        "medications": ["insulin_or_sulfonylurea", "opioid", "steroid", "oxaliplatin"],
        "last_session": {"pressure": 2, "minutes": 20, "reaction": "flare"},
    }
)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_longest_letter_still_prints_on_one_page(
    server: Server, browser: Any, paper: str
) -> None:
    visitor = Visitor(server.url)
    _, _, form = visitor.get("/")
    answers = [(k, v) for k, values in form_from_profile(LONGEST_LETTER).items() for v in values]
    status, _, html = visitor.post("/letter", [*answers, (CSRF_FIELD, token(form))])
    assert status == 200
    page = browser.new_page()
    page.goto(server.url + "/")  # the page's address, for its stylesheet
    page.set_content(html)
    assert page.locator("ol.asked > li").count() == 6  # every question a letter asks
    pdf = page.pdf(format=paper, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"{pages} {paper} pages"
    page.close()


def test_a_session_is_recorded_in_the_browser(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(server.url + "/")
    fill_new_client(page)
    answer_screening_none(page)
    page.get_by_label("The client has talked to their doctor about massage").check()
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    record = page.get_by_role("region", name="Record this session")
    record.get_by_label("Firmest pressure used (level 1 to 5)").select_option("1")
    record.get_by_label("Length of the session (minutes)").fill("20")
    record.get_by_label("How the client was 24 to 48 hours later").select_option("sore")
    record.get_by_role("button", name="Record it and plan the next session").click()
    page.wait_for_load_state()
    who = page.locator("ul.who").inner_text()
    assert "session 2." in who
    assert "Last session: 20 minutes, level 1 (very light); sore after it, then settled." in who
    assert "pressure at most level 1 (very light)" in page.locator("ul.week").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "recorded-390")
    page.close()


def test_chromium_is_the_distributions() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: not run here")
    assert shutil.which("chromium") == CHROMIUM


def test_an_unsafe_rulebase_shows_why_there_is_no_plan(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(
        "rules:\n"
        "  - id: consult-physician-before-first-session\n"
        "    title: Advice only\n"
        "    replaces: true\n"
        "    when: {first_session: true, physician_consulted: false}\n"
        "    then: [{advise: consult_physician, text: Talk to your doctor first.}]\n"
        "    because: The clinic only advises.\n"
        "    sources: [project-default]\n",
        encoding="utf-8",
    )
    running = Server(create_app(load_rulebase(clinic, builtin=True)))
    try:
        visitor = Visitor(running.url)
        _, _, form = visitor.get("/")
        status, _, page = visitor.post("/plan", [*NEW_CLIENT, (CSRF_FIELD, token(form))])
    finally:
        running.stop()
    assert status == 422
    assert "No plan" in page
    assert "the consult_physician hold is missing" in page


def test_errors_are_listed_in_the_forms_order_not_the_models() -> None:
    """The summary reads top to bottom, like the form, whatever order the
    model checks its fields in (it checks the areas before the minutes)."""
    wrong = {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "mild",
        "hypersensitive_areas": ["elbows"],
        "tolerance": {"minutes": 500},
    }
    with pytest.raises(ValidationError) as refused:
        ClientProfile.model_validate(wrong)
    assert [e["loc"][0] for e in refused.value.errors()] == ["hypersensitive_areas", "tolerance"]
    assert list(field_errors(refused.value)) == ["tolerance.minutes", "hypersensitive_areas"]
