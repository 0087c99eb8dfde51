"""The shipped JSON Schemas are generated from the models and up to date."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from massageplan import recommend
from massageplan._schema import (
    QUESTIONNAIRE_FILE,
    SCHEMA_DIR,
    questionnaire_text,
    schema_text,
    schemas,
)
from massageplan.rules.load import builtin_rules_dir

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.mark.parametrize("name", ["profile", "plan", "rules"])
def test_shipped_schema_is_up_to_date(name: str) -> None:
    shipped = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(name), "run: python -m massageplan._schema"


def test_builtin_rule_files_match_the_rules_schema() -> None:
    validator = jsonschema.Draft202012Validator(schemas()["rules"])
    files = [p for p in builtin_rules_dir().glob("*.yaml") if p.name != "sources.yaml"]
    assert files
    for path in files:
        validator.validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_rules_schema_knows_the_when_language() -> None:
    validator = jsonschema.Draft202012Validator(schemas()["rules"])
    rule = {
        "id": "a",
        "title": "t",
        "then": [{"advise": "consult_physician", "text": "x"}],
        "because": "b",
        "sources": ["article"],
    }
    good = {"hypersensitivity": {"at_least": "mild"}, "swelling": {"empty": False}}
    validator.validate({"rules": [{**rule, "when": good}]})
    for bad in (
        {"hypersensitivity": {"at_leest": "mild"}},
        {"swelling": "feet"},
        {"tolerance.minutes": {"below": 500}},
        {"nonsense": 1},
    ):
        assert not validator.is_valid({"rules": [{**rule, "when": bad}]}), bad


def test_examples_and_plans_match_their_schemas() -> None:
    profile_schema = jsonschema.Draft202012Validator(schemas()["profile"])
    plan_schema = jsonschema.Draft202012Validator(schemas()["plan"])
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert examples
    for path in examples:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        profile_schema.validate(data)
        plan_schema.validate(json.loads(recommend(data).model_dump_json()))


def test_shipped_questionnaire_is_up_to_date() -> None:
    shipped = (SCHEMA_DIR / QUESTIONNAIRE_FILE).read_text(encoding="utf-8")
    assert shipped == questionnaire_text(), "run: python -m massageplan._schema"
