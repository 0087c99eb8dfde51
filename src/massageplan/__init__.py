"""massageplan: massage-therapy session plans for peripheral neuropathy, every item cited."""

from ._errors import EngineError, MassagePlanError, PlanSafetyError, Problem, RulebaseError
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
from ._rules import Rulebase, load_rulebase

__all__ = [
    "Advice",
    "AdviceCode",
    "BodyArea",
    "ClientProfile",
    "Condition",
    "EngineError",
    "Hypersensitivity",
    "MassagePlanError",
    "PlanSafetyError",
    "Problem",
    "Reason",
    "Restriction",
    "Rulebase",
    "RulebaseError",
    "SessionPlan",
    "Severity",
    "Source",
    "Technique",
    "TechniqueName",
    "Tolerance",
    "Visit",
    "load_rulebase",
    "recommend",
]
