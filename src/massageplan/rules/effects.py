"""What a rule's ``then`` may add to a plan: each kind of effect, in one place.

Every effect kind is a model (its YAML shape) that knows how to apply itself
to a plan being built, say itself in words, say what it contradicts in
another effect, and name the contract's invariants it bears on (so that
``verify`` and ``PlanSafetyError`` can point at the rules responsible).
Adding a kind means adding one class here and listing it in ``EFFECT_KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    Tag,
    model_validator,
)

from ..model.plan import (
    EVERY_TECHNIQUE,
    AdviceCode,
    Audience,
    HoldCode,
    ProtocolCode,
    QuestionCode,
    Reason,
    RestrictedTechnique,
    Severity,
    TechniqueName,
)
from ..model.profile import AREA_LISTS, BodyArea, PlanInputs, PressureLevel
from ..model.wording import words

STRICT = ConfigDict(frozen=True, extra="forbid")

Text = Annotated[str, Field(min_length=1, max_length=2000)]

# Which of a client's areas an effect means: every area, the areas of one of
# the profile's area lists, or areas named outright.
_AREA_NAMES = ("all", *AREA_LISTS)  # every list of areas the profile has, from its field table
if TYPE_CHECKING:
    AreaListName = str
else:  # a subscript with a tuple is a Literal of its values
    AreaListName = Literal[_AREA_NAMES]
AreaSpec = Annotated[
    AreaListName | Annotated[tuple[BodyArea, ...], Field(min_length=1)],
    Field(
        description="'all' areas, the areas of one of the client's area lists "
        f"({', '.join(repr(name) for name in AREA_LISTS)}), or a list of areas."
    ),
]


class PlanBuilder(Protocol):
    """What an effect may ask of the plan being built, and add to it.

    The plan layer provides it; effects know only this, so that the rule
    layer does not reach up into plan assembly. Effects read nothing of the
    client but ``inputs`` (area lists as masks, and the tolerance), so plans
    can be kept by those inputs and the fired rules. Areas are masks
    (``model.profile.AREA_BIT``).
    """

    inputs: PlanInputs

    def areas(self, spec: AreaSpec) -> int: ...

    def add_technique(
        self, name: TechniqueName, areas: int, cap: int, needs: int, reason: Reason
    ) -> None: ...

    def restrict(
        self,
        techniques: tuple[RestrictedTechnique, ...],
        areas: int,
        cap: int | None,
        reason: Reason,
    ) -> None: ...

    def cap_pressure(self, level: int, reason: Reason) -> None: ...

    def schedule(
        self,
        weekly: int,
        longest: int,
        per_week: int | None,
        shortest_split: int | None,
        reason: Reason,
    ) -> None: ...

    def advise(
        self, code: AdviceCode, text: str, audience: Audience, severity: Severity, reason: Reason
    ) -> None: ...

    def add_hold(
        self, code: HoldCode, text: str, client_text: str, if_no_technique: bool, reason: Reason
    ) -> None: ...

    def ask(self, code: QuestionCode, text: str, reason: Reason) -> None: ...

    def add_step(
        self, code: ProtocolCode, text: str, client_text: str | None, reason: Reason
    ) -> None: ...


# The parts of a plan, each made of one kind of effect (``EffectBase.part``).
PLAN_PARTS = (
    "techniques",
    "restrictions",
    "pressure",
    "visits",
    "advice",
    "holds",
    "questions",
    "protocol",
)

# Invariant keys, as in the table of ``plan.invariants``.
SAFETY = "safety-{}".format
ARTICLE = "article-{}".format


def describe_areas(areas: AreaSpec) -> str:
    if areas == "all":
        return "all areas"
    if isinstance(areas, str):
        return f"the client's {words(areas)} areas"
    return ", ".join(words(a.value) for a in areas)


def possible_areas(spec: AreaSpec, forced_empty: frozenset[str]) -> set[BodyArea] | None:
    """The areas an effect may name; None for "whatever the client has"."""
    if spec == "all":
        return set(BodyArea)
    if isinstance(spec, str):
        return set() if spec in forced_empty else None
    return set(spec)


def _same_areas_named(a: AreaSpec, b: AreaSpec, empty: frozenset[str]) -> bool:
    """Whether two area specs can name a common area for every client they apply to.

    A restriction of "the client's swollen areas" narrowing a technique named
    on fixed areas is layering by design, not a contradiction; fixed areas
    against fixed areas, or the same client list on both sides, are.
    """
    mine, theirs = possible_areas(a, empty), possible_areas(b, empty)
    if mine is None or theirs is None:
        return a == b and mine is None
    return bool(mine & theirs)


class EffectBase(BaseModel):
    """What every effect kind provides."""

    model_config = STRICT
    key: ClassVar[str]  # the YAML key that says which kind an effect is
    # The part of the plan the kind adds to (one of PLAN_PARTS): plans are made
    # part by part, each from the effects that add to it.
    part: ClassVar[str]

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        """What ``other`` contradicts in this effect when both apply; ``empty``
        names the profile area lists that are empty whenever both apply."""
        return []

    def narrowed_by(self, other: EffectBase) -> bool:
        """Whether ``other`` may narrow this effect for some clients (a ban
        over a prescription), which is layering where it applies to fewer."""
        return False

    def bears_on(self) -> frozenset[str]:
        """Keys of the invariants whose outcome this effect can change."""
        return frozenset()

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        """(key, variant) pairs: this effect can contradict only an effect with a
        key in common and another variant there (an index, so that conflict
        analysis compares those rules, not every pair)."""
        return []

    def named_areas(self) -> frozenset[BodyArea]:
        areas = getattr(self, "areas", None)
        return frozenset(areas) if isinstance(areas, tuple) else frozenset()

    def minute_constants(self) -> frozenset[int]:
        """Minute values the effect compares tolerance with (for the sweep)."""
        return frozenset()

    def reads(self) -> frozenset[str]:
        """What of the plan's inputs ``apply`` reads: area list names, ``minutes``,
        ``pressure``. Plans are kept by the fired rules and these alone, and the
        builder is given these alone: an effect that read more would get nothing."""
        return frozenset()


def _list_read(areas: AreaSpec) -> frozenset[str]:
    return frozenset({areas}) if isinstance(areas, str) and areas != "all" else frozenset()


class TechniqueEffect(EffectBase):
    """Add a technique on some areas, optionally capped, and only where the
    pressure allowed reaches what the technique needs to be itself."""

    key: ClassVar[str] = "technique"
    part: ClassVar[str] = "techniques"

    technique: TechniqueName
    areas: AreaSpec
    max_pressure: PressureLevel | None = Field(
        default=None, description="Cap for this technique; none: the session's pressure."
    )
    needs_pressure: PressureLevel = Field(
        default=1,
        description="The least pressure at which the technique is itself (trigger-point "
        "work is deeper pressure); where less is allowed, it is left out.",
    )

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.add_technique(
            self.technique,
            plan.areas(self.areas),
            self.max_pressure or 5,
            self.needs_pressure,
            reason,
        )

    def describe(self) -> str:
        cap = f", up to level {self.max_pressure}" if self.max_pressure else ""
        needs = f", where level {self.needs_pressure} is allowed" if self.needs_pressure > 1 else ""
        return f"{words(self.technique.value)} on {describe_areas(self.areas)}{cap}{needs}"

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if (
            isinstance(other, AvoidEffect)
            and other.above is None
            and (self.technique in other.techniques() or EVERY_TECHNIQUE in other.techniques())
            and _same_areas_named(self.areas, other.areas, empty)
        ):
            return [f"one prescribes {self.describe()}; the other says {other.describe()}"]
        return []

    def narrowed_by(self, other: EffectBase) -> bool:
        return isinstance(other, AvoidEffect)

    def reads(self) -> frozenset[str]:
        return _list_read(self.areas)

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [(("technique", self.technique), "prescribed")]

    def bears_on(self) -> frozenset[str]:
        # Not invariant 4: the plan caps every technique at its own pressure.
        keys = {SAFETY(2), SAFETY(8), SAFETY(11), SAFETY(13), SAFETY(14), SAFETY(18), SAFETY(20)}
        keys |= {SAFETY(19), SAFETY(21), SAFETY(23), SAFETY(26), ARTICLE(3)}
        if self.technique is TechniqueName.FRICTION:
            keys.add(SAFETY(1))
        return frozenset(keys)


class AvoidEffect(EffectBase):
    """Forbid techniques on some areas: entirely, or above a pressure level."""

    key: ClassVar[str] = "avoid"
    part: ClassVar[str] = "restrictions"

    avoid: (
        TechniqueName | Literal["all"] | Annotated[tuple[TechniqueName, ...], Field(min_length=1)]
    ) = Field(description="A technique, a list of them, or 'all' for every technique.")
    areas: AreaSpec
    above: PressureLevel | None = Field(
        default=None, description="Only pressure above this level is forbidden there."
    )

    def techniques(self) -> tuple[TechniqueName | Literal["all"], ...]:
        return self.avoid if isinstance(self.avoid, tuple) else (self.avoid,)

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.restrict(self.techniques(), plan.areas(self.areas), self.above, reason)

    def reads(self) -> frozenset[str]:
        return _list_read(self.areas)

    def describe(self) -> str:
        names = [
            "any technique" if t == EVERY_TECHNIQUE else words(str(getattr(t, "value", t)))
            for t in self.techniques()
        ]
        what = " or ".join(names)
        above = f" above level {self.above}" if self.above is not None else ""
        return f"no {what}{above} on {describe_areas(self.areas)}"

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        if self.above is not None:  # a cap narrows a technique; it forbids none
            return []
        named = set(self.techniques())
        every = set(TechniqueName) if EVERY_TECHNIQUE in named else named
        return [(("technique", t), "avoided") for t in sorted(every, key=str)]

    def bears_on(self) -> frozenset[str]:
        keys = {SAFETY(2), SAFETY(7), SAFETY(8), SAFETY(9), SAFETY(11), SAFETY(12), SAFETY(13)}
        keys |= {SAFETY(18), SAFETY(19), SAFETY(20), SAFETY(21), SAFETY(23), SAFETY(26)}
        # Only an outright ban covers an area for invariant 1, not a pressure cap.
        if self.above is None and {TechniqueName.FRICTION, EVERY_TECHNIQUE} & set(
            self.techniques()
        ):
            keys.add(SAFETY(1))
        return frozenset(keys)


class PressureLimit(BaseModel):
    model_config = STRICT

    level: PressureLevel | None = Field(default=None, description="An absolute level (1-5).")
    above_tolerated: Annotated[StrictInt, Field(ge=0, le=4)] | None = Field(
        default=None,
        description="Levels above the firmest pressure tolerated so far; applies only "
        "while that is known (a rule testing pressure_known covers the unknown case).",
    )

    above_last_session: Annotated[StrictInt, Field(ge=0, le=1)] | None = Field(
        default=None,
        description="Levels above the pressure the last session used (0: no step up); "
        "applies only while the last session is known.",
    )
    below_last_session: Annotated[StrictInt, Field(ge=1, le=4)] | None = Field(
        default=None,
        description="Levels below the pressure the last session used (never below level 1); "
        "applies only while the last session is known.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> PressureLimit:
        given = [v for v in self.model_dump().values() if v is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'level', 'above_tolerated', 'above_last_session' "
                "or 'below_last_session'"
            )
        return self

    def cap(self, inputs: PlanInputs) -> int | None:
        """The level this limit allows for ``inputs`` (None: it does not apply)."""
        if self.level is not None:
            return self.level
        if self.above_tolerated is not None:
            tolerated = inputs.pressure
            return None if tolerated is None else min(5, tolerated + self.above_tolerated)
        if inputs.last is None:
            return None
        used = inputs.last[0]
        if self.above_last_session is not None:
            return min(5, used + self.above_last_session)
        return max(1, used - (self.below_last_session or 0))

    def reads(self) -> frozenset[str]:
        if self.above_tolerated is not None:
            return frozenset({"pressure"})
        if self.level is None:
            return frozenset({"last"})
        return frozenset()

    def describe(self) -> str:
        if self.level is not None:
            return f"pressure at most level {self.level}"
        if self.above_tolerated is not None:
            return f"pressure at most {self.above_tolerated} level(s) above what was tolerated"
        if self.above_last_session == 0:
            return "pressure at most what the last session used"
        if self.above_last_session is not None:
            return f"pressure at most {self.above_last_session} level above the last session's"
        return f"pressure at least {self.below_last_session} level(s) below the last session's"


class PressureEffect(EffectBase):
    """Cap the session's pressure."""

    key: ClassVar[str] = "pressure_at_most"
    part: ClassVar[str] = "pressure"

    pressure_at_most: PressureLimit

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        cap = self.pressure_at_most.cap(plan.inputs)
        if cap is not None:
            plan.cap_pressure(cap, reason)

    def reads(self) -> frozenset[str]:
        return self.pressure_at_most.reads()

    def describe(self) -> str:
        return self.pressure_at_most.describe()

    def bears_on(self) -> frozenset[str]:
        return frozenset(SAFETY(n) for n in (4, 12, 18, 21, 22, 24, 26))


