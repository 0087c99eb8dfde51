"""Only plain YAML is read; hostile files fail fast with a position."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from massageplan import RulebaseError, load_rulebase
from massageplan.rules import reading as document
from massageplan.rules.load import builtin_rules_dir
from massageplan.rules.safe_yaml import parse_yaml


def error_for(tmp_path: Path, content: bytes) -> RulebaseError:
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    with pytest.raises(RulebaseError) as info:
        load_rulebase(path)
    return info.value


@pytest.mark.parametrize(
    "content",
    [
        b"rules: !!python/object/apply:os.system ['touch massageplan-pwned']\n",
        b"rules:\n  - !!python/name:os.system x\n",
        b"rules: !custom {}\n",
    ],
)
def test_python_tags_are_errors_never_run(tmp_path: Path, content: bytes) -> None:
    error = error_for(tmp_path, content)
    assert "is not allowed" in str(error)
    assert error.line is not None
    assert not Path("massageplan-pwned").exists()


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    error = error_for(tmp_path, ("\n".join(lines) + "\n").encode())
    assert time.perf_counter() - started < 10  # generous: a real bomb would not finish
    assert "nodes" in str(error)


def test_undecodable_bytes(tmp_path: Path) -> None:
    error = error_for(tmp_path, b"rules:\n  - id: caf\xe9\n")
    assert error.line == 2
    assert "not UTF-8" in str(error)


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    error = error_for(tmp_path, b"rules:\n  - id: a\n    when: {x: [1, 2}\n")
    assert (error.line, error.column) == (3, 20)
    assert error.problems[0].kind == "file"
    assert str(error).startswith(f"{tmp_path / 'rules.yaml'}:3:20: YAML syntax error")


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    error = error_for(tmp_path, b"rules: []\nrules: []\n")
    assert error.line == 2
    assert "duplicate key" in str(error)


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    error = error_for(tmp_path, b"base: &b {x: 1}\nrules:\n  - <<: *b\n")
    assert "merge" in str(error)


# ------------------------------------------------- the built-in files, shipped parsed


def test_the_shipped_parse_is_what_parsing_the_built_in_files_gives() -> None:
    shipped = json.loads(document.PARSED_FILE.read_text(encoding="utf-8"))["files"]
    files = sorted(builtin_rules_dir().glob("*.yaml"))
    assert sorted(shipped) == [path.name for path in files], "run: python -m massageplan._schema"
    for path in files:
        entry = shipped[path.name]
        doc = parse_yaml(path.read_bytes(), path)
        assert entry["data"] == doc.data, path.name
        for table in ("values", "keys"):
            marks = {tuple(key_path): (line, column) for key_path, line, column in entry[table]}
            assert marks == getattr(doc, table), (path.name, table)
    assert document.PARSED_FILE.read_text(encoding="utf-8") == document.parsed_text(
        builtin_rules_dir()
    ), "run: python -m massageplan._schema"


def test_a_changed_built_in_file_is_parsed_and_an_unchanged_copy_named_as_itself(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), folder)
    techniques = folder / "10-techniques.yaml"
    text = techniques.read_text(encoding="utf-8")
    old = "title: Gentle Swedish work, with trigger-point therapy and kneading of specified areas"
    assert old in text
    techniques.write_text(text.replace(old, "title: Our own mix"), encoding="utf-8")
    rulebase = load_rulebase(folder, builtin=False)
    assert rulebase["technique-mix"].rule.title == "Our own mix"
    assert rulebase["technique-mix"].path == techniques
    # An unchanged copy: the same rules, each at its own file and line.
    pressure = load_rulebase(folder, builtin=False)["very-light-first-session"]
    assert pressure.path == folder / "20-pressure.yaml"
    assert pressure.line == load_rulebase()["very-light-first-session"].line


def test_without_the_shipped_parse_every_file_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "PARSED_FILE", Path("/nonexistent/rules.parsed.json"))
    document._shipped.cache_clear()
    try:
        assert document._shipped() == {}
        parsed = load_rulebase()
    finally:
        document._shipped.cache_clear()
    assert parsed.digest == load_rulebase().digest
    assert [r.location for r in parsed] == [r.location for r in load_rulebase()]


def test_the_first_plan_does_not_import_yaml() -> None:
    code = (
        "import sys, massageplan; "
        "massageplan.recommend({'condition': 'diabetic_neuropathy', 'hypersensitivity': 'none',"
        " 'tolerance': {'minutes': 60}}); print('yaml' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
