"""The command line, driven through main() with captured streams."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from massageplan import Rulebase
from massageplan.cli import main
from massageplan.rules.profile_space import SweepSpace, sweep_space
from tests.conftest import builtin_rule_count

EXAMPLES = Path(__file__).parent.parent / "examples"
NEW_CLIENT = str(EXAMPLES / "new-diabetic-client-answered.yaml")
NEW_CLIENT_TEXT = Path(NEW_CLIENT).read_text(encoding="utf-8")
UNSAFE = """\
rules:
  - id: friction-on-feet
    title: Friction on the feet
    then: [{technique: friction, areas: [feet], max_pressure: 2}]
    because: A clinic's idea.
    sources: [project-default]
  - id: no-friction-on-swelling
    title: Only the hands
    replaces: true
    when: {swelling: {includes: hands}}
    then: [{avoid: friction, areas: [hands]}]
    because: Only the hands.
    sources: [project-default]
"""


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def small_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the command's wiring, exit codes and output, not the
    space: verify sweeps the first and last value of each scalar field (the
    area lists and flags still each take every value)."""

    def small(rulebase: Rulebase) -> SweepSpace:
        space = sweep_space(rulebase)
        ends = {
            name.replace(".", "_"): [space.values[name][0], space.values[name][-1]]
            for name in space.scalar
        }
        return space.narrowed(**ends)

    monkeypatch.setattr("massageplan.plan.verify.sweep_space", small)


@pytest.fixture
def unsafe_rules(tmp_path: Path) -> Path:
    path = tmp_path / "unsafe.yaml"
    path.write_text(UNSAFE, encoding="utf-8")
    return path


def test_recommend_text() -> None:
    code, out, err = run("recommend", NEW_CLIENT)
    assert (code, err) == (0, "")
    assert "1 visit of 20 minutes" in out  # severe, first week: one visit
    said = " ".join(out.split())  # as read, whatever the wrapping
    assert "1 visit of 20 minutes, up to level 1 (very light)" in said
    assert "ankles and feet (swollen): up to level 2 (light); no friction, kneading" in said
    assert "SOURCES" in out


def test_recommend_markdown() -> None:
    code, out, _ = run("recommend", NEW_CLIENT, "--format", "markdown")
    assert code == 0
    assert out.startswith("# Massage plan for this week")
    assert out.index("## Do not book yet") < out.index("| Technique | Areas | Sources |")
    assert "| Swedish, up to level 1 (very light) |" in out
    # Kneading needs light pressure (level 2) to be kneading: left out at level 1.
    assert "kneading, up to" not in out


def test_recommend_json_from_stdin() -> None:
    profile = {
        "condition": "peripheral_neuropathy",
        "hypersensitivity": "none",
        "tolerance": {"minutes": 90},
    }
    code, out, _ = run("recommend", "-", "--format", "json", stdin=json.dumps(profile))
    assert code == 0
    assert [v["minutes"] for v in json.loads(out)["visits"]] == [60]


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ('{"condition": "diabetic_neuropathy"}', "-: hypersensitivity: Field required"),
        ("[1, 2", "-:"),  # then the line (1 or 2: the C and Python parsers differ)
        (
            '{"condition": "x", "hypersensitivity": "none", "tolerance": {"minutes": 9}}',
            "-: condition:",
        ),
    ],
)
@pytest.mark.parametrize("command", ["recommend", "explain", "course"])
def test_bad_profile_is_one_line_and_exit_2(command: str, stdin: str, words: str) -> None:
    extra = ["--weeks", "2"] if command == "course" else []
    code, out, err = run(command, "-", *extra, stdin=stdin)
    assert code == 2
    assert out == ""
    assert err.startswith(f"massageplan: {words}")
    assert err.count("\n") == 1
    if stdin == "[1, 2":
        assert "not a valid profile file: YAML syntax error" in err


