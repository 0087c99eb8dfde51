"""What a rule's ``when`` may test, and the clean facts a profile becomes.

This module is engine-neutral: it knows the profile and the condition
language, not durable-rules. The engine module compiles these tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..model.profile import (
    FIELD,
    PROFILE_FIELDS,
    SCREENING_FIELDS,
    ClientProfile,
    FieldKind,
    ProfileField,
)

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


def _areas(name: str) -> Callable[[ClientProfile], FactValue | None]:
    # A list the profile does not know (None) is absent from the facts, as
    # an unknown pressure is: neither empty nor holding any area.
    def read(profile: ClientProfile) -> FactValue | None:
        areas = getattr(profile, name)
        return None if areas is None else [a.value for a in areas]

    return read


def _read(field: ProfileField) -> Callable[[ClientProfile], FactValue | None]:
    if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
        return _areas(field.name)
    get = field.get
    if field.kind is FieldKind.CHOICE:
        return lambda p: None if (value := get(p)) is None else str(value.value)
    if field.kind is FieldKind.FLAG:
        return lambda p: None if (value := get(p)) is None else bool(value)
    # A counter above any threshold a rule may name compares the same as the
    # real value, and keeps the numbers the C engine parses small.
    return lambda p: None if (value := get(p)) is None else min(value, INT_CEILING)


_KINDS: dict[FieldKind, Kind] = {
    FieldKind.AREAS: "areas",
    FieldKind.CHOICES: "areas",  # a list of values, tested as an area list is
    FieldKind.FLAG: "bool",
    FieldKind.NUMBER: "int",
    FieldKind.CHOICE: "enum",
}


def known_key(field: str) -> str:
    """The derived fact saying whether a screening field was answered."""
    return f"{field}_known"


def _known(field: ProfileField) -> FactField:
    name = field.name
    return FactField(
        known_key(name),
        "bool",
        f"whether the client was asked about {field.said} (false: not yet asked)",
        lambda p: getattr(p, name) is not None,
        name,
    )


def _fact(field: ProfileField) -> FactField:
    """The fact a rule tests of one profile field, as the field table describes it."""
    return FactField(
        field.name,
        _KINDS[field.kind],
        field.said,
        _read(field),
        field.unit,  # the last session's fields are swept together, as one
        field.choices,
        ordered=field.ordered,
        minimum=0 if field.minimum is None else field.minimum,
        maximum=INT_CEILING if field.maximum is None else field.maximum,
        # A screening question not asked is not "none": explanations say which.
        unknown_as=("not asked" if field.screening else "not yet known")
        if field.may_be_unknown
        else "",
    )


FIELDS: dict[str, FactField] = {
    f.name: f
    for f in (
        *(_fact(field) for field in PROFILE_FIELDS),
        # Facts about fields, that rules test by name: whether each screening
        # question was asked ("numb_areas_known: false"), a session done, a
        # pressure known.
        *(_known(FIELD[name]) for name in SCREENING_FIELDS),
        FactField(
            "first_session",
            "bool",
            "no session done yet (sessions_completed is 0)",
            lambda p: p.sessions_completed == 0,
            "sessions_completed",
        ),
        FactField(
            "hypersensitivity_by_area",
            "bool",
            # An empty list names no area: the level applies everywhere, as for
            # null (the safer reading; a form left alone sends it).
            "the hypersensitivity is given area by area (hypersensitive_areas names an area)",
            lambda p: bool(p.hypersensitive_areas),
            "hypersensitive_areas",
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
