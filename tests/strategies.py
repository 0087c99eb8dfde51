"""Hypothesis strategies for profiles and for arbitrary JSON-like input."""

from __future__ import annotations

import functools
import itertools
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from massageplan import (
    BodyArea,
    ClientProfile,
    Rulebase,
    RulebaseConflictWarning,
    load_rulebase,
)
from massageplan.engine.conditions import OPERATORS
from massageplan.engine.facts import FIELDS
from massageplan.model.profile import PROFILE_FIELDS, FieldKind, ProfileField, nested_profile
from massageplan.plan.recommend import fired_rules

areas = st.lists(st.sampled_from(list(BodyArea)), max_size=6)


def field_values(field: ProfileField, *, unknown: bool = True) -> st.SearchStrategy[Any]:
    """Any valid value of a profile field, as a plain JSON value, made from the
    field table: a new field is drawn without anyone listing it here. A
    number's own points and boundaries (60 minutes, the first session) get
    extra weight."""
    drawn: st.SearchStrategy[Any]
    if field.kind is FieldKind.AREAS:
        drawn = areas.map(lambda listed: [a.value for a in listed])
    elif field.kind is FieldKind.CHOICES:
        drawn = st.lists(st.sampled_from(list(field.choices)), max_size=3)
    elif field.kind is FieldKind.FLAG:
        drawn = st.booleans()
    elif field.kind is FieldKind.CHOICE:
        drawn = st.sampled_from(list(field.choices))
    else:
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else 10**9
        edges = {*field.points, *(n + d for n in field.boundaries for d in (-1, 0, 1))}
        drawn = st.one_of(
            st.sampled_from(sorted(n for n in edges if low <= n <= high)), st.integers(low, high)
        )
    return st.one_of(st.none(), drawn) if field.may_be_unknown and unknown else drawn


def _group(unit: str) -> st.SearchStrategy[Any]:
    """A group of fields given together (the last session): null, or whole."""
    members = {
        f.name.split(".", 1)[1]: field_values(f, unknown=False)
        for f in PROFILE_FIELDS
        if f.unit == unit
    }
    return st.one_of(st.none(), st.fixed_dictionaries(members))


def _strategies(fields: list[ProfileField]) -> dict[str, st.SearchStrategy[Any]]:
    return {f.unit: field_values(f) if f.unit == f.name else _group(f.unit) for f in fields}


def _dicts(fields: list[ProfileField], optional: list[ProfileField]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(_strategies(fields), optional=_strategies(optional)).map(
        nested_profile
    )


_ARTICLE = [f for f in PROFILE_FIELDS if not f.screening]
# Every screening question asked, and answered "none": a client whose plan is
# the article's (contract v4: a question not asked is not "none").
ANSWERED_NONE: dict[str, Any] = {
    f.name: False if f.kind is FieldKind.FLAG else [] for f in PROFILE_FIELDS if f.screening
}
_SCREENING = [f for f in PROFILE_FIELDS if f.screening]


def profile_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Valid profiles as the plain dicts booking software sends: the fields the
    article speaks of, each given."""
    return _dicts(_ARTICLE, [])


profiles = profile_dicts().map(ClientProfile.model_validate)


def screened_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Valid profiles with the screening fields too, each given or left out
    (then its default, which for some is "not known")."""
    return _dicts(_ARTICLE, _SCREENING)


screened = st.one_of(profiles, screened_dicts().map(ClientProfile.model_validate))

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["feet", "severe", "diabetic_neuropathy", "60", "true", ""]),
)
json_like = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)


@st.composite
def near_profiles(draw: st.DrawFn) -> Any:
    """Valid profiles with one part replaced by arbitrary JSON-like data."""
    data: dict[str, Any] = draw(profile_dicts())
    key = draw(st.sampled_from([*data, "tolerance.minutes", "tolerance.pressure", "extra"]))
    value = draw(json_like)
    if key.startswith("tolerance."):
        data["tolerance"] = {**data["tolerance"], key.split(".")[1]: value}
    else:
        data[key] = value
    return data


