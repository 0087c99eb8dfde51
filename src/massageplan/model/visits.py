"""From one visit to the next: a session recorded in the client's profile."""

from __future__ import annotations

from .profile import ClientProfile, LastSession, Reaction


def record_session(profile: ClientProfile, session: LastSession) -> ClientProfile:
    """The profile to plan the next session with, once ``session`` is done and
    the client's reaction to it (24 to 48 hours later) is known.

    One more session is completed and ``last_session`` is the one given (the
    rules step from it, contract invariant 24). The tolerance follows the
    reaction, never further than the session went:

    - ``fine``: its pressure and minutes were tolerated, so the tolerance is
      raised to them where it was below;
    - ``sore``: the tolerance stays as it was;
    - ``flare``: they were too much, so the tolerated pressure is lowered below
      the session's (not known, below level 1) and the tolerated minutes to its.
    """
    tolerance = profile.tolerance
    pressure, minutes = tolerance.pressure, tolerance.minutes
    if session.reaction is Reaction.FINE:
        pressure = max(pressure or 0, session.pressure)
        minutes = max(minutes, session.minutes)
    elif session.reaction is Reaction.FLARE:
        if pressure is not None and pressure >= session.pressure:
            pressure = session.pressure - 1 or None
        minutes = min(minutes, session.minutes)
    return profile.model_copy(
        update={
            "sessions_completed": profile.sessions_completed + 1,
            "last_session": session,
            "tolerance": tolerance.model_copy(update={"pressure": pressure, "minutes": minutes}),
        }
    )
