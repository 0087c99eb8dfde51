"""FHIR input from an EHR's prefetch: any shape gives a profile mapping or a FhirError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from massageplan.service.fhir import (
    QUESTIONNAIRE_URL,
    FhirError,
    condition_from_codes,
    profile_from_fhir,
)
from tests.strategies import fhir_like


@pytest.mark.slow
# Many examples: the shapes that break a careless reader are a small part of them.
@settings(max_examples=1500)
@given(fhir_like, fhir_like)
def test_any_intake_and_conditions_give_a_mapping_or_a_fhir_error(
    items: Any, conditions: Any
) -> None:
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


@pytest.mark.slow
@settings(max_examples=1500)
@given(fhir_like)
def test_any_conditions_give_a_condition_or_none(conditions: Any) -> None:
    condition_from_codes(conditions)  # never raises: what it cannot read, it leaves out