# Clinic rules that a careless clinic might write, each alone or together with
# others layered on the built-in rules. Several replace a built-in safety rule.
CLINIC_RULES: dict[str, str] = {
    "friction-on-feet": """
  - id: friction-on-feet
    title: Friction to warm up the feet
    then: [{technique: friction, areas: [feet], max_pressure: 2}]
    because: The clinic warms the feet with friction.
    sources: [house-policy]
""",
    "kneading-everywhere": """
  - id: kneading-everywhere
    title: Kneading everywhere
    then: [{technique: kneading, areas: all, max_pressure: 4}]
    because: The clinic kneads everywhere.
    sources: [house-policy]
""",
    "faster-pressure": """
  - id: gradual-pressure
    title: Faster pressure
    replaces: true
    when: {pressure_known: true}
    then: [{pressure_at_most: {above_tolerated: 3}}]
    because: The clinic goes faster.
    sources: [house-policy]
""",
    "firm-while-unknown": """
  - id: light-pressure-while-unknown
    title: Firm from the start
    replaces: true
    when: {pressure_known: false}
    then: [{pressure_at_most: {level: 4}}]
    because: The clinic starts firm.
    sources: [house-policy]
""",
    "friction-only-rule-for-swelling": """
  - id: gentle-work-on-swelling
    title: Nothing more than the article
    replaces: true
    when: {swelling: {empty: false}}
    then: [{avoid: friction, areas: swelling}]
    because: The clinic follows the article's letter.
    sources: [project-default]
""",
    "long-visits": """
  - id: weekly-session
    title: Ninety minutes
    replaces: true
    then: [{visits: {weekly_minutes: 90, longest_visit: 90}}]
    because: The clinic books long visits.
    sources: [house-policy]
""",
    "no-hold": """
  - id: consult-physician-before-first-session
    title: Advice only
    replaces: true
    when: {first_session: true, physician_consulted: false}
    then: [{advise: consult_physician, text: Talk to your doctor before your first session.}]
    because: The clinic only advises.
    sources: [project-default]
""",
    "no-split": """
  - id: split-sessions
    title: Full hour regardless
    replaces: true
    when: {tolerance.minutes: {below: 60}}
    then: [{advise: slower_progress_with_shorter_sessions, text: Shorter is slower.}]
    because: The clinic keeps the hour.
    sources: [house-policy]
""",
    "clot-hold-only": """
  - id: gentle-legs-after-a-clot
    title: The hold is enough
    replaces: true
    when: {clot_history: true}
    then: [{advise: clot_warning_signs, audience: both, text: Watch the legs.}]
    because: The clinic relies on the doctor's clearance.
    sources: [house-policy]
""",
    "firm-in-chemotherapy": """
  - id: light-pressure-in-chemotherapy
    title: Firm is fine in chemotherapy
    replaces: true
    when: {on_chemotherapy: true}
    then: [{pressure_at_most: {level: 4}}]
    because: The clinic trusts the tolerance.
    sources: [house-policy]
""",
    "short-splits": """
  - id: split-sessions
    title: Three visits whatever their length
    replaces: true
    when: {tolerance.minutes: {below: 60}}
    then:
      - visits: {longest_visit: tolerance, at_most_per_week: 3}
      - advise: slower_progress_with_shorter_sessions
        text: Shorter is slower.
    because: The clinic always splits.
    sources: [house-policy]
""",
    "no-empty-hour-hold": """
  - id: no-booking-without-an-area-to-work
    title: Book regardless
    replaces: true
    then: [{advise: expected_benefits, text: Rest is good too.}]
    because: The clinic books the hour anyway.
    sources: [house-policy]
""",
    "kneading-on-numb-areas": """
  - id: no-kneading-heat-or-cold-on-numb-areas
    title: Kneading wakes numb feet up
    replaces: true
    when: {numb_areas: {empty: false}}
    then: [{technique: kneading, areas: numb_areas, max_pressure: 3}]
    because: The clinic kneads numb feet.
    sources: [house-policy]
""",
    "step-up-at-the-first-session": """
  - id: no-step-up-at-the-first-session
    title: A level up from the start
    replaces: true
    when: {pressure_known: true, first_session: true}
    then: [{pressure_at_most: {above_tolerated: 1}}]
    because: The clinic steps up at once.
    sources: [house-policy]
""",
    "split-severe-first-week": """
  - id: one-shorter-visit-in-a-severe-first-week
    title: Short visits from the first week
    replaces: true
    when: {tolerance.minutes: {below: 60}, hypersensitivity: severe, first_session: true}
    then: [{visits: {longest_visit: tolerance, at_most_per_week: 3, shortest_split_visit: 15}}]
    because: The clinic splits the first week too.
    sources: [house-policy]
""",
    "one-consult-advice-for-everyone": """
  - id: consult-physician-during-course
    title: The same words for every client
    replaces: true
    when: {physician_consulted: false}
    then: [{advise: consult_physician, text: Talk to your doctor about your massage.}]
    because: The clinic says the same to every client.
    sources: [house-policy]
""",
    "step-up-on-opioids": """
  - id: no-step-up-on-pain-medicines
    title: Pain medicines need no change of pressure
    replaces: true
    when: {medications: {includes_any: [gabapentinoid, opioid]}}
    then: [{step: fall_risk, text: Help the client up.}]
    because: The clinic trusts the tolerance.
    sources: [house-policy]
""",
    "steroid-skin-as-usual": """
  - id: fragile-skin-on-steroids
    title: Steroids change nothing
    replaces: true
    when: {medications: {includes: steroid}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: The clinic works as usual.
    sources: [house-policy]
""",
    "cold-packs-on-oxaliplatin": """
  - id: keep-warm-on-oxaliplatin
    title: Oxaliplatin changes nothing
    replaces: true
    when: {medications: {includes: oxaliplatin}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: The clinic uses cold packs on anyone.
    sources: [house-policy]
""",
    "medicines-question-alone": """
  - id: medications-not-yet-asked
    title: Ask, and step up meanwhile
    replaces: true
    when: {medications_known: false}
    then: [{ask: medications, text: Any medicines?}]
    because: The clinic asks, and meanwhile steps up.
    sources: [house-policy]
""",
    "kneading-where-touch-hurts": """
  - id: gentle-work-where-touch-hurts
    title: Only friction is too much where touch hurts
    replaces: true
    when: {hypersensitive_areas: {empty: false}}
    then: [{avoid: friction, areas: hypersensitive_areas}]
    because: The clinic kneads where touch hurts.
    sources: [house-policy]
""",
    "numbness-question-alone": """
  - id: numbness-not-yet-asked
    title: Ask, and work as usual meanwhile
    replaces: true
    when: {numb_areas_known: false}
    then: [{ask: numb_areas, text: Any numbness?}]
    because: The clinic asks, and meanwhile works as usual.
    sources: [house-policy]
""",
    "firm-while-chemotherapy-unasked": """
  - id: chemotherapy-not-yet-asked
    title: Firm until told otherwise
    replaces: true
    when: {condition: chemotherapy_induced_neuropathy, on_chemotherapy_known: false}
    then: [{pressure_at_most: {level: 4}}]
    because: The clinic assumes treatment is over.
    sources: [house-policy]
""",
    "ports-unasked-ignored": """
  - id: ports-not-yet-asked-in-chemotherapy
    title: Ports are the oncology team's business
    replaces: true
    when: {on_chemotherapy: true, port_sites_known: false}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: The clinic leaves ports to the oncology team.
    sources: [house-policy]
""",
    "no-same-day-check": """
  - id: same-day-check-for-one-sided-warm-or-painful-swelling
    title: Gentle work is enough
    replaces: true
    when:
      swelling: {empty: false}
      swelling_signs: {includes_any: [one_sided, warm_or_red, painful]}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: The clinic works around swelling.
    sources: [house-policy]
""",
    "firm-with-low-platelets": """
  - id: very-light-pressure-with-low-platelets
    title: Platelets are the oncologist's business
    replaces: true
    when: {low_platelets: true}
    then: [{pressure_at_most: {level: 3}}]
    because: The clinic trusts the tolerance.
    sources: [house-policy]
""",
    "blood-sugar-for-everyone": """
  - id: watch-blood-sugar-near-insulin-sites
    title: Blood sugar for any injection
    replaces: true
    when: {injection_sites: {empty: false}}
    then: [{advise: watch_blood_sugar, text: Check your blood sugar.}]
    because: The clinic assumes insulin.
    sources: [house-policy]
""",
    "house-maximum-45": """
  - id: house-maximum
    title: Visits of 45 minutes at most
    then: [{visits: {longest_visit: 45}}]
    because: The clinic's rooms are booked in 45-minute slots.
    sources: [house-policy]
""",
    "press-on-after-a-flare": """
  - id: step-back-after-a-flare
    title: A flare is no reason to change anything
    replaces: true
    when: {last_session.reaction: flare}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: The clinic keeps to its course.
    sources: [house-policy]
""",
    "step-up-after-soreness": """
  - id: hold-after-soreness
    title: Soreness is a sign of progress
    replaces: true
    when: {last_session.reaction: sore}
    then: [{pressure_at_most: {above_last_session: 1}}]
    because: The clinic steps up through soreness.
    sources: [house-policy]
""",
    "two-steps-after-a-fine-session": """
  - id: one-step-after-a-fine-session
    title: Two levels up after a good session
    replaces: true
    when: {last_session.reaction: fine}
    then: [{pressure_at_most: {level: 5}}]
    because: The clinic makes the most of a good week.
    sources: [house-policy]
""",
}
CLINIC_SOURCES = """sources:
  - id: house-policy
    kind: clinic
    title: House rules of the test clinic
    publisher: Test Clinic
rules:
"""
# Two clinic rules that replace the same built-in rule cannot be layered together.
_RIVALS = ({"no-split", "short-splits"},)
clinic_choices = st.frozensets(st.sampled_from(sorted(CLINIC_RULES)), max_size=4).filter(
    lambda chosen: not any(rivals <= chosen for rivals in _RIVALS)
)


