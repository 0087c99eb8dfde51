"""massageplan: massage-therapy session plans for peripheral neuropathy, every item cited."""

from ._errors import EngineError, MassagePlanError, PlanSafetyError, Problem, RulebaseError
from ._explain import ConditionCheck, Explanation, RuleExplanation, explain
from ._load import Conflict, RulebaseConflictWarning, load_rulebase
from ._plan import (
    Advice,
    AdviceCode,
    Reason,
    Restriction,
    SessionPlan,
    Severity,
    Source,
    Technique,
    TechniqueName,
    Visit,
)
from ._profile import BodyArea, ClientProfile, Condition, Hypersensitivity, Tolerance
from ._recommend import recommend
from ._rules import Rulebase
from ._verify import Counterexample, VerifyReport, verify

__all__ = [
    "Advice",
    "AdviceCode",
    "BodyArea",
    "ClientProfile",
    "Condition",
    "ConditionCheck",
    "Conflict",
    "Counterexample",
    "EngineError",
    "Explanation",
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
    "Technique",
    "TechniqueName",
    "Tolerance",
    "VerifyReport",
    "Visit",
    "explain",
    "load_rulebase",
    "recommend",
    "verify",
]
