"""A bounded memo for the hot paths: no lock, and what is used often stays."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class Memo(dict[Hashable, Any]):
    """Values by key, at most ``2 * size`` of them, in two generations.

    When the young generation is full it becomes the old one and the old one
    is dropped; a value found in the old generation moves to the young. So
    what is asked for often survives a turn, where emptying a full table
    would throw it away in the middle of a sweep. Each step is one dict
    operation under the GIL: threads racing may lose an entry (it is made
    again), never find a wrong one. ``None`` is not a value: it means absent.

    The memo is its young generation, so a hit is one dict subscript (made
    in C): ``memo[key]`` gives the value, or None. The hot paths are most of
    a sweep's time.

    Keys that name objects by identity (``id``) must name only objects the
    value holds: an entry and its key leave together, so no identity is
    reused while its entry lives.
    """

    __slots__ = ("_old", "size")

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._old: dict[Hashable, Any] = {}

    def __missing__(self, key: Hashable) -> Any:
        found = self._old.get(key)
        if found is not None:
            self.keep(key, found)
        return found

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = self[key]
        return default if found is None else found

    def keep(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key``, and return it."""
        if dict.__len__(self) >= self.size:
            self._old = dict(self)
            dict.clear(self)
        self[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._old

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._old)

    def clear(self) -> None:
        dict.clear(self)
        self._old = {}
