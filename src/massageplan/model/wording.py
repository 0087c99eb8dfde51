"""Names as people say them: the few helpers every text in the library shares."""

from __future__ import annotations

from .plan import TECHNIQUES
from .profile import PRESSURE_WORDS

# Techniques as therapists say them, by code.
TECHNIQUE_WORDS = {name.value: spec.words for name, spec in TECHNIQUES.items()}


# Answers as an intake (the web form, the FHIR Questionnaire) offers them, by
# the choices' enum and code, where a code's own words are not plain enough for
# the person filling it in; every other code is offered as its words.
ANSWER_WORDS: dict[str, dict[str, str]] = {
    "Condition": {
        "diabetic_neuropathy": "neuropathy from diabetes",
        "chemotherapy_induced_neuropathy": "neuropathy from chemotherapy",
        "peripheral_neuropathy": "another peripheral neuropathy",
    },
    "Hypersensitivity": {
        "none": "no",
        "mild": "mildly",
        "moderate": "moderately",
        "severe": "severely",
    },
    "SwellingSign": {
        "one_sided": "on one side only",
        "new": "new, or not yet seen by a doctor",
        "short_of_breath": "with shortness of breath",
    },
    "Medication": {
        "insulin_or_sulfonylurea": "insulin, or diabetes tablets such as gliclazide",
        "gabapentinoid": "gabapentin or pregabalin",
        "opioid": "an opioid painkiller",
        "steroid": "a steroid",
        "oxaliplatin": "oxaliplatin (chemotherapy)",
    },
    "Reaction": {
        "fine": "fine",
        "sore": "sore, then settled",
        "flare": "a flare: pain or symptoms worse",
    },
}


def answer_words(vocabulary: str, code: str) -> str:
    """A choice as an intake offers it: ``("Reaction", "sore")`` -> ``sore, then settled``."""
    return ANSWER_WORDS.get(vocabulary, {}).get(code, words(code))


def words(name: str) -> str:
    """A code as words: ``trigger_point`` -> ``trigger point``."""
    return name.replace("_", " ")


def pressure_words(level: int) -> str:
    return f"level {level} ({PRESSURE_WORDS[level]})"


def technique_words(name: str) -> str:
    """A technique as therapists say it: ``trigger_point`` -> ``trigger-point therapy``."""
    return TECHNIQUE_WORDS.get(name, words(name))
