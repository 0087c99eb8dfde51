"""Hostile input: every loader error typed, limits named, nothing hangs or escapes.

Each test states what a caller gets for input nobody here controls: a typed
error naming the file (or the profile field) and the limit hit, never a raw
PyYAML exception, a RecursionError or a hang.
"""

from __future__ import annotations

import io
import os
import string
from pathlib import Path

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from massageplan import Rulebase, RulebaseError, load_rulebase, recommend
from massageplan.cli import main
from massageplan.model.limits import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_RULE_FILE_BYTES,
    MAX_YAML_NODES,
)
from massageplan.rules import load
from massageplan.rules.safe_yaml import parse_yaml
from tests.strategies import json_like

RULE = """\
rules:
  - id: extra-advice
    title: Something extra
    when: {hypersensitivity: severe}
    then:
      - advise: experienced_therapist
        text: Ask for the clinic's neuropathy specialist.
    because: Severe cases go to the specialist.
    sources: [project-default]
"""
PROFILE = {
    "condition": "diabetic_neuropathy",
    "hypersensitivity": "none",
    "tolerance": {"minutes": 60},
}

# One input for each error class PyYAML raises, and the encodings it cannot read.
BAD_FILES: dict[str, bytes] = {
    "reader (a NUL byte)": RULE.replace("Something", "Some\x00thing").encode(),
    "scanner (an unclosed quote)": b"rules:\n  - id: 'unclosed\n",
    "parser (an unclosed flow list)": b"rules: [1, 2\n",
    "composer (an undefined alias)": b"rules: *nowhere\n",
    "constructor (a python tag)": b"rules: !!python/object/apply:os.system ['true']\n",
    "not UTF-8": b"rules:\n  - id: caf\xe9\n",
    "UTF-16 with a byte-order mark": "\ufeff".encode("utf-16-le") + RULE.encode("utf-16-le"),
    "binary": bytes(range(256)) * 4,
    "empty": b"",
    "nested too deeply": b"[" * 50_000 + b"]" * 50_000 + b"\n",
    "an alias bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode()
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + b"rules: *i\n"
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_every_kind_of_bad_rule_file_is_a_rulebase_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(RulebaseError) as info:
        load_rulebase(path)
    assert info.value.path == path
    assert str(path) in str(info.value)
    assert len(str(info.value)) < 2_000  # never the whole input


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_cli_says_one_line_for_each(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_bytes(BAD_FILES[name])
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["recommend", "-", "--rules", str(path)], stdin=io.StringIO("{}"), stdout=out, stderr=err
    )
    assert code == 2
    assert len(err.getvalue().splitlines()) == 1
    assert str(path) in err.getvalue()
    # And as a profile, the same bytes are one line too.
    code = main(["recommend", str(path)], stdout=out, stderr=(err := io.StringIO()))
    assert code == 2
    assert len(err.getvalue().splitlines()) == 1


def test_the_limits_are_named() -> None:
    # 100 levels: under libyaml's own cap (1,000), over ours.
    deep = b"[" * 100 + b"]" * 100
    for data, words in (
        (deep, f"nested more than {MAX_DEPTH} levels deep"),
        (BAD_FILES["an alias bomb"], f"aliases expand to more than {MAX_ALIAS_NODES} nodes"),
    ):
        with pytest.raises(RulebaseError, match=words):
            parse_yaml(data, Path("limits.yaml"))


def test_a_file_of_tiny_nodes_is_refused_before_it_is_built() -> None:
    flood = b"rules: [" + b"a," * MAX_YAML_NODES + b"a]\n"
    with pytest.raises(RulebaseError, match=f"more than {MAX_YAML_NODES} nodes") as info:
        parse_yaml(flood, Path("flood.yaml"))
    assert (info.value.path, info.value.line) == (Path("flood.yaml"), 1)
    # One node fewer than the limit is read.
    just_under = b"[" + b"a," * (MAX_YAML_NODES - 2) + b"a]"
    assert len(parse_yaml(just_under, Path("ok.yaml")).data) == MAX_YAML_NODES - 1


def test_too_many_rules_are_refused_before_any_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_RULES", 3)
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "a.yaml").write_text(RULE.replace("extra-advice", "one"), encoding="utf-8")
    # The second file takes the count past 3; its rules are not even valid.
    (folder / "b.yaml").write_text("rules: [1, 2, 3]\n", encoding="utf-8")
    with pytest.raises(RulebaseError) as info:
        load_rulebase(folder)
    error = info.value
    assert len(error.problems) == 1
    assert (error.path, error.line) == (folder / "b.yaml", 1)
    assert "more than the limit of 3 rules" in str(error)