@functools.cache
def clinic_rulebase(choices: frozenset[str]) -> Rulebase:
    """The built-in rules with the chosen clinic rules layered on top."""
    if not choices:
        return load_rulebase()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.yaml"
        rules = "".join(CLINIC_RULES[c] for c in sorted(choices))
        path.write_text(CLINIC_SOURCES + rules, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RulebaseConflictWarning)
            return load_rulebase(path, builtin=True)


def at_first_session(profile: ClientProfile, rulebase: Rulebase | None = None) -> set[str]:
    """The rules that fire for this client with no sessions completed, as the
    engine decides: what invariant 5's oracle needs to know of the rulebase."""
    first = profile.model_copy(update={"sessions_completed": 0})
    return {rule.id for rule in fired_rules(first, rulebase or load_rulebase())}


# A clinic that keeps the screening rules' advice and drops their limits: each
# invariant the sweep checks only for some clients (``Invariant.only_with``)
# is broken by it, so a check skipped wrongly loses a kind of failure here.
WEAK_SCREENING = """\
sources:
  - {id: house, kind: clinic, title: A careless clinic's rules, publisher: Test}
rules:
  - id: no-friction-on-swelling
    title: Friction off swollen hands only
    replaces: true
    when: {swelling: {includes: hands}}
    then: [{avoid: friction, areas: [hands]}]
    because: Only the hands.
    sources: [house]
  - id: no-work-on-wounds
    title: Advice only
    replaces: true
    when: {wounds: {empty: false}}
    then: [{advise: inspect_skin, audience: therapist, text: Look at the skin.}]
    because: Advice only.
    sources: [house]
  - id: gentle-and-watchful-on-numb-areas
    title: Advice only
    replaces: true
    when: {numb_areas: {empty: false}}
    then: [{advise: inspect_skin, audience: therapist, text: Look at the skin.}]
    because: Advice only.
    sources: [house]
  - id: no-work-on-injection-sites
    title: Nothing
    replaces: true
    when: {injection_sites: {empty: false}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: physician-clearance-after-a-clot
    title: Nothing
    replaces: true
    when: {clot_history: true, physician_consulted: false}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: ports-not-yet-asked-in-chemotherapy
    title: Nothing
    replaces: true
    when: {on_chemotherapy: true, port_sites_known: false}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: gentle-work-on-fragile-tissue
    title: Friction only
    replaces: true
    when: {fragile_tissue: {empty: false}}
    then: [{avoid: friction, areas: fragile_tissue}]
    because: Friction only.
    sources: [house]
  - id: gentle-legs-after-a-clot
    title: The warning alone
    replaces: true
    when: {clot_history: true}
    then: [{advise: clot_warning_signs, audience: both, text: Watch the legs.}]
    because: The warning alone.
    sources: [house]
  - id: no-work-on-port-sites
    title: Nothing
    replaces: true
    when: {port_sites: {empty: false}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: gentle-on-lymphedema-risk-areas
    title: Nothing
    replaces: true
    when: {lymphedema_risk: {empty: false}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: very-light-pressure-with-low-platelets
    title: Nothing
    replaces: true
    when: {low_platelets: true}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: gentle-work-where-touch-hurts
    title: Nothing
    replaces: true
    when: {hypersensitive_areas: {empty: false}}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: very-light-where-touch-hurts-at-first
    title: Nothing
    replaces: true
    when: {hypersensitive_areas: {empty: false}, first_session: true}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: step-back-after-a-flare
    title: Nothing
    replaces: true
    when: {last_session.reaction: flare}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
  - id: hold-after-soreness
    title: Nothing
    replaces: true
    when: {last_session.reaction: sore}
    then: [{advise: expected_benefits, text: Benefits.}]
    because: Nothing.
    sources: [house]
"""