def test_missing_file_and_bad_rules(tmp_path: Path) -> None:
    code, _, err = run("recommend", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "cannot read profile" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [{id: x, titel: y}]\n", encoding="utf-8")
    code, _, err = run("recommend", NEW_CLIENT, "--rules", str(bad))
    assert code == 2
    assert err.startswith(f"massageplan: {bad}:1:")
    assert "run 'massageplan lint' to see all" in err
    assert err.count("\n") == 1


def test_unsafe_rules_make_recommend_refuse(unsafe_rules: Path) -> None:
    code, out, err = run("recommend", NEW_CLIENT, "--rules", str(unsafe_rules))
    assert (code, out) == (2, "")
    assert err.startswith("massageplan: the rules made an unsafe plan: safety invariant 1 (")
    assert "friction" in err
    assert "more); run 'massageplan verify --rules ...'" in err
    assert err.count("\n") == 1


def test_every_validation_error_on_one_line() -> None:
    code, out, err = run("recommend", "-", stdin='{"condition": "x", "hypersensitivity": "y"}')
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    for field in ("condition:", "hypersensitivity:", "tolerance: Field required"):
        assert field in err


def test_explain() -> None:
    code, out, _ = run("explain", NEW_CLIENT)
    assert code == 0
    assert "cipn-case-report: did not fire: condition is 'diabetic_neuropathy'" in out
    code, out, _ = run("explain", NEW_CLIENT, "--format", "json")
    assert code == 0
    assert json.loads(out)["rules"][0]["rule_id"] == "technique-mix"


def test_lint(tmp_path: Path, unsafe_rules: Path) -> None:
    code, out, _ = run("lint", str(EXAMPLES.parent / "rules"))
    assert (code, out) == (0, f"{builtin_rule_count()} rules, no problems\n")
    contradicting = tmp_path / "contradicting.yaml"
    contradicting.write_text(
        UNSAFE + "  - id: no-friction-on-feet\n    title: No friction on the feet\n"
        "    then: [{avoid: friction, areas: [feet, hands]}]\n"
        "    because: Feet are delicate.\n    sources: [project-default]\n",
        encoding="utf-8",
    )
    code, out, err = run("lint", str(contradicting), "--builtin")
    assert (code, out) == (1, "")  # findings are errors: stderr only
    (conflict,) = err.splitlines()
    assert conflict.startswith(f"conflict: rules 'friction-on-feet' ({contradicting}:2)")
    assert "no friction on feet, hands" in conflict
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - id: a\n    titel: x\n", encoding="utf-8")
    code, out, err = run("lint", str(broken))
    assert (code, out) == (1, "")
    assert f"{broken}:3:5: unknown key 'titel' (did you mean 'title'?)" in err
    assert len(err.splitlines()) > 1  # every problem, one a line
    # Crediting the article with what it does not say is an error, at file:line.
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text(UNSAFE.replace("[project-default]", "[article]", 1), encoding="utf-8")
    code, out, err = run("lint", str(unquoted), "--builtin")
    assert (code, out) == (1, "")
    assert f"{unquoted}:2:5: the rule cites article but has no 'quote'" in err


@pytest.mark.usefixtures("small_sweep")
def test_verify(unsafe_rules: Path) -> None:
    code, out, _ = run("verify", "--search", "0")
    assert code == 0
    assert "every safety invariant" in out
    assert "all hold" in out
    code, out, _ = run("verify", "--rules", str(unsafe_rules), "--search", "0", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert any(c["rules"] == ["friction-on-feet"] for c in report["counterexamples"])


@pytest.mark.usefixtures("small_sweep")
def test_verify_shares_the_sweep_among_workers(unsafe_rules: Path) -> None:
    alone = run("verify", "--rules", str(unsafe_rules), "--search", "0", "--format", "json")
    shared = run(
        "verify",
        "--rules",
        str(unsafe_rules),
        "--search",
        "0",
        "--format",
        "json",
        "--workers",
        "2",
    )
    assert alone == shared
    assert alone[0] == 1
    code, _, err = run("verify", "--workers", "0")
    assert code == 2
    assert "argument --workers: 0 is below 1" in err


@pytest.mark.parametrize("which", ["profile", "plan", "rules"])
def test_schema(which: str) -> None:
    code, out, _ = run("schema", which)
    assert code == 0
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/")


def test_course(tmp_path: Path) -> None:
    svg = tmp_path / "course.svg"
    code, out, _ = run("course", NEW_CLIENT, "--weeks", "5", "--chart", "--svg", str(svg))
    assert code == 0
    assert "pressure rises at most a level a week" in out
    assert "visit length" in out
    assert "<svg" in svg.read_text(encoding="utf-8")
    code, out, _ = run("course", NEW_CLIENT, "--weeks", "2", "--format", "json")
    # Severe: one visit of 20 first; then the week's time grows by 15 at most.
    assert [w["visits"] for w in json.loads(out)["weeks"]] == [[20], [30]]
    code, _, err = run("course", NEW_CLIENT, "--weeks", "0")
    assert code == 2
    assert "argument --weeks: 0 is below 1" in err


@pytest.mark.parametrize(
    "command", [[], ["recommend"], ["explain"], ["lint"], ["verify"], ["schema"], ["course"]]
)
def test_help_on_every_command(command: list[str]) -> None:
    code, out, err = run(*command, "--help")
    assert (code, err) == (0, "")
    assert out.startswith("usage: massageplan")


def test_usage_errors_exit_2_on_stderr() -> None:
    code, out, err = run("frobnicate")
    assert (code, out) == (2, "")
    assert "invalid choice" in err
    code, _, err = run("course", NEW_CLIENT)
    assert code == 2
    assert "--weeks" in err


def test_installed_command_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "massageplan", "recommend", NEW_CLIENT, "--format", "markdown"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "| Technique | Areas | Sources |" in result.stdout


@pytest.mark.usefixtures("small_sweep")
def test_verify_article_reports_a_clinics_deviation() -> None:
    clinic = str(EXAMPLES / "clinic" / "house-maximum-45.yaml")
    code, out, _ = run("verify", "--rules", clinic, "--search", "0")
    assert code == 0  # safe: the 45-minute maximum is no safety matter
    code, out, err = run("verify", "--rules", clinic, "--search", "0", "--article")
    assert (code, err) == (1, "")
    assert "unsafe plans" not in out
    assert "deviations from the article's guidance" in out
    assert "article guidance 1 (one 60-minute visit a week)" in out
    assert "house-maximum-visit" in out


def test_lint_of_a_path_it_cannot_read_is_bad_input(tmp_path: Path) -> None:
    code, out, err = run("lint", str(tmp_path / "missing.yaml"))
    assert (code, out) == (2, "")
    assert "no such file or folder" in err


def test_ctrl_c_is_a_clean_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("massageplan.cli.recommend", interrupted)
    code, out, err = run("recommend", NEW_CLIENT)
    assert (code, out, err) == (130, "", "massageplan: interrupted\n")


def test_a_negative_search_is_a_usage_error() -> None:
    code, out, err = run("verify", "--search", "-3")
    assert (code, out) == (2, "")
    assert err == (
        "massageplan verify: argument --search: -3 is below 0 (see 'massageplan verify --help')\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gain", "-5"], "argument --gain: -5 is below 0"),
        (["--gain", "61"], "argument --gain: 61 is above 60"),
        (["--weeks", "0"], "argument --weeks: 0 is below 1"),
        (["--weeks", "two"], "argument --weeks: 'two' is not a whole number"),
    ],
)
def test_course_options_out_of_range_are_named_as_typed(argv: list[str], message: str) -> None:
    weeks = [] if "--weeks" in argv else ["--weeks", "2"]
    code, out, err = run("course", NEW_CLIENT, *weeks, *argv)
    assert (code, out) == (2, "")
    assert err == f"massageplan course: {message} (see 'massageplan course --help')\n"


