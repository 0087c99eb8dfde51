"""massageplan: massage-therapy session plans for peripheral neuropathy, every item cited.

Names used on every call are imported here; the rest (batches, explanations,
verification, course projections, renderers) load on first use, so that
``import massageplan`` stays quick for a web server's first request.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._conflicts import Conflict, RulebaseConflictWarning
from ._errors import EngineError, MassagePlanError, PlanSafetyError, Problem, RulebaseError
from ._load import load_rulebase
from ._plan import (
    Advice,
    AdviceCode,
    Audience,
    GeneratedBy,
    Hold,
    HoldCode,
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
from ._profile import BodyArea, ClientProfile, Condition, Hypersensitivity, Tolerance
from ._recommend import recommend
from ._rulebase import Rulebase
from ._version import __version__

if TYPE_CHECKING:
    from ._batch import BatchError, recommend_many
    from ._booking import read_booking_csv
    from ._course import project_course
    from ._course_types import Course, CourseWeek
    from ._explain import ConditionCheck, Explanation, RuleExplanation, explain
    from ._render import render_markdown, render_text
    from ._verify import Counterexample, VerifyReport, verify

_LAZY = {
    "BatchError": "_batch",
    "read_booking_csv": "_booking",
    "recommend_many": "_batch",
    "Course": "_course_types",
    "CourseWeek": "_course_types",
    "project_course": "_course",
    "ConditionCheck": "_explain",
    "Explanation": "_explain",
    "RuleExplanation": "_explain",
    "explain": "_explain",
    "render_markdown": "_render",
    "render_text": "_render",
    "Counterexample": "_verify",
    "VerifyReport": "_verify",
    "verify": "_verify",
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
    "EngineError",
    "Explanation",
    "GeneratedBy",
    "Hold",
    "HoldCode",
    "Hypersensitivity",
    "MassagePlanError",
    "PlanSafetyError",
    "Problem",
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
    "explain",
    "load_rulebase",
    "project_course",
    "read_booking_csv",
    "recommend",
    "recommend_many",
    "render_markdown",
    "render_text",
    "verify",
]
