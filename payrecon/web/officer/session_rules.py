"""When an officer's sign-in session ends. Pure: times in, a reason out.

Two limits: idle (no request for a while, e.g. the officer left the desk) and absolute
(however busy, sign in again after so many hours, so a stolen cookie does not live forever).
Times are whole seconds since the epoch, the form they take in the session cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SessionEnd(StrEnum):
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionLimits:
    idle_seconds: int
    absolute_seconds: int

    def __post_init__(self) -> None:
        if self.idle_seconds < 1 or self.absolute_seconds < 1:
            raise ValueError("session limits must be at least one second")

    @classmethod
    def from_settings(cls, idle_minutes: object, session_hours: object) -> SessionLimits:
        """From OFFICER_IDLE_MINUTES and OFFICER_SESSION_HOURS; ValueError names the bad one."""
        try:
            idle = int(idle_minutes)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ValueError(
                f"OFFICER_IDLE_MINUTES must be whole minutes, not {idle_minutes!r}"
            ) from None
        try:
            hours = int(session_hours)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ValueError(
                f"OFFICER_SESSION_HOURS must be whole hours, not {session_hours!r}"
            ) from None
        return cls(idle_seconds=idle * 60, absolute_seconds=hours * 3600)


def session_end(
    *, signed_in_at: int, last_seen_at: int, now: int, limits: SessionLimits
) -> SessionEnd | None:
    """Why the session is over, or None while it lasts.

    The absolute limit is checked first: a session past both limits is reported as expired,
    which is what the officer needs to hear (waiting would not have helped).
    """
    if now - signed_in_at >= limits.absolute_seconds:
        return SessionEnd.EXPIRED
    if now - last_seen_at >= limits.idle_seconds:
        return SessionEnd.IDLE
    return None