def test_course_chart_fits_its_format(tmp_path: Path) -> None:
    code, out, _ = run("course", NEW_CLIENT, "--weeks", "2", "--chart", "--format", "markdown")
    assert code == 0
    fenced = out.split("```text\n", 1)[1]
    assert fenced.startswith("week  visit length")
    assert fenced.rstrip().endswith("```")
    assert fenced.count("```") == 1
    code, out, err = run("course", NEW_CLIENT, "--weeks", "2", "--chart", "--format", "json")
    assert (code, out) == (2, "")
    assert "--chart" in err
    assert "JSON" in err


def test_course_svg_to_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("course", NEW_CLIENT, "--weeks", "2", "--svg", "-")
    assert code == 0
    assert out.startswith("<?xml")
    assert "<svg" in out
    assert out.rstrip().endswith("</svg>")
    assert not (tmp_path / "-").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reading_a_profile_from_a_terminal_says_how_to_end_it() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["recommend", "-"], stdin=_Terminal(NEW_CLIENT_TEXT), stdout=out, stderr=err)
    assert code == 0
    assert err.getvalue() == (
        "massageplan: reading the profile from standard input; end with Ctrl-D\n"
    )
    code = main(["recommend", "-"], stdin=io.StringIO(NEW_CLIENT_TEXT), stdout=out, stderr=err)
    assert err.getvalue().count("Ctrl-D") == 1  # a pipe gets no hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "a profile is a mapping of its fields (condition, hypersensitivity, tolerance, "
            "...), not nothing",
        ),
        (
            "[1, 2]",
            "a profile is a mapping of its fields (condition, hypersensitivity, "
            "tolerance, ...), not a list",
        ),
        (
            '{"condition": "diabetic_neuropathy", "hypersensitivity": "mild", '
            '"swelling": ["feet", "toes"], "tolerance": {"minutes": 500}}',
            "swelling item 2: Input should be 'head', ",
        ),
        (
            '{"condition": "diabetic_neuropathy", "hypersensitivity": "mild", '
            '"tolerance": {"minutes": 500}}',
            "tolerance.minutes: Input should be less than or equal to 180",
        ),
    ],
)
def test_profile_errors_name_fields_as_the_profile_says_them(text: str, message: str) -> None:
    code, out, err = run("recommend", "-", stdin=text)
    assert (code, out) == (2, "")
    assert err.startswith(f"massageplan: -: {message}")
    assert err.count("\n") == 1


