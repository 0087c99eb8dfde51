"""The exceptions massageplan raises on purpose: one base, structured fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class MassagePlanError(Exception):
    """Base of every error massageplan raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a rule file, located as precisely as the file allows."""

    message: str
    path: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    key_path: str = ""  # e.g. "rules[2].when.hypersensitivity"
    rule_id: str | None = None
    # What kind of problem, most fundamental first: "file" (unreadable, YAML
    # syntax, tags), "structure", "condition" (a when), "reference" (sources,
    # quotes, rule ids), "conflict".
    kind: str = "structure"

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<rules>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        details = []
        if self.rule_id:
            details.append(f"rule {self.rule_id!r}")
        if self.key_path:
            details.append(f"at {self.key_path}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{where}: {self.message}{suffix}"


class RulebaseError(MassagePlanError, ValueError):
    """A rule file (or the sources it cites) could not be loaded.

    The fields describe the first, most relevant problem; ``problems`` holds
    every problem found, in the order a reader should fix them.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("RulebaseError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.path = first.path
        self.line = first.line
        self.column = first.column
        self.key_path = first.key_path
        self.rule_id = first.rule_id
        lines = [str(p) for p in self.problems]
        if len(lines) > 1:
            lines.insert(1, f"... and {len(lines) - 1} more problem(s):")
        super().__init__("\n".join(lines))


class PlanSafetyError(MassagePlanError):
    """The rules produced a plan that breaks a safety property of the contract.

    Raised instead of returning an incomplete or unsafe plan. It can only
    happen with a rulebase that lacks a safety rule; ``verify()`` finds such
    rulebases before they are used.
    """

    def __init__(self, violations: Sequence[str], rule_ids: Sequence[str]) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        self.rule_ids: tuple[str, ...] = tuple(rule_ids)
        fired = ", ".join(self.rule_ids) or "none"
        super().__init__(
            "the rulebase produced an unsafe plan: "
            + "; ".join(self.violations)
            + f" (rules fired: {fired})"
        )


class EngineError(MassagePlanError):
    """The rule engine failed in a way the rules did not cause."""