class VisitsSpec(BaseModel):
    model_config = STRICT

    weekly_minutes: Annotated[StrictInt, Field(ge=5, le=180)] = Field(
        default=60, description="Massage minutes a week."
    )
    longest_visit: (
        Annotated[StrictInt, Field(ge=5, le=180)] | Literal["tolerance", "last_session"]
    ) = Field(
        default=60,
        description="Longest single visit in minutes, 'tolerance' for the client's tolerance, "
        "or 'last_session' for the last session's length (no limit while it is not known).",
    )
    at_most_per_week: Annotated[StrictInt, Field(ge=1, le=7)] | None = Field(
        default=None, description="Most visits in one week (one, unless a rule allows more)."
    )
    shortest_split_visit: Annotated[StrictInt, Field(ge=5, le=180)] | None = Field(
        default=None,
        description="The shortest visit the week may be split into; a client who "
        "tolerates less gets one visit of what they tolerate.",
    )


# A longest visit named by what it is, and what of the inputs it reads.
_LONGEST: dict[str, Callable[[PlanInputs], int]] = {
    "tolerance": lambda inputs: inputs.minutes,
    "last_session": lambda inputs: 180 if inputs.last is None else inputs.last[1],
}
_LONGEST_READS = {"tolerance": ("minutes",), "last_session": ("last",)}


