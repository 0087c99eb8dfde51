"""Where each part of a parsed rule file came from: line and column by key path.

Both readers of rule files produce a :class:`Document`: the YAML reader
(``rules.safe_yaml``) and the shipped parse of the built-in files (``rules.reading``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..model.errors import Problem

KeyPath = tuple[str | int, ...]


class Mark(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """A loaded rule file: its data and the position of every node in it."""

    path: Path
    data: Any
    values: dict[KeyPath, Mark]
    keys: dict[KeyPath, Mark]

    def mark(self, key_path: KeyPath) -> Mark | None:
        """The best position for a key path: its key, its value, or an ancestor's."""
        for end in range(len(key_path), -1, -1):
            prefix = key_path[:end]
            found = self.keys.get(prefix) or self.values.get(prefix)
            if found is not None:
                return found
        return None

    def problem(
        self,
        message: str,
        key_path: KeyPath,
        rule_id: str | None = None,
        kind: str = "structure",
    ) -> Problem:
        mark = self.mark(key_path)
        return Problem(
            message=message,
            path=self.path,
            line=mark.line if mark else None,
            column=mark.column if mark else None,
            key_path=format_key_path(key_path),
            rule_id=rule_id,
            kind=kind,
        )


def format_key_path(key_path: KeyPath) -> str:
    out = ""
    for part in key_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
