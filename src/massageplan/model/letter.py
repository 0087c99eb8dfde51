"""A letter to the client's doctor: the proposed session, the questions, a reply."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict

from .plan import Source

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DoctorQuestionCode(str, enum.Enum):
    """Stable codes of what a letter asks the doctor, in the order it asks."""

    SUITABLE = "suitable"  # is the proposed massage suitable now
    CLOT = "clot"
    BLOOD_THINNERS = "blood_thinners"
    BLOOD_COUNTS = "blood_counts"
    SWELLING_CAUSE = "swelling_cause"
    WOUNDS = "wounds"


class DoctorQuestion(BaseModel):
    """One question for the doctor, with room for the answer."""

    model_config = _FROZEN

    code: DoctorQuestionCode
    text: str


class DoctorLetter(BaseModel):
    """A one-page letter to the client's doctor, written by the therapist.

    Names and dates are left as lines to fill in by hand: the library never
    needs or keeps them.
    """

    model_config = _FROZEN

    why: str  # why the therapist writes: the hold, or the questions
    client: tuple[str, ...]  # the client's neuropathy and screening answers
    proposed: tuple[str, ...]  # the session, in pressure, site and position terms
    questions: tuple[DoctorQuestion, ...]
    sources: tuple[Source, ...]  # what the proposal and the questions rest on
