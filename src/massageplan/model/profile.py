"""The client profile: what the therapist knows about the client today."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, NamedTuple, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
)


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


class SwellingSign(str, enum.Enum):
    """What swelling is like: the signs that change what massage may do."""

    ONE_SIDED = "one_sided"  # one leg or arm, not both
    NEW = "new"  # not there before, or not yet seen by a doctor
    WARM_OR_RED = "warm_or_red"
    PAINFUL = "painful"
    SHORT_OF_BREATH = "short_of_breath"  # with breathlessness


class Medication(str, enum.Enum):
    """Medicines that change how massage is given."""

    INSULIN_OR_SULFONYLUREA = "insulin_or_sulfonylurea"  # low blood sugar
    GABAPENTINOID = "gabapentinoid"  # gabapentin, pregabalin: dull feedback, dizziness
    OPIOID = "opioid"  # dull feedback, dizziness
    STEROID = "steroid"  # thin, fragile skin
    OXALIPLATIN = "oxaliplatin"  # cold brings on pain


_Choice = TypeVar("_Choice", bound=enum.Enum)


def in_enum_order(kind: type[_Choice]) -> Callable[[object], object]:
    """A validator that folds duplicates in a list of ``kind`` values and keeps
    the enum's order; anything else is pydantic's to name."""
    known = {c.value: c for c in kind}

    def fold(chosen: object) -> object:
        if not isinstance(chosen, list | tuple | set | frozenset):
            return chosen
        found = set()
        for item in chosen:
            value = known.get(item) if isinstance(item, str) else item
            if not isinstance(value, kind):
                return chosen
            found.add(value)
        return tuple(c for c in kind if c in found)

    return fold


# Lists of swelling signs and of medicines: duplicates folded, in the enum's order.
SignList = Annotated[tuple[SwellingSign, ...], BeforeValidator(in_enum_order(SwellingSign))]
MedicineList = Annotated[tuple[Medication, ...], BeforeValidator(in_enum_order(Medication))]

PRESSURE_WORDS: dict[int, str] = {1: "very light", 2: "light", 3: "moderate", 4: "firm", 5: "deep"}

PressureLevel = Annotated[StrictInt, Field(ge=1, le=5)]
MAX_SESSIONS = 10_000


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


# A list of areas: duplicates folded, head to feet.
AreaList = Annotated[tuple[BodyArea, ...], BeforeValidator(sort_areas)]


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


class Reaction(str, enum.Enum):
    """How the client was 24 to 48 hours after a session."""

    FINE = "fine"  # no worse
    SORE = "sore"  # tender, but settled
    FLARE = "flare"  # neuropathic pain or symptoms worse


class LastSession(BaseModel):
    """What the last session used, and how the client was after it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pressure: PressureLevel = Field(description="The firmest pressure level the session used.")
    minutes: Annotated[StrictInt, Field(ge=5, le=180)] = Field(
        description="How long the session was, in minutes."
    )
    reaction: Reaction = Field(
        description="How the client was 24 to 48 hours after it: fine; sore (tender but "
        "settled); flare (neuropathic pain or symptoms worse)."
    )


