"""The command line, driven through main() with captured streams."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from massageplan.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_recommend_text() -> None:
    code, out, err = run("recommend", str(EXAMPLES / "new-diabetic-client.yaml"))
    assert (code, err) == (0, "")
    assert "3 visits of 20 minutes" in out
    assert "pressure at most level 1 (very light)" in out
    assert "no friction on ankles, feet" in out
    assert "SOURCES" in out


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
        ("[1, 2", "-:1: not valid JSON or YAML"),
        (
            '{"condition": "x", "hypersensitivity": "none", "tolerance": {"minutes": 9}}',
            "-: condition:",
        ),
    ],
)
def test_bad_profile_is_one_line_and_exit_2(stdin: str, words: str) -> None:
    code, out, err = run("recommend", "-", stdin=stdin)
    assert code == 2
    assert out == ""
    assert err.startswith(f"massageplan: {words}")
    assert err.count("\n") == 1


def test_missing_file_and_bad_rules(tmp_path: Path) -> None:
    code, _, err = run("recommend", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "cannot read profile" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [{id: x}]\n", encoding="utf-8")
    code, _, err = run("recommend", str(EXAMPLES / "new-diabetic-client.yaml"), "--rules", str(bad))
    assert code == 2
    assert f"{bad}:1:" in err


def test_help_and_usage_go_to_the_given_streams() -> None:
    code, out, err = run("--help")
    assert (code, err) == (0, "")
    assert "recommend" in out
    code, out, err = run("recommend", "--help")
    assert code == 0
    assert "--format" in out
    code, out, err = run("frobnicate")
    assert code == 2
    assert "invalid choice" in err


def test_installed_command_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "massageplan",
            "recommend",
            str(EXAMPLES / "new-diabetic-client.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "THIS WEEK" in result.stdout