def test_rule_files_over_the_rulebase_limit_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_RULEBASE_BYTES", 2 * len(RULE) + 10)
    folder = tmp_path / "clinic"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.yaml").write_text(RULE.replace("extra-advice", name), encoding="utf-8")
    with pytest.raises(RulebaseError, match=f"more than the limit of {2 * len(RULE) + 10} bytes"):
        load_rulebase(folder)
    assert load_rulebase(folder / "a.yaml", folder / "b.yaml")  # two fit


def test_a_file_wrong_throughout_reports_the_first_problems_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_PROBLEMS", 5)
    path = tmp_path / "wrong.yaml"
    path.write_text("rules:\n" + "  - {id: x}\n" * 40, encoding="utf-8")
    with pytest.raises(RulebaseError) as info:
        load_rulebase(path)
    problems = info.value.problems
    assert len(problems) == 5
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert problems[0].line == 2


def test_special_and_oversized_files_are_refused_at_once(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(MAX_RULE_FILE_BYTES + 1)  # sparse: nothing is written
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # no writer: opening it for reading must not wait
    for path, words in (
        (big, f"larger than the limit of {MAX_RULE_FILE_BYTES} bytes"),
        (Path("/dev/zero"), "a device or a FIFO"),
        (fifo, "a device or a FIFO"),
    ):
        with pytest.raises(RulebaseError, match=words):
            load_rulebase(path)


def test_a_profile_that_contains_itself_is_refused() -> None:
    itself: list[object] = []
    itself.append(itself)
    shared: list[object] = ["feet"]
    for _ in range(40):  # a billion laughs, in Python objects: 10**40 items
        shared = [shared] * 10
    for bad, words in (
        ({**PROFILE, "swelling": itself}, "nested more than"),
        ({**PROFILE, "condition": shared}, "nested more than"),
        ({**PROFILE, "swelling": ["feet"] * 100}, "a list of more than"),
        ({**PROFILE, "swelling": [["feet"] * 50] * 50}, "values in one profile"),
        ({**PROFILE, "condition": "x" * 10_000_000}, "a text longer than"),
    ):
        with pytest.raises(pydantic.ValidationError, match=words) as info:
            recommend(bad)
        assert len(str(info.value)) < 1_000


def test_a_limit_names_where_it_was_hit() -> None:
    for bad, loc in (
        ({**PROFILE, "swelling": ["feet", "x" * 2_000]}, ("swelling", 1)),
        ({**PROFILE, "tolerance": {"minutes": [[[]] * 80]}}, ("tolerance", "minutes", 0)),
    ):
        with pytest.raises(pydantic.ValidationError) as info:
            recommend(bad)
        assert [e["loc"] for e in info.value.errors()] == [loc]


# ----------------------------------------------------------------- fuzzing


def loads_or_names_the_file(path: Path) -> None:
    """The file gives a rulebase, or a RulebaseError naming it; nothing else."""
    outcome: Rulebase | RulebaseError
    try:
        outcome = load_rulebase(path)
    except RulebaseError as exc:
        outcome = exc
    assert isinstance(outcome, Rulebase) or outcome.path == path


RULE_WORDS = [
    "rules",
    "id",
    "title",
    "when",
    "then",
    "because",
    "sources",
    "quote",
    "advise",
    "text",
    "technique",
    "avoid",
    "areas",
    "visits",
    "hold",
    "pressure_at_most",
    "level",
    "swelling",
    "article",
    "ref1",
    "feet",
    "all",
    "true",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "&a",
    "*a",
    "!!",
]


# Example counts come from the profile (100, or 5,000 with HYPOTHESIS_PROFILE=long);
# the deadline bounds each example, so that a hang fails the test.
FUZZ = settings(deadline=2_000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(RULE_WORDS + list(string.whitespace)), max_size=60).map("".join),
        st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    )
)
def test_any_text_loads_or_is_a_rulebase_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    loads_or_names_the_file(path)


