"""Failed-login lock-out: after N consecutive failures the account is locked for a while.

Pure: the service stores the counter and the lock's end; these functions decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError(f"max_failures must be at least 1, not {self.max_failures}")
        if self.lock_for <= timedelta(0):
            raise ValueError(f"lock_for must be positive, not {self.lock_for}")


@dataclass(frozen=True)
class AfterFailure:
    failed_logins: int
    locked_until: datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failed_logins: int, now: datetime, policy: LockoutPolicy) -> AfterFailure:
    """Count one more failure; the one that reaches the limit locks and restarts the count.

    Restarting means that when the lock ends the officer has the full number of tries
    again, rather than being locked anew by the next single mistake.
    """
    count = failed_logins + 1
    if count >= policy.max_failures:
        return AfterFailure(failed_logins=0, locked_until=now + policy.lock_for)
    return AfterFailure(failed_logins=count, locked_until=None)
