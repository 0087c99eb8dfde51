"""One table of profile fields, and one of techniques: every place the library
reads or writes a field, or says a technique, is made from them. These tests
fail when a field or technique is missing from one of those places."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from hypothesis import given

from massageplan import ClientProfile, TechniqueName, load_rulebase
from massageplan.engine.facts import FIELDS
from massageplan.model.plan import LEAST_PRESSURE, TECHNIQUES
from massageplan.model.profile import (
    PROFILE_FIELDS,
    FieldKind,
    ProfileField,
    SweepAxis,
    check_field_table,
)
from massageplan.model.wording import ANSWER_WORDS, TECHNIQUE_WORDS
from massageplan.render.text import _AVOID_ORDER, _RISKS, client_header
from massageplan.rules.profile_space import field_values, sweep_space
from massageplan.service.booking import (
    COLUMNS,
    REQUIRED_COLUMNS,
    read_booking_csv,
    read_json_lines,
    write_booking_csv,
)
from massageplan.service.fhir import intake_questionnaire
from tests.strategies import screened

NAMES = [f.name for f in PROFILE_FIELDS]


def questionnaire_links(items: list[dict[str, Any]]) -> set[str]:
    found = set()
    for item in items:
        if item.get("type") == "group":
            found |= questionnaire_links(item["item"])
        else:
            found.add(item["linkId"])
    return found


def test_every_field_of_the_model_is_in_the_table_once() -> None:
    def fields(model: Any, prefix: str = "") -> list[str]:
        out = []
        for name, spec in model.model_fields.items():
            inner = spec.annotation
            # A part the profile may leave null (the last session): its fields too.
            inner = next((a for a in typing.get_args(inner) if a is not type(None)), inner)
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                out += fields(inner, f"{prefix}{name}.")
            else:
                out.append(prefix + name)
        return out

    assert fields(ClientProfile) == NAMES
    assert len(set(NAMES)) == len(NAMES)


def test_a_model_field_the_table_lacks_stops_the_import() -> None:
    class Wider(ClientProfile):
        pressure_ulcers: bool = False

    with pytest.raises(TypeError, match=r"it lacks \['pressure_ulcers'\]"):
        check_field_table(Wider, PROFILE_FIELDS)
    with pytest.raises(TypeError, match="which ClientProfile has not"):
        ProfileField("pressure_ulcers", "ulcers", "Any pressure ulcers?", SweepAxis.ALL)


def test_every_field_reaches_every_channel_and_the_sweep() -> None:
    assert list(COLUMNS) == [name.replace(".", "_") for name in NAMES]
    beyond = {f.csv_column for f in PROFILE_FIELDS if f.screening or f.beyond_article}
    assert set(REQUIRED_COLUMNS) == {f.csv_column for f in PROFILE_FIELDS} - beyond
    assert "tolerance_pressure" in REQUIRED_COLUMNS  # the article's, though it may be unknown
    assert questionnaire_links(intake_questionnaire()["item"]) == set(NAMES)
    assert set(NAMES) <= set(FIELDS)  # a fact rules can test
    rulebase = load_rulebase()
    # The sweep takes the last session's fields together: null, or given whole.
    units = list(
        dict.fromkeys(name.split(".")[0] if "last_session." in name else name for name in NAMES)
    )
    assert "last_session" in units
    assert list(field_values(rulebase)) == units
    assert set(sweep_space(rulebase).values) == set(units)


def test_every_field_is_said_in_a_plan_where_it_matters() -> None:
    lists = [f.name for f in PROFILE_FIELDS if f.kind is FieldKind.AREAS]
    assert [name for name, _ in _RISKS] == lists  # an avoid line says why an area is at risk
    flags = [f for f in PROFILE_FIELDS if f.kind is FieldKind.FLAG and f.screening]
    base = {"condition": "diabetic_neuropathy", "hypersensitivity": "none"}
    base["tolerance"] = {"minutes": 60}  # type: ignore[assignment]
    for field in PROFILE_FIELDS:
        if field.kind is FieldKind.AREAS:
            profile = ClientProfile.model_validate({**base, field.name: ["feet"]})
            assert f"{field.header} feet" in " ".join(client_header(profile)), field.name
    for field in flags:
        profile = ClientProfile.model_validate({**base, field.name: True})
        assert field.header in " ".join(client_header(profile)), field.name


def test_every_technique_is_in_its_table_and_said() -> None:
    assert set(TECHNIQUES) == set(TechniqueName)
    assert set(TECHNIQUE_WORDS) == {t.value for t in TechniqueName}
    assert sorted(_AVOID_ORDER) == sorted(t.value for t in TechniqueName)
    assert LEAST_PRESSURE == {TechniqueName.KNEADING: 2, TechniqueName.TRIGGER_POINT: 3}


@given(screened)
def test_a_booking_csv_reads_back_the_profile_it_was_written_from(profile: ClientProfile) -> None:
    rows, read = read_booking_csv(write_booking_csv([profile]))
    assert len(rows) == len(read) == 1
    assert ClientProfile.model_validate(read[0]) == profile


@given(screened)
def test_json_lines_read_back_the_profile_they_were_written_from(profile: ClientProfile) -> None:
    (read,) = read_json_lines(profile.model_dump_json() + "\n")
    assert ClientProfile.model_validate(read) == profile


def test_every_plain_answer_is_of_a_real_choice() -> None:
    """A misspelt vocabulary or code in ANSWER_WORDS would fall back to the
    code's words without a word said: each must name a field's real choice."""
    offered = {(f.vocabulary, code) for f in PROFILE_FIELDS for code in f.choices}
    said = {(vocabulary, code) for vocabulary, codes in ANSWER_WORDS.items() for code in codes}
    assert said
    assert said <= offered, sorted(said - offered)
