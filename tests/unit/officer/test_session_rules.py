import pytest

from payrecon.web.officer.session_rules import SessionEnd, SessionLimits, session_end

LIMITS = SessionLimits(idle_seconds=30 * 60, absolute_seconds=10 * 3600)
SIGNED_IN = 1_800_000_000


def test_a_fresh_session_lasts():
    assert (
        session_end(
            signed_in_at=SIGNED_IN, last_seen_at=SIGNED_IN, now=SIGNED_IN + 60, limits=LIMITS
        )
        is None
    )


def test_thirty_idle_minutes_end_the_session_one_second_less_does_not():
    seen = SIGNED_IN + 3600
    assert (
        session_end(
            signed_in_at=SIGNED_IN, last_seen_at=seen, now=seen + 30 * 60 - 1, limits=LIMITS
        )
        is None
    )
    assert (
        session_end(signed_in_at=SIGNED_IN, last_seen_at=seen, now=seen + 30 * 60, limits=LIMITS)
        == SessionEnd.IDLE
    )


def test_a_busy_session_still_ends_at_its_absolute_lifetime():
    now = SIGNED_IN + 10 * 3600
    assert (
        session_end(signed_in_at=SIGNED_IN, last_seen_at=now - 5, now=now, limits=LIMITS)
        == SessionEnd.EXPIRED
    )


def test_past_both_limits_reads_as_expired():
    now = SIGNED_IN + 11 * 3600
    assert (
        session_end(signed_in_at=SIGNED_IN, last_seen_at=SIGNED_IN, now=now, limits=LIMITS)
        == SessionEnd.EXPIRED
    )


def test_limits_come_from_minutes_and_hours_settings():
    assert SessionLimits.from_settings("30", 8) == SessionLimits(1800, 8 * 3600)


@pytest.mark.parametrize(
    ("idle", "hours", "named"),
    [("half an hour", 8, "OFFICER_IDLE_MINUTES"), (30, None, "OFFICER_SESSION_HOURS")],
)
def test_unreadable_settings_are_named(idle, hours, named):
    with pytest.raises(ValueError, match=named):
        SessionLimits.from_settings(idle, hours)


def test_zero_limits_are_refused():
    with pytest.raises(ValueError, match="at least one second"):
        SessionLimits.from_settings(0, 8)
