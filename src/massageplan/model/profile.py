"""The client profile: what the therapist knows about the client today."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from typing import Annotated, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator


class BodyArea(str, enum.Enum):
    """Areas of the body, head to feet (the order plans list them in)."""

    HEAD = "head"
    NECK = "neck"
    SHOULDERS = "shoulders"
    UPPER_BACK = "upper_back"
    LOWER_BACK = "lower_back"
    CHEST = "chest"
    ABDOMEN = "abdomen"
    UPPER_ARMS = "upper_arms"
    FOREARMS = "forearms"
    HANDS = "hands"
    HIPS = "hips"
    THIGHS = "thighs"
    KNEES = "knees"
    LOWER_LEGS = "lower_legs"
    ANKLES = "ankles"
    FEET = "feet"


AREA_ORDER: dict[BodyArea, int] = {area: i for i, area in enumerate(BodyArea)}
# Each area as a bit, head to feet: a set of areas is an int, and plan assembly,
# the invariants and the sweep work on those (unions, overlaps) without sets.
AREA_BIT: dict[BodyArea, int] = {area: 1 << i for i, area in enumerate(BodyArea)}
ALL_AREAS = (1 << len(AREA_BIT)) - 1
_BY_VALUE: dict[str, BodyArea] = {area.value: area for area in BodyArea}


def area_mask(areas: Iterable[BodyArea]) -> int:
    mask = 0
    for area in areas:
        mask |= AREA_BIT[area]
    return mask


@functools.cache
def areas_in(mask: int) -> tuple[BodyArea, ...]:
    """The areas of a mask, head to feet (one shared tuple per mask)."""
    return tuple(area for area, bit in AREA_BIT.items() if mask & bit)


class Condition(str, enum.Enum):
    """The client's neuropathy (``peripheral_neuropathy``: any other or unknown cause)."""

    DIABETIC_NEUROPATHY = "diabetic_neuropathy"
    CHEMOTHERAPY_INDUCED_NEUROPATHY = "chemotherapy_induced_neuropathy"
    PERIPHERAL_NEUROPATHY = "peripheral_neuropathy"


class Hypersensitivity(str, enum.Enum):
    """Touch hypersensitivity, mildest first (rules may compare by this order)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


PRESSURE_WORDS: dict[int, str] = {1: "very light", 2: "light", 3: "moderate", 4: "firm", 5: "deep"}

PressureLevel = Annotated[StrictInt, Field(ge=1, le=5)]


def sort_areas(areas: object) -> object:
    """Fold duplicates and put areas in head-to-feet order.

    Anything that is not a list of areas is returned as it came, for pydantic
    to report with the offending item's position.
    """
    if not isinstance(areas, list | tuple | set | frozenset):
        return areas
    mask = 0
    for item in areas:
        # Members and their values alike; anything else is pydantic's to name.
        area = _BY_VALUE.get(item) if isinstance(item, str) else None
        if area is None:
            return areas
        mask |= AREA_BIT[area]
    return areas_in(mask)


class Tolerance(BaseModel):
    """What the client can handle now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minutes: Annotated[StrictInt, Field(ge=5, le=180)] = Field(
        description="Longest session the client can handle now, in minutes."
    )
    pressure: PressureLevel | None = Field(
        default=None,
        description="Firmest pressure level tolerated so far, if known yet.",
    )


class ClientProfile(BaseModel):
    """A massage-therapy client with peripheral neuropathy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    condition: Condition = Field(description="The client's neuropathy.")
    hypersensitivity: Hypersensitivity = Field(description="Touch hypersensitivity.")
    swelling: tuple[BodyArea, ...] = Field(default=(), description="Swollen areas.")
    fragile_tissue: tuple[BodyArea, ...] = Field(
        default=(), description="Areas of fragile tissue from vascular dysfunction."
    )
    tolerance: Tolerance
    sessions_completed: Annotated[StrictInt, Field(ge=0)] = Field(
        default=0, description="Sessions already done in this course."
    )
    physician_consulted: StrictBool = Field(
        default=False, description="Has talked to their doctor about massage."
    )
    # Screening beyond the article: optional, and off by default, so that a
    # profile without them gets exactly the plan it would get otherwise.
    numb_areas: tuple[BodyArea, ...] = Field(
        default=(),
        description="Reduced or lost sensation: the client cannot report pressure or pain there.",
    )
    wounds: tuple[BodyArea, ...] = Field(
        default=(), description="Open wounds, ulcers or skin breaks."
    )
    injection_sites: tuple[BodyArea, ...] = Field(
        default=(), description="Insulin injection sites, pump or sensor sites."
    )
    clot_history: StrictBool = Field(
        default=False, description="Deep vein thrombosis or another clot, past or suspected."
    )
    on_chemotherapy: StrictBool = Field(
        default=False, description="In active chemotherapy (counts, ports and lines may apply)."
    )
    on_anticoagulants: StrictBool = Field(
        default=False, description="Takes anticoagulants (blood thinners)."
    )
    # None is "not known", which is not "none": a plan asks rather than guesses.
    port_sites: tuple[BodyArea, ...] | None = Field(
        default=None,
        description="Where an implanted port or central line is, if known.",
    )

    @field_validator(
        "swelling",
        "fragile_tissue",
        "numb_areas",
        "wounds",
        "injection_sites",
        "port_sites",
        mode="before",
    )
    @classmethod
    def _fold_areas(cls, value: object) -> object:
        return sort_areas(value)


# The profile's lists of areas, in field order; those it may leave unknown
# (None, which is not "none"): a plan asks about them rather than guess.
AREA_LISTS = tuple(
    name
    for name, spec in ClientProfile.model_fields.items()
    if spec.annotation in (tuple[BodyArea, ...], tuple[BodyArea, ...] | None)
)
AREA_LISTS_MAYBE_UNKNOWN = tuple(
    name
    for name, spec in ClientProfile.model_fields.items()
    if spec.annotation == (tuple[BodyArea, ...] | None)
)
AREA_LIST_INDEX = {name: i for i, name in enumerate(AREA_LISTS)}


class PlanInputs(NamedTuple):
    """All that plan assembly may read of a profile: each area list as a mask
    (``AREA_LISTS`` order; an unknown list names no area), and the tolerance.

    With the fired rules it decides the plan, so together they are the key
    plans are kept by: what the builder can read is the key, by construction.
    """

    masks: tuple[int, ...]
    minutes: int
    pressure: int | None

    @classmethod
    def of(cls, profile: ClientProfile) -> PlanInputs:
        masks = []
        for name in AREA_LISTS:
            mask = 0
            for area in getattr(profile, name) or ():
                mask |= AREA_BIT[area]
            masks.append(mask)
        tolerance = profile.tolerance
        return cls(tuple(masks), tolerance.minutes, tolerance.pressure)

    def mask(self, area_list: str) -> int:
        return self.masks[AREA_LIST_INDEX[area_list]]