class VisitsEffect(EffectBase):
    """Shape this week's visits (the tightest of the fired rules' shapes wins)."""

    key: ClassVar[str] = "visits"
    part: ClassVar[str] = "visits"

    visits: VisitsSpec

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        spec = self.visits
        longest = (
            _LONGEST[spec.longest_visit](plan.inputs)
            if isinstance(spec.longest_visit, str)
            else spec.longest_visit
        )
        plan.schedule(
            spec.weekly_minutes, longest, spec.at_most_per_week, spec.shortest_split_visit, reason
        )

    def reads(self) -> frozenset[str]:
        return frozenset(_LONGEST_READS.get(str(self.visits.longest_visit), ()))

    def describe(self) -> str:
        spec = self.visits
        longest = {
            "tolerance": "the tolerated length",
            "last_session": "the last session's length",
        }.get(str(spec.longest_visit), f"{spec.longest_visit} minutes")
        per_week = f", at most {spec.at_most_per_week} a week" if spec.at_most_per_week else ""
        shortest = (
            f", none split shorter than {spec.shortest_split_visit} minutes"
            if spec.shortest_split_visit
            else ""
        )
        return (
            f"{spec.weekly_minutes} minutes a week, visits of at most {longest}{per_week}{shortest}"
        )

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if not isinstance(other, VisitsEffect):
            return []
        found = []
        for name in sorted(self.visits.model_fields_set & other.visits.model_fields_set):
            mine, theirs = getattr(self.visits, name), getattr(other.visits, name)
            # A length read from the client is narrowed by, not contradicted by, a number.
            if mine != theirs and not {"tolerance", "last_session"} & {mine, theirs}:
                found.append(f"{name} is {mine} in one and {theirs} in the other")
        return found

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [
            (("visits", name), getattr(self.visits, name))
            for name in sorted(self.visits.model_fields_set)
        ]

    def bears_on(self) -> frozenset[str]:
        return frozenset({SAFETY(3), SAFETY(17), SAFETY(22), SAFETY(24), ARTICLE(1), ARTICLE(2)})

    def minute_constants(self) -> frozenset[int]:
        spec = self.visits
        lengths = {spec.weekly_minutes}
        if spec.shortest_split_visit:
            lengths.add(spec.shortest_split_visit)
        if isinstance(spec.longest_visit, int):
            lengths.add(spec.longest_visit)
        return frozenset(lengths)


