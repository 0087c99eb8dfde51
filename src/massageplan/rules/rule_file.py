"""The YAML shapes of rule files and source lists, as pydantic models.

These models are the single source of truth for the rule-file JSON Schema
(``_schema``). Effects have their own module (``rules.effects``).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from ..model.plan import Severity, SourceKind
from .effects import STRICT, Effect, Text

# Lower-case words joined by hyphens ("refN" is one word).
ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

RuleId = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=80,
        description="Lower-case words joined by hyphens, unique in the rulebase.",
    ),
]
SourceId = Annotated[
    str,
    Field(pattern=ID_PATTERN, max_length=80, description="'article', 'refN', or a declared id."),
]


class Status(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"  # kept in the file for the record; never loaded


class Evidence(str, enum.Enum):
    """Strength of the evidence behind a rule."""

    EXPERT_OPINION = "expert_opinion"
    CASE_REPORT = "case_report"
    OBSERVATIONAL = "observational"
    SYSTEMATIC_REVIEW = "systematic_review"
    PROJECT_CHOICE = "project_choice"  # no source gives it: this project chose
    CLINIC_POLICY = "clinic_policy"


class Rule(BaseModel):
    """One piece of guidance: when it applies, what it adds, and why."""

    model_config = STRICT

    id: RuleId
    title: Text
    version: Annotated[StrictInt, Field(ge=1)] = Field(
        default=1, description="Bumped whenever the rule's meaning changes."
    )
    status: Status = Status.ACTIVE
    severity: Severity = Field(
        default=Severity.INFO, description="How much what the rule adds matters."
    )
    evidence: Evidence = Field(
        default=Evidence.EXPERT_OPINION, description="Strength of the evidence behind the rule."
    )
    when: dict[str, Any] = Field(
        default_factory=dict,
        description="Conditions on the profile's facts, all of which must hold; empty: always.",
    )
    then: Annotated[tuple[Effect, ...], Field(min_length=1)]
    because: Text = Field(description="One sentence: why, as the plan will say it.")
    sources: Annotated[tuple[SourceId, ...], Field(min_length=1)] = Field(
        description="Source ids: 'article', 'refN' for the article's reference [N], "
        "'project-default', or a source declared in a rule file."
    )
    quote: Text | None = Field(
        default=None, description="The article's sentence this rule rests on, word for word."
    )
    replaces: bool = Field(
        default=False, description="Replace an earlier layer's rule with the same id."
    )
    note: Text | None = Field(default=None, description="A note for reviewers; not shown in plans.")


class SourceEntry(BaseModel):
    """A source rules may cite. Rule files declare ``clinic`` (or ``literature``)
    sources; the article, its references and the project's defaults are built in."""

    model_config = STRICT

    id: SourceId
    kind: SourceKind = SourceKind.CLINIC
    title: Text | None = None
    publisher: Text | None = None
    year: Annotated[StrictInt, Field(ge=1800, le=2100)] | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    same_as: SourceId | None = Field(
        default=None, description="'Id.' in the article: the same work as this earlier id."
    )

    @model_validator(mode="after")
    def _complete_or_same(self) -> SourceEntry:
        if self.same_as is None and (self.title is None or self.publisher is None):
            raise ValueError("a source needs a title and a publisher (or same_as)")
        given = (self.title, self.publisher, self.year, self.url)
        if self.same_as is not None and any(v is not None for v in given):
            raise ValueError("a source with same_as takes no title, publisher, year or url")
        return self


class RuleFile(BaseModel):
    """A YAML file of rules, and the sources its rules may cite besides the built-in ones."""

    model_config = ConfigDict(extra="forbid", title="massageplan rule file")

    sources: tuple[SourceEntry, ...] = Field(
        default=(), description="A clinic's own sources (kind 'clinic' or 'literature')."
    )
    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]


class SourcesFile(BaseModel):
    """The built-in list of sources: the article, its references, the project's defaults."""

    model_config = ConfigDict(extra="forbid")

    sources: Annotated[tuple[SourceEntry, ...], Field(min_length=1)]
