"""What a rule's ``when`` may test, and the clean facts a profile becomes.

This module is engine-neutral: it knows the profile and the condition
language, not durable-rules. The engine module compiles these tests.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ._profile import BodyArea, ClientProfile, Condition, Hypersensitivity

FactValue = str | int | bool | list[str]
Facts = dict[str, FactValue]

# A counter above any threshold a rule may name compares the same as the
# real value, and keeps the numbers the C engine parses small.
INT_CEILING = 1_000_000

Kind = Literal["enum", "int", "bool", "areas"]


@dataclass(frozen=True)
class FactField:
    """One thing a rule may test."""

    name: str
    kind: Kind
    description: str
    values: tuple[str, ...] = ()  # enum values; ordered for ``ordered`` enums
    ordered: bool = False
    minimum: int = 0
    maximum: int = INT_CEILING
    derived: bool = False
    # Shown by explain() when the fact is absent (e.g. pressure not yet known).
    unknown_as: str = ""


def _values(enum_type: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum_type)


FIELDS: dict[str, FactField] = {
    f.name: f
    for f in (
        FactField("condition", "enum", "the client's neuropathy", _values(Condition)),
        FactField(
            "hypersensitivity",
            "enum",
            "touch hypersensitivity",
            _values(Hypersensitivity),
            ordered=True,
        ),
        FactField("swelling", "areas", "swollen areas", _values(BodyArea)),
        FactField(
            "fragile_tissue",
            "areas",
            "areas of fragile tissue from vascular dysfunction",
            _values(BodyArea),
        ),
        FactField(
            "tolerance.minutes",
            "int",
            "longest session tolerated (minutes)",
            minimum=5,
            maximum=180,
        ),
        FactField(
            "tolerance.pressure",
            "int",
            "firmest pressure tolerated so far (level)",
            minimum=1,
            maximum=5,
            unknown_as="not yet known",
        ),
        FactField("sessions_completed", "int", "sessions already done"),
        FactField("physician_consulted", "bool", "has talked to their doctor about massage"),
        FactField(
            "first_session",
            "bool",
            "no session done yet (sessions_completed is 0)",
            derived=True,
        ),
        FactField(
            "pressure_known",
            "bool",
            "the firmest pressure tolerated is known",
            derived=True,
        ),
    )
}

AREA_FIELDS = tuple(name for name, f in FIELDS.items() if f.kind == "areas")


def count_key(area_field: str) -> str:
    """The derived fact holding how many areas a list field has."""
    return f"{area_field}.count"


def profile_facts(profile: ClientProfile) -> Facts:
    """The clean, typed facts of a profile.

    Types are exact (the engine coerces ``"10" == 10``), unknown values are
    absent rather than null (the engine treats nulls oddly), and every field
    in :data:`FIELDS` is present unless it is unknown.
    """
    facts: Facts = {
        "condition": profile.condition.value,
        "hypersensitivity": profile.hypersensitivity.value,
        "tolerance.minutes": profile.tolerance.minutes,
        "sessions_completed": min(profile.sessions_completed, INT_CEILING),
        "physician_consulted": bool(profile.physician_consulted),
        "first_session": profile.sessions_completed == 0,
        "pressure_known": profile.tolerance.pressure is not None,
    }
    if profile.tolerance.pressure is not None:
        facts["tolerance.pressure"] = profile.tolerance.pressure
    for name in AREA_FIELDS:
        areas = [a.value for a in getattr(profile, name)]
        facts[name] = areas
        facts[count_key(name)] = len(areas)
    return facts


def describe_value(field: FactField, facts: Mapping[str, FactValue]) -> str:
    """A fact's value in plain words, for explanations."""
    if field.name not in facts:
        return field.unknown_as or "unknown"
    value = facts[field.name]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    if isinstance(value, str):
        return repr(value)
    return str(value)
