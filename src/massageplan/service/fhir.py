"""FHIR: the intake Questionnaire (generated from the profile model), and profiles from
a QuestionnaireResponse and the client's Condition resources.

One source of truth: the Questionnaire's items are the profile model's fields,
read from its JSON Schema, so a new field is asked for without a second list.
Reading is the reverse walk: each answer goes back to the field its ``linkId``
names, and pydantic then validates the profile as it validates any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._version import __version__
from ..model.limits import MAX_DEPTH
from ..model.profile import (
    FIELD,
    GROUP_QUESTION,
    PROFILE_FIELDS,
    ClientProfile,
    Condition,
    FieldKind,
    ProfileField,
    put_field,
)
from ..model.wording import answer_words
from .snomed import SNOMED_CT, Meaning, Part, SnomedCodes

QUESTIONNAIRE_URL = "urn:massageplan:Questionnaire:intake"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
_CODES = "urn:massageplan:CodeSystem:"
# The answer to a list question that means "asked, and none" (no answer: not asked).
NONE_ANSWER = "none"
NONE_CODING = {"system": _CODES + "Answer", "code": NONE_ANSWER, "display": "None"}


class FhirError(ValueError):
    """FHIR input that cannot become a profile: says which resource or item, and why."""


def _coding(field: ProfileField, code: str) -> dict[str, str]:
    """One of a field's choices as a Coding, with its words as the intake offers them."""
    return {
        "system": _CODES + field.vocabulary,
        "code": code,
        "display": answer_words(field.vocabulary, code),
    }


def _item(field: ProfileField) -> dict[str, Any]:
    """The Questionnaire item that asks for one profile field."""
    item: dict[str, Any] = {
        "linkId": field.name,
        "text": field.question,
        "required": field.required or field.must_answer,
    }
    if field.kind in (FieldKind.CHOICE, FieldKind.AREAS, FieldKind.CHOICES):
        item["type"] = "choice"
        item["answerOption"] = [{"valueCoding": _coding(field, code)} for code in field.choices]
        if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
            item["repeats"] = True
            # Asked, and none: not the same as no answer, which is "not asked".
            item["answerOption"].append({"valueCoding": NONE_CODING})
    elif field.kind is FieldKind.NUMBER:
        item["type"] = "integer"
        low, high = field.minimum, field.maximum
        if low is not None or high is not None:
            span = f"{low} to {high}" if high is not None else f"{low} or more"
            item["text"] += f" ({span})"
    else:
        item["type"] = "boolean"
    return item


def _items() -> list[dict[str, Any]]:
    """An item per profile field, in the field table's order; a nested field's
    items in a group named as the model's nested part is, asking for it in plain words."""
    schema = ClientProfile.model_json_schema()
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for field in PROFILE_FIELDS:
        if "." not in field.name:
            items.append(_item(field))
            continue
        outer = field.name.split(".", 1)[0]
        group = groups.get(outer)
        if group is None:
            group = groups[outer] = {
                "linkId": outer,
                "text": GROUP_QUESTION[outer],
                "required": outer in schema.get("required", ()),
                "type": "group",
                "item": [],
            }
            items.append(group)
        group["item"].append(_item(field))
    return items


def intake_questionnaire() -> dict[str, Any]:
    """The FHIR R4 Questionnaire that asks for a :class:`ClientProfile`, field by field."""
    items = _items()
    for item in items:
        if item["linkId"] == "condition":
            # The client's coded Conditions may say it instead (see condition_from_codes).
            item["required"] = False
            item["text"] += " Leave empty where the client's Conditions code it."
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": __version__,
        "name": "MassagePlanIntake",
        "title": "Massage plan intake for peripheral neuropathy",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "What massageplan needs to plan a client's sessions; generated from its "
            "ClientProfile model. The condition may instead come from Condition resources."
        ),
        "item": items,
    }


# --------------------------------------------------------------- reading FHIR


def _answers(items: Any, where: str, depth: int = 0) -> Iterator[tuple[str, list[Any]]]:
    if not isinstance(items, list):
        raise FhirError(f"{where}: 'item' is not a list")
    if depth > MAX_DEPTH:  # the intake has one level of groups; never a RecursionError
        raise FhirError(f"{where}: items nested more than {MAX_DEPTH} deep")
    for n, item in enumerate(items):
        here = f"{where}.item[{n}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise FhirError(f"{here}: an item without a linkId")
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            raise FhirError(f"{here} ({item['linkId']}): 'answer' is not a list")
        values = [_value(a, f"{here} ({item['linkId']})") for a in answers]
        if values:
            yield item["linkId"], values
        if "item" in item:
            yield from _answers(item["item"], here, depth + 1)


