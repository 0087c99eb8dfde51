"""JSON Schemas of profiles, plans and rule files, and the FHIR intake
Questionnaire, generated from the models.

The shipped copies in ``schemas/`` are regenerated with
``python -m massageplan._schema``, which also writes the built-in rules'
shipped parse (``rules.reading``); tests check that each is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .engine.conditions import OPERATORS
from .engine.facts import FIELDS, FactField
from .model.plan import SessionPlan
from .model.profile import ClientProfile
from .rules.load import builtin_rules_dir
from .rules.reading import PARSED_FILE, parsed_text
from .rules.rule_file import RuleFile
from .service.fhir import intake_questionnaire

SCHEMA_DIR = Path(__file__).parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _value_schema(field: FactField) -> dict[str, Any]:
    if field.kind in ("enum", "areas"):
        return {"enum": list(field.values)}
    if field.kind == "bool":
        return {"type": "boolean"}
    return {"type": "integer", "minimum": field.minimum, "maximum": field.maximum}


def _condition_schema(field: FactField) -> dict[str, Any]:
    value = _value_schema(field)
    kind = "ordered" if field.ordered else field.kind
    operators: dict[str, Any] = {}
    for op in OPERATORS[kind]:
        if op == "empty":
            operators[op] = {"type": "boolean"}
        elif op in ("in", "not_in", "includes_any", "includes_all"):
            operators[op] = {"type": "array", "items": value, "minItems": 1}
        else:
            operators[op] = value
    by_operator = {
        "type": "object",
        "properties": operators,
        "additionalProperties": False,
        "minProperties": 1,
    }
    schema: dict[str, Any] = {"description": field.description}
    schema["anyOf"] = [by_operator] if field.kind == "areas" else [value, by_operator]
    return schema


def when_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Conditions on the profile's facts, all of which must hold.",
        "properties": {name: _condition_schema(field) for name, field in FIELDS.items()},
        "additionalProperties": False,
    }


def schemas() -> dict[str, dict[str, Any]]:
    """The schemas by name: ``profile``, ``plan`` and ``rules``."""
    rules = RuleFile.model_json_schema()
    rules["$defs"]["Rule"]["properties"]["when"] = when_schema()
    generated = {
        "profile": ClientProfile.model_json_schema(),
        "plan": SessionPlan.model_json_schema(mode="serialization"),
        "rules": rules,
    }
    return {name: {"$schema": DIALECT, **schema} for name, schema in generated.items()}


def schema_text(name: str) -> str:
    return json.dumps(schemas()[name], indent=2, sort_keys=True) + "\n"


QUESTIONNAIRE_FILE = "intake.questionnaire.json"


def questionnaire_text() -> str:
    """The FHIR intake Questionnaire, as shipped beside the schemas."""
    return json.dumps(intake_questionnaire(), indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(exist_ok=True)
    texts = {f"{name}.schema.json": schema_text(name) for name in schemas()}
    texts[QUESTIONNAIRE_FILE] = questionnaire_text()
    written = []
    for name, text in texts.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        sys.stdout.write(f"wrote {path}\n")
    PARSED_FILE.write_text(parsed_text(builtin_rules_dir()), encoding="utf-8")
    sys.stdout.write(f"wrote {PARSED_FILE}\n")