@functools.cache
def weak_screening() -> Rulebase:
    """The built-in rules with every screening limit dropped (WEAK_SCREENING)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weak.yaml"
        path.write_text(WEAK_SCREENING, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RulebaseConflictWarning)
            return load_rulebase(path, builtin=True)


# Operands for each kind of fact, chosen to cover boundaries on both sides.
INTS = {
    "tolerance.minutes": [5, 30, 59, 60, 61, 180],
    "tolerance.pressure": [1, 2, 3, 5],
    "sessions_completed": [0, 1, 2, 10],
    "last_session.pressure": [1, 2, 4, 5],
    "last_session.minutes": [5, 20, 60, 61],
}


def _operand(name: str, op: str, index: int) -> Any:
    fact = FIELDS[name]
    if fact.kind == "bool":
        return index % 2 == 0
    if fact.kind == "int":
        values = INTS[name]
        number = values[index % len(values)]
        return [number, values[(index + 1) % len(values)]] if op == "in" else number
    if op == "empty":
        return index % 2 == 0
    if fact.kind == "areas":  # a few values, so the sweep's lists stay few
        few = ["hands", "ankles", "feet"] if "feet" in fact.values else list(fact.values[:3])
        value = few[index % 3]
        return [value, few[(index + 1) % 3]] if op != "includes" else value
    if op in ("in", "not_in"):
        return list(fact.values[index % len(fact.values) :][:2]) or [fact.values[0]]
    # "above" the last or "below" the first value can never hold: the loader refuses it.
    choices = {"above": fact.values[:-1], "below": fact.values[1:]}.get(op, fact.values)
    return choices[(index * 3) % len(choices)]


def every_operator_rules() -> str:
    """Rules per fact and operator, with several operands and each operator
    repeated, so that they fill three of durable's 32-rule rulesets."""
    rules = []
    counter = itertools.count()
    for name, fact in FIELDS.items():
        kind = "ordered" if fact.ordered else fact.kind
        for op in OPERATORS[kind]:
            for index in range(2):
                operand = _operand(name, op, index)
                when = {name: {op: operand}}
                number = next(counter)
                rules.append(
                    f"  - id: r{number}\n"
                    f"    title: {name} {op}\n"
                    f"    when: {when!r}\n"
                    "    then: [{advise: experienced_therapist, text: Same.}]\n"
                    f"    because: Testing every operator, case {number}.\n"
                    "    sources: [project-default]\n"
                )
    # Two-fact rules, so that ANDs across facts are compared too.
    rules.append(
        "  - id: joint\n    title: joint\n"
        "    when: {hypersensitivity: {at_least: mild}, tolerance.minutes: {below: 60},"
        " swelling: {includes_any: [feet, hands]}}\n"
        "    then: [{advise: experienced_therapist, text: Same.}]\n"
        "    because: Testing.\n    sources: [project-default]\n"
    )
    return "rules:\n" + "".join(rules).replace("'", '"')


