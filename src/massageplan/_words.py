"""Names as people say them: the few helpers every text in the library shares."""

from __future__ import annotations

from ._profile import PRESSURE_WORDS


def words(name: str) -> str:
    """A code as words: ``trigger_point`` -> ``trigger point``."""
    return name.replace("_", " ")


def pressure_words(level: int) -> str:
    return f"level {level} ({PRESSURE_WORDS[level]})"
