"""The session plan: what to do this week, and the cited reason for each item."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ._profile import BodyArea, PressureLevel


class TechniqueName(str, enum.Enum):
    SWEDISH = "swedish"
    EFFLEURAGE = "effleurage"
    KNEADING = "kneading"
    TRIGGER_POINT = "trigger_point"
    FRICTION = "friction"
    STRETCHING = "stretching"


TECHNIQUE_ORDER: dict[TechniqueName, int] = {t: i for i, t in enumerate(TechniqueName)}


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


class Severity(str, enum.Enum):
    """How much an item matters, as in CDS Hooks cards."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Source(BaseModel):
    """The article, or one of its numbered references."""

    model_config = _FROZEN

    id: str = Field(description="'article', or 'refN' for the article's reference [N].")
    title: str
    publisher: str
    url: str


class Reason(BaseModel):
    """Why an item is in the plan: the rule, a sentence, and its sources."""

    model_config = _FROZEN

    rule_id: str
    text: str = Field(min_length=1, description="One sentence of explanation.")
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    quote: str | None = Field(
        default=None, description="The article's sentence this reason rests on, if any."
    )
    severity: Severity = Field(
        default=Severity.INFO, description="How much the rule's contribution matters."
    )


Reasons = Annotated[tuple[Reason, ...], Field(min_length=1)]


class Visit(BaseModel):
    model_config = _FROZEN

    minutes: Annotated[int, Field(ge=1, le=180)]
    reasons: Reasons


class Technique(BaseModel):
    model_config = _FROZEN

    name: TechniqueName
    areas: Annotated[tuple[BodyArea, ...], Field(min_length=1)]
    max_pressure: PressureLevel
    reasons: Reasons


class Restriction(BaseModel):
    """A technique that must not be used on the listed areas."""

    model_config = _FROZEN

    technique: TechniqueName
    areas: Annotated[tuple[BodyArea, ...], Field(min_length=1)]
    reasons: Reasons


class Advice(BaseModel):
    model_config = _FROZEN

    code: AdviceCode
    text: str
    reasons: Reasons


class SessionPlan(BaseModel):
    """A complete plan for this week, every item cited."""

    model_config = _FROZEN

    visits: tuple[Visit, ...]
    pressure: PressureLevel = Field(description="Firmest pressure level allowed this session.")
    pressure_reasons: tuple[Reason, ...] = Field(
        default=(), description="The rules that hold pressure at this level."
    )
    techniques: tuple[Technique, ...]
    restrictions: tuple[Restriction, ...]
    advice: tuple[Advice, ...]
    fired_rules: tuple[str, ...]
    trace: tuple[str, ...] = Field(
        default=(), description="How the rulebase was assembled (e.g. rules replaced)."
    )
