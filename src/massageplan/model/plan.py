"""The session plan (contract version 3): what to do, and the cited reason for each item.

Reasons are listed once per plan, as sources are; each item cites its
reasons by rule id (``plan.reasons_for(item)`` gives them whole).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .profile import SCREENING_FIELDS, BodyArea, PressureLevel


class TechniqueName(str, enum.Enum):
    """The massage techniques a plan may list or restrict."""

    SWEDISH = "swedish"
    EFFLEURAGE = "effleurage"
    KNEADING = "kneading"
    TRIGGER_POINT = "trigger_point"
    FRICTION = "friction"
    STRETCHING = "stretching"


@dataclass(frozen=True)
class TechniqueSpec:
    """What the library knows of a technique besides its name."""

    least_pressure: int  # the level at which it is itself (contract invariant 14)
    words: str  # as therapists say it
    avoid_order: int  # its place in a plan's "avoid" lines


# Each technique, once. Kneading lifts and squeezes, trigger-point work is
# deeper pressure: below their level they are left out of a plan, whatever a
# rule asks. The article names friction first among what to avoid.
TECHNIQUES: dict[TechniqueName, TechniqueSpec] = {
    TechniqueName.SWEDISH: TechniqueSpec(1, "Swedish", 5),
    TechniqueName.EFFLEURAGE: TechniqueSpec(1, "effleurage", 3),
    TechniqueName.KNEADING: TechniqueSpec(2, "kneading", 1),
    TechniqueName.TRIGGER_POINT: TechniqueSpec(3, "trigger-point therapy", 2),
    TechniqueName.FRICTION: TechniqueSpec(1, "friction", 0),
    TechniqueName.STRETCHING: TechniqueSpec(1, "stretching", 4),
}
if set(TECHNIQUES) != set(TechniqueName):  # a new technique needs its entry
    raise TypeError(f"TECHNIQUES lacks {sorted(set(TechniqueName) - set(TECHNIQUES))}")

TECHNIQUE_ORDER: dict[TechniqueName, int] = {t: i for i, t in enumerate(TechniqueName)}
# The least pressure at which a technique is itself, where it is above 1.
LEAST_PRESSURE: dict[TechniqueName, int] = {
    name: spec.least_pressure for name, spec in TECHNIQUES.items() if spec.least_pressure > 1
}

# A restriction of every technique (e.g. no work at all on an area).
EVERY_TECHNIQUE: Literal["all"] = "all"
RestrictedTechnique = TechniqueName | Literal["all"]


class AdviceCode(str, enum.Enum):
    """Stable codes of advice; booking software may key on them."""

    CONSULT_PHYSICIAN = "consult_physician"
    CONTINUE_STANDARD_TREATMENT = "continue_standard_treatment"
    DISCLOSE_MEDICAL_HISTORY = "disclose_medical_history"
    EXPERIENCED_THERAPIST = "experienced_therapist"
    SLOWER_PROGRESS_WITH_SHORTER_SESSIONS = "slower_progress_with_shorter_sessions"
    EXPECTED_BENEFITS = "expected_benefits"
    PAIN_RELIEF_EVIDENCE = "pain_relief_evidence"
    CIPN_EVIDENCE = "cipn_evidence"
    # Screening beyond the article.
    INSPECT_SKIN = "inspect_skin"
    WATCH_BLOOD_SUGAR = "watch_blood_sugar"
    CHECK_WITH_ONCOLOGY_TEAM = "check_with_oncology_team"
    CHECK_SKIN_FOR_WOUNDS = "check_skin_for_wounds"
    CLOT_WARNING_SIGNS = "clot_warning_signs"
    WOUND_REFERRAL = "wound_referral"
    FALL_RISK = "fall_risk"
    NO_HEAT_OR_COLD = "no_heat_or_cold"
    POSTPONE_ON_FEVER = "postpone_on_fever"
    CALL_EMERGENCY_SERVICES = "call_emergency_services"
    LYMPHEDEMA_THERAPIST = "lymphedema_therapist"
    DIABETIC_FOOT_REFERRAL = "diabetic_foot_referral"
    AVOID_COLD = "avoid_cold"
    # The last session's reaction.
    REVIEW_REPEATED_FLARES = "review_repeated_flares"


class HoldCode(str, enum.Enum):
    """Stable codes of holds: booking software must not book while one is present."""

    CONSULT_PHYSICIAN = "consult_physician"
    PHYSICIAN_CLEARANCE = "physician_clearance"
    NO_WORKABLE_AREA = "no_workable_area"
    SAME_DAY_MEDICAL_CHECK = "same_day_medical_check"


class QuestionCode(str, enum.Enum):
    """Stable codes of questions: the unanswered screening field each one fills,
    and one that asks what is injected (heparin is a blood thinner)."""

    NUMB_AREAS = "numb_areas"
    WOUNDS = "wounds"
    INJECTION_SITES = "injection_sites"
    CLOT_HISTORY = "clot_history"
    ON_CHEMOTHERAPY = "on_chemotherapy"
    ON_ANTICOAGULANTS = "on_anticoagulants"
    PORT_SITES = "port_sites"
    LYMPHEDEMA_RISK = "lymphedema_risk"
    LOW_PLATELETS = "low_platelets"
    LOW_WHITE_CELLS = "low_white_cells"
    SWELLING_SIGNS = "swelling_signs"
    MEDICATIONS = "medications"
    WHAT_IS_INJECTED = "what_is_injected"


class ProtocolCode(str, enum.Enum):
    """Stable codes of the session's steps, in the order a session runs them."""

    PRESSURE_SCALE = "pressure_scale"
    STOP_WORD = "stop_word"
    CHECK_FEET = "check_feet"
    POSITION = "position"
    NO_PRONE_OVER_PORT = "no_prone_over_port"
    SUPPORT_SWOLLEN_LIMBS = "support_swollen_limbs"
    CHECK_IN = "check_in"
    NUMB_AREAS = "numb_areas"
    FALL_RISK = "fall_risk"
    GET_UP_SLOWLY = "get_up_slowly"


