"""When jobs are due, in Vietnam time, and which run key a run is for.

Pure: clock readings in, dates and strings out. A run key names "the same run" across
processes and restarts: the business date for a nightly job ("2026-11-25"), the date and
the start of the time slot for a periodic one ("2026-11-25T13:05").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)
MINUTES_PER_DAY = 24 * 60
LOOK_BACK_DAYS = 7


@dataclass(frozen=True)
class Nightly:
    """Once a day at `at` (HH:MM, Vietnam time), for the business date `days_back` days before."""

    at: str
    days_back: int = 1

    def __post_init__(self) -> None:
        try:
            parsed = time.fromisoformat(self.at)
        except ValueError:
            raise ValueError(f"Nightly.at must be HH:MM, not {self.at!r}") from None
        if len(self.at) != 5 or parsed.second or parsed.tzinfo is not None:
            raise ValueError(f"Nightly.at must be HH:MM, not {self.at!r}")
        if self.days_back < 0:
            raise ValueError(f"Nightly.days_back must be 0 or more, not {self.days_back}")

    @property
    def at_time(self) -> time:
        return time.fromisoformat(self.at)

    def describe(self) -> str:
        day = {0: "the same day", 1: "the previous day"}.get(
            self.days_back, f"{self.days_back} days before"
        )
        return f"nightly at {self.at} ({LOCAL_TZ_NAME}) for {day}"


@dataclass(frozen=True)
class Every:
    """Every `minutes` minutes, in slots aligned to midnight (so every 15 min is :00, :15 …)."""

    minutes: int

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= MINUTES_PER_DAY or MINUTES_PER_DAY % self.minutes:
            raise ValueError(
                f"Every.minutes must divide a day (1, 5, 15, 60 …), not {self.minutes}"
            )

    def describe(self) -> str:
        return "every minute" if self.minutes == 1 else f"every {self.minutes} minutes"


Timing = Nightly | Every


def local(now: datetime) -> datetime:
    """`now` in Vietnam time; refuses naive datetimes, whose zone is anyone's guess."""
    if now.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; pass an aware one")
    return now.astimezone(LOCAL_TZ)


def nightly_run_key(business_date: date) -> str:
    return business_date.isoformat()


def slot_start(now: datetime, every: Every) -> datetime:
    """The start of the slot `now` falls in, in Vietnam time."""
    here = local(now)
    minute_of_day = here.hour * 60 + here.minute
    start = minute_of_day - minute_of_day % every.minutes
    return here.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)


def is_slot_start(now: datetime, every: Every) -> bool:
    """True in the first minute of a slot: when a per-minute tick should start the job."""
    here = local(now)
    return (here.hour * 60 + here.minute) % every.minutes == 0


def periodic_run_key(business_date: date, slot: datetime) -> str:
    """The slot's time on `business_date` (the slot's own date when run by the clock)."""
    return f"{business_date.isoformat()}T{local(slot):%H:%M}"


def latest_due_date(now: datetime, nightly: Nightly) -> date:
    """The newest business date whose nightly time has come by `now`."""
    here = local(now)
    day = here.date() if here.time() >= nightly.at_time else here.date() - timedelta(days=1)
    return day - timedelta(days=nightly.days_back)


def catch_up_dates(
    now: datetime, nightly: Nightly, look_back_days: int = LOOK_BACK_DAYS
) -> list[date]:
    """The `look_back_days` business dates, oldest first, ending with the latest due one."""
    newest = latest_due_date(now, nightly)
    return [newest - timedelta(days=back) for back in range(look_back_days - 1, -1, -1)]
