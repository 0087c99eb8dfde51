"""Every intake channel reaches the plan whole (contract v4): each channel's
own encoder and decoder give back the profile, "not asked" and "none" alike,
and what a channel cannot place is an error that names it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from massageplan import ClientProfile
from massageplan.service.booking import (
    profile_from_row,
    read_booking_csv,
    read_json_lines,
    write_booking_csv,
)
from massageplan.service.fhir import FhirError, profile_from_fhir, response_from_profile
from massageplan.service.web import FormContradictionError, form_from_profile, profile_from_form
from tests.strategies import screened


@given(screened)
def test_the_booking_csv_round_trips(profile: ClientProfile) -> None:
    rows, read = read_booking_csv(write_booking_csv([profile]))
    assert len(rows) == len(read) == 1
    assert ClientProfile.model_validate(read[0]) == profile
    assert ClientProfile.model_validate(profile_from_row(rows[0])) == profile


@given(screened)
def test_json_lines_round_trip(profile: ClientProfile) -> None:
    (item,) = read_json_lines(profile.model_dump_json() + "\n")
    assert ClientProfile.model_validate(item) == profile


@given(screened)
def test_the_fhir_questionnaire_response_round_trips(profile: ClientProfile) -> None:
    response = json.loads(json.dumps(response_from_profile(profile)))  # as sent over the wire
    assert ClientProfile.model_validate(profile_from_fhir(response)) == profile


@given(screened)
def test_the_web_form_round_trips(profile: ClientProfile) -> None:
    assert ClientProfile.model_validate(profile_from_form(form_from_profile(profile))) == profile


def test_none_and_not_asked_differ_on_every_channel() -> None:
    base = {
        "condition": "chemotherapy_induced_neuropathy",
        "hypersensitivity": "mild",
        "tolerance": {"minutes": 60},
    }
    asked = ClientProfile.model_validate({**base, "port_sites": [], "on_chemotherapy": False})
    unasked = ClientProfile.model_validate(base)
    for profile in (asked, unasked):
        fhir = profile_from_fhir(response_from_profile(profile))
        form = profile_from_form(form_from_profile(profile))
        (row,) = read_booking_csv(write_booking_csv([profile]))[1]
        for read in (fhir, form, row):
            assert ClientProfile.model_validate(read).port_sites == profile.port_sites
            assert ClientProfile.model_validate(read).on_chemotherapy == profile.on_chemotherapy
    # FHIR says "no ports" with the 'none' answer.
    ports = [i for i in response_from_profile(asked)["item"] if i["linkId"] == "port_sites"]
    assert ports[0]["answer"] == [{"valueCoding": ports[0]["answer"][0]["valueCoding"]}]
    assert ports[0]["answer"][0]["valueCoding"]["code"] == "none"


UNASKED = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "tolerance": {"minutes": 60},
}


def test_what_a_channel_cannot_place_is_named() -> None:
    response = response_from_profile(ClientProfile.model_validate(UNASKED))
    response["item"].append({"linkId": "wound", "answer": [{"valueCoding": {"code": "feet"}}]})
    with pytest.raises(FhirError, match="'wound' is no question"):
        profile_from_fhir(response)
    response["item"][-1] = {
        "linkId": "port_sites",
        "answer": [{"valueCoding": {"code": "none"}}, {"valueCoding": {"code": "chest"}}],
    }
    with pytest.raises(FhirError, match="both 'none' and with values"):
        profile_from_fhir(response)
    form = form_from_profile(ClientProfile.model_validate(UNASKED))
    form["wound"] = ["feet"]
    with pytest.raises(FormContradictionError) as refused:
        profile_from_form(form)
    assert "'wound'" in refused.value.errors["form"]
