"""FHIR input from an EHR's prefetch: any shape gives a profile mapping or a FhirError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from massageplan.service.fhir import (
    QUESTIONNAIRE_URL,
    FhirError,
    condition_from_codes,
    intake_questionnaire,
    profile_from_fhir,
)
from tests.strategies import fhir_like


@pytest.mark.slow
# Many examples: the shapes that break a careless reader are a small part of them.
# Drawing them is most of the time, so each drawn pair serves twice: the
# conditions alone, then with the intake.
@settings(max_examples=1500)
@given(fhir_like, fhir_like)
def test_any_intake_and_conditions_give_a_mapping_or_a_fhir_error(
    items: Any, conditions: Any
) -> None:
    # Conditions alone never raise: what the reader cannot read, it leaves out.
    condition_from_codes(conditions)
    response = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "item": items,
    }
    try:
        profile = profile_from_fhir(response, conditions)
    except FhirError as exc:
        said = str(exc)
    else:
        assert isinstance(profile, dict)
        return
    assert said.startswith("intake")  # it says where


def _condition(code: str, verification: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]},
    }
    if verification is not None:
        resource["verificationStatus"] = {"coding": [{"code": verification}]}
    return resource


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["E11.42"], "diabetic_neuropathy"),
        (["E1142"], "diabetic_neuropathy"),  # the same code, written without its dot
        (["e1142 "], "diabetic_neuropathy"),
        (["G620", "T451X5A"], "chemotherapy_induced_neuropathy"),
        (["G629"], "peripheral_neuropathy"),
        (["E119"], None),  # diabetes without a neuropathy
    ],
)
def test_icd10cm_codes_are_read_with_or_without_the_dot(
    codes: list[str], expected: str | None
) -> None:
    found = condition_from_codes([_condition(c) for c in codes])
    assert (None if found is None else found.value) == expected


@pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
def test_a_condition_ruled_out_or_in_error_is_not_counted(status: str) -> None:
    assert condition_from_codes([_condition("E11.42", status)]) is None
    both = [_condition("E11.42", status), _condition("G62.9", "confirmed")]
    found = condition_from_codes(both)
    assert found is not None
    assert found.value == "peripheral_neuropathy"


def _response(*items: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "questionnaire": QUESTIONNAIRE_URL,
            "item": list(items)}  # fmt: skip


def _areas(link: str, *codes: str) -> dict[str, Any]:
    return {"linkId": link, "answer": [{"valueCoding": {"code": c}} for c in codes]}


def test_swelling_and_fragile_tissue_must_be_answered_and_none_says_none() -> None:
    """An unanswered item is "not asked"; swelling and fragile tissue have no
    "not asked", and reading it as none would put friction on swollen feet."""
    with pytest.raises(FhirError) as unanswered:
        profile_from_fhir(_response(_areas("condition", "diabetic_neuropathy")))
    assert str(unanswered.value) == (
        "intake: swelling, fragile_tissue not answered; answer with the areas, "
        "or 'none' if there are none"
    )
    with pytest.raises(FhirError, match=r"^intake: fragile_tissue not answered"):
        profile_from_fhir(_response(_areas("swelling", "feet")))
    read = profile_from_fhir(
        _response(_areas("swelling", "feet"), _areas("fragile_tissue", "none"))
    )
    assert read == {"swelling": ["feet"], "fragile_tissue": []}
    # The Questionnaire says so: both required, "None" offered.
    items = {i["linkId"]: i for i in intake_questionnaire()["item"]}
    for link in ("swelling", "fragile_tissue"):
        assert items[link]["required"] is True
        assert "none" in {o["valueCoding"]["code"] for o in items[link]["answerOption"]}
    assert items["numb_areas"]["required"] is False  # a screening question may be unasked
