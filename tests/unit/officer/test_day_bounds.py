from datetime import UTC, date, datetime

from payrecon.web.officer.day_bounds import day_range


def test_vietnam_days_become_utc_instants_with_an_exclusive_end():
    start, end = day_range(date(2026, 11, 20), date(2026, 11, 21))
    assert start.astimezone(UTC) == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 21, 17, 0, tzinfo=UTC)


def test_open_sides_stay_open():
    assert day_range(None, None) == (None, None)
    start, end = day_range(None, date(2026, 1, 1))
    assert start is None
    assert end.astimezone(UTC) == datetime(2026, 1, 1, 17, 0, tzinfo=UTC)