class ClientProfile(BaseModel):
    """A massage-therapy client with peripheral neuropathy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    condition: Condition = Field(description="The client's neuropathy.")
    hypersensitivity: Hypersensitivity = Field(description="Touch hypersensitivity.")
    hypersensitive_areas: AreaList | None = Field(
        default=None,
        description="Where touch hurts. Null (or no area): the hypersensitivity level applies "
        "everywhere.",
    )
    swelling: AreaList = Field(default=(), description="Swollen areas.")
    swelling_signs: SignList | None = Field(
        default=None,
        description="What the swelling is like (matters only with swelling). Null: not asked.",
    )
    fragile_tissue: AreaList = Field(
        default=(), description="Areas of fragile tissue from vascular dysfunction."
    )
    tolerance: Tolerance
    # Bounded: weekly for a lifetime is a few thousand; a larger count is a typing slip.
    sessions_completed: Annotated[StrictInt, Field(ge=0, le=MAX_SESSIONS)] = Field(
        default=0, description="Sessions already done in this course."
    )
    physician_consulted: StrictBool = Field(
        default=False, description="Has talked to their doctor about massage."
    )
    last_session: LastSession | None = Field(
        default=None,
        description="The last session, and how the client was after it. Null: not known "
        "(no session yet, or not recorded).",
    )
    # Screening beyond the article. Null (the default) is "not asked", which is
    # not "none": until it is answered the plan asks, and takes the cautious answer.
    numb_areas: AreaList | None = Field(
        default=None,
        description="Reduced or lost sensation: the client cannot report pressure or pain "
        "there. Null: not asked.",
    )
    wounds: AreaList | None = Field(
        default=None, description="Open wounds, ulcers or skin breaks. Null: not asked."
    )
    injection_sites: AreaList | None = Field(
        default=None,
        description="Injection sites (insulin or other), pump or sensor sites. Null: not asked.",
    )
    clot_history: StrictBool | None = Field(
        default=None,
        description="Deep vein thrombosis or another clot, past or suspected. Null: not asked.",
    )
    on_chemotherapy: StrictBool | None = Field(
        default=None,
        description="In active chemotherapy (counts, ports and lines may apply). Null: not asked.",
    )
    on_anticoagulants: StrictBool | None = Field(
        default=None, description="Takes anticoagulants (blood thinners). Null: not asked."
    )
    port_sites: AreaList | None = Field(
        default=None,
        description="Where an implanted port or central line is. Null: not asked.",
    )
    lymphedema_risk: AreaList | None = Field(
        default=None,
        description="Areas with lymphedema, or at risk of it (lymph nodes removed or "
        "irradiated on that side). Null: not asked.",
    )
    low_platelets: StrictBool | None = Field(
        default=None,
        description="The latest blood count showed low platelets. Null: not asked.",
    )
    low_white_cells: StrictBool | None = Field(
        default=None,
        description="The latest blood count showed low white cells. Null: not asked.",
    )
    medications: MedicineList | None = Field(
        default=None,
        description="Medicines that change how massage is given. Null: not asked.",
    )

    @field_validator("hypersensitive_areas")
    @classmethod
    def _no_area_is_everywhere(cls, areas: tuple[BodyArea, ...] | None) -> Any:
        """A list naming no area says what null says, the level everywhere: one
        value for one meaning, whichever channel sent it."""
        return areas or None

    def unanswered(self) -> tuple[str, ...]:
        """The screening fields not yet asked (null), in field order."""
        return tuple(name for name in SCREENING_FIELDS if getattr(self, name) is None)


class FieldKind(str, enum.Enum):
    """What a profile field holds."""

    AREAS = "areas"  # a list of body areas
    CHOICES = "choices"  # a list of named values (not areas)
    FLAG = "flag"  # yes or no
    NUMBER = "number"  # a whole number
    CHOICE = "choice"  # one of a few named values


class SweepAxis(str, enum.Enum):
    """How verify's sweep takes a field's values (``rules.profile_space``)."""

    ALL = "all"  # every value, against every value of the other such fields
    ONE_AT_A_TIME = "one_at_a_time"  # each value while the other such fields are empty or off
    RULES_ONLY = (
        "rules_only"  # as ALL, but only values some rule tells apart: no invariant reads it
    )


@dataclass(frozen=True)
class ProfileField:
    """One field of a profile, and all that the library's channels, renderers and
    sweep need to know of it. What the model says (kind, values, range, default,
    whether it may be unknown) is read from the model; the rest is said here.
    """

    name: str  # its path in a profile: "tolerance.minutes"
    said: str  # in plain words, as explanations and the rule files' schema say it
    # As the intake form and the FHIR Questionnaire ask it, in plain words for
    # the person filling it in (the model's description is the developer's).
    question: str
    sweep: SweepAxis
    screening: bool = False  # a question beyond the article: null is "not asked"
    # Beyond the article, though not a screening question (null has a meaning
    # of its own): a booking CSV may leave its column out, as for screening.
    beyond_article: bool = False
    at_risk: str = ""  # an area list: what an area on it is, in a plan's avoid lines
    header: str = ""  # an area list or flag: how a plan's header says it, when set
    ordered: bool = False  # a choice: rules may compare its values by their order
    points: tuple[int, ...] = ()  # a number: values the sweep always takes
    boundaries: tuple[int, ...] = ()  # a number: values the sweep takes with their neighbours
    visit_lengths: bool = False  # a number: the sweep also takes the visit lengths rules name
    # A screening field that matters only with another set: the sweep takes its
    # values with that field set, not empty.
    sweep_with: str = ""
    # Read from the model (ClientProfile's JSON Schema), not said twice.
    kind: FieldKind = field(init=False)
    description: str = field(init=False)
    choices: tuple[str, ...] = field(init=False)  # a choice's or an area list's values
    vocabulary: str = field(init=False)  # the name of the choices' enum: "BodyArea"
    minimum: int | None = field(init=False)
    maximum: int | None = field(init=False)
    may_be_unknown: bool = field(init=False)  # null is allowed: not known, not "none"
    required: bool = field(init=False)
    default: Any = field(init=False)

    def __post_init__(self) -> None:
        if not self.question.strip():
            raise TypeError(f"the profile field {self.name!r} needs the question an intake asks")
        for key, value in _from_model(self.name).items():
            object.__setattr__(self, key, value)

    @property
    def must_answer(self) -> bool:
        """A list every intake must answer, with areas or "none": the model has no
        "not asked" for it (swelling), so an empty cell or unanswered item, which
        is "not asked" in every channel, cannot be read as none."""
        return self.kind in (FieldKind.AREAS, FieldKind.CHOICES) and not self.may_be_unknown

    @property
    def csv_column(self) -> str:
        """Its column in a booking CSV: the path, dots as underscores."""
        return self.name.replace(".", "_")

    def get(self, profile: ClientProfile) -> Any:
        """Its value in ``profile`` (None inside a nested object left null)."""
        value: Any = profile
        for part in self.name.split("."):
            if value is None:
                return None
            value = getattr(value, part)
        return value

    @property
    def unit(self) -> str:
        """What the sweep varies as one: the field, or the nested object a profile
        may leave null that holds it (``last_session``), whose fields go together."""
        head = self.name.split(".", 1)[0]
        return head if head in NULLABLE_GROUPS else self.name


def put_field(profile: dict[str, Any], name: str, value: Any) -> None:
    """Set a field in a profile mapping by its name; a dotted name
    (``tolerance.minutes``) sets it inside the nested mapping."""
    *parents, last = name.split(".")
    target = profile
    for parent in parents:
        target = target.setdefault(parent, {})
    target[last] = value


def nested_profile(flat: Mapping[str, Any]) -> dict[str, Any]:
    """A profile mapping from values by field name (dotted names nest)."""
    profile: dict[str, Any] = {}
    for name, value in flat.items():
        put_field(profile, name, value)
    return profile


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    found: dict[str, Any] = node if ref is None else schema["$defs"][ref.rsplit("/", 1)[1]]
    return found


@functools.cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = ClientProfile.model_json_schema()
    return schema


def _from_model(name: str) -> dict[str, Any]:
    """What the model says of a field: its kind, values, range, default."""
    schema = _schema()
    node, required, in_nullable = schema, False, False
    for part in name.split("."):
        # A nested object a profile may leave null (the last session) holds its
        # fields together: each is then unknown, and none is required alone.
        options = [_resolved(schema, o) for o in node.get("anyOf", [node])]
        node = next(o for o in options if o.get("type") != "null")
        in_nullable = in_nullable or len(options) > 1
        if part not in node.get("properties", {}):
            raise TypeError(f"PROFILE_FIELDS names {name!r}, which ClientProfile has not")
        required = part in node.get("required", ()) and not in_nullable
        node = node["properties"][part]
    options = [_resolved(schema, o) for o in node.get("anyOf", [node])]
    kinds = [o for o in options if o.get("type") != "null"]
    kind_node = _resolved(schema, kinds[0])
    vocabulary = ""
    if kind_node.get("type") == "array":
        items = _resolved(schema, kind_node["items"])
        kind = FieldKind.AREAS if items["title"] == BodyArea.__name__ else FieldKind.CHOICES
        choices, vocabulary = tuple(items["enum"]), items["title"]
    elif "enum" in kind_node:
        kind, choices, vocabulary = FieldKind.CHOICE, tuple(kind_node["enum"]), kind_node["title"]
    elif kind_node.get("type") == "boolean":
        kind, choices = FieldKind.FLAG, ()
    elif kind_node.get("type") == "integer":
        kind, choices = FieldKind.NUMBER, ()
    else:  # a new kind of field: fail here, before any channel meets it
        raise TypeError(f"the profile field {name!r} is of no kind the library knows")
    return {
        "kind": kind,
        "description": str(node.get("description") or kind_node.get("description", "")),
        "choices": choices,
        "vocabulary": vocabulary,
        "minimum": kind_node.get("minimum"),
        "maximum": kind_node.get("maximum"),
        "may_be_unknown": in_nullable or len(kinds) < len(options),
        "required": required,
        "default": node.get("default"),
    }


ALL = SweepAxis.ALL
ONE_AT_A_TIME = SweepAxis.ONE_AT_A_TIME

# Nested objects a profile may leave null, whose fields are given together or
# not at all: the field table lists their fields, and the sweep takes each as one.
NULLABLE_GROUPS: dict[str, type[BaseModel]] = {"last_session": LastSession}
# Each nested part as the intake asks for it, in plain words (its fields' own
# questions are in the table below).
GROUP_QUESTION = {
    "tolerance": "What the client can manage now",
    "last_session": "The last session (leave it empty before the first)",
}

# Every field of a profile, once, in the model's order: the one table the
# channels (CSV, JSON lines, the web form, the FHIR Questionnaire), the
# renderers, the rules' facts and verify's sweep are made from.
PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField(
        "condition",
        "the client's neuropathy",
        "Which neuropathy does the client have?",
        SweepAxis.RULES_ONLY,
    ),
    ProfileField(
        "hypersensitivity",
        "touch hypersensitivity",
        "Does light touch hurt, and how much?",
        ALL,
        ordered=True,
    ),
    ProfileField(
        "hypersensitive_areas",
        "areas where touch hurts (none named: the hypersensitivity level applies everywhere)",
        "Where does touch hurt? No area named: everywhere, at the level above.",
        ONE_AT_A_TIME,
        beyond_article=True,
        at_risk="hypersensitive",
        header="touch hurts on",
    ),
    ProfileField(
        "swelling",
        "swollen areas",
        "Which areas are swollen?",
        ONE_AT_A_TIME,
        at_risk="swollen",
        header="swollen",
    ),
    ProfileField(
        "swelling_signs",
        "what the swelling is like",
        "What is the swelling like?",
        ONE_AT_A_TIME,
        screening=True,
        header="swelling that is",
        sweep_with="swelling",
    ),
    ProfileField(
        "fragile_tissue",
        "areas of fragile tissue from vascular dysfunction",
        "Where is the tissue fragile from poor circulation (it bruises or tears easily)?",
        ONE_AT_A_TIME,
        at_risk="fragile",
        header="fragile tissue on",
    ),
    ProfileField(
        "tolerance.minutes",
        "longest session tolerated (minutes)",
        "Longest session the client can manage now, in minutes",
        ALL,
        points=(5, 180),
        boundaries=(60,),  # the article's hour
        visit_lengths=True,
    ),
    ProfileField(
        "tolerance.pressure",
        "firmest pressure tolerated so far (level)",
        "Firmest pressure level managed so far, if known",
        ALL,
        points=(1, 2, 3, 4, 5),
    ),
    ProfileField(
        "sessions_completed",
        "sessions already done",
        "Sessions already had in this course",
        ALL,
        boundaries=(0,),
    ),
    ProfileField(
        "physician_consulted",
        "has talked to their doctor about massage",
        "The client has talked to their doctor about massage",
        ALL,
    ),
    ProfileField(
        "last_session.pressure",
        "the firmest pressure the last session used (level)",
        "Firmest pressure level it used",
        ONE_AT_A_TIME,
        beyond_article=True,
        points=(1, 2, 3, 4, 5),
    ),
    ProfileField(
        "last_session.minutes",
        "how long the last session was (minutes)",
        "Its length, in minutes",
        ONE_AT_A_TIME,
        beyond_article=True,
        points=(5, 180),
        boundaries=(60,),
        visit_lengths=True,
    ),
    ProfileField(
        "last_session.reaction",
        "how the client was 24 to 48 hours after the last session",
        "How was the client one to two days later?",
        ONE_AT_A_TIME,
        beyond_article=True,
    ),
    ProfileField(
        "numb_areas",
        "areas of reduced or lost sensation",
        "Where is feeling reduced or lost (the client cannot tell you if it hurts)?",
        ONE_AT_A_TIME,
        screening=True,
        at_risk="numb",
        header="numb",
    ),
    ProfileField(
        "wounds",
        "open wounds, ulcers or skin breaks",
        "Where are there open wounds, ulcers or skin breaks?",
        ONE_AT_A_TIME,
        screening=True,
        at_risk="wound",
        header="wounds on",
    ),
    ProfileField(
        "injection_sites",
        "injection, pump or sensor sites",
        "Where are injection, pump or sensor sites?",
        ONE_AT_A_TIME,
        screening=True,
        at_risk="injection site",
        header="injection sites on",
    ),
    ProfileField(
        "clot_history",
        "a deep vein thrombosis or another clot, past or suspected",
        "Has the client had a blood clot (such as a DVT), or is one suspected?",
        ONE_AT_A_TIME,
        screening=True,
        header="clot history",
    ),
    ProfileField(
        "on_chemotherapy",
        "in active chemotherapy",
        "Is the client having chemotherapy now?",
        ONE_AT_A_TIME,
        screening=True,
        header="in chemotherapy",
    ),
    ProfileField(
        "on_anticoagulants",
        "takes anticoagulants (blood thinners)",
        "Does the client take blood thinners (anticoagulants)?",
        ONE_AT_A_TIME,
        screening=True,
        header="on blood thinners",
    ),
    ProfileField(
        "port_sites",
        "where an implanted port or central line is",
        "Where is an implanted port or central line?",
        ONE_AT_A_TIME,
        screening=True,
        at_risk="port",
        header="port or line on",
    ),
    ProfileField(
        "lymphedema_risk",
        "areas with lymphedema, or at risk of it",
        "Where is there lymphedema, or a risk of it (lymph nodes removed or treated with "
        "radiation on that side)?",
        ONE_AT_A_TIME,
        screening=True,
        at_risk="lymphedema risk",
        header="lymphedema risk on",
    ),
    ProfileField(
        "low_platelets",
        "low platelets in the latest blood count",
        "Did the latest blood test show low platelets?",
        ONE_AT_A_TIME,
        screening=True,
        header="low platelets",
    ),
    ProfileField(
        "low_white_cells",
        "low white cells in the latest blood count",
        "Did the latest blood test show low white cells?",
        ONE_AT_A_TIME,
        screening=True,
        header="low white cells",
    ),
    ProfileField(
        "medications",
        "medicines that change how massage is given",
        "Does the client take any of these medicines?",
        ONE_AT_A_TIME,
        screening=True,
        header="taking",
    ),
)
FIELD = {f.name: f for f in PROFILE_FIELDS}
# The screening fields: each may be null, "not asked", which is not "none".
SCREENING_FIELDS = tuple(f.name for f in PROFILE_FIELDS if f.screening)
if any(not FIELD[name].may_be_unknown for name in SCREENING_FIELDS):
    raise TypeError("every screening field must allow null: not asked is not none")


def _model_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, spec in model.model_fields.items():
        nested = spec.annotation
        if name in NULLABLE_GROUPS and not prefix:
            nested = NULLABLE_GROUPS[name]
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names += _model_fields(nested, f"{prefix}{name}.")
        else:
            names.append(f"{prefix}{name}")
    return names


def check_field_table(model: type[BaseModel], table: Iterable[ProfileField]) -> None:
    """Raise TypeError unless ``table`` lists ``model``'s fields, in its order."""
    listed, fields = [f.name for f in table], _model_fields(model)
    if listed != fields:
        missing = sorted(set(fields) - set(listed))
        raise TypeError(
            f"the profile field table must list the model's fields, in its order: {fields}"
            + (f"; it lacks {missing}" if missing else "")
        )


