"""A bounded memo for the hot paths: no lock, and what is used often stays."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class Memo:
    """Values by key, at most ``2 * size`` of them, in two generations.

    When the young generation is full it becomes the old one and the old one
    is dropped; a value found in the old generation moves to the young. So
    what is asked for often survives a turn, where emptying a full table
    would throw it away in the middle of a sweep. Each step is one dict
    operation under the GIL: threads racing may lose an entry (it is made
    again), never find a wrong one. ``None`` is not a value: it means absent.

    Keys that name objects by identity (``id``) must name only objects the
    value holds: an entry and its key leave together, so no identity is
    reused while its entry lives.
    """

    __slots__ = ("_old", "_young", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._young: dict[Hashable, Any] = {}
        self._old: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        found = self._young.get(key)
        if found is None:
            found = self._old.get(key)
            if found is not None:
                self.keep(key, found)
        return found

    def keep(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key``, and return it."""
        young = self._young
        if len(young) >= self.size:
            self._old = young
            self._young = young = {}
        young[key] = value
        return value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._young or key in self._old

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def clear(self) -> None:
        self._young, self._old = {}, {}
