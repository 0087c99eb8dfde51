"""The rulebase: checked rules in order, the sources they cite, and where each came from.

Reading rule files into one is ``rules.load``'s work; this module is the data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.conditions import Clause
from ..model.plan import Reason, Source
from .rule_file import Rule


@dataclass(frozen=True, eq=False)
class LoadedRule:
    """A checked rule, its conditions as clauses, and where it came from."""

    rule: Rule
    clauses: tuple[Clause, ...]
    reason: Reason
    path: Path  # the file as given, for errors
    display: str  # the file's name without machine-specific parts, for plans
    line: int
    layer: int

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def location(self) -> str:
        """Where the rule is, as plans and explanations say it (no machine paths)."""
        return f"{self.display}:{self.line}"

    @property
    def where(self) -> str:
        """Where the rule is on this machine, for errors and warnings."""
        return f"{self.path}:{self.line}"


class Rulebase:
    """An ordered, checked set of rules. Build one with :func:`load_rulebase`."""

    __slots__ = (
        "__weakref__",
        "_by_id",
        "_conflicts",
        "_find_conflicts",
        "digest",
        "ids",
        "rules",
        "sources",
        "trace",
    )

    def __init__(
        self,
        rules: Sequence[LoadedRule],
        sources: Mapping[str, Source],
        trace: Sequence[str] = (),
        find_conflicts: Callable[[Rulebase], Sequence[object]] | None = None,
    ) -> None:
        self.rules: tuple[LoadedRule, ...] = tuple(rules)
        self.ids: tuple[str, ...] = tuple(rule.id for rule in self.rules)
        # Every source a rule cites, by the id reasons use ("Id." resolved).
        self.sources: Mapping[str, Source] = dict(sources)
        self.trace: tuple[str, ...] = tuple(trace)
        # Found when first asked for, by the analysis the loader names: this
        # module is the data, and knows nothing of how conflicts are found.
        self._conflicts: tuple[str, ...] | None = None
        self._find_conflicts = find_conflicts
        self._by_id = {r.id: r for r in self.rules}
        canonical = json.dumps(
            {
                "rules": [r.rule.model_dump(mode="json") for r in self.rules],
                "sources": [s.model_dump(mode="json") for s in self.sources.values()],
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        # Independent of where the files lie: the same rules, the same digest.
        self.digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Rules that can fire together but contradict each other, in words."""
        if self._conflicts is None:
            found = self._find_conflicts(self) if self._find_conflicts is not None else ()
            self._conflicts = tuple(str(c) for c in found)
        return self._conflicts

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[LoadedRule]:
        return iter(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def __getitem__(self, rule_id: str) -> LoadedRule:
        return self._by_id[rule_id]

    def index(self, rule_id: str) -> int:
        return self.rules.index(self._by_id[rule_id])

    def __repr__(self) -> str:
        return f"<Rulebase of {len(self.rules)} rules>"