check_field_table(ClientProfile, PROFILE_FIELDS)  # one place, in step, or no import
if {f.name.split(".")[0] for f in PROFILE_FIELDS if "." in f.name} != set(GROUP_QUESTION):
    raise TypeError("GROUP_QUESTION must ask for each nested part of a profile, and only those")

# The profile's lists of areas, in field order; those it may leave unknown
# (None, which is not "none"): a plan asks about them rather than guess.
AREA_LISTS = tuple(f.name for f in PROFILE_FIELDS if f.kind is FieldKind.AREAS)
AREA_LISTS_MAYBE_UNKNOWN = tuple(
    f.name for f in PROFILE_FIELDS if f.kind is FieldKind.AREAS and f.may_be_unknown
)
AREA_LIST_INDEX = {name: i for i, name in enumerate(AREA_LISTS)}


class PlanInputs(NamedTuple):
    """All that plan assembly may read of a profile: each area list as a mask
    (``AREA_LISTS`` order; an unknown list names no area), the tolerance, and
    the last session's pressure and minutes (None: not known).

    With the fired rules it decides the plan, so together they are the key
    plans are kept by: what the builder can read is the key, by construction.
    """

    masks: tuple[int, ...]
    minutes: int
    pressure: int | None
    last: tuple[int, int] | None = None

    @classmethod
    def of(cls, profile: ClientProfile) -> PlanInputs:
        masks = []
        for name in AREA_LISTS:
            mask = 0
            for area in getattr(profile, name) or ():
                mask |= AREA_BIT[area]
            masks.append(mask)
        tolerance, last = profile.tolerance, profile.last_session
        return cls(
            tuple(masks),
            tolerance.minutes,
            tolerance.pressure,
            None if last is None else (last.pressure, last.minutes),
        )

    def mask(self, area_list: str) -> int:
        return self.masks[AREA_LIST_INDEX[area_list]]