@pytest.mark.usefixtures("small_sweep")
def test_verify_without_hypothesis_sweeps_and_says_the_search_was_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("massageplan.cli.search_available", lambda: False)
    code, out, err = run("verify")
    assert code == 0
    assert "the search was skipped" in err
    assert "0 searched" in out


def test_version() -> None:
    import massageplan  # noqa: PLC0415 - the version the command must print

    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith(f"massageplan {massageplan.__version__} (")


def test_recommend_for_the_client_without_colour_off_a_terminal() -> None:
    code, out, err = run("recommend", NEW_CLIENT, "--for", "client")
    assert (code, err) == (0, "")
    assert "BEFORE YOU BOOK" in out
    assert "TECHNIQUES" not in out
    assert "\033[" not in out  # not a terminal: no colour codes


def test_a_completion_script_knows_the_commands_and_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--print-completion", "bash"]) == 0
    script = capsys.readouterr().out  # shtab prints to the process's own stdout
    assert "complete" in script
    for word in ("recommend", "course", "--format", "--weeks", "therapist"):
        assert word in script, word


def test_without_the_completion_extra_the_option_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # as if not installed: import fails
    err = io.StringIO()
    code = main(["--print-completion", "bash"], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert "pip install 'massageplan[completion]'" in err.getvalue()


def test_help_states_every_exit_code_the_readme_does() -> None:
    code, out, _ = run("--help")
    assert code == 0
    said = " ".join(out.split())
    for part in ("0 success", "1 a finding", "2 bad input or usage", "130 interrupted"):
        assert part in said, part
