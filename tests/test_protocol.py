"""The session's steps (contract version 4, part 2: ``plan.protocol``), as a
therapist trained by Walton or the Society for Oncology Massage expects them.

The steps, their order and when each applies are written here by hand from
the contract and the issue, not read from the rules.
"""

from __future__ import annotations

import re

from hypothesis import given

from massageplan import ClientProfile, SourceKind, recommend, render_markdown, render_text
from tests.strategies import ANSWERED_NONE, screened

# The order a session runs them in.
SESSION_ORDER = [
    "pressure_scale",
    "stop_word",
    "check_feet",
    "position",
    "no_prone_over_port",
    "support_swollen_limbs",
    "check_in",
    "numb_areas",
    "fall_risk",
    "get_up_slowly",
]
# The contract's "at least" for every session.
EVERY_SESSION = {"pressure_scale", "stop_word", "check_feet", "position", "check_in"}
EVERY_SESSION |= {"get_up_slowly"}
# What concerns the client too: the scale, the stop word, getting up slowly.
FOR_THE_CLIENT = {"pressure_scale", "stop_word", "get_up_slowly"}
LIMBS = {"upper_arms", "forearms", "hands", "thighs", "knees", "lower_legs", "ankles", "feet"}


def steps_expected(profile: ClientProfile) -> list[str]:
    numb = profile.numb_areas is None or bool(profile.numb_areas)
    ports = profile.port_sites
    port_in_chest = "chest" in {a.value for a in ports or ()} or (
        ports is None and profile.on_chemotherapy is not False
    )
    swollen_limb = bool({a.value for a in profile.swelling} & LIMBS)
    dizzying = {m.value for m in profile.medications or ()} & {"gabapentinoid", "opioid"}
    wanted = set(EVERY_SESSION)
    wanted |= {"numb_areas"} if numb else set()
    wanted |= {"no_prone_over_port"} if port_in_chest else set()
    wanted |= {"support_swollen_limbs"} if swollen_limb else set()
    wanted |= {"fall_risk"} if dizzying else set()
    return [code for code in SESSION_ORDER if code in wanted]


@given(screened)
def test_every_session_has_its_steps_in_session_order(profile: ClientProfile) -> None:
    plan = recommend(profile)
    codes = [s.code.value for s in plan.protocol]
    if not plan.techniques:  # no session, so no steps: nothing can be worked
        assert codes == []
        return
    assert codes == steps_expected(profile)
    for step in plan.protocol:
        assert (step.client_text is not None) == (step.code.value in FOR_THE_CLIENT)


@given(screened)
def test_each_step_cites_what_backs_it_and_never_the_article(profile: ClientProfile) -> None:
    plan = recommend(profile)
    for step in plan.protocol:
        kinds = {s.kind for r in plan.reasons_for(step) for s in plan.sources if s.id in r.sources}
        assert kinds, step.code
        assert kinds <= {SourceKind.LITERATURE, SourceKind.PROJECT_DEFAULT}, step.code


CLIENT = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "tolerance": {"minutes": 60, "pressure": 2},
    "sessions_completed": 2,
    "physician_consulted": True,
    **ANSWERED_NONE,
    "port_sites": ["chest"],
    "on_chemotherapy": True,
}


def numbered(text: str, heading: str) -> list[str]:
    """The numbered items under ``heading``, each joined back into one line."""
    section = text.split(heading + "\n", 1)[1].split("\n\n", 1)[0]
    items = re.split(r"\n\s*(?=\d+\. )", "\n" + section.strip())
    return [" ".join(item.split()) for item in items if item.strip()]


def test_the_therapist_reads_every_step_in_order() -> None:
    # At a glance, the text plan names the steps in one line, in order ...
    text = render_text(recommend(CLIENT), width=1000)
    (session,) = [line for line in text.splitlines() if line.startswith("THE SESSION: ")]
    assert session.startswith("THE SESSION: the pressure scale, a stop word, ")
    assert ", an easy position, not face down, " in session  # the port, right after
    assert session.split(" [")[0].endswith(", sitting up slowly")
    # ... and the Markdown plan says each in full, numbered.
    items = markdown_steps(render_markdown(recommend(CLIENT)))
    assert [item.split(". ", 1)[0] for item in items] == [str(n) for n in range(1, 8)]
    assert items[0].startswith("1. Before you start, agree the pressure scale")
    assert items[3].startswith("4. Settle the client")
    assert "no lying face down" in items[4]
    assert items[-1].startswith("7. At the end, have the client sit up slowly")


def markdown_steps(markdown: str) -> list[str]:
    return markdown.split("## The session\n\n", 1)[1].split("\n\n", 1)[0].splitlines()


def test_the_client_reads_only_what_concerns_them_in_their_words() -> None:
    text = render_text(recommend(CLIENT), audience="client")
    items = numbered(text, "DURING YOUR SESSION")
    assert len(items) == 3
    assert items[0].startswith("1. Your therapist will talk about pressure with you on a scale")
    assert items[1].startswith('2. Say "stop" at any moment')
    assert items[2].startswith("3. At the end, sit up slowly")
    assert "the client" not in " ".join(items)  # written to them, not about them
    assert "THE SESSION" not in text


def test_markdown_numbers_the_steps_under_their_heading() -> None:
    lines = markdown_steps(render_markdown(recommend(CLIENT)))
    assert [line.split(". ", 1)[0] for line in lines] == [str(n) for n in range(1, 8)]


def test_a_held_plan_still_says_how_the_session_will_run() -> None:
    """Under a hold the week is not booked yet, but the session it will be is
    planned whole: the steps stay (a plan with no technique has none)."""
    held = recommend({**CLIENT, "physician_consulted": False, "sessions_completed": 0})
    assert held.holds
    assert [s.code.value for s in held.protocol][:2] == ["pressure_scale", "stop_word"]
