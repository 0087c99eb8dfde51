"""massageplan: massage-therapy session plans for peripheral neuropathy, every item cited.

Names used on every call are imported here; the rest (batches, explanations,
verification, course projections, renderers) load on first use, so that
``import massageplan`` stays quick for a web server's first request.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .model.errors import EngineError, MassagePlanError, PlanSafetyError, Problem, RulebaseError
from .model.plan import (
    Advice,
    AdviceCode,
    Audience,
    GeneratedBy,
    Hold,
    HoldCode,
    ProtocolCode,
    ProtocolStep,
    Question,
    QuestionCode,
    Reason,
    Restriction,
    SessionPlan,
    Severity,
    Source,
    SourceKind,
    Technique,
    TechniqueName,
    Visit,
)
from .model.profile import (
    BodyArea,
    ClientProfile,
    Condition,
    Hypersensitivity,
    LastSession,
    Reaction,
    Tolerance,
)
from .model.visits import record_session
from .plan.recommend import recommend
from .rules.conflicts import Conflict, RulebaseConflictWarning
from .rules.load import load_rulebase
from .rules.rulebase import Rulebase

if TYPE_CHECKING:
    from .model.course import Course, CourseWeek
    from .model.letter import DoctorLetter, DoctorQuestion, DoctorQuestionCode
    from .plan.batch import BatchError, recommend_many
    from .plan.course import project_course
    from .plan.explain import ConditionCheck, Explanation, RuleExplanation, explain
    from .plan.verify import Counterexample, VerifyReport, verify
    from .render.letter import doctor_letter, render_letter
    from .render.text import render_markdown, render_text
    from .service.booking import read_booking_csv

_LAZY = {
    "BatchError": "plan.batch",
    "read_booking_csv": "service.booking",
    "recommend_many": "plan.batch",
    "Course": "model.course",
    "CourseWeek": "model.course",
    "project_course": "plan.course",
    "ConditionCheck": "plan.explain",
    "Explanation": "plan.explain",
    "RuleExplanation": "plan.explain",
    "explain": "plan.explain",
    "DoctorLetter": "model.letter",
    "DoctorQuestion": "model.letter",
    "DoctorQuestionCode": "model.letter",
    "doctor_letter": "render.letter",
    "render_letter": "render.letter",
    "render_markdown": "render.text",
    "render_text": "render.text",
    "Counterexample": "plan.verify",
    "VerifyReport": "plan.verify",
    "verify": "plan.verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'massageplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Advice",
    "AdviceCode",
    "Audience",
    "BatchError",
    "BodyArea",
    "ClientProfile",
    "Condition",
    "ConditionCheck",
    "Conflict",
    "Counterexample",
    "Course",
    "CourseWeek",
    "DoctorLetter",
    "DoctorQuestion",
    "DoctorQuestionCode",
    "EngineError",
    "Explanation",
    "GeneratedBy",
    "Hold",
    "HoldCode",
    "Hypersensitivity",
    "LastSession",
    "MassagePlanError",
    "PlanSafetyError",
    "Problem",
    "ProtocolCode",
    "ProtocolStep",
    "Question",
    "QuestionCode",
    "Reaction",
    "Reason",
    "Restriction",
    "RuleExplanation",
    "Rulebase",
    "RulebaseConflictWarning",
    "RulebaseError",
    "SessionPlan",
    "Severity",
    "Source",
    "SourceKind",
    "Technique",
    "TechniqueName",
    "Tolerance",
    "VerifyReport",
    "Visit",
    "__version__",
    "doctor_letter",
    "explain",
    "load_rulebase",
    "project_course",
    "read_booking_csv",
    "recommend",
    "recommend_many",
    "record_session",
    "render_letter",
    "render_markdown",
    "render_text",
    "verify",
]
