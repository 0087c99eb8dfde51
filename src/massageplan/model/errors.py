"""The exceptions massageplan raises on purpose: one base, structured fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError


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
    """The rules produced a plan that breaks a safety invariant of the contract.

    Raised instead of returning the plan. It can only happen with a rulebase
    that lacks a safety rule or adds an unsafe one; ``verify()`` finds such
    rulebases before they are used. ``invariants`` holds the numbers of the
    invariants broken, ``violations`` says how, ``profile_values`` the profile
    fields involved, and ``rule_ids`` the rules responsible.
    """

    def __init__(
        self,
        violations: Sequence[str],
        *,
        invariants: Sequence[int],
        rule_ids: Sequence[str],
        profile_values: Mapping[str, object],
        responsible: Sequence[str] = (),
    ) -> None:
        self.violations: tuple[str, ...] = tuple(violations)
        self.invariants: tuple[int, ...] = tuple(invariants)
        self.rule_ids: tuple[str, ...] = tuple(rule_ids)
        self.profile_values: dict[str, object] = dict(profile_values)
        lines = ["the rulebase made an unsafe plan, so no plan is returned:"]
        lines += [f"- {v}" for v in self.violations]
        if responsible:
            lines.append("rules responsible: " + "; ".join(responsible))
        lines.append("run 'massageplan verify' on the rulebase to find every such profile")
        super().__init__("\n".join(lines))


class RowError(ValueError):
    """A batch item that cannot become a profile: a CSV cell of the wrong kind, or a
    line that is not JSON. Readers put it in the item's place; the batch reports it there."""


class EngineError(MassagePlanError):
    """The rule engine failed in a way the rules did not cause."""


def _field(loc: Sequence[int | str]) -> str:
    """A field as the profile file says it: ``tolerance.minutes``, ``swelling item 2``."""
    words = ""
    for part in loc:
        if isinstance(part, int):
            words += f" item {part + 1}"
        else:
            # A key nobody expected ("\n", "a b") is quoted, so the message stays one line.
            said = part if part.isidentifier() else repr(part[:40])
            words += ("." if words else "") + said
    return words


def validation_message(exc: ValidationError) -> str:
    """Every validation error, each naming its field; never the whole input."""
    parts = []
    for error in exc.errors(include_url=False):
        if not error["loc"]:  # the profile as a whole is not a mapping of fields
            given = error["input"]
            kind = "nothing" if given in (None, "") else f"a {type(given).__name__}"
            parts.append(
                f"a profile is a mapping of its fields (condition, hypersensitivity, "
                f"tolerance, ...), not {kind}"
            )
            continue
        parts.append(f"{_field(error['loc'])}: {error['msg']}")
    return "; ".join(parts)