def _value(answer: Any, where: str) -> Any:
    if not isinstance(answer, Mapping):
        raise FhirError(f"{where}: an answer that is not an object")
    for key in ("valueCoding", "valueInteger", "valueBoolean", "valueString"):
        if key in answer:
            value = answer[key]
            if key == "valueCoding":
                if not isinstance(value, Mapping) or "code" not in value:
                    raise FhirError(f"{where}: a valueCoding without a code")
                return value["code"]
            return value
    raise FhirError(f"{where}: no valueCoding, valueInteger, valueBoolean or valueString")


def profile_from_fhir(
    response: Mapping[str, Any] | None, conditions: Any = None, snomed: SnomedCodes | None = None
) -> dict[str, Any]:
    """A profile mapping from an intake QuestionnaireResponse (and the client's
    Conditions, which decide ``condition`` where their codes say it, except
    that a neuropathy of no known cause leaves the cause the intake gives),
    for :class:`ClientProfile` to validate. Raises :class:`FhirError` naming
    what is wrong, among it a list that must be answered (swelling) left
    unanswered."""
    if not isinstance(response, Mapping) or response.get("resourceType") != "QuestionnaireResponse":
        raise FhirError("intake: expected a QuestionnaireResponse")
    if str(response.get("questionnaire", "")).split("|")[0] != QUESTIONNAIRE_URL:
        raise FhirError(f"intake: the QuestionnaireResponse is not for {QUESTIONNAIRE_URL}")
    repeats = _REPEATING
    profile: dict[str, Any] = {}
    answered: set[str] = set()
    for link, values in _answers(response.get("item", []), "intake"):
        if link in answered:
            raise FhirError(f"intake: {link[:60]!r} is answered twice")
        answered.add(link)
        if link not in FIELD:
            raise FhirError(
                f"intake: the item {link[:60]!r} is no question of {QUESTIONNAIRE_URL}; "
                f"the questions are {', '.join(FIELD)}"
            )
        if link in repeats and NONE_ANSWER in values and values != [NONE_ANSWER]:
            raise FhirError(f"intake: {link} is answered both 'none' and with values")
        if link in repeats:
            put_field(profile, link, [] if values == [NONE_ANSWER] else values)
        else:
            put_field(profile, link, values[0])
    unanswered = [f.name for f in PROFILE_FIELDS if f.must_answer and f.name not in answered]
    if unanswered:
        raise FhirError(
            f"intake: {', '.join(unanswered)} not answered; answer with the areas, "
            "or 'none' if there are none"
        )
    coded = condition_from_codes(conditions, snomed)
    if coded is not None and not (
        # A code of no known cause never hides the cause the intake gives
        # (diabetes, chemotherapy), whose plan asks and holds for more.
        coded is Condition.PERIPHERAL_NEUROPATHY and profile.get("condition") in _A_CAUSE
    ):
        profile["condition"] = coded.value
    return profile


_A_CAUSE = frozenset(c.value for c in Condition if c is not Condition.PERIPHERAL_NEUROPATHY)


# The linkIds whose answers are lists: the profile's lists of areas.
_REPEATING = frozenset(
    f.name for f in PROFILE_FIELDS if f.kind in (FieldKind.AREAS, FieldKind.CHOICES)
)


def _answer_of(field: ProfileField, value: Any) -> list[dict[str, Any]]:
    if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
        codings = [_coding(field, v.value) for v in value]
        return [{"valueCoding": c} for c in codings or [NONE_CODING]]
    if field.kind is FieldKind.CHOICE:
        code = value.value
        return [{"valueCoding": {"system": _CODES + field.vocabulary, "code": code}}]
    if field.kind is FieldKind.FLAG:
        return [{"valueBoolean": value}]
    return [{"valueInteger": value}]


def response_from_profile(
    profile: ClientProfile, subject: str = "Patient/unknown"
) -> dict[str, Any]:
    """The intake QuestionnaireResponse that says ``profile``: a question not
    asked (null) has no answer, an empty list is answered 'none'.
    :func:`profile_from_fhir` reads it back to the same profile."""
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for field in PROFILE_FIELDS:
        value = field.get(profile)
        if value is None:
            continue
        item = {"linkId": field.name, "answer": _answer_of(field, value)}
        if "." not in field.name:
            items.append(item)
            continue
        outer = field.name.split(".", 1)[0]
        if outer not in groups:
            groups[outer] = {"linkId": outer, "item": []}
            items.append(groups[outer])
        groups[outer]["item"].append(item)
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": {"reference": subject},
        "item": items,
    }


