"""What a rule's ``when`` may test, and the clean facts a profile becomes.

This module is engine-neutral: it knows the profile and the condition
language, not durable-rules. The engine module compiles these tests.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..model.profile import BodyArea, ClientProfile, Condition, Hypersensitivity

FactValue = str | int | bool | list[str]
Facts = dict[str, FactValue]

# A counter above any threshold a rule may name compares the same as the
# real value, and keeps the numbers the C engine parses small.
INT_CEILING = 1_000_000

Kind = Literal["enum", "int", "bool", "areas"]


@dataclass(frozen=True)
class FactField:
    """One thing a rule may test: its one definition.

    ``read`` takes the fact from a profile (None: unknown, so absent from the
    facts); ``field`` names the profile field it comes from, which the
    profile-space sweep varies.
    """

    name: str
    kind: Kind
    description: str
    read: Callable[[ClientProfile], FactValue | None]
    field: str
    values: tuple[str, ...] = ()  # enum values; ordered for ``ordered`` enums
    ordered: bool = False
    minimum: int = 0
    maximum: int = INT_CEILING
    # Shown by explain() when the fact is absent (e.g. pressure not yet known).
    unknown_as: str = ""


def _values(enum_type: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum_type)


def _areas(name: str) -> Callable[[ClientProfile], FactValue | None]:
    # A list the profile does not know (None) is absent from the facts, as
    # an unknown pressure is: neither empty nor holding any area.
    def read(profile: ClientProfile) -> FactValue | None:
        areas = getattr(profile, name)
        return None if areas is None else [a.value for a in areas]

    return read


FIELDS: dict[str, FactField] = {
    f.name: f
    for f in (
        FactField(
            "condition",
            "enum",
            "the client's neuropathy",
            lambda p: p.condition.value,
            "condition",
            _values(Condition),
        ),
        FactField(
            "hypersensitivity",
            "enum",
            "touch hypersensitivity",
            lambda p: p.hypersensitivity.value,
            "hypersensitivity",
            _values(Hypersensitivity),
            ordered=True,
        ),
        FactField(
            "swelling", "areas", "swollen areas", _areas("swelling"), "swelling", _values(BodyArea)
        ),
        FactField(
            "fragile_tissue",
            "areas",
            "areas of fragile tissue from vascular dysfunction",
            _areas("fragile_tissue"),
            "fragile_tissue",
            _values(BodyArea),
        ),
        FactField(
            "tolerance.minutes",
            "int",
            "longest session tolerated (minutes)",
            lambda p: p.tolerance.minutes,
            "tolerance.minutes",
            minimum=5,
            maximum=180,
        ),
        FactField(
            "tolerance.pressure",
            "int",
            "firmest pressure tolerated so far (level)",
            lambda p: p.tolerance.pressure,
            "tolerance.pressure",
            minimum=1,
            maximum=5,
            unknown_as="not yet known",
        ),
        FactField(
            "sessions_completed",
            "int",
            "sessions already done",
            # A counter above any threshold a rule may name compares the same.
            lambda p: min(p.sessions_completed, INT_CEILING),
            "sessions_completed",
        ),
        FactField(
            "physician_consulted",
            "bool",
            "has talked to their doctor about massage",
            lambda p: bool(p.physician_consulted),
            "physician_consulted",
        ),
        FactField(
            "numb_areas",
            "areas",
            "areas of reduced or lost sensation",
            _areas("numb_areas"),
            "numb_areas",
            _values(BodyArea),
        ),
        FactField(
            "wounds",
            "areas",
            "open wounds, ulcers or skin breaks",
            _areas("wounds"),
            "wounds",
            _values(BodyArea),
        ),
        FactField(
            "injection_sites",
            "areas",
            "insulin injection, pump or sensor sites",
            _areas("injection_sites"),
            "injection_sites",
            _values(BodyArea),
        ),
        FactField(
            "clot_history",
            "bool",
            "a deep vein thrombosis or another clot, past or suspected",
            lambda p: bool(p.clot_history),
            "clot_history",
        ),
        FactField(
            "on_chemotherapy",
            "bool",
            "in active chemotherapy",
            lambda p: bool(p.on_chemotherapy),
            "on_chemotherapy",
        ),
        FactField(
            "on_anticoagulants",
            "bool",
            "takes anticoagulants (blood thinners)",
            lambda p: bool(p.on_anticoagulants),
            "on_anticoagulants",
        ),
        FactField(
            "port_sites",
            "areas",
            "where an implanted port or central line is",
            _areas("port_sites"),
            "port_sites",
            _values(BodyArea),
            unknown_as="not yet known",
        ),
        FactField(
            "port_sites_known",
            "bool",
            "where any port or line is, is known",
            lambda p: p.port_sites is not None,
            "port_sites",
        ),
        FactField(
            "first_session",
            "bool",
            "no session done yet (sessions_completed is 0)",
            lambda p: p.sessions_completed == 0,
            "sessions_completed",
        ),
        FactField(
            "pressure_known",
            "bool",
            "the firmest pressure tolerated is known",
            lambda p: p.tolerance.pressure is not None,
            "tolerance.pressure",
        ),
    )
}

AREA_FIELDS = tuple(name for name, f in FIELDS.items() if f.kind == "areas")


def count_key(area_field: str) -> str:
    """The derived fact holding how many areas a list field has."""
    return f"{area_field}.count"


# The profile field each engine fact comes from (area counts go with their list).
FACT_FIELD: dict[str, str] = {
    **{name: f.field for name, f in FIELDS.items()},
    **{count_key(name): FIELDS[name].field for name in AREA_FIELDS},
}


def profile_facts(profile: ClientProfile) -> Facts:
    """The clean, typed facts of a profile.

    Types are exact (the engine coerces ``"10" == 10``), unknown values are
    absent rather than null (the engine treats nulls oddly), and every field
    in :data:`FIELDS` is present unless it is unknown.
    """
    facts: Facts = {}
    for name, fact in FIELDS.items():
        value = fact.read(profile)
        if value is None:
            continue
        facts[name] = value
        if fact.kind == "areas" and isinstance(value, list):
            facts[count_key(name)] = len(value)
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