@functools.cache
def every_operator_rulebase() -> Rulebase:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "operators.yaml"
        path.write_text(every_operator_rules(), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RulebaseConflictWarning)
            return load_rulebase(path)


def _fhir_like(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """JSON with FHIR's own keys, so that the parser's deeper paths are reached."""
    keys = st.sampled_from(
        [
            "resourceType",
            "entry",
            "resource",
            "item",
            "linkId",
            "answer",
            "valueCoding",
            "valueInteger",
            "valueBoolean",
            "code",
            "coding",
            "system",
            "clinicalStatus",
            "questionnaire",
        ]
    )
    resources = st.builds(
        lambda kind, rest: {**rest, "resourceType": kind},
        st.sampled_from(["Bundle", "Condition", "QuestionnaireResponse"]),
        st.dictionaries(keys, children, max_size=4),
    )
    return st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5), resources
    )


fhir_like = st.recursive(
    st.one_of(
        json_scalars,
        st.sampled_from(
            [
                "Bundle",
                "Condition",
                "QuestionnaireResponse",
                "E11.42",
                "G62.0",
                "T45.1X5A",
                "http://hl7.org/fhir/sid/icd-10-cm",
                "tolerance.minutes",
                "swelling",
                "active",
            ]
        ),
    ),
    _fhir_like,
    max_leaves=30,
)