# What each piece of advice is about, as the at-a-glance plan names the plain
# ones it folds into one line ("For the client: their usual treatment, ...").
ADVICE_TOPIC: dict[AdviceCode, str] = {
    AdviceCode.CONSULT_PHYSICIAN: "talking to the doctor",
    AdviceCode.CONTINUE_STANDARD_TREATMENT: "their usual treatment",
    AdviceCode.DISCLOSE_MEDICAL_HISTORY: "their history",
    AdviceCode.EXPERIENCED_THERAPIST: "an experienced therapist",
    AdviceCode.SLOWER_PROGRESS_WITH_SHORTER_SESSIONS: "slower progress",
    AdviceCode.EXPECTED_BENEFITS: "benefits",
    AdviceCode.PAIN_RELIEF_EVIDENCE: "the evidence on pain",
    AdviceCode.CIPN_EVIDENCE: "the evidence in chemotherapy",
    AdviceCode.INSPECT_SKIN: "looking at the skin",
    AdviceCode.WATCH_BLOOD_SUGAR: "blood sugar",
    AdviceCode.CHECK_WITH_ONCOLOGY_TEAM: "the oncology team",
    AdviceCode.CHECK_SKIN_FOR_WOUNDS: "checking the skin for wounds",
    AdviceCode.CLOT_WARNING_SIGNS: "the signs of a clot",
    AdviceCode.WOUND_REFERRAL: "wounds seen by a doctor",
    AdviceCode.FALL_RISK: "falls",
    AdviceCode.NO_HEAT_OR_COLD: "no heat or cold",
    AdviceCode.POSTPONE_ON_FEVER: "postponing on a fever",
    AdviceCode.CALL_EMERGENCY_SERVICES: "emergency services",
    AdviceCode.LYMPHEDEMA_THERAPIST: "a lymphedema therapist",
    AdviceCode.DIABETIC_FOOT_REFERRAL: "the diabetic foot service",
    AdviceCode.AVOID_COLD: "keeping warm",
    AdviceCode.REVIEW_REPEATED_FLARES: "flares after massage",
}
# Each step of the session, as the at-a-glance plan names it in one line
# ("The session: the pressure scale, a stop word, ...").
PROTOCOL_TOPIC: dict[ProtocolCode, str] = {
    ProtocolCode.PRESSURE_SCALE: "the pressure scale",
    ProtocolCode.STOP_WORD: "a stop word",
    ProtocolCode.CHECK_FEET: "the feet looked at",
    ProtocolCode.POSITION: "an easy position",
    ProtocolCode.NO_PRONE_OVER_PORT: "not face down",
    ProtocolCode.SUPPORT_SWOLLEN_LIMBS: "swollen limbs raised",
    ProtocolCode.CHECK_IN: "check-ins",
    ProtocolCode.NUMB_AREAS: "numb skin watched",
    ProtocolCode.FALL_RISK: "help on and off the table",
    ProtocolCode.GET_UP_SLOWLY: "sitting up slowly",
}
for _codes, _topics in ((AdviceCode, ADVICE_TOPIC), (ProtocolCode, PROTOCOL_TOPIC)):
    if set(_topics) != set(_codes):
        raise TypeError(f"a topic is missing for {sorted(set(_codes) - set(_topics))}")

