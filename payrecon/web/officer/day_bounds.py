"""Calendar days in Vietnam time as UTC instants, for date filters. Pure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def day_range(
    first: date | None, last: date | None, zone: ZoneInfo = VIETNAM
) -> tuple[datetime | None, datetime | None]:
    """[start of `first`, start of the day after `last`) in `zone`; None leaves a side open."""
    start = datetime.combine(first, time.min, tzinfo=zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone) if last else None
    return start, end
