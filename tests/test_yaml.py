"""Only plain YAML is read; hostile files fail fast with a position."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from massageplan import RulebaseError, load_rulebase


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
