"""Names as people say them: the few helpers every text in the library shares."""

from __future__ import annotations

from .plan import TECHNIQUES
from .profile import PRESSURE_WORDS

# Techniques as therapists say them, by code.
TECHNIQUE_WORDS = {name.value: spec.words for name, spec in TECHNIQUES.items()}


def words(name: str) -> str:
    """A code as words: ``trigger_point`` -> ``trigger point``."""
    return name.replace("_", " ")


def pressure_words(level: int) -> str:
    return f"level {level} ({PRESSURE_WORDS[level]})"


def technique_words(name: str) -> str:
    """A technique as therapists say it: ``trigger_point`` -> ``trigger-point therapy``."""
    return TECHNIQUE_WORDS.get(name, words(name))
