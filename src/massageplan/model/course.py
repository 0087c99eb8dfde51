"""A projected course: its weeks, what it assumes, and the reasons it cites."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .plan import Hold, Reason, Source

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class CourseWeek(BaseModel):
    """One projected week: the tolerance it starts with, its visits and their pressures."""

    model_config = _FROZEN

    week: int
    tolerated_minutes: int  # at the start of the week
    visits: tuple[int, ...]  # minutes of each visit
    pressures: tuple[int, ...]  # pressure level allowed at each visit
    reasons: tuple[str, ...] = ()  # keys of the course's reasons for the week's pressure

    @property
    def minutes(self) -> int:
        return sum(self.visits)


class Course(BaseModel):
    """A projection of the coming weeks; read it with its assumptions."""

    model_config = _FROZEN

    holds: tuple[Hold, ...] = ()  # the first plan's: no booking until they are resolved
    weeks: tuple[CourseWeek, ...]
    assumptions: tuple[str, ...]
    reasons: tuple[Reason, ...] = ()  # each once, in order of first use; weeks cite them by key
    sources: tuple[Source, ...] = ()  # every source the reasons cite, once each
