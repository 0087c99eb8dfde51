"""A projected course: its weeks, what it assumes, and the reasons it cites."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .plan import Hold, Reason, Source
from .profile import BodyArea, Reaction

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class AreaCap(BaseModel):
    """Areas held below the week's pressure: at most ``level`` there (0: no work)."""

    model_config = _FROZEN

    level: int
    areas: tuple[BodyArea, ...]


class CourseWeek(BaseModel):
    """One projected week: the tolerance it starts with, its visits and their pressures."""

    model_config = _FROZEN

    week: int
    tolerated_minutes: int  # at the start of the week
    visits: tuple[int, ...]  # minutes of each visit
    pressures: tuple[int, ...]  # pressure level allowed at each visit
    # Keys of the course's reasons for the week's pressure, and for its minutes
    # when the course's pace held them below the plan's.
    reasons: tuple[str, ...] = ()
    area_caps: tuple[AreaCap, ...] = ()  # areas below the week's pressure, lowest first

    @property
    def minutes(self) -> int:
        return sum(self.visits)


class Course(BaseModel):
    """A projection of the coming weeks; read it with its assumptions."""

    model_config = _FROZEN

    holds: tuple[Hold, ...] = ()  # the first plan's: no booking until they are resolved
    weeks: tuple[CourseWeek, ...]
    assumptions: tuple[str, ...]
    # A projection of good weeks: the client is assumed fine after every session.
    reaction_assumed: Reaction = Reaction.FINE
    step_back: str = ""  # what to do instead after a week that is not good (invariant 24)
    reasons: tuple[Reason, ...] = ()  # each once, in order of first use; weeks cite them by key
    sources: tuple[Source, ...] = ()  # every source the reasons cite, once each
