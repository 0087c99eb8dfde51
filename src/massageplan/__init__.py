"""massageplan: massage-therapy session plans for peripheral neuropathy, every item cited."""

from ._batch import BatchError, read_booking_csv, recommend_many
from ._conflicts import Conflict, RulebaseConflictWarning
from ._course import Course, CourseWeek, project_course
from ._errors import EngineError, MassagePlanError, PlanSafetyError, Problem, RulebaseError
from ._explain import ConditionCheck, Explanation, RuleExplanation, explain
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
from ._render import render_markdown, render_text
from ._rulebase import Rulebase, load_rulebase
from ._verify import Counterexample, VerifyReport, verify
from ._version import __version__

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
