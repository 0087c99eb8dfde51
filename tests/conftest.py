"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).parents[1] / "rules"


def builtin_rule_count() -> int:
    """Rules in the built-in files, counted from the YAML text, not through the library."""
    return sum(
        line.startswith("  - id: ")
        for path in RULES_DIR.glob("[0-9]*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
