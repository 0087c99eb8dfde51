"""Loading rule files: the built-in rulebase, layering, and exact errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from massageplan import RulebaseError, load_rulebase, recommend
from massageplan._rules import builtin_rules_dir

GOOD_RULE = """\
rules:
  - id: extra-advice
    title: Something extra
    when:
      hypersensitivity: severe
    then:
      - advise: experienced_therapist
        text: Ask for the clinic's neuropathy specialist.
    because: Severe cases go to the specialist.
    sources: [ref6]
"""


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> RulebaseError:
    path = write(tmp_path, text)
    with pytest.raises(RulebaseError) as info:
        load_rulebase(path)
    return info.value


def test_builtin_rulebase_loads_with_the_article_rules() -> None:
    rulebase = load_rulebase()
    assert "no-friction-on-swelling" in rulebase
    assert all(rule.reason.sources for rule in rulebase)
    assert rulebase["technique-mix"].line == 4


def test_id_resolves_to_the_reference_above() -> None:
    sources = load_rulebase().sources
    assert sources["ref3"].url == sources["ref2"].url
    assert sources["ref3"].title == sources["ref2"].title
    assert sources["ref5"].url == sources["ref4"].url
    assert sources["ref3"].id == "ref3"
    assert set(sources) == {"article", *(f"ref{n}" for n in range(1, 9))}


def test_custom_file_alone(tmp_path: Path) -> None:
    rulebase = load_rulebase(write(tmp_path, GOOD_RULE))
    assert [r.id for r in rulebase] == ["extra-advice"]
    assert rulebase["extra-advice"].reason.sources[0].id == "ref6"


def test_unknown_source_names_file_line_and_rule(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("[ref6]", "[ref9]"))
    assert (error.line, error.rule_id, error.key_path) == (
        10,
        "extra-advice",
        "rules[0].sources[0]",
    )
    assert error.path == tmp_path / "rules.yaml"
    assert "unknown source 'ref9'" in str(error)
    assert f"{tmp_path / 'rules.yaml'}:10:" in str(error)


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("    because:", "    becuase:"))
    assert error.key_path == "rules[0].becuase"
    assert error.line == 9
    assert "did you mean 'because'?" in str(error)


def test_wrong_type_and_bad_enum_value(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("experienced_therapist", "experienced"))
    assert error.key_path == "rules[0].then[0].advise"
    assert error.line == 7
    assert "did you mean 'experienced_therapist'?" in str(error)


def test_effect_without_a_kind(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        GOOD_RULE.replace("advise: experienced_therapist", "adviser: experienced_therapist"),
    )
    assert error.key_path == "rules[0].then[0]"
    assert "an effect needs exactly one of" in str(error)


@pytest.mark.parametrize(
    ("when", "key_path", "words"),
    [
        ("hypersensitvity: severe", "rules[0].when.hypersensitvity", "did you mean"),
        ("hypersensitivity: sever", "rules[0].when.hypersensitivity", "'severe'"),
        (
            "tolerance.minutes: {below: '60'}",
            "rules[0].when.tolerance.minutes.below",
            "whole number",
        ),
        ("physician_consulted: 1", "rules[0].when.physician_consulted", "true or false"),
        ("swelling: {includes: foot}", "rules[0].when.swelling.includes", "not a swelling"),
        (
            "tolerance.pressure: {at_least: 9}",
            "rules[0].when.tolerance.pressure.at_least",
            "between 1 and 5",
        ),
    ],
)
def test_when_errors(tmp_path: Path, when: str, key_path: str, words: str) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("hypersensitivity: severe", when))
    assert error.key_path == key_path
    assert error.line == 5
    assert error.rule_id == "extra-advice"
    assert words in str(error)


def test_several_problems_reported_together_in_order(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("[ref6]", "[nope]") + textwrap.indent(
        textwrap.dedent("""\
        - id: second
          title: Second
          when: {first_sesion: true}
          then: [{advise: consult_physician, text: x}]
          because: y
          sources: [article]
        """),
        "  ",
    )
    error = load_error(tmp_path, text)
    kinds = [(p.rule_id, p.key_path) for p in error.problems]
    # The misspelt fact (a condition) comes before the unknown source (a reference).
    assert kinds == [
        ("second", "rules[1].when.first_sesion"),
        ("extra-advice", "rules[0].sources[0]"),
    ]
    assert [p.kind for p in error.problems] == ["condition", "reference"]
    assert "1 more problem" in str(error)


def test_duplicate_rule_ids(tmp_path: Path) -> None:
    write(tmp_path, GOOD_RULE, "a.yaml")
    write(tmp_path, GOOD_RULE, "b.yaml")
    with pytest.raises(RulebaseError) as info:
        load_rulebase(tmp_path)
    error = info.value
    assert (error.path, error.line, error.rule_id) == (tmp_path / "b.yaml", 2, "extra-advice")
    assert f"{tmp_path / 'a.yaml'}:2" in str(error)


def test_layered_rule_replaces_builtin_only_when_it_says_so(tmp_path: Path) -> None:
    replacement = GOOD_RULE.replace("extra-advice", "experienced-therapist")
    with pytest.raises(RulebaseError) as info:
        load_rulebase(write(tmp_path, replacement), builtin=True)
    assert "replaces: true" in str(info.value)

    path = write(tmp_path, replacement.replace("    sources:", "    replaces: true\n    sources:"))
    rulebase = load_rulebase(path, builtin=True)
    assert rulebase["experienced-therapist"].path == path
    assert rulebase.index("experienced-therapist") == 1  # keeps its place
    assert any("replaces" in line for line in rulebase.trace)
    profile = {
        "condition": "diabetic_neuropathy",
        "hypersensitivity": "severe",
        "tolerance": {"minutes": 60},
    }
    plan = recommend(profile, rulebase=rulebase)
    assert plan.trace == rulebase.trace
    texts = {a.code.value: a.text for a in plan.advice}
    assert texts["experienced_therapist"] == "Ask for the clinic's neuropathy specialist."


def test_replaces_without_an_earlier_rule(tmp_path: Path) -> None:
    error = load_error(
        tmp_path, GOOD_RULE.replace("    sources:", "    replaces: true\n    sources:")
    )
    assert error.rule_id == "extra-advice"
    assert "no earlier rule" in str(error)


@pytest.mark.parametrize("text", ["", "rules: []\n", "other: 1\n", "- a\n"])
def test_a_file_with_no_rules(tmp_path: Path, text: str) -> None:
    error = load_error(tmp_path, text)
    assert error.path == tmp_path / "rules.yaml"
    assert "rules" in str(error)


def test_quote_must_be_in_the_article(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE + "    quote: Massage cures neuropathy.\n")
    assert error.key_path == "rules[0].quote"
    assert "word for word" in str(error)


def test_bad_rule_id(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("extra-advice", "Extra Advice"))
    assert error.key_path == "rules[0].id"
    assert "hyphens" in str(error)


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(RulebaseError, match="no such file"):
        load_rulebase(tmp_path / "missing.yaml")
    with pytest.raises(RulebaseError, match="no rule files"):
        load_rulebase(tmp_path)
    with pytest.raises(RulebaseError, match="no rule files given"):
        load_rulebase(builtin=False)


def test_builtin_files_carry_the_schema_comment() -> None:
    for path in builtin_rules_dir().glob("*.yaml"):
        if path.name != "sources.yaml":
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=")


def test_retired_rules_do_not_load_but_are_checked(tmp_path: Path) -> None:
    retired = GOOD_RULE.replace("    when:", "    status: retired\n    when:")
    second = GOOD_RULE.replace("extra-advice", "kept").replace("rules:\n", "")
    rulebase = load_rulebase(write(tmp_path, retired + second))
    assert [r.id for r in rulebase] == ["kept"]
    error = load_error(tmp_path, retired.replace("[ref6]", "[ref99]"))
    assert error.rule_id == "extra-advice"


def test_metadata_defaults_and_severity_reaches_the_plan(tmp_path: Path) -> None:
    rulebase = load_rulebase(
        write(
            tmp_path,
            GOOD_RULE.replace(
                "    when:",
                "    version: 3\n    severity: critical\n    evidence: case_report\n    when:",
            ),
        )
    )
    rule = rulebase["extra-advice"].rule
    assert (rule.version, rule.status.value, rule.evidence.value) == (3, "active", "case_report")
    assert rulebase["extra-advice"].reason.severity.value == "critical"
    builtin = load_rulebase()
    assert builtin["no-friction-on-swelling"].reason.severity.value == "critical"
    assert builtin["technique-mix"].rule.severity.value == "info"


def test_bad_metadata_value(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD_RULE.replace("    when:", "    status: old\n    when:"))
    assert error.key_path == "rules[0].status"
    assert "expected one of draft, active, retired" in str(error)


def test_wrong_type_of_a_number(tmp_path: Path) -> None:
    text = GOOD_RULE.replace(
        "      - advise: experienced_therapist\n        text: Ask for the clinic's neuropathy "
        "specialist.\n",
        "      - technique: kneading\n        areas: [feet]\n        max_pressure: high\n",
    )
    error = load_error(tmp_path, text)
    assert (error.key_path, error.line, error.column) == ("rules[0].then[0].max_pressure", 9, 9)
    assert "integer" in str(error)
    assert error.problems[0].kind == "structure"


def test_readme_rule_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, "rules:\n" + textwrap.indent(example, "  "))
    (rule,) = load_rulebase(path)
    assert rule.id == "no-friction-on-swelling"
    assert rule.reason.severity.value == "critical"