# The profile field each question's answer fills.
QUESTION_FIELD: dict[QuestionCode, str] = {
    **{code: code.value for code in QuestionCode if code.value in SCREENING_FIELDS},
    QuestionCode.WHAT_IS_INJECTED: "on_anticoagulants",
}
# What each question is about, in the client's words ("Your therapist will ask
# you about ...").
QUESTION_TOPIC: dict[QuestionCode, str] = {
    QuestionCode.NUMB_AREAS: "any numbness or reduced feeling",
    QuestionCode.WOUNDS: "any wounds, ulcers or skin breaks",
    QuestionCode.INJECTION_SITES: "where you inject or wear a pump or sensor",
    QuestionCode.CLOT_HISTORY: "any blood clot you have had",
    QuestionCode.ON_CHEMOTHERAPY: "whether you are having chemotherapy",
    QuestionCode.ON_ANTICOAGULANTS: "any blood thinners you take",
    QuestionCode.PORT_SITES: "any port or central line you have",
    QuestionCode.LYMPHEDEMA_RISK: "any lymph nodes removed or treated, or lymphedema",
    QuestionCode.LOW_PLATELETS: "your latest platelet count",
    QuestionCode.LOW_WHITE_CELLS: "your latest white cell count",
    QuestionCode.SWELLING_SIGNS: "what your swelling is like",
    QuestionCode.MEDICATIONS: "the medicines you take",
    QuestionCode.WHAT_IS_INJECTED: "what you inject",
}
# What each question asks about, in the therapist's words: a plan lists them
# ("Ask before the session: numbness, wounds, ...") and labels the areas kept
# safe until it is asked ("hands (numbness not yet asked)").
QUESTION_SUBJECT: dict[QuestionCode, str] = {
    QuestionCode.NUMB_AREAS: "numbness",
    QuestionCode.WOUNDS: "wounds",
    QuestionCode.INJECTION_SITES: "injection sites",
    QuestionCode.CLOT_HISTORY: "clots",
    QuestionCode.ON_CHEMOTHERAPY: "chemotherapy",
    QuestionCode.ON_ANTICOAGULANTS: "blood thinners",
    QuestionCode.PORT_SITES: "ports",
    QuestionCode.LYMPHEDEMA_RISK: "lymphedema",
    QuestionCode.LOW_PLATELETS: "platelets",
    QuestionCode.LOW_WHITE_CELLS: "white cells",
    QuestionCode.SWELLING_SIGNS: "swelling signs",
    QuestionCode.MEDICATIONS: "medicines",
    QuestionCode.WHAT_IS_INJECTED: "what is injected",
}
if set(QUESTION_FIELD) != set(QuestionCode) or set(SCREENING_FIELDS) - set(QUESTION_FIELD.values()):
    raise TypeError("every screening field needs its question, and every question its field")
for _said in (QUESTION_TOPIC, QUESTION_SUBJECT):
    if set(_said) != set(QuestionCode):
        raise TypeError(f"a question wording lacks {sorted(set(QuestionCode) - set(_said))}")


class Severity(str, enum.Enum):
    """How much an item matters, as in CDS Hooks cards (mildest first)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_ORDER: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}


class Audience(str, enum.Enum):
    """Who a piece of advice is written for."""

    CLIENT = "client"
    THERAPIST = "therapist"
    BOTH = "both"  # worded so that either reader can act on it


class SourceKind(str, enum.Enum):
    """Where a source comes from; see the contract's section on sources."""

    ARTICLE = "article"  # the article itself
    REFERENCE = "reference"  # one of its numbered references, "Id." resolved
    LITERATURE = "literature"  # a published source beyond the article, checked to exist
    PROJECT_DEFAULT = "project_default"  # this project's choice where the sources give none
    CLINIC = "clinic"  # a clinic's own policy, declared in its rule files


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Source(BaseModel):
    """A work (or a policy) a plan cites, listed once per plan."""

    model_config = _FROZEN

    id: str
    kind: SourceKind
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int | None = None
    url: str | None = None


class Reason(BaseModel):
    """Why an item is in the plan: the rule, a sentence, and the ids of its sources."""

    model_config = _FROZEN

    rule_id: str
    text: str = Field(min_length=1, description="One sentence of explanation.")
    severity: Severity = Field(description="How much the rule's contribution matters.")
    sources: Annotated[tuple[str, ...], Field(min_length=1)] = Field(
        description="Ids of the plan's sources that back this reason."
    )
    quote: str | None = Field(
        default=None, description="The article's sentence this reason rests on, if any."
    )


# What an item carries: the rule ids of its reasons, each in the plan's ``reasons``.
Reasons = Annotated[
    tuple[str, ...],
    Field(min_length=1, description="Rule ids of the item's reasons, each in the plan's reasons."),
]