# The safety invariants that ask for each piece of advice, by number.
_ADVICE_INVARIANTS: dict[AdviceCode, tuple[int, ...]] = {
    AdviceCode.CONSULT_PHYSICIAN: (5,),
    # Also while injection sites are not asked (18), only for a diabetic client
    # or one on insulin or a sulfonylurea (23), and for every such client (26).
    AdviceCode.WATCH_BLOOD_SUGAR: (9, 18, 23, 26),
    # Also while a clot is not asked about (18), and in chemotherapy (21).
    AdviceCode.CLOT_WARNING_SIGNS: (11, 18, 21),
    AdviceCode.CHECK_SKIN_FOR_WOUNDS: (18,),
    AdviceCode.WOUND_REFERRAL: (13,),
    # Also while numbness is not asked about (18).
    AdviceCode.NO_HEAT_OR_COLD: (18, 20),
    AdviceCode.CALL_EMERGENCY_SERVICES: (19,),
    AdviceCode.LYMPHEDEMA_THERAPIST: (19,),
    AdviceCode.POSTPONE_ON_FEVER: (21,),
    AdviceCode.DIABETIC_FOOT_REFERRAL: (13,),
    AdviceCode.AVOID_COLD: (26,),
    AdviceCode.REVIEW_REPEATED_FLARES: (24,),
}


