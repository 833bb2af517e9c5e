from datetime import UTC, date, datetime

import pytest

from jobs.timing import (
    Every,
    Nightly,
    catch_up_dates,
    is_slot_start,
    latest_due_date,
    local,
    periodic_run_key,
    slot_start,
)

# 2026-11-25 18:40 UTC is 2026-11-26 01:40 in Vietnam (UTC+7, no daylight saving).
AFTER_0130_ON_26TH = datetime(2026, 11, 25, 18, 40, tzinfo=UTC)
BEFORE_0130_ON_26TH = datetime(2026, 11, 25, 18, 10, tzinfo=UTC)


def test_local_time_is_seven_hours_ahead_of_utc():
    assert local(AFTER_0130_ON_26TH).isoformat() == "2026-11-26T01:40:00+07:00"


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        local(datetime(2026, 11, 26, 1, 40))


def test_after_the_nightly_time_yesterday_is_due():
    assert latest_due_date(AFTER_0130_ON_26TH, Nightly("01:30")) == date(2026, 11, 25)


def test_before_the_nightly_time_only_the_day_before_yesterday_is_due():
    assert latest_due_date(BEFORE_0130_ON_26TH, Nightly("01:30")) == date(2026, 11, 24)


def test_days_back_zero_means_the_local_day_itself():
    assert latest_due_date(AFTER_0130_ON_26TH, Nightly("01:30", days_back=0)) == date(2026, 11, 26)


def test_catch_up_covers_seven_dates_oldest_first_ending_with_the_latest_due():
    assert catch_up_dates(AFTER_0130_ON_26TH, Nightly("01:30")) == [
        date(2026, 11, 19),
        date(2026, 11, 20),
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]


def test_catch_up_window_can_be_shorter():
    assert catch_up_dates(BEFORE_0130_ON_26TH, Nightly("01:30"), 2) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
    ]


def test_slots_are_aligned_to_local_midnight():
    now = datetime(2026, 11, 25, 6, 7, 59, tzinfo=UTC)  # 13:07:59 in Vietnam
    assert slot_start(now, Every(5)).isoformat() == "2026-11-25T13:05:00+07:00"
    assert slot_start(now, Every(15)).isoformat() == "2026-11-25T13:00:00+07:00"
    assert slot_start(now, Every(1)).isoformat() == "2026-11-25T13:07:00+07:00"


def test_only_the_first_minute_of_a_slot_starts_a_periodic_job():
    assert is_slot_start(datetime(2026, 11, 25, 6, 15, 30, tzinfo=UTC), Every(15))
    assert not is_slot_start(datetime(2026, 11, 25, 6, 16, 0, tzinfo=UTC), Every(15))
    assert is_slot_start(datetime(2026, 11, 25, 6, 16, 0, tzinfo=UTC), Every(1))


def test_periodic_run_key_is_the_business_date_and_the_local_slot_time():
    slot = slot_start(datetime(2026, 11, 25, 17, 3, tzinfo=UTC), Every(5))  # 00:03 on the 26th
    assert periodic_run_key(date(2026, 11, 26), slot) == "2026-11-26T00:00"


@pytest.mark.parametrize("at", ["1:30", "25:00", "01:30:00", "noon", "01:30+07:00"])
def test_nightly_time_must_be_hh_mm(at):
    with pytest.raises(ValueError, match="HH:MM"):
        Nightly(at)


@pytest.mark.parametrize("minutes", [0, 7, 1441, -5])
def test_periodic_interval_must_divide_a_day(minutes):
    with pytest.raises(ValueError, match="divide a day"):
        Every(minutes)


def test_descriptions_say_when():
    assert Nightly("01:30").describe() == "nightly at 01:30 (Asia/Ho_Chi_Minh) for the previous day"
    assert Every(1).describe() == "every minute"
    assert Every(15).describe() == "every 15 minutes"