def resources(bundle: Any) -> list[Mapping[str, Any]]:
    """The resources of a searchset Bundle, a list of resources, or one resource;
    anything else in their place is left out (prefetch data is not ours to trust)."""
    if isinstance(bundle, Mapping) and bundle.get("resourceType") == "Bundle":
        entries = bundle.get("entry")
        found = (
            [e.get("resource") for e in entries if isinstance(e, Mapping)]
            if isinstance(entries, list)
            else []
        )
    elif isinstance(bundle, list):
        found = bundle
    else:
        found = [bundle]
    return [r for r in found if isinstance(r, Mapping)]


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# A Condition's verificationStatus that means it is not so (FHIR R4's
# condition-ver-status), and a resource status that means it was never so.
NOT_SO = frozenset({"refuted", "entered-in-error"})
ENTERED_IN_ERROR = "entered-in-error"


def icd10cm_code(code: str) -> str:
    """An ICD-10-CM code as written with its dot (``E1142`` is ``E11.42``): EHRs
    send both, and the category is the three characters before the dot."""
    code = code.strip().upper()
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def usable(found: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The resources not marked entered-in-error."""
    return [r for r in found if r.get("status") != ENTERED_IN_ERROR]


def outcome_message(outcome: Mapping[str, Any]) -> str:
    """What an OperationOutcome says went wrong, in one short line."""
    said = []
    for issue in _list(outcome.get("issue")):
        text = _get(issue, "diagnostics") or _get(_get(issue, "details"), "text")
        said.append(str(text) if text else str(_get(issue, "code") or "an error"))
    line = "; ".join(said) or "an error, with no details"
    return " ".join(line.split())[:200]  # one line, and short: the EHR's words, not ours


def subject_is(resource: Mapping[str, Any], patient_id: str) -> bool:
    """Whether a resource's subject is the patient ``patient_id`` (a relative or
    an absolute reference)."""
    reference = _get(resource.get("subject"), "reference")
    if not isinstance(reference, str):
        return False
    return reference == f"Patient/{patient_id}" or reference.endswith(f"/Patient/{patient_id}")


def condition_from_codes(conditions: Any, snomed: SnomedCodes | None = None) -> Condition | None:
    """The neuropathy the client's active Conditions code, by ICD-10-CM:

    - E08 to E13 with .4 (diabetes with neurological complications): diabetic;
    - G62.0 (drug-induced polyneuropathy) with a T45.1X5 code (adverse effect
      of antineoplastic drugs): chemotherapy-induced;
    - any other G60 to G64 (polyneuropathies): peripheral, cause other or unknown;

    and by SNOMED CT, with ``snomed``: a site's table, or by default the
    library's (:mod:`massageplan.service.snomed`), whose lists are the
    counterparts of these ICD-10-CM codes, G62.0 and T45.1X5 as two
    :class:`Part` lists (either half may come from either code system).

    Diabetic wins over chemotherapy-induced, which wins over other; None when
    no Condition codes a neuropathy. G62.0 without a chemotherapy code is a
    drug-induced neuropathy of another cause, so it counts as other.
    """
    table = SnomedCodes.builtin() if snomed is None else snomed
    codes = set()
    named: set[Meaning] = set()  # by the SNOMED CT table
    for resource in resources(conditions):
        if resource.get("resourceType") != "Condition":
            continue
        codings = _list(_get(resource.get("clinicalStatus"), "coding"))
        statuses = {code for c in codings if isinstance(code := _get(c, "code"), str)}
        if statuses and not statuses & {"active", "recurrence", "relapse"}:
            continue  # resolved, inactive or in remission (no status at all: counted)
        verified = _list(_get(resource.get("verificationStatus"), "coding"))
        if {_get(c, "code") for c in verified} & NOT_SO:
            continue  # ruled out, or recorded in error: never counted
        for coding in _list(_get(resource.get("code"), "coding")):
            system = _get(coding, "system")
            if system == ICD10CM:
                codes.add(icd10cm_code(str(coding.get("code", ""))))
            elif system == SNOMED_CT:
                found = table.meaning(str(coding.get("code", "")))
                if found is not None:
                    named.add(found)
    diabetic = Condition.DIABETIC_NEUROPATHY in named or any(
        c[:3] in {"E08", "E09", "E10", "E11", "E13"} and c[4:5] == "4" for c in codes
    )
    if diabetic:
        return Condition.DIABETIC_NEUROPATHY
    drug_caused = Part.DRUG_CAUSED_POLYNEUROPATHY in named or "G62.0" in codes
    antineoplastic = Part.ANTINEOPLASTIC_ADVERSE_REACTION in named or any(
        c.startswith("T45.1X5") for c in codes
    )
    if Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY in named or (drug_caused and antineoplastic):
        return Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY
    other = any(c[:3] in {"G60", "G61", "G62", "G63", "G64"} for c in codes)
    if Condition.PERIPHERAL_NEUROPATHY in named or drug_caused or other:
        return Condition.PERIPHERAL_NEUROPATHY
    return None