class AdviceEffect(EffectBase):
    """Give a piece of advice, written for the client or for the therapist."""

    key: ClassVar[str] = "advise"
    part: ClassVar[str] = "advice"

    advise: AdviceCode
    text: Text
    audience: Audience = Field(default=Audience.CLIENT, description="Who the text is for.")
    severity: Severity | None = Field(
        default=None,
        description="How much the advice matters: critical for what could harm, warning for "
        "what changes the session, info for the rest. Unset: the rule's severity.",
    )

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.advise(self.advise, self.text, self.audience, self.severity or reason.severity, reason)

    def describe(self) -> str:
        return f"advice {self.advise.value!r}"

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if (
            isinstance(other, AdviceEffect)
            and other.advise is self.advise
            and (other.text != self.text)
        ):
            return [f"advice {self.advise.value!r} has two different texts"]
        return []

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [(("advise", self.advise), self.text)]

    def bears_on(self) -> frozenset[str]:
        if self.advise in _ADVICE_INVARIANTS:
            return frozenset(SAFETY(n) for n in _ADVICE_INVARIANTS[self.advise])
        if self.advise is AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS:
            return frozenset({ARTICLE(2)})
        return frozenset({ARTICLE(3)})


class HoldEffect(EffectBase):
    """Hold booking until something has happened (e.g. the doctor was consulted)."""

    key: ClassVar[str] = "hold"
    part: ClassVar[str] = "holds"

    hold: HoldCode
    text: Text = Field(description="What must happen before booking, for booking staff.")
    client_text: Text = Field(description="The same, in the client's own words.")
    if_no_technique: bool = Field(
        default=False,
        description="Hold only when the plan is left with no technique (every area is off "
        "limits): never book an hour with nothing to do.",
    )

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.add_hold(self.hold, self.text, self.client_text, self.if_no_technique, reason)

    def describe(self) -> str:
        when = ", when no technique is left" if self.if_no_technique else ""
        return f"hold {self.hold.value!r} (no booking until it is resolved){when}"

    def _texts(self) -> tuple[str, str]:
        return self.text, self.client_text

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if (
            isinstance(other, HoldEffect)
            and other.hold is self.hold
            and other._texts() != self._texts()
        ):
            return [f"hold {self.hold.value!r} has two different texts"]
        return []

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [(("hold", self.hold), self._texts())]

    def bears_on(self) -> frozenset[str]:
        return frozenset({SAFETY(3), SAFETY(5), SAFETY(10), SAFETY(13), SAFETY(15), SAFETY(19)})