class Cited(Protocol):
    """Anything a plan lists that cites reasons by rule id."""

    @property
    def reasons(self) -> tuple[str, ...]: ...


class Hold(BaseModel):
    """Something that must happen before the next session may be booked."""

    model_config = _FROZEN

    code: HoldCode
    text: str = Field(description="What must happen before booking, for booking staff.")
    client_text: str = Field(min_length=1, description="The same, in the client's words.")
    reasons: Reasons


class Question(BaseModel):
    """Something to ask the client before the session: the plan is cautious
    until the answer is recorded in ``field`` and the plan made again."""

    model_config = _FROZEN

    code: QuestionCode
    field: str = Field(description="The profile field the answer fills.")
    text: str = Field(min_length=1, description="The question, for the therapist to ask.")
    reasons: Reasons


class ProtocolStep(BaseModel):
    """One step of how the session is run, for the therapist; with the client's
    words when it concerns the client too."""

    model_config = _FROZEN

    code: ProtocolCode
    text: str = Field(min_length=1, description="The step, for the therapist.")
    client_text: str | None = Field(
        default=None, description="The part that concerns the client, in their words; or null."
    )
    reasons: Reasons


class Visit(BaseModel):
    """One of this week's visits, and how long it lasts."""

    model_config = _FROZEN

    minutes: Annotated[int, Field(ge=1, le=180)]
    reasons: Reasons


class Technique(BaseModel):
    """A technique to use, where, and at most how firmly."""

    model_config = _FROZEN

    name: TechniqueName
    areas: Annotated[tuple[BodyArea, ...], Field(min_length=1)]
    max_pressure: PressureLevel
    reasons: Reasons


class Restriction(BaseModel):
    """What must not be done where: a technique (or every one) on some areas,
    entirely, or above a pressure level when ``max_pressure`` is set."""

    model_config = _FROZEN

    technique: RestrictedTechnique = Field(description="A technique, or 'all' for every one.")
    areas: Annotated[tuple[BodyArea, ...], Field(min_length=1)]
    max_pressure: PressureLevel | None = Field(
        default=None, description="Null: not at all. A level: nothing firmer than it."
    )
    reasons: Reasons


class Advice(BaseModel):
    """Something to tell or do, with a stable ``code``, for the reader ``audience`` names."""

    model_config = _FROZEN

    code: AdviceCode
    text: str
    severity: Severity
    audience: Audience = Field(description="Who the text is written for.")
    reasons: Reasons


class GeneratedBy(BaseModel):
    """What made the plan; nothing machine-specific."""

    model_config = _FROZEN

    library: str = Field(description="'massageplan' and its version.")
    rulebase: str = Field(description="Digest of the rules and sources, independent of paths.")
    engine: str = Field(description="The rule engine that evaluated the conditions.")


class SessionPlan(BaseModel):
    """A complete plan for the next week, every item cited."""

    model_config = _FROZEN

    holds: tuple[Hold, ...] = Field(
        description="Must be resolved before booking; do not book while any is present."
    )
    questions: tuple[Question, ...] = Field(
        default=(),
        description="Ask before the session; the plan is cautious until each is answered.",
    )
    visits: tuple[Visit, ...]
    pressure: PressureLevel = Field(description="Firmest pressure level allowed next session.")
    pressure_reasons: tuple[str, ...] = Field(
        default=(), description="Rule ids of the reasons that hold pressure at this level."
    )
    techniques: tuple[Technique, ...]
    restrictions: tuple[Restriction, ...]
    advice: tuple[Advice, ...]
    protocol: tuple[ProtocolStep, ...] = Field(
        default=(), description="How the session is run, step by step, in session order."
    )
    reasons: tuple[Reason, ...] = Field(
        description="Every reason cited, once, in order of first use; items cite them by rule id."
    )
    sources: tuple[Source, ...] = Field(description="Every source cited, once, in footnote order.")
    fired_rules: tuple[str, ...]
    trace: tuple[str, ...] = Field(
        default=(), description="How the rulebase was assembled (e.g. rules replaced)."
    )
    generated_by: GeneratedBy

    def reason(self, rule_id: str) -> Reason:
        """The reason with this rule id (``KeyError`` when the plan cites none)."""
        for reason in self.reasons:
            if reason.rule_id == rule_id:
                return reason
        raise KeyError(rule_id)

    def reasons_for(self, item: Cited | Sequence[str]) -> tuple[Reason, ...]:
        """The whole reasons an item (or a tuple of rule ids, such as
        ``pressure_reasons``) cites, in its order."""
        ids = item if isinstance(item, Sequence) else item.reasons
        by_id = {reason.rule_id: reason for reason in self.reasons}
        return tuple(by_id[rule_id] for rule_id in ids)
