"""Loading rule files: the built-in rulebase, layering, and exact errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from massageplan import RulebaseConflictWarning, RulebaseError, load_rulebase, recommend
from massageplan.rules.load import builtin_rules_dir

PLAIN = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "mild",
    "tolerance": {"minutes": 60},
}

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
    quote: Choose a massage therapist who has experience working with neuropathy patients.
"""
QUOTED = GOOD_RULE.splitlines(keepends=True)[-1]  # the quote's line


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


def test_id_resolves_to_the_work_it_repeats(tmp_path: Path) -> None:
    # [3] and [5] are "Id."; [6] repeats [2] in full. Each work is one source.
    path = write(tmp_path, GOOD_RULE.replace("[ref6]", "[ref3, ref5, ref6, ref2, ref4]"))
    rulebase = load_rulebase(path)
    assert rulebase["extra-advice"].reason.sources == ("ref2", "ref4")
    assert set(rulebase.sources) == {"ref2", "ref4"}
    assert rulebase.sources["ref2"].kind.value == "reference"


def test_builtin_sources_have_honest_kinds() -> None:
    sources = load_rulebase().sources
    assert sources["article"].kind.value == "article"
    assert sources["article"].publisher == "Soothe"
    assert {s.kind.value for k, s in sources.items() if k.startswith("ref")} == {"reference"}
    default = sources["project-default"]
    assert default.kind.value == "project_default"
    assert "choice of the massageplan project" in default.title
    assert (default.url, default.year) == (None, None)


def test_custom_file_alone(tmp_path: Path) -> None:
    rulebase = load_rulebase(write(tmp_path, GOOD_RULE))
    assert [r.id for r in rulebase] == ["extra-advice"]
    assert rulebase["extra-advice"].reason.sources == ("ref2",)  # [6] is [2]


CLINIC = """\
sources:
  - id: clinic-policy
    title: House rules
    publisher: Example Clinic
    year: 2026
rules:
  - id: house-advice
    title: Our own advice
    then:
      - advise: experienced_therapist
        text: Ask for the clinic's neuropathy specialist.
    because: The clinic has a specialist.
    sources: [clinic-policy]
"""


def test_a_clinic_declares_and_cites_its_own_sources(tmp_path: Path) -> None:
    rulebase = load_rulebase(write(tmp_path, CLINIC))
    source = rulebase.sources["clinic-policy"]
    assert (source.kind.value, source.publisher, source.year, source.url) == (
        "clinic",
        "Example Clinic",
        2026,
        None,
    )
    # Its advice replaces the built-in text: a conflict to warn about, not an error.
    with pytest.warns(RulebaseConflictWarning, match="two different texts"):
        layered = load_rulebase(write(tmp_path, CLINIC), builtin=True)
    plan = recommend(PLAIN, rulebase=layered)
    advice = next(a for a in plan.advice if a.code.value == "experienced_therapist")
    assert [r.sources for r in plan.reasons_for(advice)] == [("ref2",), ("clinic-policy",)]
    assert "clinic-policy" in {s.id for s in plan.sources}


def test_an_undeclared_clinic_source_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, CLINIC.replace("[clinic-policy]", "[clinic-polcy]"))
    assert (error.line, error.rule_id, error.key_path) == (
        13,
        "house-advice",
        "rules[0].sources[0]",
    )
    assert "did you mean 'clinic-policy'?" in str(error)


@pytest.mark.parametrize("kind", ["article", "reference", "project_default"])
def test_a_clinic_cannot_claim_the_articles_kinds(tmp_path: Path, kind: str) -> None:
    error = load_error(tmp_path, CLINIC.replace("    year: 2026\n", f"    kind: {kind}\n"))
    assert error.line == 5
    assert error.key_path == "sources[0].kind"
    assert "built-in library's" in str(error)


def test_a_source_id_declared_twice_is_an_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, CLINIC.replace("  - id: clinic-policy", "  - id: ref1"))
    assert (error.line, error.key_path) == (2, "sources[0].id")
    assert "already declared" in str(error)


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
          sources: [project-default]
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
    assert f"{tmp_path / 'a.yaml'}:2" in str(error)  # errors name the real file


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
    # The trace names files without a machine's paths.
    (line,) = plan.trace
    assert str(tmp_path) not in line
    assert "from rules.yaml:" in line
    assert "massageplan/rules/20-pressure.yaml:4" in line
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
    quoted = QUOTED
    error = load_error(
        tmp_path, GOOD_RULE.replace(quoted, "    quote: Massage cures neuropathy.\n")
    )
    assert error.key_path == "rules[0].quote"
    assert "word for word" in str(error)


def test_citing_the_article_or_a_reference_needs_a_quote(tmp_path: Path) -> None:
    """Contract v4: the article is credited only with what it says."""
    quoted = QUOTED
    for cited in ("[ref6]", "[article]", "[ref2, project-default]"):
        text = GOOD_RULE.replace(quoted, "").replace("[ref6]", cited)
        error = load_error(tmp_path, text)
        assert error.path == tmp_path / "rules.yaml"
        assert (error.line, error.rule_id) == (2, "extra-advice")
        assert "has no 'quote'" in str(error)
        assert f"{tmp_path / 'rules.yaml'}:2" in str(error)
    # A clinic's own source needs no quote from the article.
    text = GOOD_RULE.replace(quoted, "").replace("[ref6]", "[project-default]")
    assert "extra-advice" in load_rulebase(write(tmp_path, text))


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
