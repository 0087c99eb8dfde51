"""Rule-file problems: pydantic's errors mapped back to file, line and key path."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from ..engine.conditions import suggest
from ..model.errors import Problem
from .effects import EFFECT_KINDS, PressureLimit, VisitsSpec
from .positions import Document, KeyPath
from .rule_file import Rule, RuleFile, SourceEntry

# Most fundamental first: fixing an earlier kind often fixes the later ones.
KINDS = ("file", "structure", "condition", "reference", "conflict")


def by_relevance(problems: Iterable[Problem]) -> list[Problem]:
    """The file, then its shape, then its meaning; within a kind, in file order."""
    return sorted(problems, key=lambda p: (KINDS.index(p.kind), str(p.path), p.line or 0))


# Every model a rule file can contain, to suggest keys for a misspelt one.
_RULE_FILE_MODELS: tuple[type[BaseModel], ...] = (
    RuleFile,
    Rule,
    PressureLimit,
    VisitsSpec,
    SourceEntry,
    *EFFECT_KINDS,
)
_KEY_SETS = tuple(frozenset(model.model_fields) for model in _RULE_FILE_MODELS)


def _key_suggestion(doc: Document, parent: KeyPath, key: str) -> str:
    siblings = _at(doc.data, parent)
    present = set(siblings) - {key} if isinstance(siblings, dict) else set()
    best = max(_KEY_SETS, key=lambda keys: len(keys & present))
    if not present & best:
        best = frozenset().union(*_KEY_SETS)
    return suggest(key, sorted(best))


def _at(data: Any, key_path: KeyPath) -> Any:
    for part in key_path:
        data = data[part]
    return data


def _data_path(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """Keep the parts of a pydantic ``loc`` that index the data (drop union tags)."""
    path: list[str | int] = []
    for part in loc:
        indexes_dict = isinstance(data, dict) and part in data
        if indexes_dict or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        ):
            data = data[part]
            path.append(part)
        elif isinstance(data, dict) and isinstance(part, str) and not part.startswith("effect:"):
            # A missing or unknown key: name it, it is not in the data.
            path.append(part)
            data = None
    return tuple(path)


_EXPECTED = re.compile(r"'([^']*)'")


def pydantic_problems(
    doc: Document, exc: ValidationError, at: KeyPath, rule_id: str | None = None
) -> list[Problem]:
    base = _at(doc.data, at) if at else doc.data
    errors = [(error, _data_path(base, error["loc"])) for error in exc.errors(include_url=False)]
    # A failed item also fails its container ("too short"); the item says more.
    locs = {loc for _, loc in errors}
    errors = [
        (error, loc)
        for error, loc in errors
        if not any(other[: len(loc)] == loc and other != loc for other in locs)
    ]
    # A misspelt key also leaves the key it meant missing: report it once.
    meant: dict[KeyPath, str] = {}
    for error, loc in errors:
        if error["type"] == "extra_forbidden":
            meant[loc] = _key_suggestion(doc, (*at, *loc[:-1]), str(loc[-1]))
    problems = []
    for error, loc in errors:
        key_path = (*at, *loc)
        kind = error["type"]
        message = error["msg"]
        if kind == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}{meant[loc]}"
        elif kind == "missing":
            hint = f" (did you mean {loc[-1]!r}?)"
            if any(k[:-1] == loc[:-1] and hint == v for k, v in meant.items()):
                continue
            message = f"missing required key {loc[-1]!r}" if loc else message
        elif kind in ("enum", "literal_error") and isinstance(error["input"], str):
            expected = _EXPECTED.findall(str(error.get("ctx", {}).get("expected", "")))
            message = f"{error['input']!r} is not allowed here{suggest(error['input'], expected)}; "
            message += f"expected one of {', '.join(expected)}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
            message = "ids are lower-case words joined by hyphens, e.g. 'no-friction-on-swelling'"
        elif kind.startswith("value_error"):
            message = message.removeprefix("Value error, ")
        problems.append(doc.problem(message, key_path, rule_id))
    return problems