@st.composite
def rule_documents(draw: st.DrawFn) -> object:
    """A valid rule file with one part replaced by arbitrary JSON-like data."""
    rule: dict[str, object] = {
        "id": "fuzzed",
        "title": "Fuzzed",
        "when": {"hypersensitivity": "severe"},
        "then": [{"advise": "experienced_therapist", "text": "Text."}],
        "because": "Because.",
        "sources": ["article"],
    }
    key = draw(st.sampled_from([*rule, "extra"]))
    rule[key] = draw(json_like)
    return {"rules": [rule]}


@FUZZ
@given(rule_documents())
def test_rule_files_from_the_grammar_load_or_are_rulebase_errors(
    tmp_path: Path, document: object
) -> None:
    import json  # noqa: PLC0415 - JSON is YAML: the document written as the loader reads it

    path = tmp_path / "fuzz.yaml"
    path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
    loads_or_names_the_file(path)


@FUZZ
@given(st.binary(max_size=200))
def test_the_cli_gives_one_line_for_any_profile_bytes(data: bytes) -> None:
    err = io.StringIO()
    code = main(
        ["recommend", "-"],
        stdin=io.StringIO(data.decode("utf-8", errors="replace")),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code in (0, 2)
    if code == 2:
        assert len(err.getvalue().splitlines()) == 1


@pytest.mark.parametrize(
    ("command", "text", "says"),
    [
        (
            "recommend",
            '{"condition": "diabetic_neuropathy", "hypersensitivity": "none", '
            '"tolerance": {"minutes": ' + "9" * 5000 + "}}",
            ":1: not a valid profile file: a number of more than 18 digits",
        ),
        ("recommend", "tolerance: {minutes: .nan}\n", "tolerance.minutes"),
        ("batch", '{"tolerance": {"minutes": ' + "9" * 5000 + "}}\n", ""),
    ],
)
def test_numbers_too_long_to_read_get_one_line_never_a_traceback(
    tmp_path: Path, command: str, text: str, says: str
) -> None:
    path = tmp_path / ("in.jsonl" if command == "batch" else "profile.json")
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main([command, str(path)], stdout=out, stderr=err)
    assert "Traceback" not in err.getvalue()
    if command == "batch":  # the item's error, in its place
        assert code == 1
        assert "line 1 is not JSON: a number too long to read" in out.getvalue()
    else:
        assert code == 2
        assert len(err.getvalue().splitlines()) == 1
        assert says in err.getvalue()


def test_a_dangling_link_in_a_rules_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "10-extra.yaml").write_text(RULE, encoding="utf-8")
    (tmp_path / "20-gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(RulebaseError) as raised:
        load_rulebase(tmp_path, builtin=True)
    (problem,) = raised.value.problems
    assert problem.path == tmp_path / "20-gone.yaml"
    assert "symbolic link to nothing" in str(problem)
    err = io.StringIO()
    assert main(["lint", str(tmp_path)], stdout=io.StringIO(), stderr=err) == 2
    assert "20-gone.yaml: a symbolic link to nothing" in err.getvalue()