class AskEffect(EffectBase):
    """Ask the client something before the session (a screening question not
    yet answered): the plan stays cautious until the answer is recorded."""

    key: ClassVar[str] = "ask"
    part: ClassVar[str] = "questions"

    ask: QuestionCode
    text: Text = Field(description="The question, as the therapist asks it.")

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.ask(self.ask, self.text, reason)

    def describe(self) -> str:
        return f"question {self.ask.value!r}"

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if isinstance(other, AskEffect) and other.ask is self.ask and other.text != self.text:
            return [f"question {self.ask.value!r} has two different texts"]
        return []

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [(("ask", self.ask), self.text)]

    def bears_on(self) -> frozenset[str]:
        if self.ask is QuestionCode.WHAT_IS_INJECTED:
            return frozenset({SAFETY(23)})
        return frozenset({SAFETY(18)})


class StepEffect(EffectBase):
    """A step of how the session is run (the pressure scale, a stop word, the
    position, getting up slowly), for the therapist; with the client's words
    for a step that concerns the client too."""

    key: ClassVar[str] = "step"
    part: ClassVar[str] = "protocol"

    step: ProtocolCode
    text: Text = Field(description="The step, for the therapist.")
    client_text: Text | None = Field(
        default=None, description="The part that concerns the client, in the client's words."
    )

    def apply(self, plan: PlanBuilder, reason: Reason) -> None:
        plan.add_step(self.step, self.text, self.client_text, reason)

    def describe(self) -> str:
        return f"session step {self.step.value!r}"

    def _texts(self) -> tuple[str, str | None]:
        return self.text, self.client_text

    def contradicts(self, other: EffectBase, empty: frozenset[str]) -> list[str]:
        if (
            isinstance(other, StepEffect)
            and other.step is self.step
            and other._texts() != self._texts()
        ):
            return [f"session step {self.step.value!r} has two different texts"]
        return []

    def conflict_keys(self) -> list[tuple[Hashable, Hashable]]:
        return [(("step", self.step), self._texts())]

    def bears_on(self) -> frozenset[str]:
        if self.step in (ProtocolCode.FALL_RISK, ProtocolCode.GET_UP_SLOWLY):
            return frozenset({SAFETY(6), SAFETY(26)})  # after dizzying medicines
        return frozenset({SAFETY(6)})  # it is cited like every item


EFFECT_KINDS: tuple[type[EffectBase], ...] = (
    TechniqueEffect,
    AvoidEffect,
    PressureEffect,
    VisitsEffect,
    AdviceEffect,
    HoldEffect,
    AskEffect,
    StepEffect,
)
EFFECT_KEYS = tuple(kind.key for kind in EFFECT_KINDS)
_BY_TYPE = {kind: kind.key for kind in EFFECT_KINDS}


def _effect_kind(value: Any) -> str | None:
    if isinstance(value, Mapping):
        present = [k for k in EFFECT_KEYS if k in value]
        return f"effect:{present[0]}" if len(present) == 1 else None
    key = _BY_TYPE.get(type(value))
    return None if key is None else f"effect:{key}"


if TYPE_CHECKING:
    Effect = EffectBase
else:
    Effect = Annotated[
        Union[tuple(Annotated[kind, Tag(f"effect:{kind.key}")] for kind in EFFECT_KINDS)],  # noqa: UP007 - a union built from the table needs Union[...]
        Discriminator(
            _effect_kind,
            custom_error_type="effect_kind",
            custom_error_message="an effect needs exactly one of: " + ", ".join(EFFECT_KEYS),
        ),
    ]
