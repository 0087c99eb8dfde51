"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

from massageplan import Rulebase, VerifyReport, verify

# A longer run, by hand: HYPOTHESIS_PROFILE=long python -m pytest tests/test_hostile.py
# (CI uses hypothesis's own derandomised "ci" profile, turned on by CI=true).
settings.register_profile("long", max_examples=5_000, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

RULES_DIR = Path(__file__).parents[1] / "rules"


def builtin_rule_count() -> int:
    """Rules in the built-in files, counted from the YAML text, not through the library."""
    return sum(
        line.startswith("  - id: ")
        for path in RULES_DIR.glob("[0-9]*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


_REPORTS: dict[tuple[str, int, bool], VerifyReport] = {}


def verified(
    rulebase: Rulebase | None = None, *, search: int, article: bool = False
) -> VerifyReport:
    """verify()'s report, made once per rulebase (by its digest) and arguments in a
    test session: the report is the same every time, and tests that only read it
    need not wait for the sweep again. Tests of verify itself (threads, processes,
    the command line) call verify()."""
    from massageplan.plan.recommend import builtin_rulebase  # noqa: PLC0415 - as verify does

    rules = builtin_rulebase() if rulebase is None else rulebase
    key = (rules.digest, search, article)
    if key not in _REPORTS:
        _REPORTS[key] = verify(rules, search=search, article=article)
    return _REPORTS[key]
