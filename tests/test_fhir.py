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
